"""Signing in and out: /<lang>/register, /login, /logout, and the session behind them (the
account pages are in account.py, recovery in recovery.py)."""
from __future__ import annotations

import datetime as dt
import math
import re
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, ngettext

from ..auth import lockout as lockouts, recovery, sessions
from ..auth.service import UsernameLooksTaken, UsernameTaken, authenticate, create_user, fingerprint, is_password
from ..clock import utcnow
from ..db import db
from ..extensions import limiter
from ..web import carries_secrets, keeps_query
from .context import lockout
from .forms import EmptyForm, LoginForm, RegisterForm

bp = Blueprint("auth", __name__, url_prefix="/<lang:lang>")

# Browsers drop tabs and newlines inside URLs and read "\" as "/": "/\t/evil" is "//evil".
_UNSAFE_IN_PATH = re.compile(r"[\x00-\x20\x7f\\]")


# Like sign-in, per address: every form that asks for the current password (its field is named
# "current", with the form's prefix). The pseudonym's lockout applies too (current_password_ok).
password_checks = limiter.shared_limit(
    "10 per minute; 50 per hour", scope="current-password", methods=["POST"],
    exempt_when=lambda: not any(key.rsplit("-", 1)[-1] == "current" for key in request.form))


def session_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=float(current_app.config["SESSION_MAX_HOURS"]))


def _epoch(moment: dt.datetime) -> int:
    return int(moment.replace(tzinfo=dt.timezone.utc).timestamp())


def load_user() -> None:
    """Put the signed-in user on g.user. The cookie carries a session token that must match a live
    row on the server (auth/sessions.py), the time of the last request (for the idle timeout), and
    a fingerprint of the password hash (a new password, however it was set, ends the session)."""
    g.user = None
    if request.endpoint == "static":  # never touch the session there: no Vary: Cookie on cached files
        return
    token = session.get("sid")
    if token is None:
        if "uid" in session:  # a cookie from before sessions were kept on the server
            session.clear()
        return
    now = utcnow()
    user = sessions.user_for(db.session, token, now, session_lifetime())
    idle = _epoch(now) - session.get("seen", 0) > float(current_app.config["SESSION_IDLE_MINUTES"]) * 60
    if user is None or idle or session.get("pw") != fingerprint(user):
        if user is not None:
            sessions.end(db.session, token)
        session.clear()
        return
    if _epoch(now) - session.get("seen", 0) >= 60:  # a minute's precision keeps the cookie from changing on every page
        session["seen"] = _epoch(now)
    g.user = user


def init_app(app: Flask) -> None:
    app.config.setdefault("LOCKOUT_FAILURES", lockouts.FAILURES)
    app.config.setdefault("LOCKOUT_MINUTES", lockouts.MINUTES)
    app.config.setdefault("SESSION_IDLE_MINUTES", sessions.IDLE_MINUTES)
    app.config.setdefault("SESSION_MAX_HOURS", sessions.MAX_HOURS)
    # The browser forgets the cookie when the server would refuse it anyway.
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=float(app.config["SESSION_MAX_HOURS"]))
    # The cookie is sent again only when it changes (sign-in, the minute of the last request for
    # the idle timeout, a message to show): re-signing an unchanged cookie on every page only
    # pushed its expiry past the server's own end of the session, and cost every page a signature.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.before_request(load_user)
    app.register_blueprint(bp)


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None.

    Refused: anything with a scheme or host ("https://evil", "https:evil", "//evil"), anything
    a browser could read as one ("/\\evil", "/\t/evil"), and anything that is not an absolute path.
    """
    if not target or not target.startswith("/") or target.startswith("//") or _UNSAFE_IN_PATH.search(target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def _safe_next(default: str) -> str:
    return local_path(request.args.get("next")) or default


def sign_in(user) -> None:
    """A new server-side session for `user`, in a fresh cookie (no fixation)."""
    now = utcnow()
    token = sessions.start(db.session, user, now, session_lifetime())
    session.clear()
    session["sid"] = token
    session["pw"] = fingerprint(user)
    session["seen"] = _epoch(now)
    session.permanent = True


def sign_out() -> None:
    """End this browser's session on the server, and forget the cookie."""
    if session.get("sid"):
        sessions.end(db.session, session["sid"])
    session.clear()


def locked_message(until: dt.datetime) -> str:
    minutes = max(1, math.ceil((until - utcnow()).total_seconds() / 60))
    return ngettext("Too many failed sign-ins with this pseudonym. Try again in %(num)d minute.",
                    "Too many failed sign-ins with this pseudonym. Try again in %(num)d minutes.", minutes)


def current_password_ok(user, field) -> bool:
    """Check the current password typed in `field` as a sign-in is checked: refused while the
    pseudonym is locked out, and a wrong password counts towards the lockout. The error goes on
    the field. (The per-address limit is `password_checks`, on the view.)"""
    guard = lockout()
    until = guard.begin(user.username)  # counted before the check, as in login()
    if until is not None:
        field.errors.append(locked_message(until))
        return False
    if is_password(user, field.data or ""):
        guard.succeeded(user.username)
        return True
    field.errors.append(_("The current password is wrong."))
    return False


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@keeps_query("next")
def register(lang):
    if g.user is not None:
        return redirect(url_for("learning.home"))
    form = RegisterForm()
    if request.method == "GET":
        form.locale.data = lang
    if form.validate_on_submit():
        try:
            user = create_user(db.session, form.username.data, form.password.data,
                               email=(form.email.data or "").strip() or None, locale=form.locale.data)
        except UsernameLooksTaken:
            form.username.errors.append(_("This pseudonym looks the same as one already in use (letters from "
                                          "another alphabet or invisible characters). Choose another one."))
        except UsernameTaken:
            form.username.errors.append(_("This pseudonym is taken. Try another one."))
        else:
            sign_in(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.display_name), "success")
            # Shown once, in this response: the codes are never stored in clear, nor put in the cookie.
            return show_recovery_codes(recovery.new_recovery_codes(db.session, user, utcnow()),
                                       _safe_next(url_for("learning.home", lang=user.locale)), first=True)
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@carries_secrets
def show_recovery_codes(codes: list[str], next_url: str, first: bool = False):
    return render_template("auth/recovery_codes.html", codes=codes, next_url=next_url, first=first)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
@keeps_query("next")
def login(lang):
    form = LoginForm()
    if form.validate_on_submit():
        guard, name = lockout(), form.username.data
        # Counted as a failure before the password is checked, atomically (auth/lockout.py), so
        # concurrent guesses cannot all pass a "not locked yet" check; a locked name costs no hashing.
        until = guard.begin(name)
        if until is not None:
            form.username.errors.append(locked_message(until))
            return render_template("auth/login.html", form=form), 429
        user = authenticate(db.session, name, form.password.data)
        if user is not None:
            guard.succeeded(name)
            sign_in(user)
            return redirect(_safe_next(url_for("learning.home", lang=user.locale)))
        form.password.errors.append(_("Wrong pseudonym or password."))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout(lang):
    if EmptyForm().validate_on_submit():
        sign_out()
        flash(_("You are signed out."), "info")
    return redirect(url_for("learning.home"))
