"""Synthetic learning activity: `elearn demo` (a demo trainer, group and learners) and the report
benchmark (thousands of learners) both use it.

Each learner gets an ability (the chance of answering a question right) and, per module, how far
they went: not started, some lessons, every lesson, or the whole module. Attempts are graded by
the real grading rules, failed quizzes are retried, and a completed module gets its certificate,
so reports, item analysis and charts show what real use would produce.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlalchemy.orm import Session

from .auth.service import create_user
from .certificates.models import Certificate
from .certificates.service import Policy, add_months, new_code, verify_url
from .clock import utcnow
from .content import Catalog, Module, Quiz
from .learning.models import LessonProgress
from .learning.service import rebuild_totals
from .quiz.grading import grade
from .quiz.models import QuizAttempt
from .quiz.service import make_layout
from .trainer import assignments, service

STAGES = ("none", "some", "lessons", "complete")
STAGE_WEIGHTS = (25, 35, 15, 25)


@dataclass
class Activity:
    lessons: list[dict] = field(default_factory=list)
    attempts: list[dict] = field(default_factory=list)
    certificates: list[dict] = field(default_factory=list)


def _answer(question, ability: float, rng: random.Random, force_right: bool) -> list[str]:
    if force_right or rng.random() < ability:
        return sorted(question.answer)
    wrong = [o.id for o in question.options if o.id not in question.answer]
    if question.type == "multiple" and rng.random() < 0.5:  # partly right
        return sorted(list(question.answer)[:1] + wrong[:1])
    return [rng.choice(wrong)] if wrong else []


def _attempt(user_id: int, module: Module, quiz: Quiz, ability: float, at: dt.datetime,
             rng: random.Random, force_right: bool = False) -> dict:
    layout = make_layout(quiz, rng)
    answers, points = {}, {}
    for question in quiz.questions:
        chosen = _answer(question, ability, rng, force_right)
        answers[question.id] = chosen
        points[question.id] = grade(question, chosen).points
    total = sum(points.values())
    percent = round(100 * total / len(quiz.questions), 1)
    return dict(user_id=user_id, module_id=module.id, quiz_id=quiz.id, content_version=module.version,
                layout=layout, answers=answers, started_at=at, saved_at=at + dt.timedelta(minutes=4),
                submitted_at=at + dt.timedelta(minutes=5), points=total, max_points=len(quiz.questions),
                percent=percent, passed=percent >= quiz.pass_mark, question_points=points)


def _take(out: Activity, user_id, module, quiz, ability, at, rng) -> dt.datetime:
    """Attempts until passed (the third try is right throughout); returns the time after."""
    for attempt_number in range(3):
        row = _attempt(user_id, module, quiz, ability, at, rng, force_right=attempt_number == 2)
        out.attempts.append(row)
        at = row["submitted_at"] + dt.timedelta(hours=rng.randint(1, 48))
        if row["passed"]:
            break
    return at


def learner_activity(user_id: int, name: str, modules: list[Module], rng: random.Random, now: dt.datetime,
                     days: int = 60, stage: str | None = None) -> Activity:
    """One learner's rows (not yet inserted) across `modules`."""
    out = Activity()
    ability = rng.uniform(0.35, 0.95)
    for module in modules:
        chosen = stage or rng.choices(STAGES, STAGE_WEIGHTS)[0]
        if chosen == "none":
            continue
        at = now - dt.timedelta(days=rng.uniform(3, days))
        lessons = module.lessons if chosen != "some" else module.lessons[:rng.randint(1, max(1, len(module.lessons) - 1))]
        for i, lesson in enumerate(lessons):
            done = chosen != "some" or i < len(lessons) - 1 or rng.random() < 0.5
            out.lessons.append(dict(user_id=user_id, module_id=module.id, lesson_id=lesson.id, last_opened_at=at,
                                    completed_at=at + dt.timedelta(minutes=12) if done else None))
            at += dt.timedelta(minutes=15)
            check = next((q for q in module.quizzes.values() if q.lesson_id == lesson.id), None)
            if check is not None and done:
                at = _take(out, user_id, module, check, ability, at, rng)
        if chosen == "complete" and module.final_quiz is not None:
            at = _take(out, user_id, module, module.final_quiz, ability, at, rng)
            issued = min(at, now)
            months = module.certificate_validity_months
            out.certificates.append(dict(
                user_id=user_id, module_id=module.id, code=new_code(), name=name, title_ar=module.title.ar,
                title_en=module.title.en, content_version=module.version, issued_at=issued,
                expires_on=add_months(issued.date(), months) if months else None, pdf=b""))
    return out


def insert_activity(session: Session, activity: Activity, catalog: Catalog) -> None:
    """Bulk-insert the rows (executemany), then recompute the learners' module totals."""
    for model, rows in ((LessonProgress, activity.lessons), (QuizAttempt, activity.attempts),
                        (Certificate, activity.certificates)):
        for start in range(0, len(rows), 5000):
            session.execute(insert(model), rows[start:start + 5000])
    session.commit()
    rebuild_totals(session, catalog)


def merge(activities) -> Activity:
    total = Activity()
    for a in activities:
        total.lessons += a.lessons
        total.attempts += a.attempts
        total.certificates += a.certificates
    return total


# -- `elearn demo` -----------------------------------------------------------------------------

DEMO_LEARNERS = ["Amal", "Bassel", "Carla", "Dima", "Elias", "Farah", "Ghassan", "Hala", "Issam", "Jana",
                 "Karim", "Lina", "Majd", "Nour", "Omar", "Rasha", "Samer", "Tala", "Wael", "Yara",
                 "زينة", "رامي", "سلمى", "هادي"]


def run_demo(session: Session, catalog: Catalog, password: str, policy: Policy, seed: int = 7) -> dict:
    """Fill an empty database: an admin, a trainer, a group with 24 learners, five assignments
    (one overdue, one recurring, one to a single person) and varied progress."""
    # Why here: the PDF stack (fpdf2, fontTools, HarfBuzz, Pillow) costs memory and start-up
    # time, so only the code that draws a certificate imports it.
    from .certificates.pdf import CertificateContent, render_certificate_pdf

    rng = random.Random(seed)
    now = utcnow()
    admin = create_user(session, "demo-admin", password, display_name="Demo admin", role="admin", locale="en")
    trainer = create_user(session, "demo-trainer", password, display_name="مدرّبة تجريبية", role="trainer", locale="ar")
    group = service.create_group(session, trainer, "ورشة بيروت · Beirut workshop")
    learners = []
    for i, name in enumerate(DEMO_LEARNERS, start=1):
        user = create_user(session, f"demo-learner-{i:02d}", password, display_name=name,
                           locale="ar" if i % 2 else "en")
        service.join(session, user, group)
        learners.append(user)
    today = now.date()
    plan = {"ucm-syria": (today - dt.timedelta(days=7), None), "caesar-act": (today + dt.timedelta(days=14), None),
            "over-compliance": (today + dt.timedelta(days=30), 12), "captagon": (today + dt.timedelta(days=45), None)}
    modules = [m for m in catalog.modules if m.id in plan] or catalog.modules[:1]
    for module in modules:
        due, recur = plan.get(module.id, (today + dt.timedelta(days=14), None))
        assignments.assign(session, group, module.id, due, recur)
    extra = next((m for m in catalog.modules if m not in modules), None)
    if extra is not None:
        assignments.assign(session, group, extra.id, today + dt.timedelta(days=60), None, user_id=learners[0].id)
    activity = merge(learner_activity(u.id, u.name_for_certificates, modules, rng, now) for u in learners)
    for row in activity.certificates:  # the demo's certificates are real, downloadable PDFs
        module = catalog.module(row["module_id"])
        row["pdf"] = render_certificate_pdf(CertificateContent(
            name=row["name"], module_title_ar=module.title.ar, module_title_en=module.title.en,
            issued_on=row["issued_at"].date(), expires_on=row["expires_on"], code=row["code"],
            verify_url=verify_url(policy.base_url, row["code"])))
    insert_activity(session, activity, catalog)
    return {"admin": admin.username, "trainer": trainer.username, "group": group.id,
            "learners": [u.username for u in learners], "attempts": len(activity.attempts),
            "certificates": len(activity.certificates)}
