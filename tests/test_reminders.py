"""`elearn reminders send`: a real SMTP server on loopback receives the messages; each reminder is
sent once per window, failures are reported and retried, --dry-run sends and records nothing."""
import datetime as dt

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from elearn.certificates.models import Certificate
from elearn.db import db
from elearn.mail import mail_configured, send_mail
from elearn.reminders.models import Reminder
from elearn.reminders.service import digest_key, group_counts
from factories import make_assignment, make_certificate, make_group, make_reminder, make_user

TODAY = dt.date(2027, 6, 1)
# freezegun must not freeze the SMTP server's event loop (it runs in a thread)
CLOCK = dict(ignore=["asyncio", "aiosmtpd", "concurrent"])


def learner(app, username, days_left, email=True, locale="en"):
    """A learner whose certificate of the sample module expires `days_left` days after TODAY."""
    with app.app_context():
        user = make_user(username=username, email=f"{username}@example.org" if email else None, locale=locale)
        make_certificate(user.id, expires_on=TODAY + dt.timedelta(days=days_left))
        return user.id


def send(runner, *args):
    with freeze_time(TODAY, **CLOCK):
        return runner.invoke(args=["reminders", "send", *args])


def test_send_mail_delivers_arabic_text(app, smtp):
    with app.app_context():
        assert mail_configured(app)
        send_mail(app, "huda@example.org", "تذكير بالشهادة", "مرحبًا يا هدى\nsecond line", message_id="<x-1@elearn.example>")
    [message] = smtp.messages
    assert message["Subject"] == "تذكير بالشهادة" and message["From"] == "elearn@elearn.example"
    assert message["Message-ID"] == "<x-1@elearn.example>"
    assert message.get_content().startswith("مرحبًا يا هدى")


def test_not_configured_refuses_to_send_but_dry_run_works(app, runner):
    learner(app, "amal", 10)
    result = send(runner)
    assert result.exit_code != 0 and "ELEARN_SMTP_HOST" in result.output
    assert "would send: due_soon" in send(runner, "--dry-run").output


def test_due_soon_reminder_is_sent_once_in_the_learners_language(app, runner, smtp):
    learner(app, "amal", 10, locale="ar")
    learner(app, "rami", 60)  # not due yet
    first = send(runner)
    assert first.exit_code == 0, first.output
    assert "reminders: 1 sent" in first.output
    [message] = smtp.to("amal@example.org")
    assert "شهادتك" in message["Subject"] and "وحدة تجريبية" in message["Subject"]
    body = message.get_content()
    assert "https://elearn.example/ar/modules/sample/refresher/" in body and "11 حزيران/يونيو 2027" in body
    for _ in range(3):
        again = send(runner)
        assert again.exit_code == 0 and "1 already sent" in again.output
    assert len(smtp.messages) == 1
    with app.app_context():
        row = db.session.scalar(select(Reminder))
        assert row.sent_at is not None and row.attempts == 1 and row.key.endswith(":due_soon")


def test_expired_is_a_new_window(app, runner, smtp):
    learner(app, "amal", -1)
    assert send(runner).exit_code == 0
    [message] = smtp.messages
    assert message["Subject"] == "Your certificate has expired: A sample module"
    assert "expired on 31 May 2027" in message.get_content()


def test_dry_run_lists_and_records_nothing(app, runner, smtp):
    learner(app, "amal", 10)
    learner(app, "nomail", 5, email=False)
    result = send(runner, "--dry-run")
    assert result.exit_code == 0
    assert "would send: due_soon to user" in result.output
    assert "amal@example.org" not in result.output  # people by account number: cron mail and logs keep this
    assert "no address: due_soon" in result.output
    assert smtp.messages == []
    with app.app_context():
        assert db.session.scalar(select(func.count(Reminder.id))) == 0


def test_failed_delivery_is_reported_and_retried_once(app, runner, smtp):
    learner(app, "amal", 10)
    smtp.refuse = True
    failed = send(runner)
    assert failed.exit_code == 1 and "failed: due_soon" in failed.output and "451" in failed.output
    with app.app_context():
        row = db.session.scalar(select(Reminder))
        assert row.sent_at is None and row.claimed_at is None and "451" in row.last_error
    smtp.refuse = False
    retried = send(runner)
    assert retried.exit_code == 0 and "reminders: 1 sent" in retried.output
    assert send(runner).exit_code == 0
    assert len(smtp.messages) == 1
    with app.app_context():
        row = db.session.scalar(select(Reminder))
        assert row.attempts == 2 and row.last_error is None


def test_a_claim_held_by_another_run_is_not_sent_twice(app, runner, smtp):
    uid = learner(app, "amal", 10)
    with app.app_context():
        assert db.session.scalar(select(func.max(Reminder.id))) is None  # none yet
        certificate = db.session.scalar(select(Certificate))
        make_reminder(uid, certificate=certificate, sent_at=None,
                      claimed_at=dt.datetime.combine(TODAY, dt.time()) - dt.timedelta(minutes=1))
    busy = send(runner)
    assert "busy: due_soon" in busy.output and smtp.messages == []
    with freeze_time(dt.datetime.combine(TODAY, dt.time()) + dt.timedelta(hours=1), **CLOCK):
        taken_over = runner.invoke(args=["reminders", "send"])  # the lease ran out: that run died
    assert "reminders: 1 sent" in taken_over.output and len(smtp.messages) == 1


def group_of(app, members, trainer_locale="en", assigned=True):
    """The trainer's group of `members` (user ids); the sample module assigned, due TODAY, unless
    `assigned` is False."""
    with app.app_context():
        coach = make_user(username="coach", role="trainer", email="coach@example.org", locale=trainer_locale)
        group = make_group(coach, members, name="Workshop Gaziantep")
        if assigned:
            make_assignment(group, due_on=TODAY)
        return group.id


def test_group_counts(app):
    members = [learner(app, "a", 100), learner(app, "b", 10), learner(app, "c", -3), learner(app, "d", 5)]
    with app.app_context():
        make_user(username="nocert")
    group_of(app, members)
    with app.app_context():
        [group] = group_counts(db.session, app.extensions["catalog"], TODAY, 30)
        assert group.counts == {"current": 1, "due_soon": 2, "expired": 1}
        assert sorted((person, status) for person, _c, status in group.attention) == [
            ("b", "due_soon"), ("c", "expired"), ("d", "due_soon")]


def test_group_counts_only_modules_assigned_through_the_group(app):
    members = [learner(app, "a", 100), learner(app, "b", 10)]
    group_of(app, members, assigned=False)
    with app.app_context():
        [group] = group_counts(db.session, app.extensions["catalog"], TODAY, 30)
        assert group.counts == {"current": 0, "due_soon": 0, "expired": 0} and group.attention == []


@pytest.mark.parametrize("locale, subject, line", [
    ("en", "2 certificates in your groups need renewal", "Current: 1 · Due soon: 1 · Expired: 1"),
    ("ar", "شهادتان في مجموعاتك تحتاجان إلى التجديد", "سارية: 1 · قريبة الانتهاء: 1 · منتهية: 1"),
])
def test_trainer_digest_once_a_week_in_the_trainers_language(app, runner, smtp, locale, subject, line):
    members = [learner(app, "a", 100, email=False), learner(app, "b", 10, email=False),
               learner(app, "c", -3, email=False)]
    group_of(app, members, trainer_locale=locale)
    assert send(runner).exit_code == 0
    assert send(runner).exit_code == 0
    [digest] = smtp.to("coach@example.org")
    assert digest["Subject"] == subject
    body = digest.get_content()
    assert line in body and "Workshop Gaziantep" in body and "https://elearn.example/" in body
    with app.app_context():
        assert db.session.scalar(select(Reminder.key).filter_by(kind="digest")) == digest_key(TODAY) == "digest:2027-W22"
