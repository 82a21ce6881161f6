"""Home, module and lesson pages; progress is saved per learner."""
from sqlalchemy import delete, func, select

from conftest import csrf_token
from elearn.certificates.models import Certificate
from elearn.db import db
from elearn.learning.models import LessonProgress
from factories import finish_module, make_graded_attempt, make_user
from quizhelpers import complete


def test_home_lists_modules_for_anonymous_visitors(client):
    html = client.get("/en/").get_data(as_text=True)
    assert "A sample module" in html and "2 lessons" in html
    assert "<progress" not in html
    assert "وحدة تجريبية" in client.get("/ar/").get_data(as_text=True)


def test_lesson_page_has_objectives_text_sources_reviewed_date_and_pager(client):
    html = client.get("/en/modules/sample/first-lesson/").get_data(as_text=True)
    for expected in ["The first lesson", "Explain what a test fixture is.", "<strong>bold</strong>",
                     "Example Publisher", 'href="https://example.org/source"', "Last reviewed: 1 November 2026",
                     'rel="next" href="/en/modules/sample/second-lesson/"', "Fixture"]:
        assert expected in html, expected
    assert 'rel="prev"' not in html
    html = client.get("/en/modules/sample/second-lesson/").get_data(as_text=True)
    assert 'rel="prev" href="/en/modules/sample/first-lesson/"' in html


def test_unknown_module_or_lesson_is_404(client):
    assert client.get("/en/modules/nope/").status_code == 404
    assert client.get("/en/modules/sample/nope/").status_code == 404


def test_marking_a_lesson_complete_saves_progress(app, client, login):
    login("rami", client)
    response = complete(client, "first-lesson")
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/modules/sample/second-lesson/"
    with app.app_context():
        rows = db.session.scalars(select(LessonProgress)).all()
        assert [(r.module_id, r.lesson_id, r.completed_at is not None) for r in rows] == [("sample", "first-lesson", True)]
    module_html = client.get("/en/modules/sample/").get_data(as_text=True)
    assert 'value="25"' in module_html and "1 of 4 steps done" in module_html
    assert "In progress" in module_html
    lesson_html = client.get("/en/modules/sample/first-lesson/").get_data(as_text=True)
    assert "You completed this lesson." in lesson_html


def test_completing_twice_keeps_one_row_and_the_first_time(app, client, login):
    login("rami", client)
    complete(client, "first-lesson")
    with app.app_context():
        first = db.session.scalar(select(LessonProgress.completed_at))
    complete(client, "first-lesson")
    with app.app_context():
        rows = db.session.execute(select(LessonProgress.completed_at)).all()
        assert rows == [(first,)]


def test_lessons_alone_do_not_complete_the_module(client, login):
    """Lessons, the check quiz and the final quiz all count (see test_quiz for the rest)."""
    login("rami", client)
    complete(client, "first-lesson")
    response = complete(client, "second-lesson")
    assert response.headers["Location"] == "/en/modules/sample/"
    html = client.get("/en/").get_data(as_text=True)
    assert 'value="50"' in html and "In progress" in html and "2 of 4 steps done" in html


def test_continue_where_you_left_off(client, login):
    login("rami", client)
    html = client.get("/en/").get_data(as_text=True)
    assert "Continue where you left off" not in html
    client.get("/en/modules/sample/first-lesson/")
    html = client.get("/en/").get_data(as_text=True)
    assert "Continue where you left off" in html and 'href="/en/modules/sample/first-lesson/"' in html
    complete(client, "first-lesson")
    html = client.get("/ar/").get_data(as_text=True)
    assert "تابع من حيث توقفت" in html and 'href="/ar/modules/sample/second-lesson/"' in html


def test_progress_is_per_learner(app, login, client):
    login("first", client)
    complete(client, "first-lesson")
    other = login("second")
    assert 'value="0"' in other.get("/en/modules/sample/").get_data(as_text=True)


def test_completing_requires_sign_in_and_csrf(client, login):
    token = csrf_token(client, "/en/login")
    response = client.post("/en/modules/sample/first-lesson/complete", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/en/login")
    login("rami", client)
    assert client.post("/en/modules/sample/first-lesson/complete").status_code == 400  # no CSRF token


def test_certificate_is_issued_when_the_last_step_is_a_lesson(app, client, login):
    """Quizzes first, lessons last: marking the last lesson complete finishes the module."""
    with app.app_context():
        quizfirst = make_user(username="quizfirst")
        for quiz in ("check-first-lesson", "final"):
            make_graded_attempt(quizfirst, quiz)
    login("quizfirst", client)
    complete(client, "first-lesson")
    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == 0
    url = "/en/modules/sample/second-lesson/"
    response = client.post(url + "complete", data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "Your certificate is ready." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == 1


def _complete_then_lose_certificate(app, client, login):
    """Complete the sample module, then delete the certificate: as if the process died between
    the step's commit and the certificate's. `client` is signed in as that learner."""
    with app.app_context():
        finish_module(make_user(username="crashed"))
        db.session.execute(delete(Certificate))
        db.session.commit()
    login("crashed", client)


def _certificates(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Certificate.id)))


def test_a_lost_certificate_is_repaired_by_the_command_not_by_a_page(app, client, runner, login):
    _complete_then_lose_certificate(app, client, login)
    assert "Download (PDF)" not in client.get("/en/me/").get_data(as_text=True)
    assert _certificates(app) == 0  # a GET writes nothing
    result = runner.invoke(args=["certificates", "repair"])
    assert result.exit_code == 0 and "certificates issued: 1" in result.output
    assert _certificates(app) == 1 and "Download (PDF)" in client.get("/en/me/").get_data(as_text=True)
    assert "certificates issued: 0" in runner.invoke(args=["certificates", "repair"]).output


def test_a_lost_certificate_is_repaired_on_the_next_step(app, client, login):
    _complete_then_lose_certificate(app, client, login)
    complete(client, "first-lesson")  # completing again is a step
    assert _certificates(app) == 1
