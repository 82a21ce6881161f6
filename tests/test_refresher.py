"""Refreshers: the spaced-repetition choice of questions (pure), the refresher pages on the shared
quiz engine, renewal on a pass, lessons to review on a fail; and the whole compliance cycle with
a moving clock."""
import datetime as dt
import random
import re

import pytest
from freezegun import freeze_time
from hypothesis import given, strategies as st
from sqlalchemy import select

from conftest import csrf_token, sign_in
from elearn.auth.models import User
from elearn.certificates.models import Certificate
from elearn.db import db
from elearn.quiz.models import QuizAttempt
from elearn.refresher.rule import Answer, choose_questions, standings
from factories import finish_module, make_assignment, make_certificate, make_group, make_user
from quizhelpers import ANSWERS, answer_and_submit, attempt_id

NOW = dt.datetime(2027, 6, 1, 12)
BANK = ["q1", "q2", "q3", "q4", "q5", "q6"]


def ago(days):
    return NOW - dt.timedelta(days=days)


def test_weak_spots_first_then_unseen_then_due_then_the_rest():
    history = [
        Answer("q1", ago(200), True), Answer("q1", ago(100), True),  # streak 2: due after 60 days -> due
        Answer("q2", ago(10), True),  # streak 1: due after 30 days -> not due yet
        Answer("q3", ago(50), False),  # weak spot
        Answer("q4", ago(300), False), Answer("q4", ago(40), True),  # streak 1, 40 days ago -> due
        Answer("q5", ago(5), False), Answer("q5", ago(4), False),  # weak spot, missed twice
    ]  # q6 never asked
    order = sorted(choose_questions(BANK, history, 6, NOW, random.Random(1)),
                   key=lambda q: ["q5", "q3", "q6", "q4", "q1", "q2"].index(q))
    assert choose_questions(BANK, history, 2, NOW, random.Random(1)) in (["q5", "q3"], ["q3", "q5"])
    assert set(choose_questions(BANK, history, 3, NOW, random.Random(1))) == {"q5", "q3", "q6"}
    # among due questions the lower streak comes first: q4 (streak 1) before q1 (streak 2)
    assert set(choose_questions(BANK, history, 4, NOW, random.Random(1))) == {"q5", "q3", "q6", "q4"}
    assert order == ["q5", "q3", "q6", "q4", "q1", "q2"]


def test_each_right_answer_in_a_row_doubles_the_interval():
    table = standings(["a", "b", "c"], [
        Answer("a", ago(45), True),  # streak 1 -> due after 30 days: due
        Answer("b", ago(90), True), Answer("b", ago(45), True),  # streak 2 -> 60 days: not due
        Answer("c", ago(300), False), Answer("c", ago(200), True), Answer("c", ago(130), True),
        Answer("c", ago(125), True),  # streak 3 -> 120 days: due
    ])
    assert (table["a"].streak, table["b"].streak, table["c"].streak) == (1, 2, 3)
    assert [table[q].tier(NOW) for q in "abc"] == [3, 4, 3]
    assert table["c"].missed == 1 and table["c"].asked == 4


def test_a_partly_right_answer_counts_as_a_miss_and_order_of_history_does_not_matter():
    history = [Answer("q1", ago(3), False), Answer("q1", ago(400), True)]
    assert standings(["q1"], history)["q1"].tier(NOW) == 1
    assert standings(["q1"], list(reversed(history))) == standings(["q1"], history)


def test_not_due_questions_fill_up_closest_to_due_first():
    history = [Answer("q1", ago(5), True), Answer("q2", ago(25), True), Answer("q3", ago(15), True)]
    assert set(choose_questions(["q1", "q2", "q3"], history, 1, NOW, random.Random(3))) == {"q2"}
    assert set(choose_questions(["q1", "q2", "q3"], history, 2, NOW, random.Random(3))) == {"q2", "q3"}


def test_ties_are_broken_at_random():
    picks = {tuple(sorted(choose_questions(BANK, [], 2, NOW, random.Random(seed)))) for seed in range(30)}
    assert len(picks) > 5


@given(size=st.integers(min_value=-1, max_value=10), seed=st.integers(),
       history=st.lists(st.tuples(st.sampled_from(BANK + ["gone"]), st.integers(0, 900), st.booleans()), max_size=30))
def test_choice_is_distinct_questions_of_the_bank(size, seed, history):
    answers = [Answer(q, ago(days), ok) for q, days, ok in history]
    chosen = choose_questions(BANK, answers, size, NOW, random.Random(seed))
    assert len(chosen) == len(set(chosen)) == max(0, min(size, len(BANK)))
    assert set(chosen) <= set(BANK)


# --- pages ----------------------------------------------------------------------------------------

def certify(app, client, username="amal", lang="en"):
    """Sign `client` in as a new learner holding a certificate that expires in 10 days; its code."""
    sign_in(client, username, locale=lang)
    with app.app_context():
        return make_certificate(username, expires_on=dt.date.today() + dt.timedelta(days=10)).code


def start_refresher(client, lang="en"):
    url = f"/{lang}/modules/sample/refresher/"
    return client.post(url + "start", data={"csrf_token": csrf_token(client, url)})


def all_answers():
    return {**ANSWERS["check-first-lesson"], **ANSWERS["final"]}


def take_refresher(app, client, answers, lang="en"):
    location = start_refresher(client, lang).headers["Location"]
    layout, result = answer_and_submit(app, client, location, answers, lang)
    return result, layout


@pytest.mark.parametrize("lang, text", [("en", "The refresher is for holders"), ("ar", "الاختبار التنشيطي مخصّص")])
def test_refresher_needs_a_certificate(client, login, lang, text):
    login("rami", client, locale=lang)
    html = client.get(f"/{lang}/modules/sample/refresher/").get_data(as_text=True)
    assert text in html and "/refresher/start" not in html
    assert start_refresher(client, lang).headers["Location"] == f"/{lang}/modules/sample/refresher/"


def test_refresher_of_an_unknown_module_is_404(client):
    assert client.get("/en/modules/nope/refresher/").status_code == 404


def test_refresher_draws_from_the_bank_and_leans_on_misses(app, client):
    certify(app, client)
    with app.app_context():  # a past final attempt where s-scenario was missed
        user_id = db.session.scalar(select(User.id).filter_by(username="amal"))
        db.session.add(QuizAttempt(user_id=user_id, module_id="sample", quiz_id="final", content_version="v",
                                   layout=[], answers={}, submitted_at=dt.datetime.now() - dt.timedelta(days=300),
                                   passed=True, percent=50.0, question_points={"s-multi": 1.0, "s-scenario": 0.0}))
        db.session.commit()
    app.config["REFRESHER_QUESTIONS"] = 2
    location = start_refresher(client).headers["Location"]
    assert re.search(r"/en/attempts/\d+/1$", location)
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id(location))
        questions = {item["q"] for item in attempt.layout}
    assert attempt.quiz_id == "refresher" and len(questions) == 2
    assert "s-scenario" in questions and "s-multi" not in questions  # the miss, plus one never seen
    page = client.get(location).get_data(as_text=True)
    assert "Refresher quiz" in page and "Question 1 of 2" in page
    assert start_refresher(client).headers["Location"] == location  # resuming, not a new draw


def test_passing_the_refresher_renews_the_certificate(app, client):
    old_code = certify(app, client)
    result, _layout = take_refresher(app, client, all_answers())
    assert "/refresher/attempts/" in result
    html = client.get(result).get_data(as_text=True)
    with app.app_context():
        certs = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    assert len(certs) == 2 and certs[0].code == old_code and certs[0].superseded_at is not None
    new = certs[1]
    assert new.renewed_from_id == certs[0].id and new.code != old_code
    assert new.expires_on > certs[0].expires_on
    assert "Your certificate is renewed." in html and new.code in html
    # the quiz engine's own result address sends a refresher to its page
    aid = int(re.search(r"/refresher/attempts/(\d+)/", result).group(1))
    assert client.get(f"/en/attempts/{aid}/result").headers["Location"] == f"/en/refresher/attempts/{aid}/"
    verify = client.get(f"/en/verify/{old_code}").get_data(as_text=True)
    assert "Superseded certificate" in verify


@pytest.mark.parametrize("lang, texts", [
    ("en", ["Not passed yet", "review these lessons", "The first lesson", "Not right"]),
    ("ar", ["لم تنجح بعد", "راجع هذه الدروس", "الدرس first", "Not right"]),
])
def test_failing_shows_feedback_and_lessons_to_review(app, client, lang, texts):
    certify(app, client, lang=lang)
    result, _layout = take_refresher(app, client, {}, lang=lang)  # nothing answered
    html = client.get(result).get_data(as_text=True)
    for text in texts[:-1]:
        assert text in html
    assert "/modules/sample/first-lesson/" in html  # s-single and s-tf belong to its check quiz
    with app.app_context():
        assert db.session.scalar(select(Certificate.superseded_at)) is None  # not renewed


def test_someone_elses_refresher_is_404(app, client):
    certify(app, client)
    location = start_refresher(client).headers["Location"]
    stranger = sign_in(app.test_client(), "stranger")
    assert stranger.get(location).status_code == 404
    assert stranger.get(f"/en/refresher/attempts/{attempt_id(location)}/").status_code == 404


def test_revoked_certificate_gets_no_refresher(app, client):
    code = certify(app, client)
    with app.app_context():
        cert = db.session.scalar(select(Certificate).filter_by(code=code))
        cert.revoked_at = dt.datetime(2026, 1, 1)
        db.session.commit()
    assert "/refresher/start" not in client.get("/en/modules/sample/refresher/").get_data(as_text=True)


# --- the whole cycle, with a moving clock -----------------------------------------------------------

def test_compliance_cycle_end_to_end(app, smtp):
    """Due soon -> one reminder however often the command runs -> refresher passed -> renewed with a
    new code; another learner left to expire -> expired on My learning, in the trainer's report,
    in the digest counts and on the verification page."""
    from elearn.reminders.service import group_counts

    clock = dict(ignore=["asyncio", "aiosmtpd", "concurrent"])
    runner = app.test_cli_runner()
    amal, basel = app.test_client(), app.test_client()
    with freeze_time("2026-12-01 09:00", **clock):
        with app.app_context():
            people = [make_user(username=name, email=f"{name}@example.org") for name in ("amal", "basel")]
            for person in people:
                finish_module(person)
            coach = make_user(username="coach", role="trainer", email="coach@example.org")
            group = make_group(coach, people, name="Compliance team")
            make_assignment(group, due_on=dt.date(2026, 12, 31), recur_months=12)
            group_id = group.id
            first = {c.user_id: c for c in db.session.scalars(select(Certificate))}
            assert {c.expires_on for c in first.values()} == {dt.date(2027, 12, 1)}

    with freeze_time("2027-11-05 06:00", **clock):  # 26 days left: due soon
        for _ in range(3):
            assert runner.invoke(args=["reminders", "send"]).exit_code == 0
        [reminder] = smtp.to("amal@example.org")
        assert reminder["Subject"] == "Your certificate expires soon: A sample module"
        assert len(smtp.to("basel@example.org")) == 1 and len(smtp.to("coach@example.org")) == 1
        sign_in(amal, "amal")
        assert "Due for renewal soon" in amal.get("/en/me/").get_data(as_text=True)
        result, _layout = take_refresher(app, amal, all_answers())
        assert "Your certificate is renewed." in amal.get(result).get_data(as_text=True)

    with app.app_context():
        amal_id = db.session.scalar(select(User.id).filter_by(username="amal"))
        renewed = db.session.scalar(select(Certificate).filter_by(user_id=amal_id, superseded_at=None))
        old_code = first[amal_id].code
        assert renewed.code != old_code and renewed.expires_on == dt.date(2028, 11, 5)

    with freeze_time("2027-12-02 06:00", **clock):  # basel's certificate expired yesterday
        for _ in range(2):
            assert runner.invoke(args=["reminders", "send"]).exit_code == 0
        assert len(smtp.to("amal@example.org")) == 1  # renewed: nothing more for amal
        expired_mails = smtp.to("basel@example.org")
        assert [m["Subject"] for m in expired_mails][-1] == "Your certificate has expired: A sample module"
        assert len(expired_mails) == 2
        sign_in(basel, "basel")
        assert "Expired" in basel.get("/en/me/").get_data(as_text=True)
        anonymous = app.test_client()
        basel_code = [c.code for uid, c in first.items() if uid != amal_id][0]
        assert "Expired certificate" in anonymous.get(f"/en/verify/{basel_code}").get_data(as_text=True)
        assert "Superseded certificate" in anonymous.get(f"/en/verify/{old_code}").get_data(as_text=True)
        assert "Valid certificate" in anonymous.get(f"/en/verify/{renewed.code}").get_data(as_text=True)
        with app.app_context():
            [counts] = group_counts(db.session, app.extensions["catalog"], dt.date(2027, 12, 2), 30)
            assert counts.counts == {"current": 1, "due_soon": 0, "expired": 1}
        coach = sign_in(app.test_client(), "coach")
        report = coach.get(f"/en/trainer/groups/{group_id}/report").get_data(as_text=True)
        text = " ".join(re.sub(r"<[^>]+>", " ", report).split())
        assert "current 1 · due soon 0 · expired 1" in text
        rows = {row.split()[0]: row for row in (" ".join(re.sub(r"<[^>]+>", " ", "<tr" + r).split())
                                                 for r in report.split("<tbody>")[-1].split("<tr")[1:])}
        assert "Current Valid until 5 Nov 2028" in rows["amal"] and "Overdue" not in rows["amal"]
        assert "Expired Valid until 1 Dec 2027" in rows["basel"]
        expired_only = coach.get(f"/en/trainer/groups/{group_id}/report?certificate=expired").get_data(as_text=True)
        assert "basel" in expired_only and ">amal<" not in expired_only
