"""A person's data in their hands (issue 13): "Download my data" (JSON and CSV), "Delete my
account" (and an admin's deletion), and records purged after their retention period."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from sqlalchemy import func, select

from conftest import csrf_token
from elearn.auth.models import SignInFailure, User, UserSession
from elearn.certificates.models import Certificate
from elearn.clock import utcnow
from elearn.dates import month_name
from elearn.db import db
from elearn.learning.models import LessonProgress
from elearn.quiz.models import QuizAttempt
from elearn.reminders.models import Reminder
from elearn.reminders.service import learner_reminders
from elearn.trainer.models import Membership
from elearn.xapi.models import XapiStatement
from factories import PASSWORD, catalog, finish_module, make_assignment, make_certificate, make_group, make_reminder, make_user, user
from quizhelpers import complete, take


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def rana(app):
    """A learner with an e-mail address, a finished module (certificate), in coach's group."""
    with app.app_context():
        make_user(username="rana", display_name="Rana K.", email="rana@example.org", certificate_name="رنا ك.")
        group = make_group("coach", ["rana"], name="ورشة حمص")
        make_assignment(group)
        certificate = finish_module("rana")
        return {"group": group.id, "code": certificate.code, "id": user("rana").id}


@pytest.fixture
def tracked(app, login):
    """xAPI on (no LRS: sending is `elearn xapi send`, never run here): lena completed a lesson and
    passed its check quiz, omar completed the lesson. Returns their signed-in clients and ids."""
    app.config["XAPI_ENDPOINT"] = "http://127.0.0.1:9/xAPI/"
    lena, omar = login("lena"), login("omar")
    assert complete(lena, "first-lesson").status_code == complete(omar, "first-lesson").status_code == 302
    take(app, lena, "check-first-lesson")
    with app.app_context():
        return {"lena": lena, "omar": omar, "lena_id": user("lena").id, "omar_id": user("omar").id}


# --- download my data ---------------------------------------------------------------------------

def test_my_data_as_json_holds_everything_about_the_person(app, login, rana):
    client = login("rana")
    response = client.get("/en/account/my-data.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="elearn-my-data-')
    data = json.loads(response.get_data(as_text=True))
    assert data["account"] | {"created_at": None} == {
        "pseudonym": "rana", "display_name": "Rana K.", "certificate_name": "رنا ك.", "email": "rana@example.org",
        "language": "en", "role": "learner", "created_at": None}
    assert len(data["sessions"]) == 1
    assert {lesson["lesson_id"] for lesson in data["lessons"]} == {"first-lesson", "second-lesson"}
    final = [a for a in data["quiz_attempts"] if a["quiz_id"] == "final"][0]
    assert final["passed"] and final["submitted_at"] and final["answers"]
    answer = final["answers"][0]
    assert answer["question"]["ar"] and answer["question"]["en"] and answer["chosen"][0]["id"]
    assert data["groups"] == [{"name": "ورشة حمص", "trainer": "Coach", "joined_at": data["groups"][0]["joined_at"]}]
    assert data["assignments"][0]["module_id"] == "sample"
    assert data["certificates"][0]["code"] == rana["code"] and data["certificates"][0]["name"] == "رنا ك."
    assert data["recovery_codes"]["unused"] == 0 and data["password_resets"] == []
    # Only this person: nothing about the trainer's account.
    assert "coach" not in json.dumps(data["account"])


@pytest.mark.parametrize("lang, header, section", [
    ("en", ["Section", "Item", "Value", "Date (UTC)"], "Answers"),
    ("ar", ["القسم", "البند", "القيمة", "التاريخ (بالتوقيت العالمي المنسّق)"], "الإجابات")])
def test_my_data_as_csv_is_readable_in_the_pages_language(app, login, rana, lang, header, section):
    response = login("rana").get(f"/{lang}/account/my-data.csv")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == header
    assert any(row[0] == section and row[2] for row in rows)
    assert ["rana@example.org"] == [row[2] for row in rows if "@" in row[2]]
    assert any(rana["code"] in row[2] for row in rows)
    # dates in the one style of the page's language, not the JSON's ISO form
    dates = [row[3] for row in rows[1:] if row[3]]
    months = [month_name(m, lang) for m in range(1, 13)]
    assert dates and all(re.fullmatch(r"\d{1,2} \S.* \d{4}([،,] \d\d:\d\d)?", d) for d in dates), dates
    assert all(any(name in d for name in months) for d in dates), dates


def test_finishing_a_step_queues_statements_under_the_learner(app, tracked):
    # lena: 1 lesson completed, 2 questions answered, the quiz passed; omar: 1 lesson completed
    assert count(app, XapiStatement, XapiStatement.user_id == tracked["lena_id"]) == 4
    assert count(app, XapiStatement, XapiStatement.user_id == tracked["omar_id"]) == 1
    assert count(app, XapiStatement, XapiStatement.user_id.is_(None)) == 0


def test_my_data_lists_the_persons_xapi_statements_sent_or_not(app, tracked):
    with app.app_context():
        first = db.session.scalar(select(XapiStatement).where(XapiStatement.user_id == tracked["lena_id"])
                                  .order_by(XapiStatement.id))
        first.sent_at = utcnow()
        db.session.commit()
        sent_id = first.statement_id
    data = json.loads(tracked["lena"].get("/en/account/my-data.json").get_data(as_text=True))
    listed = data["xapi_statements"]
    assert [s["verb_id"].rsplit("/", 1)[-1] for s in listed] == ["completed", "answered", "answered", "passed"]
    assert listed[0]["statement_id"] == sent_id and listed[0]["sent_at"] and listed[0]["created_at"]
    assert listed[0]["object_id"] == "https://elearn.example/modules/sample/first-lesson/"
    assert listed[0]["verb"] == {"en": "completed", "ar": "أكمل"} and listed[0]["object"]["ar"]
    assert all(s["sent_at"] is None for s in listed[1:])
    rows = list(csv.reader(io.StringIO(tracked["lena"].get("/ar/account/my-data.csv").get_data(as_text=True))))
    statements = [row for row in rows if row[0] == "سجلات xAPI"]
    assert len(statements) == 4 and statements[0][1].startswith("أكمل: ")
    assert statements[0][2].startswith("أُرسل في ") and statements[1][2] == "لم يُرسل بعد"


# --- delete my account --------------------------------------------------------------------------

def delete(client, lang="en", password=PASSWORD, certificates="keep"):
    token = csrf_token(client, f"/{lang}/account/delete")
    return client.post(f"/{lang}/account/delete", data={"csrf_token": token, "delete-current": password,
                                                        "delete-certificates": certificates})


def test_the_first_press_deletes_nothing(app, login, rana):
    client = login("rana")
    page = client.get("/en/account/delete")
    assert page.status_code == 200 and rana["code"] in page.get_data(as_text=True)
    assert delete(client, password="not my password").status_code == 400
    assert count(app, User, User.username == "rana") == 1


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_deleting_keeps_certificates_verifiable_and_leaves_the_trainers_report(app, login, rana, lang):
    client, coach = login("rana"), login("coach")
    report = f"/{lang}/trainer/groups/{rana['group']}/report"
    assert "Rana K." in coach.get(report).get_data(as_text=True)
    response = delete(client, lang)
    assert response.status_code == 302 and response.headers["Location"] == f"/{lang}/"
    assert client.get(f"/{lang}/account").status_code == 302
    assert count(app, User, User.username == "rana") == 0
    assert count(app, UserSession, UserSession.user_id == rana["id"]) == 0
    assert count(app, QuizAttempt) == count(app, LessonProgress) == count(app, Membership) == 0
    assert "Rana K." not in coach.get(report).get_data(as_text=True)
    verify = app.test_client().get(f"/{lang}/verify/{rana['code']}").get_data(as_text=True)
    assert ("شهادة سارية" if lang == "ar" else "Valid certificate") in verify and "رنا ك." in verify
    with app.app_context():
        assert db.session.scalar(select(Certificate.user_id).where(Certificate.code == rana["code"])) is None


def test_deleting_can_revoke_the_certificates_and_erase_the_name(app, login, rana):
    assert delete(login("rana"), certificates="revoke").status_code == 302
    verify = app.test_client().get(f"/en/verify/{rana['code']}").get_data(as_text=True)
    assert "Revoked certificate" in verify and "رنا ك." not in verify
    with app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.code == rana["code"]))
        assert certificate.name == "" and certificate.pdf == b"" and certificate.revoked_at


def test_deleting_forgets_the_failed_sign_ins_and_reminders(app, login, rana):
    with app.app_context():
        make_reminder("rana", certificate=db.session.scalar(select(Certificate)))
    from conftest import Auth

    Auth(app.test_client()).login("rana", "a wrong password")
    assert count(app, SignInFailure) == 1 and count(app, Reminder) == 1
    delete(login("rana"))
    assert count(app, SignInFailure) == 0 and count(app, Reminder) == 0


def test_deleting_an_account_deletes_its_xapi_statements_and_no_one_elses(app, tracked):
    assert delete(tracked["lena"]).status_code == 302
    assert count(app, XapiStatement, XapiStatement.user_id == tracked["lena_id"]) == 0
    assert count(app, XapiStatement) == count(app, XapiStatement, XapiStatement.user_id == tracked["omar_id"]) == 1
    with app.app_context():  # and nothing left names her as the actor
        bodies = db.session.scalars(select(XapiStatement.body)).all()
    assert all(json.loads(b)["actor"]["account"]["name"] == str(tracked["omar_id"]) for b in bodies)


def test_an_admin_deletes_an_account_after_a_confirmation_page(app, login, rana):
    with app.app_context():
        make_user(username="boss", role="admin")
    boss = login("boss")
    page = boss.get(f"/en/admin/users/{rana['id']}/delete")
    assert page.status_code == 200 and count(app, User, User.id == rana["id"]) == 1
    token = csrf_token(boss, f"/en/admin/users/{rana['id']}/delete")
    response = boss.post(f"/en/admin/users/{rana['id']}/delete", data={"csrf_token": token, "certificates": "keep"})
    assert response.status_code == 302 and count(app, User, User.id == rana["id"]) == 0


def test_the_last_admin_cannot_delete_their_account(app, login):
    with app.app_context():
        make_user(username="boss", role="admin")
    client = login("boss")
    response = delete(client)
    assert response.status_code == 200 and "only administrator" in response.get_data(as_text=True)
    assert count(app, User, User.username == "boss") == 1
    with app.app_context():
        make_user(username="deputy", role="admin")
    assert delete(client).status_code == 302 and count(app, User, User.role == "admin") == 1


# --- retention ------------------------------------------------------------------------------------

def test_purge_deletes_records_past_their_retention_and_keeps_the_rest(app, runner):
    now = utcnow()
    with app.app_context():
        certificate = make_certificate("rana", expires_on=(now - dt.timedelta(days=500)).date())
        old = make_reminder("rana", kind="expired", certificate=certificate, created_at=now - dt.timedelta(days=450))
        make_reminder("rana", kind="digest", key="digest:2026-W40", certificate=None, created_at=now - dt.timedelta(days=10))
        db.session.add_all([SignInFailure(key="a" * 64, failed_at=now - dt.timedelta(hours=30)),
                            SignInFailure(key="b" * 64, failed_at=now - dt.timedelta(minutes=5))])
        db.session.commit()
        old_id = old.id
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 failed sign-ins" in result.output and "1 reminders" in result.output
    assert count(app, SignInFailure) == 1 and count(app, Reminder) == 1
    assert count(app, Reminder, Reminder.id == old_id) == 0
    with app.app_context():  # and a purged reminder is never planned again
        assert learner_reminders(db.session, catalog(), now.date(), 30) == []
