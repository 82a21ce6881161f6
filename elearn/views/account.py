"""/<lang>/account and what hangs from it: profile and password, sessions ("sign out of all
devices"), recovery codes, "Download my data" and "Delete my account" (docs/privacy.md)."""
from __future__ import annotations

import json

from flask import Response, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..auth import recovery, sessions
from ..auth.service import change_password, fingerprint
from ..clock import utcnow
from ..db import db
from ..privacy import deletion, export
from ..web import carries_secrets
from .access import login_required
from .auth import bp, current_password_ok, password_checks, session_lifetime, show_recovery_codes, sign_out
from .context import catalog
from .forms import CurrentPasswordForm, DeleteAccountForm, EmptyForm, PasswordForm, ProfileForm


@bp.route("/account", methods=["GET", "POST"])
@login_required
@password_checks
@carries_secrets
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
    elif request.method == "POST" and password.validate_on_submit() and current_password_ok(user, password.current):
        change_password(db.session, user, password.current.data, password.password.data)
        sessions.end_all(db.session, user.id, keep=session["sid"])
        session["pw"] = fingerprint(user)
        flash(_("Your password is changed. Other browsers are signed out."), "success")
        return redirect(url_for("auth.account"))
    status = 400 if (profile.errors or password.errors) else 200
    return render_account(profile=profile, password=password), status


def render_account(**forms):
    """The account page, with the forms given (to show their errors) and the others new."""
    user = g.user
    forms.setdefault("profile", ProfileForm(obj=user, prefix="profile", formdata=None))
    forms.setdefault("password", PasswordForm(prefix="password", formdata=None))
    forms.setdefault("codes", CurrentPasswordForm(prefix="codes", formdata=None))
    resets, issued = recovery.history(db.session, user.id)
    return render_template(
        "auth/account.html", **forms, form=EmptyForm(),
        sessions=sessions.live(db.session, user.id, utcnow(), session_lifetime()), this_session=session.get("sid"),
        is_current=sessions.is_current, codes_left=recovery.recovery_codes_left(db.session, user.id),
        resets=resets, issued=issued, issuers=export.display_names(db.session, [r.issued_by_id for r in resets]
                                                            + [c.issued_by_id for c in issued]))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere(lang):
    if EmptyForm().validate_on_submit():
        sessions.end_all(db.session, g.user.id)
        session.clear()
        flash(_("You are signed out on every device, this one included."), "info")
        return redirect(url_for("learning.home"))
    return redirect(url_for("auth.account"))


@bp.route("/account/recovery-codes", methods=["POST"])
@login_required
@password_checks
def recovery_codes(lang):
    """New recovery codes (the old ones stop working), after the current password: a stolen
    session alone must not be able to make itself a way back in."""
    form = CurrentPasswordForm(prefix="codes")
    if form.validate_on_submit() and current_password_ok(g.user, form.current):
        codes = recovery.new_recovery_codes(db.session, g.user, utcnow())
        return show_recovery_codes(codes, url_for("auth.account"))
    return render_account(codes=form), 400


@bp.route("/account/my-data.json")
@login_required
@carries_secrets
def my_data_json(lang):
    data = export.collect(db.session, catalog(), g.user, utcnow(), session_lifetime())
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="elearn-my-data-{utcnow():%Y-%m-%d}.json"'})


@bp.route("/account/my-data.csv")
@login_required
@carries_secrets
def my_data_csv(lang):
    data = export.collect(db.session, catalog(), g.user, utcnow(), session_lifetime())
    body = export.csv_text(export.csv_header(), export.csv_rows(data, lang))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="elearn-my-data-{lang}-{utcnow():%Y-%m-%d}.csv"'})


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@password_checks
@carries_secrets
def delete_account(lang):
    """The account page's "Delete my account" leads here: this page deletes nothing until its own
    form is sent with the current password and a choice about certificates."""
    form = DeleteAccountForm(prefix="delete")
    certificates, groups = deletion.consequences(db.session, g.user.id)
    if form.validate_on_submit() and current_password_ok(g.user, form.current):
        try:
            done = deletion.delete_account(db.session, g.user, form.certificates.data == "keep", utcnow())
        except deletion.LastAdmin:
            flash(_("You are the only administrator. Make someone else an administrator first."), "error")
        else:
            sign_out()
            g.user = None  # the row is gone: nothing after this (the access log) may load it
            flash(_("Your account is deleted, with everything it held.") + " " + certificates_outcome(done), "info")
            return redirect(url_for("learning.home"))
    return render_template("auth/delete.html", form=form, certificates=certificates, groups=groups,
                           person=g.user, own=True), 400 if form.errors else 200


def certificates_outcome(done: deletion.Deleted) -> str:
    if done.certificates_kept:
        return _("Its certificates stay verifiable under the name printed on them.")
    if done.certificates_revoked:
        return _("Its certificates are revoked.")
    return ""
