"""`elearn users create`: make trainers and admins from the command line."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..auth import passwords
from ..auth.models import ROLES
from ..auth.service import UsernameTaken, create_user
from ..db import db

users = AppGroup("users", help="Manage user accounts.")


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="learner", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when not given.")
@click.option("--locale", type=click.Choice(["ar", "en"]), default="ar", show_default=True)
def create(username: str, role: str, password: str, locale: str) -> None:
    """Create USERNAME with a role (learner, trainer or admin)."""
    reason = passwords.problem(password, [username])
    if reason == "length":
        raise click.BadParameter(f"use between {passwords.MIN_LENGTH} and {passwords.MAX_LENGTH} characters",
                                 param_hint="--password")
    if reason == "common":
        raise click.BadParameter("too common or too easy to guess; a few unrelated words make a strong one",
                                 param_hint="--password")
    try:
        user = create_user(db.session, username, password, role=role, locale=locale)
    except UsernameTaken:
        raise click.ClickException(f"the username '{username}' is taken") from None
    click.echo(f"created {user.role} '{user.username}' (id {user.id})")
