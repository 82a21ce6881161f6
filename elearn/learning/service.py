"""Progress rules: opening and completing lessons, module status and totals, where to continue.

Functions that write flush without committing, except `record_visit` (a page view is its own
step); elearn.steps commits a finished step as one unit.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, case, delete, func, insert, literal, null, or_, select, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..content import Catalog, Module
from ..db import upsert
from ..quiz.models import QuizAttempt
from .models import LessonProgress, ModuleTotals

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"
#: A lesson view is written at most once per learner and lesson in this time: "last activity" in
#: reports and "continue where you left off" need minutes, not every page view (each is a commit).
VISIT_RESOLUTION = dt.timedelta(minutes=5)
# Read on every signed-in lesson view: built once, with its parameters bound at execution, so a
# view neither builds the statement again nor works out its cache key (most of the read's cost).
_LAST_VISIT = select(LessonProgress.last_opened_at, LessonProgress.completed_at).where(
    LessonProgress.user_id == bindparam("user_id"), LessonProgress.module_id == bindparam("module_id"),
    LessonProgress.lesson_id == bindparam("lesson_id"))


def module_status(done: int, total: int, active: bool) -> str:
    """Completed when every step is done; in progress once anything was opened or tried."""
    if total and done >= total:
        return COMPLETED
    return IN_PROGRESS if active else NOT_STARTED


@dataclass(frozen=True)
class ModuleProgress:
    """A learner's progress in one module: every lesson completed, every check quiz passed and
    the final quiz passed make the module complete."""

    module_id: str
    completed_lessons: frozenset[str]
    lessons_total: int
    passed_quizzes: frozenset[str]
    quizzes_total: int
    best: dict  # quiz id -> best percent
    last_activity: dt.datetime | None

    @property
    def done(self) -> int:
        return len(self.completed_lessons) + len(self.passed_quizzes)

    @property
    def total(self) -> int:
        return self.lessons_total + self.quizzes_total

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def status(self) -> str:
        return module_status(self.done, self.total, self.last_activity is not None)


def _row(session: Session, user_id: int, module_id: str, lesson_id: str) -> LessonProgress:
    stmt = select(LessonProgress).filter_by(user_id=user_id, module_id=module_id, lesson_id=lesson_id)
    row = session.scalar(stmt)
    if row is None:
        row = LessonProgress(user_id=user_id, module_id=module_id, lesson_id=lesson_id)
        session.add(row)
        try:
            session.flush()
        except IntegrityError:  # the same learner in two tabs: the other request made it first
            session.rollback()
            row = session.scalar(stmt)
    return row


def record_visit(session: Session, user_id: int, module: Module, lesson_id: str) -> bool:
    """Note that the learner opened the lesson (committed, unless they opened it less than
    VISIT_RESOLUTION ago: then nothing a report shows changes); return whether they completed it."""
    now = utcnow()
    seen = session.execute(_LAST_VISIT, {"user_id": user_id, "module_id": module.id,
                                         "lesson_id": lesson_id}).first()  # two columns, no ORM object
    if seen is not None and now - seen.last_opened_at < VISIT_RESOLUTION:
        return seen.completed_at is not None
    row = _row(session, user_id, module.id, lesson_id)
    row.last_opened_at = now
    completed = row.completed_at is not None
    touched = session.execute(update(ModuleTotals).where(
        ModuleTotals.user_id == user_id, ModuleTotals.module_id == module.id).values(last_activity=now)).rowcount
    if not touched:
        refresh_totals(session, user_id, module)
    session.commit()
    return completed


def mark_complete(session: Session, user_id: int, module: Module, lesson_id: str) -> None:
    """Mark a lesson complete and recount the module's totals (flushed, not committed).
    Idempotent: the first completion time is kept."""
    row = _row(session, user_id, module.id, lesson_id)
    now = utcnow()
    row.last_opened_at = now
    row.completed_at = row.completed_at or now
    session.flush()
    refresh_totals(session, user_id, module)


def _totals_query(modules: list[Module], user_id: int | None = None):
    """Per (learner, module): completed lessons, passed quizzes, best final percent, last activity,
    counting only the lessons and quizzes the modules have now (one learner's when `user_id`).
    The final quiz is each module's own `final_quiz_id`, whatever it is called."""
    finals = [(and_(QuizAttempt.module_id == m.id, QuizAttempt.quiz_id == m.final_quiz_id), QuizAttempt.percent)
              for m in modules]
    lessons = (select(LessonProgress.user_id.label("user_id"), LessonProgress.module_id.label("module_id"),
                      func.count(LessonProgress.completed_at).label("lessons_done"),
                      literal(0).label("quizzes_passed"), null().label("best_final"),
                      func.max(LessonProgress.last_opened_at).label("last_activity"))
               .where(or_(*(and_(LessonProgress.module_id == m.id,
                                 LessonProgress.lesson_id.in_([lesson.id for lesson in m.lessons])) for m in modules)))
               .group_by(LessonProgress.user_id, LessonProgress.module_id))
    quizzes = (select(QuizAttempt.user_id, QuizAttempt.module_id, literal(0),
                      func.count(func.distinct(case((QuizAttempt.passed.is_(True), QuizAttempt.quiz_id)))),
                      func.max(case(*finals)),
                      func.max(QuizAttempt.started_at))
               .where(or_(*(and_(QuizAttempt.module_id == m.id, QuizAttempt.quiz_id.in_(list(m.quizzes)))
                            for m in modules)))
               .group_by(QuizAttempt.user_id, QuizAttempt.module_id))
    if user_id is not None:
        lessons = lessons.where(LessonProgress.user_id == user_id)
        quizzes = quizzes.where(QuizAttempt.user_id == user_id)
    both = union_all(lessons, quizzes).subquery()
    return (select(both.c.user_id, both.c.module_id, func.sum(both.c.lessons_done), func.sum(both.c.quizzes_passed),
                   func.max(both.c.best_final), func.max(both.c.last_activity))
            .group_by(both.c.user_id, both.c.module_id))


def refresh_totals(session: Session, user_id: int, module: Module) -> None:
    """Recompute one learner's totals in one module from their lessons and attempts (a few rows;
    flushed, not committed)."""
    row = session.execute(_totals_query([module], user_id)).first()
    values = dict(lessons_done=int(row[2] or 0), quizzes_passed=int(row[3] or 0), best_final=row[4],
                  last_activity=row[5]) if row else dict(lessons_done=0, quizzes_passed=0, best_final=None,
                                                          last_activity=None)
    upsert(session, ModuleTotals, dict(user_id=user_id, module_id=module.id), values)


def rebuild_totals(session: Session, catalog: Catalog) -> int:
    """Recompute every learner's totals in one statement (after a bulk import, or after lessons or
    quizzes were removed from a module). Returns the number of rows."""
    session.execute(delete(ModuleTotals))
    session.execute(insert(ModuleTotals).from_select(
        ["user_id", "module_id", "lessons_done", "quizzes_passed", "best_final", "last_activity"],
        _totals_query(list(catalog.modules))))
    session.commit()
    return session.scalar(select(func.count()).select_from(ModuleTotals))


def progress_by_module(session: Session, user_id: int, catalog: Catalog) -> dict[str, ModuleProgress]:
    """Every module's progress for one learner, in two queries."""
    rows = session.execute(
        select(LessonProgress.module_id, LessonProgress.lesson_id, LessonProgress.completed_at,
               LessonProgress.last_opened_at).where(LessonProgress.user_id == user_id)
    ).all()
    attempts = session.execute(
        select(QuizAttempt.module_id, QuizAttempt.quiz_id, func.max(QuizAttempt.percent),
               func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)), func.max(QuizAttempt.started_at))
        .where(QuizAttempt.user_id == user_id).group_by(QuizAttempt.module_id, QuizAttempt.quiz_id)
    ).all()
    result = {}
    for module in catalog.modules:
        lesson_ids = {lesson.id for lesson in module.lessons}
        mine = [r for r in rows if r.module_id == module.id and r.lesson_id in lesson_ids]
        quizzes = [a for a in attempts if a[0] == module.id and a[1] in module.quizzes]
        last = max([r.last_opened_at for r in mine] + [a[4] for a in quizzes], default=None)
        result[module.id] = ModuleProgress(
            module_id=module.id,
            completed_lessons=frozenset(r.lesson_id for r in mine if r.completed_at),
            lessons_total=len(module.lessons),
            passed_quizzes=frozenset(a[1] for a in quizzes if a[3]),
            quizzes_total=len(module.quizzes),
            best={a[1]: a[2] for a in quizzes if a[2] is not None},
            last_activity=last,
        )
    return result


def continue_point(session: Session, user_id: int, catalog: Catalog):
    """(module, lesson) the learner opened last, when it still exists and the module is unfinished."""
    rows = session.execute(
        select(LessonProgress.module_id, LessonProgress.lesson_id)
        .where(LessonProgress.user_id == user_id)
        .order_by(LessonProgress.last_opened_at.desc()).limit(20)
    ).all()
    for module_id, lesson_id in rows:
        module = catalog.module(module_id)
        lesson = module.lesson(lesson_id) if module else None
        if lesson is not None:
            return module, next_unfinished(session, user_id, module, lesson)
    return None


def next_unfinished(session: Session, user_id: int, module: Module, start):
    """The first lesson from `start` on that is not complete (or `start` when all are)."""
    done = set(session.scalars(
        select(LessonProgress.lesson_id).where(
            LessonProgress.user_id == user_id, LessonProgress.module_id == module.id,
            LessonProgress.completed_at.is_not(None))
    ))
    for lesson in module.lessons[start.position:]:
        if lesson.id not in done:
            return lesson
    return start
