"""xAPI 1.0.3 statements as dicts, from plain values. The actor is an account on this site (its
home page and the person's internal number): no e-mail, no name. Activity names carry both
languages; `context.language` is the language the learner used."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from ..content import Module, Question, Quiz

VERBS = {
    "completed": ("http://adlnet.gov/expapi/verbs/completed", "completed", "أكمل"),
    "answered": ("http://adlnet.gov/expapi/verbs/answered", "answered", "أجاب"),
    "passed": ("http://adlnet.gov/expapi/verbs/passed", "passed", "نجح"),
    "failed": ("http://adlnet.gov/expapi/verbs/failed", "failed", "أخفق"),
    "earned": ("http://id.tincanapi.com/verb/earned", "earned", "نال"),
}
ACTIVITY = "http://adlnet.gov/expapi/activities/"


@dataclass(frozen=True)
class Tracking:
    """What statements need from the settings and the request: the public address (activity ids,
    the actor's home page) and the language the learner used."""

    base_url: str
    lang: str


def _names(text) -> dict:
    return {"en": text.en, "ar": text.ar}


def _activity(activity_id: str, kind: str, name: dict, **definition) -> dict:
    return {"objectType": "Activity", "id": activity_id,
            "definition": {"type": kind if kind.startswith("http") else ACTIVITY + kind, "name": name, **definition}}


def module_activity(tracking: Tracking, module: Module) -> dict:
    return _activity(f"{tracking.base_url}/modules/{module.id}/", "module", _names(module.title))


def quiz_activity(tracking: Tracking, module: Module, quiz: Quiz) -> dict:
    return _activity(f"{tracking.base_url}/modules/{module.id}/quizzes/{quiz.id}/", "assessment", _names(quiz.title))


def _statement(tracking: Tracking, user_id: int, verb: str, target: dict, when: dt.datetime,
               parents: list[dict], result: dict | None = None) -> dict:
    verb_id, en, ar = VERBS[verb]
    statement = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": tracking.base_url, "name": str(user_id)}},
        "verb": {"id": verb_id, "display": {"en": en, "ar": ar}},
        "object": target,
        "context": {"platform": "elearn", "language": tracking.lang,
                    "contextActivities": {"parent": parents}},
        "timestamp": when.replace(microsecond=0).isoformat() + "Z",
    }
    if result is not None:
        statement["result"] = result
    return statement


def lesson_completed(tracking: Tracking, user_id: int, module: Module, lesson_id: str, when: dt.datetime) -> dict:
    lesson = module.lesson(lesson_id)
    names = {"en": lesson.text("en").title, "ar": lesson.text("ar").title}
    target = _activity(f"{tracking.base_url}/modules/{module.id}/{lesson.id}/", "lesson", names)
    return _statement(tracking, user_id, "completed", target, when, [module_activity(tracking, module)],
                      {"completion": True})


def _answered(tracking, user_id, module, quiz, question: Question, chosen, points: float, when) -> dict:
    kind = "true-false" if question.type == "true_false" else "choice"
    target = _activity(f"{tracking.base_url}/modules/{module.id}/quizzes/{quiz.id}/questions/{question.id}",
                       "cmi.interaction", _names(question.prompt), interactionType=kind)
    result = {"success": points >= 1, "score": {"scaled": round(points, 4)}, "response": "[,]".join(sorted(chosen))}
    return _statement(tracking, user_id, "answered", target, when,
                      [quiz_activity(tracking, module, quiz), module_activity(tracking, module)], result)


def quiz_graded(tracking: Tracking, user_id: int, module: Module, quiz: Quiz, answers: dict, question_points: dict,
                points: float, max_points: int, passed: bool, when: dt.datetime) -> list[dict]:
    """One "answered" per question shown, then "passed" or "failed" for the quiz."""
    found = [_answered(tracking, user_id, module, quiz, quiz.question(qid), answers.get(qid, ()), got, when)
             for qid, got in question_points.items() if quiz.question(qid) is not None]
    scaled = round(points / max_points, 4) if max_points else 0
    result = {"success": passed, "completion": True,
              "score": {"scaled": scaled, "raw": points, "min": 0, "max": max_points}}
    found.append(_statement(tracking, user_id, "passed" if passed else "failed", quiz_activity(tracking, module, quiz),
                            when, [module_activity(tracking, module)], result))
    return found


def certificate_earned(tracking: Tracking, user_id: int, module: Module, when: dt.datetime) -> dict:
    target = _activity(f"{tracking.base_url}/badges/achievements/{module.id}", "http://id.tincanapi.com/activitytype/badge",
                       _names(module.title))
    return _statement(tracking, user_id, "earned", target, when, [module_activity(tracking, module)],
                      {"completion": True, "success": True})
