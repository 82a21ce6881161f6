"""Refresher rules: who may take one, which questions it asks (see rule.py), and what passing does.

A refresher is an ordinary QuizAttempt with quiz id "refresher", so saving, resuming and grading
are the quiz engine's. Its layout holds the questions chosen for this person when it starts.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import random

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from ..auth.models import User
from ..clock import utcnow
from ..certificates import service as certificates
from ..certificates.models import Certificate
from ..content import Catalog, Lesson, Module, Quiz, Text
from ..quiz import service as quiz_service
from ..quiz.models import QuizAttempt
from .rule import Answer, choose_questions

#: The quiz id of refresher attempts: questions drawn from the module's whole bank, a few per
#: attempt, chosen by rule.py (the attempt's layout fixes them, like any attempt's).
REFRESHER_ID = "refresher"


def refresher_quiz(module: Module) -> Quiz | None:
    """The module's refresher: its whole question bank, with the final quiz's pass mark, retake
    policy (wait after a failure, attempts a day) and review options: a refresher renews the
    certificate, so a failed one must not hand over the key to the next (which leans on the
    questions missed).

    None when the module's certificate does not expire (there is nothing to renew).
    """
    if not module.certificate_validity_months or not module.question_bank:
        return None
    final = module.final_quiz
    # Lazy strings: Text.get(lang) is only called for the language of the page being shown.
    title = Text(ar=_l("Refresher quiz"), en=_l("Refresher quiz"))
    return Quiz(id=REFRESHER_ID, module_id=module.id, kind="refresher", lesson_id=None, title=title,
                pass_mark=final.pass_mark, max_attempts=0, retake_wait_minutes=final.retake_wait_minutes,
                max_per_day=final.max_per_day, review=final.review, questions=module.question_bank)


def quiz_for(module: Module, quiz_id: str) -> Quiz | None:
    """The quiz an attempt was taken on: one of the module's quizzes, or its refresher."""
    return refresher_quiz(module) if quiz_id == REFRESHER_ID else module.quizzes.get(quiz_id)


def renewable_certificate(session: Session, user_id: int, module: Module) -> Certificate | None:
    """The certificate a refresher would renew: the person's current one, unless revoked."""
    if refresher_quiz(module) is None:
        return None
    certificate = certificates.for_user_module(session, user_id, module.id)
    if certificate is None or certificate.revoked_at is not None:
        return None
    return certificate


def past_answers(session: Session, user_id: int, module_id: str) -> list[Answer]:
    """Every graded answer the person gave to a question of the module, in any of its quizzes."""
    rows = session.execute(select(QuizAttempt.submitted_at, QuizAttempt.question_points).where(
        QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id,
        QuizAttempt.submitted_at.is_not(None))).all()
    return [Answer(qid, submitted_at, points >= 1.0)
            for submitted_at, question_points in rows for qid, points in (question_points or {}).items()]


def start(session: Session, user_id: int, module: Module, size: int,
          rng: random.Random | None = None, now: dt.datetime | None = None) -> QuizAttempt:
    """Resume the open refresher, or start one with questions chosen by the spaced-repetition rule.

    Raises quiz.service.QuizUnavailable when the retake wait after a failed refresher is not over.
    """
    quiz = refresher_quiz(module)
    attempt = quiz_service.open_attempt(session, user_id, module.id, REFRESHER_ID)
    if attempt is not None:
        return attempt
    quiz_service.check_policy(quiz, quiz_service.graded_attempts(session, user_id, module.id, REFRESHER_ID))
    rng = rng or random.SystemRandom()
    chosen = choose_questions([q.id for q in quiz.questions], past_answers(session, user_id, module.id), size,
                              now or utcnow(), rng)
    questions = dataclasses.replace(quiz, questions=tuple(quiz.question(qid) for qid in chosen))
    return quiz_service.begin(session, user_id, module, REFRESHER_ID, quiz_service.make_layout(questions, rng))


def renew_if_passed(session: Session, user: User, module: Module, attempt: QuizAttempt,
                    policy: certificates.Policy) -> Certificate | None:
    """After a refresher is graded: renew the certificate when it passed. Returns the new certificate."""
    if not attempt.passed:
        return None
    previous = renewable_certificate(session, user.id, module)
    if previous is None or previous.issued_at > attempt.submitted_at:
        return None  # renewed already (e.g. by another tab), or nothing to renew
    return certificates.renew(session, user, module, previous, policy)


def renewal_from(session: Session, attempt: QuizAttempt) -> Certificate | None:
    """The certificate a passed refresher issued (the person's first one issued after it was submitted)."""
    if not attempt.passed:
        return None
    return session.scalar(select(Certificate).where(
        Certificate.user_id == attempt.user_id, Certificate.module_id == attempt.module_id,
        Certificate.renewed_from_id.is_not(None), Certificate.issued_at >= attempt.submitted_at)
        .order_by(Certificate.issued_at).limit(1))


def lessons_to_review(module: Module, question_points: dict[str, float]) -> tuple[list[Lesson], bool]:
    """The lessons whose check quizzes hold the questions missed, in reading order, and whether
    some missed questions belong to the final quiz (which covers the whole module)."""
    missed = {qid for qid, points in question_points.items() if points < 1.0}
    lesson_ids, whole_module = set(), False
    for quiz in module.quizzes.values():
        if missed & {q.id for q in quiz.questions}:
            if quiz.lesson_id is None:
                whole_module = True
            else:
                lesson_ids.add(quiz.lesson_id)
    return [lesson for lesson in module.lessons if lesson.id in lesson_ids], whole_module


def needing_renewal(session: Session, catalog: Catalog, user_id: int, due_soon_days: int,
                    today: dt.date | None = None) -> list[tuple[Certificate, str]]:
    """The person's current certificates that are due soon or expired, with their status (for the
    notice in the app), soonest expiry first. One query on the certificates index."""
    today = today or utcnow().date()
    horizon = today + dt.timedelta(days=due_soon_days)
    rows = session.scalars(select(Certificate).options(defer(Certificate.pdf)).where(
        Certificate.user_id == user_id, Certificate.superseded_at.is_(None), Certificate.revoked_at.is_(None),
        Certificate.expires_on <= horizon).order_by(Certificate.expires_on))
    return [(c, certificates.status_of(c, due_soon_days, today)) for c in rows if catalog.module(c.module_id) is not None]
