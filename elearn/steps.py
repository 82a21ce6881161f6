"""A step is finished: the one place that says what follows a completed lesson or a graded quiz.

Every finished step is written in two commits: first the step itself with the learner's module
totals (one transaction: the lesson's completion, or the attempt's grade), then, if the module is
now complete, its certificate (issued, or renewed by a passed refresher or final quiz). A crash
between the two leaves a completion without its certificate; the next step in that module, or
`elearn certificates repair`, issues it. Views turn the returned StepResult into a message.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .auth.models import User
from .certificates import service as certificates
from .certificates.models import Certificate
from .clock import utcnow
from .content import Catalog, Module
from .learning import service as learning
from .learning.models import LessonProgress, ModuleTotals
from .quiz import service as quizzes
from .quiz.models import QuizAttempt
from .refresher import service as refreshers
from .xapi import queue as xapi_queue, statements as xapi


@dataclass(frozen=True)
class StepResult:
    """What a finished step changed, for the page that reports it."""

    graded_now: bool = False  # False when the attempt had been graded already (a repeated submit)
    refused: bool = False  # the retake policy forbade the attempt: it was deleted, not graded
    certificate: Certificate | None = None  # issued or renewed by this step
    renewed: bool = False  # the certificate renews an earlier one


def finish_lesson(session: Session, catalog: Catalog, user: User, module: Module, lesson_id: str,
                  policy: certificates.Policy, tracking: xapi.Tracking | None = None) -> StepResult:
    """The learner marked a lesson complete (idempotent). With `tracking` (xAPI is on), the first
    completion queues a statement in the same transaction."""
    first_time = tracking is not None and not _completed(session, user.id, module.id, lesson_id)
    learning.mark_complete(session, user.id, module, lesson_id)
    if first_time:
        xapi_queue.add(session, user.id, [xapi.lesson_completed(tracking, user.id, module, lesson_id, utcnow())],
                       utcnow())
    session.commit()
    return _certify(session, catalog, user, module, policy, tracking=tracking)


def _completed(session: Session, user_id: int, module_id: str, lesson_id: str) -> bool:
    return session.scalar(select(LessonProgress.completed_at).filter_by(
        user_id=user_id, module_id=module_id, lesson_id=lesson_id)) is not None


def finish_attempt(session: Session, catalog: Catalog, user: User, attempt: QuizAttempt,
                   policy: certificates.Policy, tracking: xapi.Tracking | None = None) -> StepResult:
    """The learner submitted an attempt: grade it once, recount the totals, then issue or renew
    the certificate. A refresher that passes renews the certificate it was taken for."""
    module = catalog.module(attempt.module_id)
    quiz = refreshers.quiz_for(module, attempt.quiz_id)
    try:
        graded_now = quizzes.grade(session, quiz, attempt)
    except quizzes.AttemptRefused:
        session.commit()
        return StepResult(refused=True)
    if graded_now:
        learning.refresh_totals(session, user.id, module)
    session.commit()
    session.refresh(attempt)
    if not graded_now:
        return StepResult()
    if tracking is not None:
        _track(session, user.id, xapi.quiz_graded(
            tracking, user.id, module, quiz, attempt.answers or {}, attempt.question_points or {},
            attempt.points, attempt.max_points, attempt.passed, attempt.submitted_at))
    if attempt.quiz_id == refreshers.REFRESHER_ID:
        renewed = refreshers.renew_if_passed(session, user, module, attempt, policy)
        if renewed is not None and tracking is not None:
            _track(session, user.id, [xapi.certificate_earned(tracking, user.id, module, renewed.issued_at)])
        return StepResult(graded_now=True, certificate=renewed, renewed=renewed is not None)
    return _certify(session, catalog, user, module, policy, graded_now=True, tracking=tracking)


def _certify(session, catalog, user, module, policy, graded_now=False, tracking=None) -> StepResult:
    certificate = certificates.issue_if_complete(session, catalog, user, module, policy)
    renewed = certificate is not None and certificate.renewed_from_id is not None
    if certificate is not None and tracking is not None:
        _track(session, user.id, [xapi.certificate_earned(tracking, user.id, module, certificate.issued_at)])
    return StepResult(graded_now=graded_now, certificate=certificate, renewed=renewed)


def _track(session: Session, user_id: int, statements: list[dict]) -> None:
    """Queue xAPI statements (one small INSERT; `elearn xapi send` delivers them later)."""
    xapi_queue.add(session, user_id, statements, utcnow())
    session.commit()


def repair_certificates(session: Session, catalog: Catalog, policy: certificates.Policy) -> int:
    """Issue the certificates that completed modules lack (after a crash between a step's two
    commits). Reads the totals to find candidates; returns how many were issued."""
    issued = 0
    for module in catalog.modules:
        done = len(module.lessons) + len(module.quizzes)
        holders = select(Certificate.user_id).where(Certificate.module_id == module.id,
                                                     Certificate.superseded_at.is_(None))
        candidates = session.scalars(select(ModuleTotals.user_id).where(
            ModuleTotals.module_id == module.id,
            ModuleTotals.lessons_done + ModuleTotals.quizzes_passed >= done,
            ModuleTotals.user_id.not_in(holders))).all()
        for user_id in candidates:
            user = session.get(User, user_id)
            if certificates.issue_if_complete(session, catalog, user, module, policy) is not None:
                issued += 1
    return issued
