"""Progress rules: opening and completing lessons, module status, where to continue."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth.models import utcnow
from ..content import Catalog, Module
from .models import LessonProgress

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"


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


def record_visit(session: Session, user_id: int, module_id: str, lesson_id: str) -> bool:
    """Note that the learner opened the lesson; return whether they completed it before."""
    row = _row(session, user_id, module_id, lesson_id)
    row.last_opened_at = utcnow()
    completed = row.completed_at is not None
    session.commit()
    return completed


def mark_complete(session: Session, user_id: int, module_id: str, lesson_id: str) -> None:
    """Mark a lesson complete. Idempotent: the first completion time is kept."""
    row = _row(session, user_id, module_id, lesson_id)
    now = utcnow()
    row.last_opened_at = now
    row.completed_at = row.completed_at or now
    session.commit()


def progress_by_module(session: Session, user_id: int, catalog: Catalog) -> dict[str, ModuleProgress]:
    """Every module's progress for one learner, in two queries."""
    from ..quiz.models import QuizAttempt

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
