"""Which reminders are due, and sending each one exactly once.

Windows (also in docs/refreshers.md):
- a learner gets one e-mail when their current certificate enters "due soon" (key
  `cert:<id>:due_soon`) and one when it has expired (`cert:<id>:expired`): at most two per
  certificate. A renewal is a new certificate, so its windows start afresh.
- a trainer gets at most one digest per ISO week (`digest:<year>-W<week>`), and only when someone
  in their groups holds a certificate that is due soon or expired.

Delivery: each reminder is a row unique on (user, key). A run claims the row (a conditional
UPDATE, so two runs at once never both send it), sends, then marks it sent. A failed delivery
releases the claim and records the error: the next run retries it. A run that dies between the
SMTP server accepting a message and the commit leaves a claim that a later run takes over after
CLAIM_LEASE; the message keeps the same Message-ID, so a receiving system can drop the repeat.
"""
from __future__ import annotations

import datetime as dt
import functools
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from flask import Flask, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, defer

from ..auth.models import User
from ..certificates.models import Certificate
from ..certificates.service import DUE_SOON, EXPIRED, HELD_STATUSES, validity_status
from ..content import Catalog
from ..db import insert_once
from ..mail import send_mail
from ..trainer.models import Assignment, Group, Membership
from .models import Reminder

CLAIM_LEASE = dt.timedelta(minutes=15)
# No reminder about a certificate that expired longer ago than this: a year of "expired" is
# enough, and it lets `elearn privacy purge` delete old reminder rows without any being sent again.
REMIND_EXPIRED_DAYS = 365


@dataclass(frozen=True)
class Planned:
    """One reminder that should exist: who, which window, and what it is about."""

    user_id: int
    kind: str  # "due_soon", "expired" or "digest"
    key: str
    certificate_id: int | None = None


@dataclass
class GroupCounts:
    """A group's certificates held by its members (current ones only), by validity status."""

    group_id: int
    name: str
    trainer_id: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(HELD_STATUSES, 0))
    # (member's display name, certificate, status) of each certificate due soon or expired
    attention: list[tuple[str, Certificate, str]] = field(default_factory=list)


def _validity_modules(catalog: Catalog) -> list[str]:
    return [m.id for m in catalog.modules if m.certificate_validity_months]


def learner_reminders(session: Session, catalog: Catalog, today: dt.date, due_soon_days: int) -> list[Planned]:
    """A reminder for every current certificate that is due soon or expired (one query)."""
    horizon = today + dt.timedelta(days=due_soon_days)
    rows = session.execute(select(Certificate.id, Certificate.user_id, Certificate.expires_on).where(
        Certificate.superseded_at.is_(None), Certificate.revoked_at.is_(None), Certificate.expires_on <= horizon,
        Certificate.expires_on >= today - dt.timedelta(days=REMIND_EXPIRED_DAYS),
        Certificate.user_id.is_not(None),  # kept verifiable after its holder deleted their account
        Certificate.module_id.in_(_validity_modules(catalog))).order_by(Certificate.id)).all()
    planned = []
    for cert_id, user_id, expires_on in rows:
        status = validity_status(expires_on, None, False, today, due_soon_days)
        planned.append(Planned(user_id, status, f"cert:{cert_id}:{status}", cert_id))
    return planned


def group_counts(session: Session, catalog: Catalog, today: dt.date, due_soon_days: int,
                 trainer_id: int | None = None) -> list[GroupCounts]:
    """Per group: how many current, due-soon and expired certificates its members hold in the
    modules assigned through the group, and who needs attention. Two queries: groups, members and their current certificates' expiry dates;
    then the certificates that need attention."""
    query = (select(Group.id, Group.name, Group.trainer_id, User.display_name, Certificate.id, Certificate.expires_on)
             .join(Membership, Membership.group_id == Group.id)
             .join(User, User.id == Membership.user_id)
             .join(Certificate, and_(Certificate.user_id == Membership.user_id, Certificate.superseded_at.is_(None),
                                     Certificate.revoked_at.is_(None),
                                     Certificate.module_id.in_(_validity_modules(catalog)),
                                     # a trainer sees only modules assigned through the group
                                     exists().where(Assignment.group_id == Group.id,
                                                    Assignment.module_id == Certificate.module_id,
                                                    or_(Assignment.user_id.is_(None),
                                                        Assignment.user_id == Membership.user_id))),
                   isouter=True)
             .order_by(Group.name, Group.id, User.display_name))
    if trainer_id is not None:
        query = query.where(Group.trainer_id == trainer_id)
    groups: dict[int, GroupCounts] = {}
    attention: list[tuple[GroupCounts, str, int, str]] = []
    for group_id, name, owner, person, certificate_id, expires_on in session.execute(query):
        entry = groups.setdefault(group_id, GroupCounts(group_id, name, owner))
        if certificate_id is None:
            continue
        status = validity_status(expires_on, None, False, today, due_soon_days)
        entry.counts[status] += 1
        if status in (DUE_SOON, EXPIRED):
            attention.append((entry, person, certificate_id, status))
    # Only the few certificates that need attention are loaded as objects (for titles and dates).
    loaded = {c.id: c for c in session.scalars(select(Certificate).options(defer(Certificate.pdf)).where(
        Certificate.id.in_({cid for _e, _p, cid, _s in attention})))} if attention else {}
    for entry, person, certificate_id, status in attention:
        entry.attention.append((person, loaded[certificate_id], status))
    return list(groups.values())


def digest_key(today: dt.date) -> str:
    year, week, _day = today.isocalendar()
    return f"digest:{year}-W{week:02d}"


def trainer_digests(groups: list[GroupCounts], today: dt.date) -> list[Planned]:
    """A digest for each trainer with someone due soon or expired in their groups."""
    trainers = sorted({g.trainer_id for g in groups if g.attention})
    return [Planned(trainer_id, "digest", digest_key(today)) for trainer_id in trainers]


# --- sending -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    planned: Planned
    address: str | None
    result: str  # "sent", "would send", "already sent", "no address", "busy", "failed"
    error: str | None = None


def _row(session: Session, planned: Planned) -> Reminder:
    """The reminder's row, created if missing (another run creating it first is fine)."""
    row = session.scalar(select(Reminder).filter_by(user_id=planned.user_id, key=planned.key))
    if row is not None:
        return row
    insert_once(session, Reminder(user_id=planned.user_id, kind=planned.kind, key=planned.key,
                                  certificate_id=planned.certificate_id, attempts=0))
    return session.scalar(select(Reminder).filter_by(user_id=planned.user_id, key=planned.key))


def _claim(session: Session, row: Reminder, now: dt.datetime) -> bool:
    claimed = session.execute(update(Reminder).where(
        Reminder.id == row.id, Reminder.sent_at.is_(None),
        or_(Reminder.claimed_at.is_(None), Reminder.claimed_at < now - CLAIM_LEASE),
    ).values(claimed_at=now, attempts=Reminder.attempts + 1)).rowcount
    session.commit()
    return bool(claimed)


def deliver(app: Flask, session: Session, planned: Planned, compose: Callable[[], tuple[str, str]],
            address: str | None, now: dt.datetime, dry_run: bool) -> Outcome:
    """Send one planned reminder unless it was sent already; never raises for a delivery failure.

    `compose` returns (subject, body); it is only called when the message is really sent.
    """
    existing = session.scalar(select(Reminder).filter_by(user_id=planned.user_id, key=planned.key))
    if existing is not None and existing.sent_at is not None:
        return Outcome(planned, address, "already sent")
    if not address:
        return Outcome(planned, address, "no address")
    if dry_run:
        return Outcome(planned, address, "would send")
    row = _row(session, planned)
    if not _claim(session, row, now):
        return Outcome(planned, address, "busy" if row.sent_at is None else "already sent")
    subject, body = compose()
    domain = app.config["MAIL_FROM"].rpartition("@")[2] or "localhost"
    try:
        send_mail(app, address, subject, body, message_id=f"<reminder-{row.id}@{domain}>")
    except (smtplib.SMTPException, OSError) as exc:
        session.execute(update(Reminder).where(Reminder.id == row.id).values(claimed_at=None, last_error=str(exc)[:500]))
        session.commit()
        return Outcome(planned, address, "failed", str(exc))
    session.execute(update(Reminder).where(Reminder.id == row.id).values(sent_at=now, claimed_at=None, last_error=None))
    session.commit()
    return Outcome(planned, address, "sent")


# --- messages ------------------------------------------------------------------------------------

def _lang(user: User) -> str:
    return user.locale if user.locale in ("ar", "en") else "ar"


def learner_message(catalog: Catalog, user: User, certificate: Certificate, status: str) -> tuple[str, str]:
    """(subject, body) in the learner's language. Needs a request context (for external URLs)."""
    lang = _lang(user)
    module = catalog.module(certificate.module_id)
    with force_locale(lang):
        context = dict(user=user, certificate=certificate, status=status, lang=lang, title=certificate.title(lang),
                       refresher_url=url_for("refresher.intro", lang=lang, module_id=module.id, _external=True),
                       me_url=url_for("learning.me", lang=lang, _external=True))
        subject = render_template("reminders/learner_subject.txt", **context).strip()
        return subject, render_template("reminders/learner.txt", **context)


def digest_message(user: User, groups: list[GroupCounts]) -> tuple[str, str]:
    """(subject, body) of a trainer's digest in the trainer's language."""
    lang = _lang(user)
    with force_locale(lang):
        context = dict(user=user, groups=groups, lang=lang, statuses=HELD_STATUSES,
                       groups_url=url_for("trainer.dashboard", lang=lang, _external=True))
        subject = render_template("reminders/digest_subject.txt", **context).strip()
        return subject, render_template("reminders/digest.txt", **context)


def send_all(app: Flask, session: Session, catalog: Catalog, now: dt.datetime, dry_run: bool) -> list[Outcome]:
    """Plan every reminder due at `now` and deliver each (or, with dry_run, say what would be sent)."""
    today, days = now.date(), app.config["CERTIFICATE_DUE_SOON_DAYS"]
    groups = group_counts(session, catalog, today, days)
    planned = learner_reminders(session, catalog, today, days) + trainer_digests(groups, today)
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_({p.user_id for p in planned})))}
    certificates = {c.id: c for c in session.scalars(select(Certificate).where(
        Certificate.id.in_({p.certificate_id for p in planned if p.certificate_id})))}
    by_trainer = defaultdict(list)
    for group in groups:
        by_trainer[group.trainer_id].append(group)
    outcomes = []
    for item in planned:
        user = users[item.user_id]
        if item.kind == "digest":
            compose = functools.partial(digest_message, user, by_trainer[user.id])
        else:
            compose = functools.partial(learner_message, catalog, user, certificates[item.certificate_id], item.kind)
        outcomes.append(deliver(app, session, item, compose, user.email, now, dry_run))
    return outcomes
