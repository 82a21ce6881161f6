"""`elearn xapi send|status`: deliver the queued xAPI statements to the LRS (run `send` from
cron, every minute or so) and report the queue."""
from __future__ import annotations

import datetime as dt
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ..clock import utcnow
from ..db import db
from ..xapi import queue, sender

xapi = AppGroup("xapi", help="xAPI statements for an LRS (off unless ELEARN_XAPI_ENDPOINT is set).")


@xapi.command("send")
@click.option("--limit", default=1000, show_default=True, help="At most this many statements per run.")
@click.option("--purge-after", type=int, default=None, metavar="DAYS",
              help="Also delete statements sent more than DAYS days ago.")
def send(limit: int, purge_after: int | None) -> None:
    """Send the statements that are due; a failure is retried on a later run (exit status 1)."""
    config = current_app.config
    if not config.get("XAPI_ENDPOINT"):
        raise click.ClickException("xAPI is off: set ELEARN_XAPI_ENDPOINT (and ELEARN_XAPI_USERNAME/PASSWORD)")
    lrs = sender.Lrs(config["XAPI_ENDPOINT"], config.get("XAPI_USERNAME"), config.get("XAPI_PASSWORD"))
    sent, failed = sender.send_due(db.session, lrs, utcnow(), limit)
    click.echo(f"xAPI statements sent: {sent}, failed (will retry): {failed}")
    if purge_after is not None:
        purged = queue.purge_sent(db.session, utcnow() - dt.timedelta(days=purge_after))
        click.echo(f"sent statements deleted: {purged}")
    if failed:
        sys.exit(1)


@xapi.command("status")
def status() -> None:
    """How many statements were sent, are waiting, and are waiting after a failed try."""
    counts = queue.counts(db.session)
    click.echo(" ".join(f"{name}: {value}" for name, value in counts.items()))
