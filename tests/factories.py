"""Test factories, in the manner of CTFd's `gen_user`: each makes one thing with defaults, any
field can be overridden, and it returns the row. State goes through the app's services where
one exists (signing up, finishing a lesson, grading an attempt, issuing a certificate, groups,
assignments), so the rows are what the app itself would write; plain rows (a certificate with a
stub PDF, module totals, a reminder) are added directly. Call them inside an app context.

Users and groups may be given as objects or usernames: `make_group("coach", ["rana"])` makes
whoever does not exist yet.
"""
from __future__ import annotations

import datetime as dt
import itertools
import random
from unittest import mock

from flask import current_app
from sqlalchemy import inspect, select

from elearn import steps
from elearn.auth.models import User
from elearn.auth.service import create_user, find_user
from elearn.certificates import service as certificates
from elearn.certificates.models import Certificate
from elearn.db import db
from elearn.learning.models import ModuleTotals
from elearn.quiz import service as quizzes
from elearn.quiz.models import QuizAttempt
from elearn.refresher import service as refreshers
from elearn.reminders.models import Reminder
from elearn.trainer import assignments, service as groups
from elearn.trainer.models import Assignment, Group, Membership

PASSWORD = "correct horse battery"
# Factory users share one salt, so each distinct password is hashed once per test session (the
# conftest remembers scrypt results): a hash costs 0.1-1 s on two busy cores, and a test needs a
# valid hash, not a unique one. Users made by the pages get random salts as usual.
_SALT = "factory-salt-for-tests"
_counter = itertools.count(1)


def catalog():
    return current_app.extensions["catalog"]


def policy() -> certificates.Policy:
    return certificates.Policy.from_config(current_app.config)


def user(who: User | str | int, **overrides) -> User:
    """`who` as a User of this session: a User (reloaded when it comes from an earlier app
    context), an id, or a username found or made (with `overrides`; display name from the
    username, "rana" -> "Rana")."""
    if isinstance(who, User):
        return who if who in db.session else db.session.get(User, inspect(who).identity[0])
    if isinstance(who, int):
        return db.session.get(User, who)
    return find_user(db.session, who) or make_user(**{"username": who, "display_name": who.title(), **overrides})


def make_user(**overrides) -> User:
    """A user committed through the sign-up service; password PASSWORD unless given."""
    n = next(_counter)
    values = {"username": f"learner{n}", "password": PASSWORD, "locale": "en", "role": "learner"}
    values.update(overrides)
    certificate_name = values.pop("certificate_name", None)
    with mock.patch("werkzeug.security.gen_salt", lambda length: _SALT[:length]):
        person = create_user(db.session, values.pop("username"), values.pop("password"), **values)
    if certificate_name:  # not asked at sign-up: set on the account page
        person.certificate_name = certificate_name
        db.session.commit()
    return person


def complete_lesson(who, lesson: str = "first-lesson", module: str = "sample") -> steps.StepResult:
    """Mark a lesson complete as the lesson page does (totals, then a certificate if that ends the module)."""
    return steps.finish_lesson(db.session, catalog(), user(who), catalog().module(module), lesson, policy())


def make_progress(who, lessons=(), quizzes=(), module: str = "sample") -> None:
    """Lessons completed, then quizzes submitted: `quizzes` holds (quiz id, answers) pairs,
    answers None for all right (see make_graded_attempt)."""
    for lesson in lessons:
        complete_lesson(who, lesson, module)
    for quiz, answers in quizzes:
        make_graded_attempt(who, quiz, answers, module)


def right_answers(quiz_id: str = "final", module: str = "sample") -> dict[str, list[str]]:
    """{question id: the right option ids} for a quiz (or the refresher's whole bank)."""
    quiz = refreshers.quiz_for(catalog().module(module), quiz_id)
    return {q.id: sorted(q.answer) for q in quiz.questions}


def make_attempt(who, quiz: str = "final", answers: dict | None = None, module: str = "sample",
                 seed: int | None = None) -> QuizAttempt:
    """An open attempt (resumed if one is open), started as the quiz page does, with `answers`
    ({question id: option ids}) saved; a refresher when `quiz` is "refresher"."""
    person, found = user(who), catalog().module(module)
    rng = random.Random(seed) if seed is not None else None
    if quiz == refreshers.REFRESHER_ID:
        size = current_app.config["REFRESHER_QUESTIONS"]
        attempt = refreshers.start(db.session, person.id, found, size, rng)
    else:
        attempt = quizzes.start_attempt(db.session, person.id, found, found.quizzes[quiz], rng)
    for question, options in (answers or {}).items():
        quizzes.save_answer(db.session, attempt, question, options)
    return attempt


def make_graded_attempt(who, quiz: str = "final", answers: dict | None = None, module: str = "sample",
                        seed: int | None = None) -> QuizAttempt:
    """A submitted attempt, graded as the submit button does (totals, certificate, renewal);
    every answer right unless `answers` is given (missing questions are left blank)."""
    chosen = right_answers(quiz, module) if answers is None else answers
    attempt = make_attempt(who, quiz, chosen, module, seed)
    steps.finish_attempt(db.session, catalog(), user(who), attempt, policy())
    return attempt


def finish_module(who, module: str = "sample") -> Certificate:
    """Every lesson completed and every quiz passed; returns the certificate that issued."""
    found = catalog().module(module)
    for lesson in found.lessons:
        complete_lesson(who, lesson.id, module)
    for quiz in found.quizzes:
        make_graded_attempt(who, quiz, module=module)
    return certificates.for_user_module(db.session, user(who).id, module)


def make_certificate(who, module_id: str = "sample", expires_on: dt.date | None = None, **overrides) -> Certificate:
    """A certificate row without going through completion (a stub PDF)."""
    values = dict(user_id=user(who).id, module_id=module_id, code=certificates.new_code(), name="Amal",
                  title_ar="وحدة تجريبية", title_en="A sample module", content_version="v1",
                  expires_on=expires_on, pdf=b"%PDF-stub")
    values.update(overrides)
    certificate = Certificate(**values)
    db.session.add(certificate)
    db.session.commit()
    return certificate


def make_group(trainer="coach", members=(), name: str = "Workshop", **overrides) -> Group:
    """A group led by `trainer` (made a trainer if new), with `members` joined through the service."""
    leader = user(trainer, role="trainer")
    group = groups.create_group(db.session, leader, name)
    if overrides:
        for field, value in overrides.items():
            setattr(group, field, value)
        db.session.commit()
    for member in members:
        make_membership(member, group)
    return group


def make_membership(who, group: Group) -> Membership:
    person = user(who)
    groups.join(db.session, person, group)
    return db.session.scalar(select(Membership).filter_by(group_id=group.id, user_id=person.id))


def make_assignment(group: Group, module: str = "sample", due_on: dt.date | None = None,
                    recur_months: int | None = None, who=None) -> Assignment:
    """The module assigned to the group (or to one member), due in two weeks unless given."""
    due_on = due_on or dt.date.today() + dt.timedelta(days=14)
    user_id = None if who is None else user(who).id
    return assignments.assign(db.session, group, module, due_on, recur_months, user_id=user_id)


def make_module_totals(who, module_id: str = "sample", **overrides) -> ModuleTotals:
    """A plain module_totals row (the steps keep the real ones up to date)."""
    row = ModuleTotals(user_id=user(who).id, module_id=module_id, **{"lessons_done": 0, "quizzes_passed": 0,
                                                                      **overrides})
    db.session.add(row)
    db.session.commit()
    return row


def make_reminder(who, kind: str = "due_soon", certificate: Certificate | None = None, **overrides) -> Reminder:
    """A reminder row, by default for `certificate`'s due-soon window, sent once already."""
    key = f"cert:{certificate.id}:{kind}" if certificate is not None else f"test:{next(_counter)}:{kind}"
    values = dict(user_id=user(who).id, kind=kind, key=key, attempts=1, sent_at=dt.datetime(2027, 1, 1),
                  certificate_id=certificate.id if certificate is not None else None)
    values.update(overrides)
    row = Reminder(**values)
    db.session.add(row)
    db.session.commit()
    return row
