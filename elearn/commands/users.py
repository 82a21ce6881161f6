"""`elearn users create|set-role|set-password|reset-code`: make trainers and admins, change a role (never
removing the last administrator) and set a password from the command line, e.g. to give the
admin role back, or a way in, when nobody can from the web."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..auth import admin, passwords, recovery
from ..auth.models import ROLES
from ..auth.service import UsernameTaken, create_user, find_user
from ..clock import utcnow
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
    _check_password(password, username)
    try:
        user = create_user(db.session, username, password, role=role, locale=locale)
    except UsernameTaken:
        raise click.ClickException(f"the username '{username}' is taken") from None
    click.echo(f"created {user.role} '{user.username}' (id {user.id})")


@users.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
def set_role(username: str, role: str) -> None:
    """Give USERNAME the ROLE (learner, trainer or admin). The last administrator keeps the role."""
    user = _user(username)
    try:
        admin.set_role(db.session, user.id, role)
    except admin.LastAdmin:
        raise click.ClickException(f"'{user.username}' is the last administrator; make someone else an "
                                   "admin first") from None
    click.echo(f"'{user.username}' is now {role}")


@users.command("set-password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when not given (better: it stays out of the shell history).")
def set_password(username: str, password: str) -> None:
    """Set a new password for USERNAME; every browser signed in as them is signed out."""
    user = _user(username)
    _check_password(password, user.username)
    admin.set_password(db.session, user, password)
    click.echo(f"password of '{user.username}' set; their other sessions are ended")


@users.command("reset-code")
@click.argument("username")
def reset_code(username: str) -> None:
    """Print a one-time code with which USERNAME sets a new password ("Forgot your password?" on
    the sign-in page). Valid for 72 hours; cancels any earlier reset code; the reset is recorded."""
    user = _user(username)
    code, expires = recovery.issue_reset_code(db.session, user, None, utcnow())
    click.echo(f"reset code for '{user.username}': {code} (valid until {expires:%Y-%m-%d %H:%M} UTC, once)")


def _user(username: str):
    user = find_user(db.session, username)
    if user is None:
        raise click.ClickException(f"no user '{username}'")
    return user


def _check_password(password: str, username: str) -> None:
    reason = passwords.problem(password, [username])
    if reason == "length":
        raise click.BadParameter(f"use between {passwords.MIN_LENGTH} and {passwords.MAX_LENGTH} characters",
                                 param_hint="--password")
    if reason == "common":
        raise click.BadParameter("too common or too easy to guess; a few unrelated words make a strong one",
                                 param_hint="--password")
