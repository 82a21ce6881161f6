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
from typing import Iterator, NamedTuple

from sqlalchemy import (Date, DateTime, Integer, String, and_, case, cast, func, literal, null, or_, select,
                        union_all)
from sqlalchemy.orm import Session

from ..auth.models import User
from ..certificates.models import Certificate
from ..certificates.service import CURRENT, DUE_SOON, EXPIRED, REVOKED
from ..content import Catalog, Module
from ..learning.models import LessonProgress, ModuleTotals
from ..learning.service import COMPLETED, IN_PROGRESS, NOT_STARTED
from ..quiz.models import QuizAttempt
from . import assignments as rules
from .models import Assignment, Group, Membership
from .stats import drawn_item_analysis, item_analysis

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


# -- the group report, in SQL ------------------------------------------------------------------
#
# One row per member and module assigned to them through the group. The report sorts, filters,
# counts and pages in the database: a page of 100 rows of a 5,000-learner group builds 100 rows,
# not 25,000 (bench/report.py). The due-date rule (assignments.state) depends on the learner
# only through the day their current certificate was issued, so each assignment's cycle is worked
# out once in Python (`_cycle`) and every row compares its certificate with those bounds.

_EPOCH, _NEVER_DONE = dt.datetime(1970, 1, 1), dt.datetime(9999, 1, 1)


@dataclass(frozen=True)
class Filters:
    """What the trainer asked for: filters (empty: all), a sort column and its direction."""

    module_id: str = ""
    status: str = ""  # one of STATUSES, OVERDUE, or ""
    query: str = ""  # part of the learner's name
    certificate: str = ""  # one of CERTIFICATE_FILTERS, or ""
    sort: str = "name"
    descending: bool = False


def _cycle(due_on: dt.date, recur_months: int | None, today: dt.date) -> tuple:
    """(done_from, pending_from, due_if_done, due_if_pending, due_if_overdue) for one assignment:
    a learner whose certificate was issued at or after `done_from` has met the current
    requirement; otherwise at or after `pending_from` (None: always) they are due, not overdue;
    otherwise overdue. The same answers as assignments.state, as bounds."""
    def after(day: dt.date) -> dt.datetime:  # "completed on a later day than `day`"
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())

    if not recur_months:
        return _EPOCH, (None if today <= due_on else _NEVER_DONE), due_on, due_on, due_on
    k = 0
    while rules._nth(due_on, k, recur_months) < today:
        k += 1
    nth = lambda j: rules._nth(due_on, j, recur_months)  # noqa: E731
    return (after(nth(k - 1)), None if k == 0 else after(nth(k - 2)), nth(k + 1), nth(k),
            nth(k - 1) if k else nth(k))


def _plan(rows: list[tuple]):
    """Assignments as a table, one row each. A UNION ALL of one-row SELECTs: SQLite cannot name
    the columns of VALUES. A NULL is cast to its type, as PostgreSQL must know a column's type
    even when every value in it is NULL (a value is never cast: SQLite would turn the text of a
    date into a number)."""
    names = ("user_id", "module_id", "total", "recur_months", "done_from", "pending_from", "due_done",
             "due_pending", "due_overdue")
    types = (Integer, String, Integer, Integer, DateTime, DateTime, Date, Date, Date)
    return union_all(*(select(*((cast(null(), kind) if value is None else literal(value, kind)).label(name)
                                for value, kind, name in zip(row, types, names))) for row in rows))


def _pairs(assigned: list[Assignment], modules: list[Module], member, today: dt.date):
    """(member, assignment) pairs that apply: the newest group-wide assignment of each module for
    every member, except where the member has a personal one, which applies instead. Two plain
    joins rather than one with an OR, so the database can estimate (and plan for) the rows."""
    totals = {m.id: len(m.lessons) + len(m.quizzes) for m in modules}
    chosen: dict[tuple, Assignment] = {}
    for a in sorted(assigned, key=lambda a: (a.created_at, a.id)):  # the newest wins
        chosen[(a.user_id, a.module_id)] = a
    rows = {key: (a.user_id, a.module_id, totals[a.module_id], a.recur_months, *_cycle(a.due_on, a.recur_months, today))
            for key, a in chosen.items()}
    shared = _plan([row for (uid, _m), row in rows.items() if uid is None]).subquery("shared") if any(
        uid is None for uid, _m in rows) else None
    personal = [row for (uid, _m), row in rows.items() if uid is not None]
    parts = []
    if shared is not None:
        overridden = [and_(member.c.user_id == row[0], shared.c.module_id == row[1]) for row in personal]
        parts.append(select(member.c.user_id.label("member_id"), *[c for c in shared.c if c.name != "user_id"])
                     .select_from(member).join(shared, literal(True)).where(*([~or_(*overridden)] if overridden else [])))
    if personal:
        mine = _plan(personal).subquery("personal")
        parts.append(select(member.c.user_id.label("member_id"), *[c for c in mine.c if c.name != "user_id"])
                     .select_from(member).join(mine, mine.c.user_id == member.c.user_id))
    return union_all(*parts).subquery("plan")


def report_select(catalog: Catalog, assigned: list[Assignment], group_id: int, today: dt.date,
                  due_soon_days: int, user_id: int | None = None):
    """The group report as one SELECT (a subquery to filter, sort, count and page), or None
    when nothing is assigned. Its columns are Row's fields plus `sort_name` and `position`."""
    modules = assigned_modules(assigned, catalog)
    if not modules:
        return None, []
    member = select(Membership.user_id).where(Membership.group_id == group_id)
    if user_id is not None:
        member = member.where(Membership.user_id == user_id)
    plan = _pairs(assigned, modules, member.subquery("member"), today)
    steps = func.coalesce(ModuleTotals.lessons_done, 0) + func.coalesce(ModuleTotals.quizzes_passed, 0)
    done = case((steps > plan.c.total, plan.c.total), else_=steps)
    status = case((done >= plan.c.total, COMPLETED), (ModuleTotals.last_activity.is_not(None), IN_PROGRESS),
                  else_=NOT_STARTED)
    completed_at = case((Certificate.revoked_at.is_(None), Certificate.issued_at))
    met, pending = completed_at >= plan.c.done_from, or_(plan.c.pending_from.is_(None),
                                                          completed_at >= plan.c.pending_from)
    certificate = case((Certificate.id.is_(None), None), (Certificate.revoked_at.is_not(None), REVOKED),
                       (Certificate.expires_on.is_(None), CURRENT), (Certificate.expires_on < today, EXPIRED),
                       (Certificate.expires_on <= today + dt.timedelta(days=due_soon_days), DUE_SOON),
                       else_=CURRENT)
    position = case(*((plan.c.module_id == m.id, i) for i, m in enumerate(modules)), else_=len(modules))
    query = (select(User.id.label("user_id"), User.display_name.label("name"), plan.c.module_id,
                    status.label("status"), done.label("done"), plan.c.total, ModuleTotals.best_final.label("best"),
                    ModuleTotals.last_activity,
                    case((met, plan.c.due_done), (pending, plan.c.due_pending), else_=plan.c.due_overdue).label("due"),
                    case((met, False), (pending, False), else_=True).label("overdue"), plan.c.recur_months,
                    certificate.label("certificate"), Certificate.expires_on,
                    func.lower(User.display_name).label("sort_name"), position.label("position"))
             .select_from(plan).join(User, User.id == plan.c.member_id)
             .outerjoin(ModuleTotals, and_(ModuleTotals.user_id == User.id, ModuleTotals.module_id == plan.c.module_id))
             .outerjoin(Certificate, and_(Certificate.user_id == User.id, Certificate.module_id == plan.c.module_id,
                                          Certificate.superseded_at.is_(None))))
    return query.subquery("report"), modules


def _where(report, filters: Filters):
    conditions = []
    if filters.certificate == "none":
        conditions.append(report.c.certificate.is_(None))
    elif filters.certificate in CERTIFICATE_FILTERS:
        conditions.append(report.c.certificate == filters.certificate)
    if filters.module_id:
        conditions.append(report.c.module_id == filters.module_id)
    if filters.status == OVERDUE:
        conditions.append(report.c.overdue.is_(True))
    elif filters.status in STATUSES:
        conditions.append(report.c.status == filters.status)
    if filters.query:
        conditions.append(report.c.sort_name.contains(filters.query.lower(), autoescape=True))
    return conditions


def _order(report, filters: Filters) -> list:
    """Sort by one column; equal values stay in name order. Missing scores and activity sort lowest."""
    r = report.c
    key = {
        "module": [r.position],
        "status": [case((r.status == NOT_STARTED, 0), (r.status == IN_PROGRESS, 1), else_=2), r.done * 1.0 / r.total],
        "score": [func.coalesce(r.best, -1.0)],
        "activity": [func.coalesce(r.last_activity, _EPOCH)],
        "due": [r.due, case((r.overdue.is_(True), 0), else_=1)],
        "certificate": [case((r.certificate.is_(None), 1), else_=0), func.coalesce(r.expires_on, dt.date(9999, 12, 31))],
    }.get(filters.sort)
    names = [r.sort_name, r.user_id, r.position]
    if key is None:  # by name
        return [c.desc() for c in names] if filters.descending else names
    return [c.desc() for c in key] + names if filters.descending else key + names


def _rows(result) -> list[Row]:
    return [Row(*found[:13]) for found in result]


def page(session: Session, report, filters: Filters, size: int, number: int,
         total: int | None = None) -> tuple[list[Row], int, int]:
    """(rows of page `number` (from 1, clamped to the last), rows matching, that page's number).
    `total`, when the caller knows it (every row matches), saves counting them again."""
    conditions = _where(report, filters)
    if total is None or conditions:
        total = session.scalar(select(func.count()).select_from(report).where(*conditions))
    number = max(1, min(number, -(-total // size) or 1))
    rows = session.execute(select(report).where(*conditions).order_by(*_order(report, filters))
                           .limit(size).offset((number - 1) * size))
    return _rows(rows), total, number


def stream(session: Session, report, filters: Filters, batch: int = 1000) -> Iterator[Row]:
    """Every matching row in order, fetched `batch` at a time (memory does not grow with the rows)."""
    result = session.execute(select(report).where(*_where(report, filters)).order_by(*_order(report, filters))
                             .execution_options(yield_per=batch))
    for found in result:
        yield Row(*found[:13])


def group_rows(session: Session, catalog: Catalog, group: Group, today: dt.date, due_soon_days: int,
               user_id: int | None = None) -> tuple[list[Row], list[Module]]:
    """Every row of the report (one learner's when `user_id`), in the order of names, then modules."""
    assigned = list(session.scalars(select(Assignment).where(Assignment.group_id == group.id)))
    report, modules = report_select(catalog, assigned, group.id, today, due_soon_days, user_id)
    if report is None:
        return [], []
    return _rows(session.execute(select(report).order_by(*_order(report, Filters())))), modules


@dataclass(frozen=True)
class ModuleSummary:
    module: Module
    learners: int
    counts: dict[str, int]  # status -> learners
    overdue: int
    certificates: dict[str, int]  # current, due_soon, expired -> learners holding such a certificate


def summaries(session: Session, report, modules: list[Module]) -> list[ModuleSummary]:
    """Per module: learners, how many in each status, overdue, holding each certificate status."""
    r = report.c
    count = lambda condition: func.sum(case((condition, 1), else_=0))  # noqa: E731
    found = {row[0]: row[1:] for row in session.execute(
        select(r.module_id, func.count(), *(count(r.status == s) for s in STATUSES), count(r.overdue.is_(True)),
               *(count(r.certificate == c) for c in (CURRENT, DUE_SOON, EXPIRED))).group_by(r.module_id))}
    result = []
    for module in modules:
        learners, *numbers = found.get(module.id, (0,) + (0,) * 7)
        numbers = [int(n or 0) for n in numbers]
        result.append(ModuleSummary(module, int(learners), dict(zip(STATUSES, numbers[:3])), numbers[3],
                                    dict(zip((CURRENT, DUE_SOON, EXPIRED), numbers[4:]))))
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
    """Item analysis of every graded attempt (Moodle's "all attempts"): the whole-quiz statistics
    and (question, statistics) pairs. A quiz that asks all its questions is analysed at the
    questions it holds now (one added after an attempt counts as unanswered for it); a quiz that
    draws from the bank, at every bank question some attempt asked, in the bank's order, each
    over the attempts that asked it."""
    marks = [{qid: (min(max(float(points), 0.0), 1.0), attempt.answers.get(qid, []))
              for qid, points in (attempt.question_points or {}).items()} for attempt in attempts]
    if quiz.draw:
        asked = {qid for mark in marks for qid in mark}
        questions = [q for _lesson, stratum in quiz.bank for q in stratum if q.id in asked]
        test, per_question = drawn_item_analysis([(q.id, [o.id for o in q.options]) for q in questions], marks)
    else:
        questions = list(quiz.questions)
        test, per_question = item_analysis([(q.id, [o.id for o in q.options]) for q in questions], marks)
    return test, list(zip(questions, per_question))


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
