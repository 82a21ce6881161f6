"""Issue 12: what a result page reveals (review options), finals drawn from the module's bank,
the retake policy (wait, daily maximum, checked again at submission), one open attempt per quiz,
and the content keys that set them."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from conftest import VALID, base_config, csrf_token
from elearn import create_app
from elearn.clock import utcnow
from elearn.config import ROOT
from elearn.content import check_content, load_catalog
from elearn.content.model import CHECK_REVIEW, FINAL_REVIEW, Review
from elearn.db import db
from elearn.quiz import draw, review, service
from elearn.quiz.models import QuizAttempt
from factories import make_user
from quizhelpers import ANSWERS, answer_and_submit, attempt_id, start, take

CATALOG = load_catalog(VALID / "lessons", VALID / "quizzes")
SAMPLE = CATALOG.module("sample")
SHIPPED = load_catalog(ROOT / "lessons", ROOT / "quizzes")


# --- the review matrix ---------------------------------------------------------------------------

MOMENTS = {"after an attempt that failed": (False, True), "after a pass": (True, True),
           "with no attempt left": (False, False)}


@pytest.mark.parametrize("moment", MOMENTS)
def test_check_quizzes_show_everything_at_every_moment(moment):
    assert review.shown(CHECK_REVIEW, *MOMENTS[moment]) == review.Shown(True, True, True, True)


@pytest.mark.parametrize("moment, feedback_and_answers", [
    ("after an attempt that failed", False), ("after a pass", True), ("with no attempt left", True)])
def test_finals_show_score_and_marks_always_and_answers_once_earned(moment, feedback_and_answers):
    shown = review.shown(FINAL_REVIEW, *MOMENTS[moment])
    assert (shown.score, shown.marks) == (True, True)
    assert shown.feedback is shown.answers is feedback_and_answers


def test_an_unanswered_question_never_reveals_its_answer_whatever_the_options():
    question = SAMPLE.quizzes["final"].question("s-scenario")
    everything = review.Shown(True, True, True, True)
    blank = review.item(question, question.options, [], 0.0, everything)
    assert not blank.answered and not any(o.key or o.feedback or o.picked for o in blank.options)
    wrong = review.item(question, question.options, ["a"], 0.0, everything)
    assert [(o.option.id, o.picked, o.key, o.feedback) for o in wrong.options] == [
        ("a", True, False, True), ("b", False, True, True)]
    held_back = review.item(question, question.options, ["a"], 0.0, review.shown(FINAL_REVIEW, False, True))
    assert [(o.picked, o.key, o.feedback) for o in held_back.options] == [(True, False, False), (False, False, False)]
    assert held_back.points == 0.0  # the learner's own mark is shown
    assert review.item(question, question.options, ["a"], 0.0, review.Shown(True, False, False, False)).points is None


# --- the draw rule -----------------------------------------------------------------------------------

def test_places_give_the_module_half_and_every_lesson_one():
    quota, module = draw.places([5, 5, 5], 11, 10, random.Random(1))
    assert module == 5 and sorted(quota) == [1, 2, 2]
    quota, module = draw.places([6, 0, 2], 3, 7, random.Random(2))
    assert module == 3 and quota[1] == 0 and sum(quota) == 4 and min(quota[0], quota[2]) >= 1
    assert draw.places([1, 1], 1, 50, random.Random(3)) == ([1, 1], 1)  # at most the bank
    assert draw.places([4, 4, 4], 2, 2, random.Random(4))[1] == 1  # fewer places than lessons


@pytest.mark.parametrize("module_id", [m.id for m in SHIPPED.modules])
def test_a_shipped_final_draws_a_covering_selection_and_a_fresh_one_next(module_id):
    final = SHIPPED.module(module_id).final_quiz
    assert final.draw == 10 and final.retake_wait_minutes == 60 and final.max_per_day == 3
    bank = [q for _lesson, stratum in final.bank for q in stratum]
    lessons = {q.id: lesson for lesson, stratum in final.bank for q in stratum}
    for seed in range(20):
        rng = random.Random(seed)
        first = draw.choose(final.bank, final.draw, {}, rng)
        assert len(first) == len({q.id for q in first}) == 10
        assert {lessons[q.id] for q in first} == {lesson for lesson, _ in final.bank}  # every lesson, and the module
        assert sum(lessons[q.id] is None for q in first) == 5
        assert {q.type for q in first} == {q.type for q in bank}
        second = draw.choose(final.bank, final.draw, draw.last_asked([[{"q": q.id} for q in first]]), rng)
        assert not {q.id for q in first} & {q.id for q in second}  # not the first attempt again
        assert {q.type for q in second} == {q.type for q in bank}


def test_the_draw_prefers_questions_asked_longest_ago_and_varies_between_learners():
    final = SHIPPED.module("caesar-act").final_quiz
    picks = {tuple(sorted(q.id for q in draw.choose(final.bank, 10, {}, random.Random(s)))) for s in range(10)}
    assert len(picks) > 5
    bank = [q.id for _l, stratum in final.bank for q in stratum]
    asked = {qid: (0 if i % 2 else 3) for i, qid in enumerate(bank)}  # every question asked; odd ones lately
    chosen = draw.choose(final.bank, 10, asked, random.Random(1))
    assert sum(asked[q.id] == 3 for q in chosen) >= 8


def test_the_draw_is_a_pure_function_of_its_inputs():
    final = SHIPPED.module("captagon").final_quiz
    one = [q.id for q in draw.choose(final.bank, 10, {"x": 0}, random.Random(7))]
    assert one == [q.id for q in draw.choose(final.bank, 10, {"x": 0}, random.Random(7))]


# --- content keys --------------------------------------------------------------------------------

def write_final(tmp_path: Path, extra: str, kind_of: str = "final") -> Path:
    content = tmp_path / "content"
    shutil.copytree(VALID, content)
    path = content / "quizzes" / "sample" / ("final.yaml" if kind_of == "final" else "check-first-lesson.yaml")
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^((draw|retake_wait_minutes|max_per_day): .*|# .*)\n", "", text) if kind_of == "final" else text
    path.write_text(text.replace("questions:\n", extra + "questions:\n", 1), encoding="utf-8")
    return content


def test_final_defaults_are_the_safe_ones(tmp_path):
    content = write_final(tmp_path, "")
    final = load_catalog(content / "lessons", content / "quizzes").module("sample").final_quiz
    assert (final.retake_wait_minutes, final.max_per_day, final.draw, final.review) == (60, 3, 2, FINAL_REVIEW)
    assert [lesson for lesson, _ in final.bank] == ["first-lesson", None]
    check = SAMPLE.quizzes["check-first-lesson"]
    assert (check.retake_wait_minutes, check.max_per_day, check.draw, check.review) == (0, 0, 0, CHECK_REVIEW)


def test_review_options_are_read_with_defaults_for_the_rest(tmp_path):
    content = write_final(tmp_path, "review: {answers: after-pass, score: never, feedback: [always]}\n")
    final = load_catalog(content / "lessons", content / "quizzes").module("sample").final_quiz
    assert final.review == Review(score=frozenset(), marks=FINAL_REVIEW.marks, feedback=frozenset({"always"}),
                                  answers=frozenset({"after-pass"}))


@pytest.mark.parametrize("extra, kind_of, message", [
    ("review: {answers: after-fail}\n", "final", "review 'answers' must be 'never' or one or more of always, "
                                                 "after-pass, after-last-attempt (got after-fail)"),
    ("review: {hints: always}\n", "final", "unknown field 'hints' in review"),
    ("review: always\n", "final", "'review' must map some of score, marks, feedback, answers to moments"),
    ("max_per_day: -1\n", "final", "'max_per_day' must be a whole number between 0 and 100"),
    ("draw: 3\n", "check", "'draw' is for final quizzes (check quizzes ask their own questions)"),
])
def test_bad_policy_keys_are_reported_with_file_and_line(tmp_path, extra, kind_of, message):
    content = write_final(tmp_path, extra, kind_of)
    problems = check_content(content / "lessons", content / "quizzes")
    name = "final.yaml" if kind_of == "final" else "check-first-lesson.yaml"
    assert any(p.startswith(f"quizzes/sample/{name}:") and p.endswith(message) and
               re.match(r"^[^:]+:\d+:", p) for p in problems), problems


# --- retake policy ---------------------------------------------------------------------------------

def graded(*started, passed=False):
    return [SimpleNamespace(started_at=t, submitted_at=t + dt.timedelta(minutes=5), passed=passed)
            for t in sorted(started, reverse=True)]


def test_daily_maximum_counts_attempts_started_in_any_24_hours():
    quiz = dataclasses.replace(SAMPLE.final_quiz, max_attempts=0, max_per_day=3, retake_wait_minutes=0)
    now = dt.datetime(2026, 3, 1, 12, 0)
    three = graded(now - dt.timedelta(hours=23), now - dt.timedelta(hours=2), now - dt.timedelta(hours=1))
    with pytest.raises(service.DailyLimit) as limit:
        service.check_policy(quiz, three, now)
    assert limit.value.until == now + dt.timedelta(hours=1)  # when the oldest of the three leaves the 24 hours
    service.check_policy(quiz, three, now + dt.timedelta(hours=1, seconds=1))
    service.check_policy(quiz, three[:2], now)


def test_the_later_of_two_waits_is_the_one_given():
    quiz = dataclasses.replace(SAMPLE.final_quiz, max_attempts=0, max_per_day=2, retake_wait_minutes=60)
    now = dt.datetime(2026, 3, 1, 12, 0)
    with pytest.raises(service.MustWait) as wait:
        service.check_policy(quiz, graded(now - dt.timedelta(hours=20), now - dt.timedelta(minutes=30)), now)
    assert type(wait.value) is service.DailyLimit and wait.value.until == now + dt.timedelta(hours=4)
    with pytest.raises(service.MustWait) as wait:
        service.check_policy(quiz, graded(now - dt.timedelta(hours=23, minutes=50), now - dt.timedelta(minutes=30)),
                             now)
    assert type(wait.value) is service.MustWait and wait.value.until == now + dt.timedelta(minutes=35)


def test_one_open_attempt_per_learner_and_quiz_is_enforced_by_the_database(app):
    with app.app_context():
        uid = make_user(username="racer").id
        first = service.start_attempt(db.session, uid, SAMPLE, SAMPLE.final_quiz)
        # what a request that passed the policy check at the same moment would do
        assert service.begin(db.session, uid, SAMPLE, "final", first.layout).id == first.id
        db.session.add(QuizAttempt(user_id=uid, module_id="sample", quiz_id="final", content_version="x",
                                   layout=first.layout, answers={}))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1


def test_submission_checks_the_policy_again_and_drops_a_forbidden_attempt(app, client, auth):
    auth.register(username="late")
    take(app, client, answers={})  # one failed attempt
    location = start(client)
    strict = dataclasses.replace(SAMPLE.final_quiz, max_attempts=1)  # the rules changed meanwhile
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id(location))
        with pytest.raises(service.AttemptRefused):
            service.grade(db.session, strict, attempt)
        db.session.commit()
        assert db.session.get(QuizAttempt, attempt_id(location)) is None
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1


def test_an_attempt_submitted_during_the_wait_of_another_is_refused_on_the_page(app, client, auth):
    """Two attempts opened by a race before the index existed: the first fails, and the second,
    answered afterwards, is not graded (the wait after the failure applies at submission)."""
    auth.register(username="twice")
    location = start(client)
    with app.app_context():
        uid = db.session.get(QuizAttempt, attempt_id(location)).user_id
        other = QuizAttempt(user_id=uid, module_id="sample", quiz_id="check-first-lesson", content_version="x",
                            layout=[{"q": "s-single", "o": ["a", "b"]}], answers={"s-single": ["a"]})
        db.session.add(other)
        db.session.commit()
        other_id = other.id
        earlier = QuizAttempt(user_id=uid, module_id="sample", quiz_id="check-first-lesson", content_version="x",
                              layout=other.layout, answers={}, submitted_at=utcnow(), passed=False,
                              started_at=utcnow() - dt.timedelta(minutes=1), percent=0.0, points=0,
                              max_points=1, question_points={"s-single": 0.0})
        db.session.add(earlier)
        db.session.commit()
    waiting = dataclasses.replace(SAMPLE.quizzes["check-first-lesson"], retake_wait_minutes=60)
    module = dataclasses.replace(SAMPLE, quizzes={**SAMPLE.quizzes, "check-first-lesson": waiting})
    app.extensions["catalog"] = dataclasses.replace(CATALOG, modules=(module,), _by_id={"sample": module})
    token = csrf_token(client, f"/en/attempts/{other_id}/review")
    response = client.post(f"/en/attempts/{other_id}/submit", data={"csrf_token": token})
    assert response.headers["Location"] == "/en/modules/sample/quizzes/check-first-lesson/"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This attempt was not marked" in page and "You can try again after" in page
    with app.app_context():
        assert db.session.get(QuizAttempt, other_id) is None


# --- result pages ----------------------------------------------------------------------------------

def result_html(client, location, lang="en"):
    return client.get(f"/{lang}/attempts/{attempt_id(location)}/result").get_data(as_text=True)


def test_a_failed_final_shows_score_and_marks_but_no_key_or_feedback(app, client, auth):
    auth.register()
    location = take(app, client, answers={"s-multi": ["a", "b"]})  # s-scenario left blank
    html = result_html(client, location)
    assert "0%" in html and "Not passed yet" in html and "Not right" in html and "your answer" in html
    assert "right answer</span>" not in html and 'class="feedback"' not in html
    assert "The right answers are shown once you pass this quiz or have no attempt left." in html
    assert "A question left unanswered never shows its answer." in html
    assert "You did not answer this question." in html
    ar = result_html(client, location, "ar")
    assert "تظهر الإجابات الصحيحة حين تنجح" in ar and "الإجابة الصحيحة</span>" not in ar


def test_a_pass_reveals_the_answers_of_every_attempt_but_not_of_blank_questions(app, client, auth):
    auth.register()
    failed = take(app, client, answers={"s-multi": ["b"]})
    take(app, client)  # passed
    html = result_html(client, failed)
    assert html.count("right answer</span>") == 2  # s-multi's a and c; the blank s-scenario shows none
    assert html.count('<p class="feedback">Right.</p>') == 2 and '<p class="feedback">Wrong.</p>' in html


def test_no_attempt_left_reveals_the_answers(app, client, auth):
    auth.register()
    first = take(app, client, answers={"s-multi": ["b"], "s-scenario": ["a"]})
    assert "right answer</span>" not in result_html(client, first)
    for _ in range(2):
        take(app, client, answers={"s-multi": ["b"], "s-scenario": ["a"]})
    assert result_html(client, first).count("right answer</span>") == 3


def test_a_check_quiz_teaches_but_an_empty_attempt_reveals_nothing(app, client, auth):
    auth.register()
    empty = take(app, client, "check-first-lesson", answers={})
    html = result_html(client, empty)
    assert "right answer</span>" not in html and 'class="feedback"' not in html
    answered = take(app, client, "check-first-lesson", answers={"s-single": ["b"]})
    html = result_html(client, answered)
    assert html.count("right answer</span>") == 1 and "Wrong because it is second." in html
    assert "Right because it is first." in html  # the right option's feedback comes with it


def test_the_refresher_takes_the_finals_review_options():
    from elearn.refresher.service import refresher_quiz

    quiz = refresher_quiz(SAMPLE)
    assert quiz.review == SAMPLE.final_quiz.review and quiz.max_per_day == SAMPLE.final_quiz.max_per_day


# --- a final that draws, through the pages ---------------------------------------------------------

@pytest.fixture
def drawing_app(app, tmp_path):
    """The test content with a final that draws 2 questions from the bank and waits after a failure."""
    content = write_final(tmp_path, "draw: 2\nmax_per_day: 5\n")
    config = base_config(tmp_path / "drawing", app.config["SQLALCHEMY_DATABASE_URI"])
    drawing = create_app({**config, "LESSONS_DIR": str(content / "lessons"), "QUIZZES_DIR": str(content / "quizzes")})
    yield drawing
    with drawing.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_drawing_final_asks_a_fresh_selection_and_waits_after_a_failure(drawing_app):
    from conftest import Auth

    client = drawing_app.test_client()
    Auth(client).register(username="drawer")
    page = client.get("/en/modules/sample/quizzes/final/").get_data(as_text=True)
    assert "2 questions · drawn afresh for each attempt" in page and "at most 5 a day" in page
    assert "60 minutes’ wait after an attempt that does not pass" in page
    layout, result = answer_and_submit(drawing_app, client, start(client), {})
    first = {item["q"] for item in layout}
    assert len(first) == 2 and len(first & {"s-single", "s-tf"}) == 1  # one from the lesson, one module-wide
    page = client.get("/en/modules/sample/quizzes/final/").get_data(as_text=True)
    assert "You can try again after" in page
    with drawing_app.app_context():  # an hour later
        attempt = db.session.get(QuizAttempt, attempt_id(result))
        attempt.submitted_at -= dt.timedelta(minutes=61)
        attempt.started_at -= dt.timedelta(minutes=61)
        db.session.commit()
    keys = {**ANSWERS["final"], **ANSWERS["check-first-lesson"]}
    layout, result = answer_and_submit(drawing_app, client, start(client), keys)
    assert not first & {item["q"] for item in layout}  # the other two questions of the bank
    html = client.get(result).get_data(as_text=True)
    assert "100%" in html and "right answer</span>" in html


def test_migration_0009_keeps_the_newest_of_duplicate_open_attempts(tmp_path):
    """Duplicates a race left before the index: the newest open attempt of each learner and quiz is
    kept, graded attempts are untouched, and the index then refuses a new duplicate."""
    from sqlalchemy import create_engine, text

    from elearn.db import upgrade_database as upgrade

    from conftest import PG_URL

    url = PG_URL or f"sqlite:///{tmp_path / 'old.sqlite3'}"
    if PG_URL:
        with create_engine(PG_URL).begin() as conn:  # the `app` fixture is not used: start from nothing
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    old = create_app(base_config(tmp_path, url))
    with old.app_context():
        upgrade("0008")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO users (id, username, username_key, display_name, password_hash, role, "
                              "locale, created_at) VALUES (1, 'a', 'a', 'a', 'x', 'learner', 'en', '2026-01-01')"))
            for i, (quiz, submitted) in enumerate([("final", None), ("final", None), ("final", "2026-01-02"),
                                                   ("check-first-lesson", None), ("final", None)], start=1):
                conn.execute(text("INSERT INTO quiz_attempts (id, user_id, module_id, quiz_id, content_version, layout, "
                                  "answers, started_at, submitted_at) VALUES (:i, 1, 'sample', :q, 'v', '[]', '{}', "
                                  "'2026-01-01', :s)"), {"i": i, "q": quiz, "s": submitted})
        upgrade()
        with db.engine.connect() as conn:
            kept = conn.execute(text("SELECT id FROM quiz_attempts ORDER BY id")).scalars().all()
        assert kept == [3, 4, 5]
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text("INSERT INTO quiz_attempts (id, user_id, module_id, quiz_id, content_version, layout, "
                              "answers, started_at) VALUES (99, 1, 'sample', 'final', 'v', '[]', '{}', '2026-01-03')"))
        if PG_URL:
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


def test_a_quiz_that_never_shows_the_score_hides_it_on_every_page(app, client, auth):
    hidden = dataclasses.replace(SAMPLE.final_quiz, review=dataclasses.replace(FINAL_REVIEW, score=frozenset()))
    module = dataclasses.replace(SAMPLE, quizzes={**SAMPLE.quizzes, "final": hidden})
    app.extensions["catalog"] = dataclasses.replace(CATALOG, modules=(module,), _by_id={"sample": module})
    auth.register()
    location = take(app, client, answers={"s-multi": ["a"]})
    html = result_html(client, location)
    assert "Your answers are submitted." in html and "%" not in html.split("<main")[1].split("</main>")[0]
    page = client.get("/en/modules/sample/quizzes/final/").get_data(as_text=True)
    assert "Your attempts" in page and "Not passed</span>" not in page and "25%" not in page


def test_item_analysis_of_a_drawn_final_counts_each_question_where_it_was_asked():
    """A trainer's item analysis of a drawn final lists the bank questions attempts asked, in the
    bank's order, each over the attempts that asked it: a question one attempt did not ask is not
    a wrong answer there."""
    from elearn.trainer import report

    module = SHIPPED.module("caesar-act")
    final = module.quizzes[module.final_quiz_id]
    bank = [q for _lesson, stratum in final.bank for q in stratum]
    first, second = bank[:10], bank[5:15]  # bank[5:10] asked by both
    attempts = [SimpleNamespace(question_points={q.id: 1.0 for q in first}, answers={q.id: list(q.answer) for q in first}),
                SimpleNamespace(question_points={q.id: 0.0 for q in second}, answers={})]
    test, pairs = report.analyse(final, attempts)
    assert [q.id for q, _stats in pairs] == [q.id for q in bank[:15]]
    facility = {q.id: (s.attempts, s.facility) for q, s in pairs}
    assert all(facility[q.id] == (1, 1.0) for q in bank[:5])
    assert all(facility[q.id] == (2, 0.5) for q in bank[5:10])
    assert all(facility[q.id] == (1, 0.0) for q in bank[10:15])
    assert test.attempts == 2 and test.mean == 50 and test.alpha is None
