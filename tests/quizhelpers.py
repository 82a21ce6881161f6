"""Drive the lesson and quiz pages the way a learner does (forms with CSRF, no JavaScript), for
the tests whose subject is those pages; other tests make the same state with tests/factories.py."""
from __future__ import annotations

import re

from conftest import csrf_token

ANSWERS = {  # the fixture's answer keys (tests/fixtures/content/valid/quizzes/sample)
    "check-first-lesson": {"s-single": ["a"], "s-tf": ["true"]},
    "final": {"s-multi": ["a", "c"], "s-scenario": ["b"]},
}


def complete(client, lesson, lang="en"):
    """Press "Mark as complete" on a lesson of the sample module."""
    url = f"/{lang}/modules/sample/{lesson}/"
    return client.post(url + "complete", data={"csrf_token": csrf_token(client, url)})


def start(client, quiz="final", lang="en"):
    url = f"/{lang}/modules/sample/quizzes/{quiz}/"
    response = client.post(url + "start", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def attempt_id(location: str) -> int:
    return int(re.search(r"/attempts/(\d+)/", location).group(1))


def answer(client, location: str, number: int, options: list[str], go="next", lang="en"):
    aid = attempt_id(location)
    url = f"/{lang}/attempts/{aid}/{number}"
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token, "answer": options, "go": go})


def submit(client, location: str, lang="en"):
    aid = attempt_id(location)
    token = csrf_token(client, f"/{lang}/attempts/{aid}/review")
    return client.post(f"/{lang}/attempts/{aid}/submit", data={"csrf_token": token})


def take(app, client, quiz="final", answers=None, lang="en"):
    """Start, answer every question (right answers by default) and submit. Returns the location."""
    location = start(client, quiz, lang)
    answer_and_submit(app, client, location, ANSWERS[quiz] if answers is None else answers, lang)
    return location


def answer_and_submit(app, client, location: str, answers: dict, lang="en") -> tuple[list, str]:
    """Answer every question of the attempt at `location` from `answers` ({question id: option
    ids}; missing ones are left blank), submit it; return its layout and where submitting led."""
    from elearn.db import db
    from elearn.quiz.models import QuizAttempt

    with app.app_context():
        layout = db.session.get(QuizAttempt, attempt_id(location)).layout
    for number, item in enumerate(layout, start=1):
        answer(client, location, number, answers.get(item["q"], []), lang=lang)
    response = submit(client, location, lang)
    assert response.status_code == 302
    return layout, response.headers["Location"]
