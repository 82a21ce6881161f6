"""/<lang>/verify/<code> (public), certificate downloads, and revocation by an admin."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from ..certificates import service
from ..db import db
from ..extensions import limiter
from ..i18n import preferred_lang
from .access import admin_required, login_required
from .confirm import confirm_page, confirmed, isolate

bp = Blueprint("certificates", __name__, url_prefix="/<lang:lang>")


def certificate_status(certificate, today=None) -> str:
    """For templates: a certificate's status today (UTC), with this site's due-soon window."""
    return service.status_of(certificate, current_app.config["CERTIFICATE_DUE_SOON_DAYS"], today)


def verify_redirect(code):
    """/verify/<code>, the address printed in certificates and QR codes: send it to the visitor's language."""
    return redirect(url_for("certificates.verify", lang=preferred_lang(), code=code))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_url_rule("/verify/<code>", "verify_redirect", verify_redirect)
    app.jinja_env.globals["certificate_status"] = certificate_status


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[
        InputRequired(message=_l("This field is required.")),
        Length(max=500, message=_l("Use at most %(max)d characters."))])


@bp.route("/verify/")
def verify_form(lang):
    code = (request.args.get("code") or "").strip()
    if code:
        return redirect(url_for("certificates.verify", code=service.normalise_code(code)))
    return render_template("certificates/verify_form.html")


@bp.route("/verify/<code>")
@limiter.limit("30 per minute")
def verify(lang, code):
    certificate = service.find(db.session, code)
    if certificate is None:
        return render_template("certificates/unknown.html", code=code), 404
    status = certificate_status(certificate)
    renewal = service.renewal_of(db.session, certificate) if status == service.SUPERSEDED else None
    return render_template("certificates/verify.html", certificate=certificate, status=status, renewal=renewal)


@bp.route("/me/certificates/")
@login_required
def mine(lang):
    """Every certificate the learner was issued, renewals and superseded ones included."""
    return render_template("certificates/history.html", certificates=service.history(db.session, g.user.id))


@bp.route("/me/certificates/<code>.pdf")
@login_required
def download(lang, code):
    certificate = service.find(db.session, code)
    if certificate is None or (certificate.user_id != g.user.id and g.user.role != "admin"):
        abort(404)
    response = Response(certificate.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="elearn-{certificate.module_id}-{certificate.code}.pdf"'
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/admin/certificates/<code>", methods=["GET", "POST"])
@admin_required
def manage(lang, code):
    certificate = service.find(db.session, code)
    if certificate is None:
        abort(404)
    form = RevokeForm()
    if form.validate_on_submit():
        if not confirmed():  # the reason is given: ask before revoking (views/confirm.py)
            return confirm_page(
                title=Markup(_("Revoke the certificate of %(name)s for %(module)s?", name=isolate(certificate.name),
                               module=isolate(certificate.title(lang)))),
                consequences=[_("Its verification page will say that it is revoked, with your reason: "
                                "“%(reason)s”.", reason=form.reason.data),
                              _("This cannot be undone.")],
                action=_("Revoke this certificate"), hidden={"reason": form.reason.data},
                cancel_url=url_for("certificates.manage", code=certificate.code))
        service.revoke(db.session, certificate, form.reason.data)
        flash(_("The certificate is revoked."), "success")
        return redirect(url_for("certificates.manage", code=certificate.code))
    return render_template("certificates/manage.html", certificate=certificate, form=form,
                           status=certificate_status(certificate)), 400 if form.errors else 200
