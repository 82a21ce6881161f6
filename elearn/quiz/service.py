"""The quiz engine: starting (or resuming) an attempt, saving answers, grading once, retake policy.

It works on the Quiz it is handed (a module's quiz, or a refresher built by elearn.refresher) and
knows no quiz by name. What a graded attempt means for the learner (totals, certificates) is
elearn.steps' business.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..content import Module, Quiz
from ..db import insert_once
from . import draw
from .grading import Result, grade_attempt
from .models import QuizAttempt

DAY = dt.timedelta(hours=24)


class QuizUnavailable(Exception):
    """The retake policy does not allow a new attempt now."""


class NoAttemptsLeft(QuizUnavailable):
    pass


@dataclass
class MustWait(QuizUnavailable):
    """The wait after a failed attempt is not over."""

    until: dt.datetime


@dataclass
class DailyLimit(MustWait):
    """The quiz's attempts for any 24 hours are used; the next may start at `until`."""


class AttemptRefused(QuizUnavailable):
    """Submitted, yet the policy forbids the attempt (it was opened by a race or before the
    policy changed): it is deleted, never graded."""


def open_attempt(session: Session, user_id: int, module_id: str, quiz_id: str) -> QuizAttempt | None:
    return session.scalar(select(QuizAttempt).filter_by(
        user_id=user_id, module_id=module_id, quiz_id=quiz_id, submitted_at=None).order_by(QuizAttempt.id.desc()))


def graded_attempts(session: Session, user_id: int, module_id: str, quiz_id: str) -> list[QuizAttempt]:
    return list(session.scalars(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id, QuizAttempt.quiz_id == quiz_id,
        QuizAttempt.submitted_at.is_not(None)).order_by(QuizAttempt.submitted_at.desc())))


def check_policy(quiz: Quiz, graded: list[QuizAttempt], now: dt.datetime | None = None) -> None:
    """Raise QuizUnavailable when the quiz's retake policy forbids another attempt now.

    `graded` are the learner's graded attempts at the quiz, newest first. The rules: at most
    max_attempts in all; after a failed attempt, retake_wait_minutes before the next; at most
    max_per_day started in any 24 hours. Once passed, a quiz may still be retaken (to practise or
    raise the best score) within these limits. When two waits apply, the later one is raised.
    """
    now = now or utcnow()
    if quiz.max_attempts and len(graded) >= quiz.max_attempts:
        raise NoAttemptsLeft()
    waits = []
    if graded and quiz.retake_wait_minutes and not graded[0].passed:
        waits.append(MustWait(graded[0].submitted_at + dt.timedelta(minutes=quiz.retake_wait_minutes)))
    recent = [a.started_at for a in graded if a.started_at > now - DAY]
    if quiz.max_per_day and len(recent) >= quiz.max_per_day:
        waits.append(DailyLimit(sorted(recent)[-quiz.max_per_day] + DAY))
    waits = [w for w in waits if w.until > now]
    if waits:
        raise max(waits, key=lambda w: w.until)


def availability(session: Session, user_id: int, module_id: str, quiz: Quiz):
    """(graded attempts newest first, the open attempt or None, why a new one cannot start now or None)."""
    graded = graded_attempts(session, user_id, module_id, quiz.id)
    try:
        check_policy(quiz, graded)
    except QuizUnavailable as exc:
        return graded, open_attempt(session, user_id, module_id, quiz.id), exc
    return graded, open_attempt(session, user_id, module_id, quiz.id), None


def first_unanswered(attempt: QuizAttempt) -> int:
    """The number (from 1) of the first question without an answer, where a resumed attempt opens."""
    answered = attempt.answers or {}
    for index, item in enumerate(attempt.layout, start=1):
        if not answered.get(item["q"]):
            return index
    return 1


def make_layout(quiz: Quiz, rng: random.Random) -> list[dict]:
    """Questions and options in a fresh random order; true/false keeps True before False."""
    questions = list(quiz.questions)
    rng.shuffle(questions)
    layout = []
    for question in questions:
        options = [o.id for o in question.options]
        if question.type == "true_false":
            options = ["true", "false"]
        else:
            rng.shuffle(options)
        layout.append({"q": question.id, "o": options})
    return layout


def start_attempt(session: Session, user_id: int, module: Module, quiz: Quiz,
                  rng: random.Random | None = None) -> QuizAttempt:
    """Resume the open attempt, or start one if the retake policy allows. A quiz that draws
    (a final) asks a fresh selection from the module's bank (elearn.quiz.draw)."""
    attempt = open_attempt(session, user_id, module.id, quiz.id)
    if attempt is not None:
        return attempt
    graded = graded_attempts(session, user_id, module.id, quiz.id)
    check_policy(quiz, graded)
    rng = rng or random.SystemRandom()
    if quiz.draw:
        chosen = draw.choose(quiz.bank, quiz.draw, draw.last_asked([a.layout for a in graded]), rng)
        quiz = dataclasses.replace(quiz, questions=tuple(chosen))
    return begin(session, user_id, module, quiz.id, make_layout(quiz, rng))


def begin(session: Session, user_id: int, module: Module, quiz_id: str, layout: list[dict]) -> QuizAttempt:
    """Open an attempt with this layout (committed), or, when a concurrent request opened one a
    moment ago, return that one: the unique index on open attempts lets only one in."""
    attempt = QuizAttempt(user_id=user_id, module_id=module.id, quiz_id=quiz_id, content_version=module.version,
                          layout=layout, answers={})
    if insert_once(session, attempt):
        return attempt
    winner = open_attempt(session, user_id, module.id, quiz_id)
    if winner is None:  # opened and submitted in the meantime: what the policy says now is unknown
        raise QuizUnavailable()
    return winner


def save_answer(session: Session, attempt: QuizAttempt, question_id: str, option_ids: list[str]) -> bool:
    """Store the learner's choice for one question of an open attempt. Ignores unknown ids."""
    if not attempt.is_open:
        return False
    shown = next((item for item in attempt.layout if item["q"] == question_id), None)
    if shown is None:
        return False
    chosen = [o for o in shown["o"] if o in set(option_ids)]
    answers = dict(attempt.answers or {})
    answers[question_id] = chosen
    attempt.answers = answers  # a new dict, so SQLAlchemy sees the change
    attempt.saved_at = utcnow()
    session.commit()
    return True


def attempt_questions(quiz: Quiz, attempt: QuizAttempt):
    """The quiz's questions of an attempt, with their options, in the order shown; questions
    since removed from the content are skipped."""
    result = []
    for item in attempt.layout:
        question = quiz.question(item["q"])
        if question is not None:
            result.append((question, [question.option(o) for o in item["o"] if question.option(o)]))
    return result


def grade(session: Session, quiz: Quiz, attempt: QuizAttempt, now: dt.datetime | None = None) -> bool:
    """Grade an open attempt exactly once (not committed: the caller commits the step). Returns
    whether this call graded it.

    The policy is checked again first, against the learner's other graded attempts: an attempt
    it forbids (opened by a race, or before the quiz's policy changed) is deleted and
    AttemptRefused raised. The conditional UPDATE (`WHERE submitted_at IS NULL`) makes a double,
    replayed or concurrent submission a no-op: only the first one grades, and a graded attempt
    never changes.
    """
    now = now or utcnow()
    others = [a for a in graded_attempts(session, attempt.user_id, attempt.module_id, attempt.quiz_id)
              if a.id != attempt.id]
    try:
        check_policy(quiz, others, now)
    except QuizUnavailable:
        if session.execute(delete(QuizAttempt).where(QuizAttempt.id == attempt.id,
                                                     QuizAttempt.submitted_at.is_(None))).rowcount:
            raise AttemptRefused() from None
        return False  # graded already by a request that came first
    questions = [q for q, _ in attempt_questions(quiz, attempt)]
    result: Result = grade_attempt(questions, attempt.answers or {}, quiz.pass_mark)
    done = session.execute(
        update(QuizAttempt).where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None)).values(
            submitted_at=now, points=result.points, max_points=result.max_points, percent=result.percent,
            passed=result.passed, question_points={g.question_id: g.points for g in result.grades})
    ).rowcount
    return bool(done)


def review_state(quiz: Quiz, graded: list[QuizAttempt]) -> tuple[bool, bool]:
    """(has the learner passed this quiz, have they an attempt left): the moments of its review
    options (elearn.quiz.review)."""
    passed = any(a.passed for a in graded)
    left = not (quiz.max_attempts and len(graded) >= quiz.max_attempts)
    return passed, left
