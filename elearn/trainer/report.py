"""Group reports: learners x assigned modules, item analysis, chart data.

A trainer sees a member's learning only in the modules assigned through the group, so every
query here is limited to the group's members and to those modules. The group report runs a fixed
number of queries whatever the group's size, and reads one narrow row per learner and module
(`module_totals`, kept up to date as learners work) instead of every lesson and attempt.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ..auth.models import User
from ..certificates.models import Certificate
from ..certificates.service import CURRENT, DUE_SOON, EXPIRED, current_certificates, validity_status
from ..content import Catalog, Module
from ..learning.models import LessonProgress, ModuleTotals
from ..learning.service import COMPLETED, IN_PROGRESS, NOT_STARTED, module_status
from ..quiz.models import QuizAttempt
from . import assignments as rules
from .models import Assignment, Group, Membership
from .stats import item_analysis

_NOTHING, _NO_CERTIFICATE = (0, None, None), (None, None, None)
OVERDUE = "overdue"
STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETED)
SORT_KEYS = ("name", "module", "status", "score", "activity", "due", "certificate")
CERTIFICATE_FILTERS = (CURRENT, DUE_SOON, EXPIRED, "none")


class Row(NamedTuple):
    """One learner and one module assigned to them (a tuple: a report builds thousands)."""

    user_id: int
    name: str
    module_id: str
    status: str
    done: int
    total: int
    best: float | None  # best final-quiz percent
    last_activity: dt.datetime | None
    due: dt.date
    overdue: bool
    recur_months: int | None
    certificate: str | None  # the current certificate's validity status (certificates.service.STATUSES)
    expires_on: dt.date | None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def members_query(group_id: int):
    return select(Membership.user_id).where(Membership.group_id == group_id)


def assigned_modules(assignment_rows: list[Assignment], catalog: Catalog) -> list[Module]:
    ids = {a.module_id for a in assignment_rows}
    return [m for m in catalog.modules if m.id in ids]


def group_rows(session: Session, catalog: Catalog, group: Group, today: dt.date, due_soon_days: int,
               user_id: int | None = None) -> tuple[list[Row], list[Module]]:
    """One row per member and module assigned to them through the group, in three queries
    (assignments; members with their module totals; their current certificates), in the order
    of the learners' names, then of the modules.

    A module counts as completed, for due dates, on the day its current certificate was issued
    (a renewal counts as a new completion); a revoked certificate does not count."""
    assigned = list(session.scalars(select(Assignment).where(Assignment.group_id == group.id)))
    modules = assigned_modules(assigned, catalog)
    if not modules:
        return [], []
    members = members_query(group.id)
    if user_id is not None:
        members = members.where(Membership.user_id == user_id)
    module_ids = [m.id for m in modules]
    people: dict[int, str] = {}
    totals_of: dict[tuple[int, str], tuple] = {}
    for uid, name, module_id, lessons_done, passed, best, last in session.execute(
            select(User.id, User.display_name, ModuleTotals.module_id, ModuleTotals.lessons_done,
                   ModuleTotals.quizzes_passed, ModuleTotals.best_final, ModuleTotals.last_activity)
            .join(Membership, Membership.user_id == User.id)
            .outerjoin(ModuleTotals, and_(ModuleTotals.user_id == User.id, ModuleTotals.module_id.in_(module_ids)))
            .where(Membership.group_id == group.id, *([User.id == user_id] if user_id is not None else []))):
        people[uid] = name
        if module_id is not None:
            totals_of[(uid, module_id)] = (lessons_done + passed, best, last)
    certificates = current_certificates(session, members, [m.id for m in modules])
    validity = {key: (validity_status(c.expires_on, c.revoked_at, False, today, due_soon_days), c.expires_on,
                      None if c.revoked_at is not None else c.issued_at.date())
                for key, c in certificates.items()}

    # plain tuples: the loop below runs once per learner and module, and ORM attribute access
    # costs more than everything else in it
    group_wide: dict[str, tuple] = {}
    personal: dict[tuple[int, str], tuple] = {}
    for a in sorted(assigned, key=lambda a: (a.created_at, a.id)):  # the newest group-wide one wins
        if a.user_id is None:
            group_wide[a.module_id] = (a.due_on, a.recur_months)
        else:
            personal[(a.user_id, a.module_id)] = (a.due_on, a.recur_months)
    plan = [(m.id, len(m.lessons) + len(m.quizzes), group_wide.get(m.id)) for m in modules]
    state = rules.state
    rows = []
    for uid, name in sorted(people.items(), key=lambda item: item[1].casefold()):
        for module_id, total, shared in plan:
            key = (uid, module_id)
            assignment = personal.get(key) or shared
            if assignment is None:
                continue
            done, best, last = totals_of.get(key, _NOTHING)
            done = min(done, total)  # counts made before lessons or quizzes were removed
            certificate, expires_on, completed_on = validity.get(key, _NO_CERTIFICATE)
            due = state(assignment[0], assignment[1], completed_on, today)
            rows.append(Row(uid, name, module_id, module_status(done, total, last is not None), done, total,
                            best, last, due.due, due.overdue, assignment[1], certificate, expires_on))
    return rows, modules


def filter_rows(rows: list[Row], module_id: str | None = None, status: str | None = None,
                query: str | None = None, certificate: str | None = None) -> list[Row]:
    if certificate == "none":
        rows = [r for r in rows if r.certificate is None]
    elif certificate in CERTIFICATE_FILTERS:
        rows = [r for r in rows if r.certificate == certificate]
    if module_id:
        rows = [r for r in rows if r.module_id == module_id]
    if status == OVERDUE:
        rows = [r for r in rows if r.overdue]
    elif status in STATUSES:
        rows = [r for r in rows if r.status == status]
    if query:
        needle = query.casefold()
        rows = [r for r in rows if needle in r.name.casefold()]
    return rows


_STATUS_ORDER = {NOT_STARTED: 0, IN_PROGRESS: 1, COMPLETED: 2}
_NEVER = dt.datetime.min


def sort_rows(rows: list[Row], key: str, descending: bool, module_order: dict[str, int]) -> list[Row]:
    """Sort by one column. `rows` come in name order and Python's sort is stable, so rows with
    equal values stay in name order. Missing scores and activity sort as the lowest values."""
    column = {
        "module": lambda r: module_order.get(r.module_id, 0),
        "status": lambda r: (_STATUS_ORDER[r.status], r.percent),
        "score": lambda r: -1.0 if r.best is None else r.best,
        "activity": lambda r: r.last_activity or _NEVER,
        "due": lambda r: (r.due, not r.overdue),
        "certificate": lambda r: (r.certificate is None, r.expires_on or dt.date.max),
    }.get(key)
    if column is None:  # by name: already in that order
        return list(reversed(rows)) if descending else list(rows)
    return sorted(rows, key=column, reverse=descending)


@dataclass(frozen=True)
class ModuleSummary:
    module: Module
    learners: int
    counts: dict[str, int]  # status -> learners
    overdue: int
    certificates: dict[str, int]  # current, due_soon, expired -> learners holding such a certificate


def summaries(rows: list[Row], modules: list[Module]) -> list[ModuleSummary]:
    result = []
    for module in modules:
        mine = [r for r in rows if r.module_id == module.id]
        counts = Counter(r.status for r in mine)
        held = Counter(r.certificate for r in mine)
        result.append(ModuleSummary(module, len(mine), {s: counts.get(s, 0) for s in STATUSES},
                                    sum(r.overdue for r in mine), {s: held.get(s, 0) for s in (CURRENT, DUE_SOON, EXPIRED)}))
    return result


# -- one learner ---------------------------------------------------------------------------

def learner_attempts(session: Session, user_id: int, module_ids: list[str]) -> list[QuizAttempt]:
    return list(session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user_id, QuizAttempt.module_id.in_(module_ids),
                                  QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.submitted_at.desc())))


def learner_lessons(session: Session, user_id: int, module_ids: list[str]) -> dict[tuple[str, str], LessonProgress]:
    return {(p.module_id, p.lesson_id): p for p in session.scalars(
        select(LessonProgress).where(LessonProgress.user_id == user_id, LessonProgress.module_id.in_(module_ids)))}


# -- item analysis and charts ----------------------------------------------------------------

def quiz_attempts(session: Session, group: Group, module_id: str, quiz_id: str) -> list[QuizAttempt]:
    """Graded attempts of the group's members at one quiz."""
    return list(session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id.in_(members_query(group.id)),
                                  QuizAttempt.module_id == module_id, QuizAttempt.quiz_id == quiz_id,
                                  QuizAttempt.submitted_at.is_not(None))))


def analyse(quiz, attempts: list[QuizAttempt]):
    """Item analysis of every graded attempt (Moodle's "all attempts") at the questions the quiz
    holds now; a question added after an attempt was made counts as unanswered for it."""
    questions = [(q.id, [o.id for o in q.options]) for q in quiz.questions]
    marks = [{qid: (min(max(float(points), 0.0), 1.0), attempt.answers.get(qid, []))
              for qid, points in (attempt.question_points or {}).items()} for attempt in attempts]
    return item_analysis(questions, marks)


def score_histogram(scores: list[float], bins: int = 10) -> list[int]:
    """Counts of scores (0..100) in `bins` equal bins; 100 falls in the last one."""
    counts = [0] * bins
    for score in scores:
        counts[min(int(score * bins // 100), bins - 1)] += 1
    return counts


def best_scores(attempts: list[QuizAttempt]) -> list[float]:
    best: dict[int, float] = {}
    for a in attempts:
        if a.percent is not None:
            best[a.user_id] = max(best.get(a.user_id, 0.0), a.percent)
    return list(best.values())


def completion_series(session: Session, group: Group, module_id: str, since: dt.date,
                      today: dt.date) -> list[tuple[dt.date, int]]:
    """Cumulative number of members who completed the module, per day from `since` to today
    (first completion per member; revoked certificates do not count)."""
    firsts = session.execute(
        select(func.min(Certificate.issued_at)).where(
            Certificate.user_id.in_(members_query(group.id)), Certificate.module_id == module_id,
            Certificate.revoked_at.is_(None)).group_by(Certificate.user_id)).scalars().all()
    per_day = Counter(t.date() for t in firsts)
    start = min([since] + list(per_day))
    series, total, day = [], 0, start
    while day <= today:
        total += per_day.get(day, 0)
        series.append((day, total))
        day += dt.timedelta(days=1)
    return series
