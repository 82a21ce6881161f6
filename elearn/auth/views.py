"""Account pages: /<lang>/register, /login, /logout, /account."""
from __future__ import annotations

import functools

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..db import db
from ..extensions import limiter
from . import bp, fingerprint
from .forms import EmptyForm, LoginForm, PasswordForm, ProfileForm, RegisterForm
from .service import UsernameTaken, authenticate, change_password, create_user


def login_required(view):
    """Send anonymous visitors to sign in, and back here afterwards."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(**kwargs)

    return wrapped


def _safe_next(default: str) -> str:
    target = request.args.get("next") or ""
    # Only paths on this site: never "//host" or "https://host".
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else default


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
        user = authenticate(db.session, form.username.data, form.password.data)
        if user is not None:
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
