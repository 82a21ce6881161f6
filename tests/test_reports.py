"""Assignments, the group report, a learner's page, module charts, item analysis, CSV exports."""
import csv
import datetime as dt
import io
import re

import pytest
from sqlalchemy import event, select

from conftest import csrf_token
from elearn.auth.models import User
from elearn.db import db
from elearn.trainer import assignments as rules
from elearn.trainer.models import Assignment, Group
from factories import make_assignment, make_group, make_progress, make_user
from quizhelpers import ANSWERS

TODAY = dt.date.today()


def workshop(app, members=(), name="Workshop", due_on=None, recur_months=None) -> int:
    """The id of coach's group of `members` (usernames, made when new, "amal" shown as "Amal"),
    with the sample module assigned when `due_on` is given."""
    with app.app_context():
        group = make_group("coach", members, name=name)
        if due_on is not None:
            make_assignment(group, due_on=due_on, recur_months=recur_months)
        return group.id


def assign(client, group_id, lang="en", **fields):
    url = f"/{lang}/trainer/groups/{group_id}/"
    data = {"csrf_token": csrf_token(client, url), "module": "sample", "who": "",
            "due_on": (TODAY + dt.timedelta(days=14)).isoformat(), "recur_months": ""}
    data.update(fields)
    return client.post(f"/{lang}/trainer/groups/{group_id}/assignments", data=data)


# -- the due-date rule ------------------------------------------------------------------------

def test_one_off_assignment_is_done_once_completed_and_overdue_after_its_date():
    due = dt.date(2026, 3, 31)
    assert rules.state(due, None, None, dt.date(2026, 3, 31)) == rules.DueState(due, False, False)
    assert rules.state(due, None, None, dt.date(2026, 4, 1)) == rules.DueState(due, False, True)
    assert rules.state(due, None, dt.date(2026, 5, 1), dt.date(2027, 1, 1)) == rules.DueState(due, True, False)


def test_recurring_assignment_asks_for_a_completion_in_every_cycle():
    due = dt.date(2026, 1, 31)
    # completed in the first cycle: done, next due a year on
    assert rules.state(due, 12, dt.date(2026, 1, 10), dt.date(2026, 1, 20)) == rules.DueState(
        dt.date(2027, 1, 31), True, False)
    # the next cycle has begun: due again, not late yet
    assert rules.state(due, 12, dt.date(2026, 1, 10), dt.date(2026, 6, 1)) == rules.DueState(
        dt.date(2027, 1, 31), False, False)
    # ... and late once its date has passed without a new completion
    assert rules.state(due, 12, dt.date(2026, 1, 10), dt.date(2027, 2, 1)) == rules.DueState(
        dt.date(2027, 1, 31), False, True)
    # renewed in time
    assert rules.state(due, 12, dt.date(2026, 12, 1), dt.date(2027, 1, 5)).done
    # never completed
    assert rules.state(due, 12, None, dt.date(2026, 2, 1)) == rules.DueState(due, False, True)
    # a completion older than the first cycle does not count
    assert not rules.state(due, 12, dt.date(2024, 6, 1), dt.date(2026, 1, 1)).done
    # monthly cycles follow the calendar, clamped to the month's last day
    assert rules.state(due, 1, dt.date(2026, 2, 5), dt.date(2026, 2, 10)) == rules.DueState(
        dt.date(2026, 3, 31), True, False)


# -- assigning ---------------------------------------------------------------------------------

def test_trainer_assigns_a_module_and_learners_see_it_with_its_due_date(app, trainer, login):
    group_id = workshop(app, ["rana", "sami"])
    response = assign(trainer, group_id, due_on="2030-05-31")
    assert response.status_code == 302
    rana = login("rana")
    home = rana.get("/en/").get_data(as_text=True)
    assert "Assigned to you" in home and "due 31 May 2030" in home and "Workshop" in home
    me = rana.get("/ar/me/").get_data(as_text=True)
    assert "المهام المسندة" in me and "تاريخ الاستحقاق" not in me
    # assigning the same module again changes the date instead of adding a row
    assign(trainer, group_id, due_on="2030-06-30")
    with app.app_context():
        assert [a.due_on for a in db.session.scalars(select(Assignment))] == [dt.date(2030, 6, 30)]


def test_overdue_assignment_is_flagged_for_the_learner(app, trainer, login):
    workshop(app, ["rana"], due_on=TODAY - dt.timedelta(days=3))
    home = login("rana").get("/en/").get_data(as_text=True)
    assert "Overdue" in home and 'class="late"' in home


def test_assignment_to_one_person_is_seen_by_that_person_only(app, trainer, login):
    group_id = workshop(app, ["rana", "sami"])
    with app.app_context():
        rana_id = db.session.scalar(select(User.id).where(User.username == "rana"))
    assert assign(trainer, group_id, who=str(rana_id)).status_code == 302
    assert "Assigned to you" in login("rana").get("/en/").get_data(as_text=True)
    assert "Assigned to you" not in login("sami").get("/en/").get_data(as_text=True)


@pytest.mark.parametrize("lang, fields, message", [
    ("en", {"due_on": "31/05/2030"}, "Enter a date, for example 2027-03-31."),
    ("ar", {"due_on": ""}, "أدخل تاريخًا"),
    ("en", {"recur_months": "0"}, "Enter a number of months from 1 to 60."),
    ("en", {"module": "no-such-module"}, "Not a valid choice"),
    ("en", {"who": "99999"}, "Not a valid choice"),
])
def test_bad_assignment_input_is_refused_with_a_message(app, trainer, lang, fields, message):
    group_id = workshop(app, ["rana"])
    response = assign(trainer, group_id, lang=lang, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Assignment)) is None


def test_trainer_removes_an_assignment(app, trainer, login):
    group_id = workshop(app, ["rana"])
    assign(trainer, group_id)
    with app.app_context():
        assignment_id = db.session.scalar(select(Assignment.id))
    url = f"/en/trainer/groups/{group_id}/"
    trainer.post(f"{url}assignments/{assignment_id}/delete", data={"csrf_token": csrf_token(trainer, url), "confirm": "yes"})
    with app.app_context():
        assert db.session.scalar(select(Assignment)) is None
    assert "Assigned to you" not in login("rana").get("/en/").get_data(as_text=True)


# -- the group report ------------------------------------------------------------------------------

def progress(app, username, lessons=(), quizzes=()):
    """Give a learner progress through the services (the pages themselves: test_learning, test_quiz)."""
    with app.app_context():
        make_progress(username, lessons, quizzes)


def rows_of(html):
    body = html.split("<tbody>")[-1]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", "<tr" + row)).strip() for row in body.split("<tr")[1:]]


def test_group_report_shows_status_best_score_activity_and_overdue(app, trainer):
    group_id = workshop(app, ["amal", "badr", "carim"], due_on=TODAY - dt.timedelta(days=1))
    progress(app, "amal", lessons=["first-lesson", "second-lesson"],
             quizzes=[("check-first-lesson", None), ("final", None)])
    progress(app, "badr", lessons=["first-lesson"], quizzes=[("final", {"s-multi": ["a"], "s-scenario": ["b"]})])
    html = trainer.get(f"/en/trainer/groups/{group_id}/report").get_data(as_text=True)
    rows = rows_of(html)
    assert len(rows) == 3
    amal, badr, carim = rows
    assert amal.startswith("Amal A sample module") and "Completed" in amal and "100%" in amal and "Overdue" not in amal
    assert badr.startswith("Badr ") and "In progress" in badr and "75%" in badr and "Overdue" in badr
    assert carim.startswith("Carim ") and "Not started" in carim and "—" in carim and "Overdue" in carim
    # summary per module
    summary = html.split("<tbody>")[1].split("</tbody>")[0]
    cells = " ".join(re.sub(r"<[^>]+>", " ", summary).split())
    assert cells.startswith("A sample module 3 1 1 1 2 current 1 · due soon 0 · expired 0")


def test_report_filters_and_sorts(app, trainer):
    group_id = workshop(app, ["amal", "badr", "carim"], due_on=TODAY + dt.timedelta(days=5))
    progress(app, "amal", quizzes=[("final", {"s-multi": ["a"], "s-scenario": ["b"]})])
    progress(app, "carim", quizzes=[("final", None)])
    url = f"/en/trainer/groups/{group_id}/report"
    by_score = rows_of(trainer.get(url + "?sort=score&order=desc").get_data(as_text=True))
    assert [r.split()[0] for r in by_score] == ["Carim", "Amal", "Badr"]
    assert [r.split()[0] for r in rows_of(trainer.get(url + "?sort=name&order=desc").get_data(as_text=True))] == [
        "Carim", "Badr", "Amal"]
    assert [r.split()[0] for r in rows_of(trainer.get(url + "?status=not_started").get_data(as_text=True))] == ["Badr"]
    assert [r.split()[0] for r in rows_of(trainer.get(url + "?q=ARI").get_data(as_text=True))] == ["Carim"]
    # nonsense parameters fall back to defaults instead of failing
    assert trainer.get(url + "?sort=evil&order=up&page=-3&status=x&module=../../").status_code == 200


def test_report_is_in_arabic_with_arabic_names(app, trainer):
    group_id = workshop(app, ["amal"], due_on=TODAY)
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "amal")).display_name = "أمل"
        db.session.commit()
    html = trainer.get(f"/ar/trainer/groups/{group_id}/report").get_data(as_text=True)
    assert 'dir="rtl"' in html and "تقرير التقدّم" in html and "<bdi>أمل</bdi>" in html and "لم يبدأ" in html


def test_report_csv_opens_in_spreadsheets_with_arabic_names(app, trainer):
    group_id = workshop(app, ["amal", "badr"], due_on=TODAY)
    with app.app_context():
        for username, name in (("amal", "أمل الحلبي"), ("badr", "=HYPERLINK(\"http://x\")")):
            db.session.scalar(select(User).where(User.username == username)).display_name = name
        db.session.commit()
    response = trainer.get(f"/ar/trainer/groups/{group_id}/report.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel reads Arabic correctly
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0][0] == "المتدرّب" and len(table) == 3
    names = sorted(row[0] for row in table[1:])
    assert names == ["'=HYPERLINK(\"http://x\")", "أمل الحلبي"]  # formulas are made inert


def test_learner_page_shows_only_modules_assigned_through_the_group(app, trainer):
    group_id = workshop(app, ["amal"])
    progress(app, "amal", lessons=["first-lesson"], quizzes=[("check-first-lesson", None)])
    with app.app_context():
        amal = db.session.scalar(select(User.id).where(User.username == "amal"))
    url = f"/en/trainer/groups/{group_id}/learners/{amal}/"
    html = trainer.get(url).get_data(as_text=True)
    assert "Nothing is assigned to this learner" in html and "First lesson" not in html
    with app.app_context():
        make_assignment(db.session.get(Group, group_id), due_on=TODAY)
    html = trainer.get(url).get_data(as_text=True)
    assert "completed on" in html and "First lesson check" in html and "Passed" in html
    # a person outside the group is not found through it
    with app.app_context():
        outsider = make_user(username="outsider").id
    assert trainer.get(f"/en/trainer/groups/{group_id}/learners/{outsider}/").status_code == 404


def test_report_query_count_does_not_grow_with_the_group(app, trainer):
    def queries_for(group_id):
        with app.app_context():
            count = []
            listener = lambda *args: count.append(1)  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                assert trainer.get(f"/en/trainer/groups/{group_id}/report").status_code == 200
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
            return len(count)

    small = workshop(app, [f"s{i}" for i in range(2)], name="Small", due_on=TODAY)
    large = workshop(app, [f"l{i}" for i in range(25)], name="Large", due_on=TODAY)
    for username in ("s0", "l0", "l1", "l2"):
        progress(app, username, lessons=["first-lesson"], quizzes=[("check-first-lesson", None)])
    assert queries_for(small) == queries_for(large)


# -- module page, charts and item analysis ------------------------------------------------------------

def test_module_page_draws_accessible_charts_in_both_directions(app, trainer):
    group_id = workshop(app, ["amal", "badr"], due_on=TODAY)
    progress(app, "amal", lessons=["first-lesson", "second-lesson"],
             quizzes=[("check-first-lesson", None), ("final", None)])
    progress(app, "badr", quizzes=[("final", {"s-multi": ["a"], "s-scenario": ["a"]})])
    pages = {}
    for lang in ("en", "ar"):
        html = trainer.get(f"/{lang}/trainer/groups/{group_id}/modules/sample/").get_data(as_text=True)
        assert html.count('role="img"') == 2 and html.count("<title id=") == 2 and "<desc id=" in html
        pages[lang] = html
    assert "Completion over time" in pages["en"] and "الإكمال عبر الزمن" in pages["ar"]

    def bars(html):  # (x, height) of each score bar, in band order 0-9 ... 90-100
        return [(float(x), float(h)) for x, h in re.findall(r'<rect class="bar" x="([\d.]+)" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', html)]

    en, ar = bars(pages["en"]), bars(pages["ar"])
    assert len(en) == len(ar) == 10
    assert en[0][0] < en[-1][0] and ar[0][0] > ar[-1][0]  # Arabic reads the bands from the right
    assert [h > 0 for _, h in en] == [h > 0 for _, h in ar]
    assert [h > 0 for _, h in en].count(True) == 2  # 25% and 100%


def test_item_analysis_shows_facility_discrimination_and_option_shares(app, trainer):
    group_id = workshop(app, [f"p{i}" for i in range(6)], due_on=TODAY)
    right = ANSWERS["final"]
    for i in range(6):  # everyone misses s-multi; the strong half gets the scenario right
        progress(app, f"p{i}", quizzes=[("final", {"s-multi": ["b"], "s-scenario": right["s-scenario"] if i < 3 else ["a"]})])
    url = f"/en/trainer/groups/{group_id}/modules/sample/quizzes/final/"
    html = trainer.get(url).get_data(as_text=True)
    assert "Facility index" in html and "Most people miss this" in html
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Attempts 6" in text and "Average score 25%" in text
    csv_response = trainer.get(url.rstrip("/") + ".csv")
    table = list(csv.reader(io.StringIO(csv_response.get_data().decode("utf-8-sig"))))
    by_id = {row[0]: row for row in table[1:]}
    assert by_id["s-multi"][3] == "0.0" and by_id["s-multi"][6] == "yes"
    assert by_id["s-scenario"][3] == "50.0"
    assert "100.0" in by_id["s-multi"][7]  # everybody chose option b
    # a module that is not assigned to the group has no report
    assert trainer.get(f"/en/trainer/groups/{group_id}/modules/nope/").status_code == 404
    assert trainer.get(f"/en/trainer/groups/{group_id}/modules/sample/quizzes/nope/").status_code == 404


# -- admins ------------------------------------------------------------------------------------------

def test_admin_makes_a_learner_a_trainer(app, login):
    with app.app_context():
        make_user(username="boss", role="admin")
        target = make_user(username="nadia").id
    admin = login("boss")
    url = "/en/admin/users/?q=nadia"
    assert "nadia" in admin.get(url).get_data(as_text=True)
    admin.post(f"/en/admin/users/{target}/role", data={"csrf_token": csrf_token(admin, url), "role": "trainer"})
    with app.app_context():
        assert db.session.get(User, target).role == "trainer"
    # an admin cannot lock themselves out
    with app.app_context():
        boss = db.session.scalar(select(User.id).where(User.username == "boss"))
    admin.post(f"/en/admin/users/{boss}/role", data={"csrf_token": csrf_token(admin, url), "role": "learner"})
    with app.app_context():
        assert db.session.get(User, boss).role == "admin"


# -- invitations by e-mail --------------------------------------------------------------------------

def test_trainer_invites_by_email_through_a_real_smtp_server(app, trainer, smtp):
    group_id = workshop(app, [], name="ورشة عمّان")
    url = f"/en/trainer/groups/{group_id}/"
    assert "E-mail addresses" in trainer.get(url).get_data(as_text=True)
    response = trainer.post(f"{url}invite", data={"csrf_token": csrf_token(trainer, url),
                                                  "addresses": "a@example.org\nb@example.org, a@example.org"})
    assert response.status_code == 302
    assert sorted(m["To"] for m in smtp.messages) == ["a@example.org", "b@example.org"]
    message = smtp.messages[0]
    body = message.get_content()
    with app.app_context():
        code = db.session.get(Group, group_id).invite_code
    assert "ورشة عمّان" in message["Subject"] and f"https://elearn.example/ar/join/{code}" in body
    assert f"https://elearn.example/en/join/{code}" in body and "يدعوك" in body
    assert "2 invitations sent." in trainer.get(url).get_data(as_text=True)


def test_bad_addresses_are_refused_and_nothing_is_sent(app, trainer, smtp):
    group_id = workshop(app, [])
    url = f"/ar/trainer/groups/{group_id}/"
    response = trainer.post(f"{url}invite", data={"csrf_token": csrf_token(trainer, url),
                                                  "addresses": "good@example.org\nnot-an-address"})
    assert response.status_code == 400 and "not-an-address" in response.get_data(as_text=True)
    assert "ليست عناوين" in response.get_data(as_text=True) and smtp.messages == []


def test_refused_delivery_is_reported(app, trainer, smtp):
    smtp.refuse = True
    group_id = workshop(app, [])
    url = f"/en/trainer/groups/{group_id}/"
    trainer.post(f"{url}invite", data={"csrf_token": csrf_token(trainer, url), "addresses": "x@example.org"})
    assert "Not delivered, please check and try again: x@example.org" in trainer.get(url).get_data(as_text=True)


def test_without_smtp_the_group_page_offers_no_email_form(app, trainer):
    group_id = workshop(app, [])
    assert "E-mail addresses" not in trainer.get(f"/en/trainer/groups/{group_id}/").get_data(as_text=True)


def test_a_one_off_due_date_long_past_is_refused(app, trainer):
    group_id = workshop(app, ["rana"])
    response = assign(trainer, group_id, due_on="2001-01-01")
    assert response.status_code == 400 and "This date is more than a year ago." in response.get_data(as_text=True)


def test_report_shows_recertification_status_and_counts(app, trainer):
    group_id = workshop(app, ["amal", "badr", "carim"], due_on=TODAY, recur_months=12)
    for username in ("amal", "badr", "carim"):
        progress(app, username, lessons=["first-lesson", "second-lesson"],
                 quizzes=[("check-first-lesson", None), ("final", None)])
    from elearn.certificates.models import Certificate
    with app.app_context():
        expiry = {"amal": TODAY + dt.timedelta(days=200), "badr": TODAY + dt.timedelta(days=10),
                  "carim": TODAY - dt.timedelta(days=1)}
        for username, day in expiry.items():
            user_id = db.session.scalar(select(User.id).where(User.username == username))
            db.session.scalar(select(Certificate).where(Certificate.user_id == user_id)).expires_on = day
        db.session.commit()
    url = f"/en/trainer/groups/{group_id}/report"
    html = trainer.get(url).get_data(as_text=True)
    assert "current 1 · due soon 1 · expired 1" in " ".join(re.sub(r"<[^>]+>", " ", html).split())
    rows = rows_of(html)
    assert "Current" in rows[0] and "Due for renewal soon" in rows[1] and "Expired" in rows[2]
    assert [r.split()[0] for r in rows_of(trainer.get(url + "?certificate=expired").get_data(as_text=True))] == ["Carim"]
    assert [r.split()[0] for r in rows_of(trainer.get(url + "?sort=certificate").get_data(as_text=True))] == [
        "Carim", "Badr", "Amal"]
    ar = " ".join(re.sub(r"<[^>]+>", " ", trainer.get(f"/ar{url[3:]}").get_data(as_text=True)).split())
    assert "منتهية" in ar or "منتهي" in ar
