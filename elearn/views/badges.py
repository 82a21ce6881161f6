"""Open Badges 3.0 on the web: the issuer's profile, public keys and status lists (public JSON,
no language in the address: verifiers and wallets fetch them), the learner's credential download,
and the page that checks an uploaded or pasted credential."""
from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField

from ..badges import keys, service
from ..certificates import service as certificates
from ..clock import utcnow
from ..db import db
from ..extensions import limiter
from ..i18n import preferred_lang
from .access import login_required
from .context import catalog

public = Blueprint("badges", __name__, url_prefix="/badges")
pages = Blueprint("credentials", __name__, url_prefix="/<lang:lang>")
JSON_LD = "application/ld+json"


def init_app(app: Flask) -> None:
    app.register_blueprint(public)
    app.register_blueprint(pages)


def keyring() -> keys.Keyring:
    return keys.load(current_app.config["BADGE_KEY_DIR"])


def _json(document: dict, mimetype: str = JSON_LD, max_age: int = 300) -> Response:
    response = Response(json.dumps(document, ensure_ascii=False, indent=1), mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"  # browser-based wallets and verifiers
    return response


@public.route("/issuer")
def issuer():
    return _json(service.issuer_profile(keyring(), current_app.config["BASE_URL"]))


@public.route("/keys/<kid>")
def key(kid):
    document = service.key_document(keyring(), kid, current_app.config["BASE_URL"])
    if document is None:
        abort(404)
    return _json(document, max_age=3600)


@public.route("/status/<any(revocation, superseded):kind>/<int:number>")
@limiter.limit("120 per minute")
def status_list(kind, number):
    try:
        document = service.status_list(db.session, kind, number, keyring(), current_app.config["BASE_URL"], utcnow())
    except keys.NoKey:
        abort(503)
    # Short-lived: a revocation shows within five minutes in any cache.
    return _json(document, mimetype="application/vc+ld+json", max_age=300)


@public.route("/achievements/<module_id>")
def achievement(module_id):
    """The achievement's id in a credential: the module's page, in the visitor's language."""
    return redirect(url_for("learning.module", lang=preferred_lang(), module_id=module_id))


@pages.route("/me/certificates/<code>.credential.json")
@login_required
def download(lang, code):
    certificate = certificates.find(db.session, code)
    if certificate is None or (certificate.user_id != g.user.id and g.user.role != "admin"):
        abort(404)
    try:
        document = service.credential_for(certificate, catalog().module(certificate.module_id), keyring(),
                                          current_app.config["BASE_URL"], utcnow())
    except keys.NoKey:
        flash(_("Digital credentials are not available yet: this site has no signing key."), "error")
        return redirect(url_for("certificates.mine", lang=lang))
    response = _json(document, mimetype="application/vc+ld+json", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    del response.headers["Access-Control-Allow-Origin"]  # the learner's own file, not for other sites
    response.headers["Content-Disposition"] = (
        f'attachment; filename="elearn-{certificate.module_id}-{certificate.code}.credential.json"')
    return response


class CredentialForm(FlaskForm):
    upload = FileField(_l("Credential file (JSON)"))
    pasted = TextAreaField(_l("Or paste the credential"))


def _read(form: CredentialForm):
    """The submitted credential as JSON, or None."""
    raw = form.upload.data.read() if form.upload.data else (form.pasted.data or "").encode()
    try:
        return json.loads(raw.decode("utf-8-sig")) if raw.strip() else None
    except (UnicodeDecodeError, ValueError):
        return None


@pages.route("/verify/credential", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def verify(lang):
    form = CredentialForm()
    result = None
    if form.validate_on_submit():
        document = _read(form)
        if document is None:
            form.pasted.errors = [_("Upload or paste a credential file (JSON).")]
        else:
            result = service.check(db.session, document, keyring(), current_app.config["BASE_URL"],
                                   current_app.config["CERTIFICATE_DUE_SOON_DAYS"], utcnow())
    status = 400 if form.errors or (result is not None and result.outcome == service.NOT_A_CREDENTIAL) else 200
    return render_template("badges/verify.html", form=form, result=result, outcomes=service), status

