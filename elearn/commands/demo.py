"""`elearn demo` (fill an empty database with a demo trainer, group and learners) and
`elearn rebuild-totals`."""
from __future__ import annotations

import dataclasses
import os
import secrets

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from ..auth.models import User
from ..certificates.service import Policy
from .. import config
from ..db import db, upgrade_database
from ..demo import run_demo
from ..learning.service import rebuild_totals


@click.command("demo")
@click.option("--password", help="Password of every demo account (default: a random one, printed).")
@click.option("--port", type=int, default=5000, show_default=True,
              help="The port `elearn serve` will listen on: the demo's certificates and links point there.")
@click.option("--base-url", help="The address learners will use instead (default: ELEARN_BASE_URL, "
                                 "else http://127.0.0.1:PORT).")
@with_appcontext
def demo(password: str | None, port: int, base_url: str | None) -> None:
    """Create demo accounts with varied progress so the trainer reports have something to show.

    Refuses to touch a database that already has users. The certificates it issues carry their
    verification address, so it must be the one the app will be served at.
    """
    upgrade_database()
    if db.session.scalar(select(func.count(User.id))):
        raise click.ClickException("the database already has users; `elearn demo` only fills an empty one "
                                   "(point ELEARN_DATABASE_URL or ELEARN_INSTANCE_PATH elsewhere)")
    password = password or "demo-" + secrets.token_urlsafe(9)
    base_url = (base_url or os.environ.get("ELEARN_BASE_URL") or config.local_base_url("127.0.0.1", port)).rstrip("/")
    policy = dataclasses.replace(Policy.from_config(current_app.config), base_url=base_url)
    result = run_demo(db.session, current_app.extensions["catalog"], password, policy)
    click.echo(f"demo ready: group {result['group']}, {len(result['learners'])} learners, "
               f"{result['attempts']} quiz attempts, {result['certificates']} certificates")
    click.echo(f"  trainer:  {result['trainer']}")
    click.echo(f"  admin:    {result['admin']}")
    click.echo(f"  learners: {result['learners'][0]} … {result['learners'][-1]}")
    click.echo(f"  password (every account): {password}")
    click.echo(f"  certificates and links point to {base_url}: serve it there "
               f"(`elearn serve --port {port}`, or set ELEARN_BASE_URL)")


@click.command("rebuild-totals")
@with_appcontext
def rebuild_totals_command() -> None:
    """Recount every learner's module totals (what trainers' reports read) from their lessons and
    attempts. Run it after removing lessons or quizzes from a module; otherwise each learner's row
    is recounted at their next activity in the module."""
    rows = rebuild_totals(db.session, current_app.extensions["catalog"])
    click.echo(f"module totals rebuilt: {rows} rows")
