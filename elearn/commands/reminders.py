"""`elearn reminders send [--dry-run]`: run it daily from cron (see docs/refreshers.md)."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ..clock import utcnow
from ..db import db
from ..logs import redact
from ..mail import mail_configured
from ..reminders import service

reminders = AppGroup("reminders", help="E-mail reminders about certificates.")


@reminders.command("send")
@click.option("--dry-run", is_flag=True, help="List what would be sent; send nothing, record nothing.")
def send(dry_run: bool) -> None:
    """E-mail learners whose certificate is due soon or expired, and trainers a digest of their groups.

    Each reminder is sent once per window however often this runs; a failed delivery is
    reported (exit status 1) and retried on the next run.
    """
    app = current_app._get_current_object()
    if not dry_run and not mail_configured(app):
        raise click.ClickException("e-mail is not configured: set ELEARN_SMTP_HOST (or use --dry-run)")
    # E-mails carry absolute links: build them against the public address.
    with app.test_request_context("/", base_url=app.config["BASE_URL"]):
        outcomes = service.send_all(app, db.session, app.extensions["catalog"], utcnow(), dry_run)
    for outcome in outcomes:
        if outcome.result != "already sent":
            # The user id, never the address: this output ends up in cron mail and log files.
            line = f"{outcome.result}: {outcome.planned.kind} to user {outcome.planned.user_id} ({outcome.planned.key})"
            click.echo(line + (f": {redact(outcome.error)}" if outcome.error else ""))
    counts = {result: sum(o.result == result for o in outcomes)
              for result in ("sent", "would send", "already sent", "no address", "busy", "failed")}
    click.echo("reminders: " + ", ".join(f"{n} {result}" for result, n in counts.items() if n or result == "sent"))
    if counts["failed"]:
        sys.exit(1)
