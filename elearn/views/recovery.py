"""/<lang>/recover: a new password with a recovery code or a reset code, or through a link sent
by e-mail. Messages never say whether a pseudonym exists."""
from __future__ import annotations

import smtplib
import threading

from flask import Flask, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale, gettext as _, ngettext

from ..auth import recovery
from ..auth.models import User
from ..auth.service import find_user
from ..clock import utcnow
from ..db import db
from ..extensions import limiter
from ..mail import mail_configured, send_mail
from ..web import carries_secrets
from .auth import bp, sign_in
from .forms import EmailLinkForm, NewPasswordForm, RecoverForm


def _email_form():
    return EmailLinkForm(prefix="email", formdata=None) if mail_configured(current_app) else None


@bp.route("/recover", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
@carries_secrets
def recover(lang):
    form = RecoverForm()
    if form.validate_on_submit():
        now = utcnow()
        code = recovery.find_code(db.session, form.username.data, form.code.data, now)
        done = code and recovery.set_password_with(db.session, code, form.password.data, now)
        if done:
            return _done(done)
        form.code.errors.append(_("This pseudonym and this code do not go together, or the code was already "
                                  "used or has expired."))
    return render_template("auth/recover.html", form=form, email_form=_email_form()), 400 if form.errors else 200


def _done(done: recovery.Reset):
    sign_in(done.user)
    flash(_("Your new password is set. Every other session of your account has ended."), "success")
    if done.method == recovery.RECOVERY:
        flash(ngettext("You have %(num)d unused recovery code left.", "You have %(num)d unused recovery codes left.",
                       done.recovery_codes_left), "info")
    return redirect(url_for("auth.account", lang=done.user.locale))


@bp.route("/recover/email", methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"])
def recover_email(lang):
    form = EmailLinkForm(prefix="email")
    if form.validate_on_submit() and mail_configured(current_app):
        user = find_user(db.session, form.username.data)
        token = recovery.email_token(db.session, user, utcnow()) if user is not None and user.email else None
        if token:
            _send_link(current_app._get_current_object(), user, token)
        flash(_("If this account has an e-mail address, a link to set a new password is on its way. It works once, "
                "within an hour."), "info")
    return redirect(url_for("auth.recover"))


def _send_link(app: Flask, user: User, token: str) -> None:
    """Send in the background: the answer must come as fast whether or not a message is sent."""
    url = app.config["BASE_URL"] + url_for("auth.email_reset", lang=user.locale, token=token)
    with force_locale(user.locale):
        subject = _("Set a new password on elearn")
        body = _("Someone, probably you, asked to set a new password for your elearn account.\n\nOpen this link "
                 "within an hour to choose a new one (it works once):\n%(url)s\n\nIf it was not you, ignore this "
                 "message: your password stays as it is.", url=url)

    def send():
        try:
            send_mail(app, user.email, subject, body)
        except (OSError, smtplib.SMTPException) as error:
            app.logger.warning("password reset link not delivered: %s", type(error).__name__)

    threading.Thread(target=send, daemon=True).start()


@bp.route("/recover/email/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
@carries_secrets
def email_reset(lang, token):
    now = utcnow()
    code = recovery.find_email_token(db.session, token, now)
    if code is None:
        return render_template("auth/email_reset.html", form=None), 404
    form = NewPasswordForm()
    user = db.session.get(User, code.user_id)
    form.user_inputs = [user.username, user.display_name]
    if form.validate_on_submit():
        done = recovery.set_password_with(db.session, code, form.password.data, now)
        if done:
            return _done(done)
        return render_template("auth/email_reset.html", form=None), 404
    return render_template("auth/email_reset.html", form=form), 400 if form.errors else 200
