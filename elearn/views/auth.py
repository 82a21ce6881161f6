"""Account pages: /<lang>/register, /login, /logout, /account."""
from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

from flask import Blueprint, Flask, g, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, ngettext

from ..auth import lockout as lockouts
from ..auth.models import User
from ..auth.service import UsernameTaken, authenticate, change_password, create_user, fingerprint
from ..clock import utcnow
from ..db import db
from ..extensions import limiter
from .access import login_required
from .context import lockout
from .forms import EmptyForm, LoginForm, PasswordForm, ProfileForm, RegisterForm

bp = Blueprint("auth", __name__, url_prefix="/<lang:lang>")

# Browsers drop tabs and newlines inside URLs and read "\" as "/": "/\t/evil" is "//evil".
_UNSAFE_IN_PATH = re.compile(r"[\x00-\x20\x7f\\]")


def load_user() -> None:
    """Put the signed-in user on g.user. The session also carries a fingerprint of the password
    hash, so changing the password signs out every other browser."""
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


def init_app(app: Flask) -> None:
    app.config.setdefault("LOCKOUT_FAILURES", lockouts.FAILURES)
    app.config.setdefault("LOCKOUT_MINUTES", lockouts.MINUTES)
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


def _sign_in(user) -> None:
    session.clear()  # a fresh session on sign-in: no fixation
    session["uid"] = user.id
    session["pw"] = fingerprint(user)
    session.permanent = True


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
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
        except UsernameTaken:
            form.username.errors.append(_("This pseudonym is taken. Try another one."))
        else:
            _sign_in(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.display_name), "success")
            return redirect(_safe_next(url_for("learning.home", lang=user.locale)))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login(lang):
    form = LoginForm()
    if form.validate_on_submit():
        guard, name = lockout(), form.username.data
        # Counted as a failure before the password is checked, atomically (auth/lockout.py), so
        # concurrent guesses cannot all pass a "not locked yet" check; a locked name costs no hashing.
        until = guard.begin(name)
        if until is not None:
            minutes = max(1, math.ceil((until - utcnow()).total_seconds() / 60))
            form.username.errors.append(ngettext(
                "Too many failed sign-ins with this pseudonym. Try again in %(num)d minute.",
                "Too many failed sign-ins with this pseudonym. Try again in %(num)d minutes.", minutes))
            return render_template("auth/login.html", form=form), 429
        user = authenticate(db.session, name, form.password.data)
        if user is not None:
            guard.succeeded(name)
            _sign_in(user)
            return redirect(_safe_next(url_for("learning.home", lang=user.locale)))
        form.password.errors.append(_("Wrong pseudonym or password."))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout(lang):
    if EmptyForm().validate_on_submit():
        session.clear()
        flash(_("You are signed out."), "info")
    return redirect(url_for("learning.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account(lang):
    user = g.user
    profile = ProfileForm(obj=user, prefix="profile")
    password = PasswordForm(prefix="password")
    password.user_inputs = [user.username, user.display_name]
    if request.method == "POST" and "profile-display_name" in request.form:
        if profile.validate_on_submit():
            user.display_name = profile.display_name.data.strip()
            user.certificate_name = (profile.certificate_name.data or "").strip() or None
            user.email = (profile.email.data or "").strip() or None
            user.locale = profile.locale.data
            db.session.commit()
            flash(_("Your settings are saved."), "success")
            return redirect(url_for("auth.account", lang=user.locale))
    elif request.method == "POST" and password.validate_on_submit():
        if change_password(db.session, user, password.current.data, password.password.data):
            session["pw"] = fingerprint(user)
            flash(_("Your password is changed. Other browsers are signed out."), "success")
            return redirect(url_for("auth.account"))
        password.current.errors.append(_("The current password is wrong."))
    status = 400 if (profile.errors or password.errors) else 200
    return render_template("auth/account.html", profile=profile, password=password), status
