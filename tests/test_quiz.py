"""Quiz engine: grading of every type, no answer key before submission, idempotent submission,
resume, answers saved as the learner goes, retake policy, result page."""
import random

import pytest
from sqlalchemy import func, select

from conftest import VALID, csrf_token
from elearn.content import load_catalog
from elearn.db import db
from elearn.quiz.grading import grade, grade_attempt
from elearn.quiz.models import QuizAttempt
from elearn.quiz.service import make_layout
from quizhelpers import answer, attempt_id, complete, start, take

CATALOG = load_catalog(VALID / "lessons", VALID / "quizzes")
MODULE = CATALOG.module("sample")
Q = {q.id: q for q in MODULE.question_bank}


@pytest.mark.parametrize("question, chosen, points", [
    ("s-single", ["a"], 1.0), ("s-single", ["b"], 0.0), ("s-single", [], 0.0),
    ("s-single", ["a", "b"], 0.0),  # two choices for a one-answer question is not an answer
    ("s-tf", ["true"], 1.0), ("s-tf", ["false"], 0.0),
    ("s-scenario", ["b"], 1.0), ("s-scenario", ["a"], 0.0),
    # multiple: max(0, (right chosen - wrong chosen) / right options); answer is {a, c}
    ("s-multi", ["a", "c"], 1.0), ("s-multi", ["a"], 0.5), ("s-multi", ["a", "b"], 0.0),
    ("s-multi", ["a", "b", "c"], 0.5), ("s-multi", ["b"], 0.0), ("s-multi", [], 0.0),
    ("s-multi", ["a", "c", "zz"], 1.0),  # unknown ids are ignored
])
def test_grading_rules(question, chosen, points):
    assert grade(Q[question], chosen).points == points


def test_grade_attempt_pass_mark():
    questions = [Q["s-multi"], Q["s-scenario"]]
    result = grade_attempt(questions, {"s-multi": ["a"], "s-scenario": ["b"]}, pass_mark=80)
    assert (result.points, result.percent, result.passed) == (1.5, 75.0, False)
    assert grade_attempt(questions, {"s-multi": ["a", "c"], "s-scenario": ["b"]}, 80).passed


def test_layout_is_shuffled_per_attempt_but_true_false_keeps_its_order():
    quiz = MODULE.quizzes["final"]
    orders = {tuple(tuple(i["o"]) for i in make_layout(quiz, random.Random(seed))) for seed in range(30)}
    assert len(orders) > 1
    tf = make_layout(MODULE.quizzes["check-first-lesson"], random.Random(1))
    assert next(i["o"] for i in tf if i["q"] == "s-tf") == ["true", "false"]


def test_open_attempt_html_has_no_answer_key_or_feedback(app, client, login):
    login("rami", client)
    location = start(client)
    html = "".join(client.get(f"/en/attempts/{attempt_id(location)}/{n}").get_data(as_text=True) for n in (1, 2))
    html += client.get(f"/en/attempts/{attempt_id(location)}/review").get_data(as_text=True)
    for question in MODULE.final_quiz.questions:
        for option in question.options:
            assert option.feedback.en not in html and option.feedback.ar not in html
    assert "right answer" not in html and "correct" not in html.lower()
    assert "A volunteer receives a request." in html  # the scenario is shown
    assert 'type="checkbox" name="answer" value="a"' in html  # multiple answer uses checkboxes


def test_answers_are_saved_as_the_learner_goes_and_the_attempt_resumes(app, client, login):
    login("rami", client)
    location = start(client)
    aid = attempt_id(location)
    with app.app_context():
        first = db.session.get(QuizAttempt, aid).layout[0]["q"]
    answer(client, location, 1, ["b"] if first == "s-scenario" else ["a"])
    # the connection drops; later the learner starts again and lands on the unanswered question
    again = start(client)
    assert again == f"/en/attempts/{aid}/2"
    with app.app_context():
        assert db.session.get(QuizAttempt, aid).answers == {first: ["b"] if first == "s-scenario" else ["a"]}
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1
    page = client.get(f"/en/attempts/{aid}/1").get_data(as_text=True)
    assert "checked" in page


def test_result_page_shows_score_and_marks_then_answers_and_feedback_once_passed(client, login, app):
    login("rami", client)
    location = take(app, client, answers={"s-multi": ["a"], "s-scenario": ["b"]})
    result = client.get(f"/en/attempts/{attempt_id(location)}/result")
    html = result.get_data(as_text=True)
    assert result.status_code == 200
    assert "75%" in html and "Not passed yet. The pass mark is 80%." in html
    assert "Partly right" in html and "your answer" in html
    # a final's right answers and feedback wait for a pass (or no attempt left): test_review_and_draw.py
    assert "right answer</span>" not in html and 'class="feedback"' not in html
    assert "Right because" not in html  # check quiz feedback is not part of the final
    ar = client.get(f"/ar/attempts/{attempt_id(location)}/result").get_data(as_text=True)
    assert "لم تنجح بعد" in ar and "صحيحة جزئيًا" in ar and "الإجابة الصحيحة</span>" not in ar
    take(app, client)  # passed: now the first attempt's review shows the key and the feedback
    html = client.get(f"/en/attempts/{attempt_id(location)}/result").get_data(as_text=True)
    assert "right answer</span>" in html and '<p class="feedback">Right.</p>' in html


def test_double_and_replayed_submission_grades_once(app, client, login):
    login("rami", client)
    location = take(app, client)
    aid = attempt_id(location)
    with app.app_context():
        graded = db.session.get(QuizAttempt, aid)
        first = (graded.submitted_at, graded.percent)
    # replay the submission, then try to change an answer of the graded attempt
    token = csrf_token(client, "/en/login")
    assert client.post(f"/en/attempts/{aid}/submit", data={"csrf_token": token}).status_code == 302
    late = client.post(f"/en/attempts/{aid}/1", data={"csrf_token": token, "answer": ["zz"], "go": "next"})
    assert late.status_code == 302 and late.headers["Location"].endswith(f"/attempts/{aid}/result")
    with app.app_context():
        again = db.session.get(QuizAttempt, aid)
        assert (again.submitted_at, again.percent) == first == (first[0], 100.0)
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1


def test_concurrent_submissions_grade_once(app, client, login):
    """Two submissions racing: the conditional UPDATE lets exactly one through."""
    from elearn.quiz import service

    login("rami", client)
    location = start(client)
    with app.app_context():
        one = db.session.get(QuizAttempt, attempt_id(location))
        quiz = app.extensions["catalog"].module("sample").quizzes[one.quiz_id]
        first = service.grade(db.session, quiz, one)
        db.session.commit()
        db.session.remove()
        two = db.session.get(QuizAttempt, attempt_id(location))
        two.submitted_at = None  # a stale copy, as another request read it before the first commit
        db.session.expunge(two)
        second = service.grade(db.session, quiz, two)
        db.session.commit()
    assert (first, second) == (True, False)


def test_other_learners_cannot_see_an_attempt(app, client, login):
    login("owner", client)
    location = start(client)
    other = login("intruder")
    assert other.get(location).status_code == 404
    assert other.get(f"/en/attempts/{attempt_id(location)}/result").status_code == 404


def test_retake_policy_max_attempts(app, client, login):
    login("rami", client)
    for _ in range(3):  # the fixture's final quiz allows 3 attempts
        take(app, client, answers={})
    page = client.get("/en/modules/sample/quizzes/final/").get_data(as_text=True)
    assert "You have used all 3 attempts at this quiz." in page
    url = "/en/modules/sample/quizzes/final/"
    response = client.post(url + "start", data={"csrf_token": csrf_token(client, url)})
    assert response.headers["Location"] == url
    with app.app_context():
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 3


def test_retake_policy_wait_after_a_failed_attempt(app, client, login, monkeypatch):
    import dataclasses

    catalog = app.extensions["catalog"]
    quiz = dataclasses.replace(catalog.module("sample").quizzes["final"], retake_wait_minutes=60)
    from elearn.quiz import service

    login("rami", client)
    take(app, client, answers={})
    with app.app_context():
        graded = service.graded_attempts(db.session, 1, "sample", "final")
        with pytest.raises(service.MustWait):
            service.check_policy(quiz, graded)
        later = graded[0].submitted_at + __import__("datetime").timedelta(minutes=61)
        service.check_policy(quiz, graded, now=later)


def test_whole_module_completes_with_lessons_and_quizzes(app, client, login):
    login("rami", client)
    complete(client, "first-lesson")
    complete(client, "second-lesson")
    take(app, client, "check-first-lesson")
    take(app, client, "final")
    html = client.get("/en/").get_data(as_text=True)
    assert 'value="100"' in html and "Completed" in html
    me = client.get("/en/me/").get_data(as_text=True)
    assert "Completed" in me and "100%" in me and "Download (PDF)" in me


def test_quiz_pages_work_in_arabic(app, client, login):
    login("rami", client, locale="ar")
    location = start(client, lang="ar")
    page = client.get(location).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and "السؤال 1 من 2" in page


def test_quiz_page_lists_graded_attempts_with_a_review_link(app, client, login):
    login("lister", client)
    location = take(app, client, "final")
    html = client.get("/ar/modules/sample/quizzes/final/").get_data(as_text=True)
    assert "محاولاتك" in html
    assert f'href="/ar/attempts/{attempt_id(location)}/result"' in html and "100" in html
