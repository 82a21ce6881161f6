"""Accounts: register, sign in and out, account settings; the signed-in user on `g.user`."""
from flask import Blueprint, Flask, g, request, session

from ..db import db

bp = Blueprint("auth", __name__, url_prefix="/<lang:lang>")


def load_user() -> None:
    """Put the signed-in user on g.user. The session also carries a fingerprint of the password
    hash, so changing the password signs out every other browser."""
    from .models import User

    g.user = None
    if request.endpoint == "static":  # never touch the session there: no Vary: Cookie on cached files
        return
    uid = session.get("uid")
    if uid is None:
        return
    user = db.session.get(User, uid)
    if user is None or session.get("pw") != fingerprint(user):
        session.clear()
        return
    g.user = user


def fingerprint(user) -> str:
    return user.password_hash[-16:]


def init_app(app: Flask) -> None:
    from . import cli, views  # noqa: F401  (registers routes)

    from .lockout import FAILURES, MINUTES

    app.config.setdefault("LOCKOUT_FAILURES", FAILURES)
    app.config.setdefault("LOCKOUT_MINUTES", MINUTES)
    app.before_request(load_user)
    app.register_blueprint(bp)
    cli.register(app)
