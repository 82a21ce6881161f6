"""`elearn privacy purge`: delete records past their retention (docs/privacy.md). Run it daily
from cron, like `elearn reminders send`."""
from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from ..clock import utcnow
from ..db import db
from ..privacy import retention

privacy = AppGroup("privacy", help="Records kept about people.")


@privacy.command("purge")
def purge() -> None:
    """Delete failed sign-ins, ended sessions, spent reset links, old reset records, old reminders
    and past invitation counts, each after its retention period; print how many of each."""
    config = current_app.config
    counts = retention.purge(
        db.session, utcnow(),
        sign_in_failures_keep=dt.timedelta(hours=float(config["SIGN_IN_FAILURES_KEEP_HOURS"])),
        session_lifetime=dt.timedelta(hours=float(config["SESSION_MAX_HOURS"])),
        reminders_keep=dt.timedelta(days=int(config["REMINDERS_KEEP_DAYS"])),
        due_soon_days=int(config["CERTIFICATE_DUE_SOON_DAYS"]))
    click.echo("purged: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
