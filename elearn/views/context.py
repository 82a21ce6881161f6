"""What page modules share about the course: the catalog, the settings as plain values for the
services, the 404 rule for content addresses, and the message for a finished step."""
from __future__ import annotations

from flask import abort, current_app, flash
from flask_babel import gettext as _

from ..auth import lockout as lockouts
from ..certificates.service import Policy
from ..content import Catalog, Module
from ..db import db
from ..i18n import current_lang
from ..steps import StepResult
from ..xapi.statements import Tracking


def catalog() -> Catalog:
    """The content catalog loaded at start (immutable)."""
    return current_app.extensions["catalog"]


def certificate_policy() -> Policy:
    return Policy.from_config(current_app.config)


def xapi_tracking() -> Tracking | None:
    """What a finished step needs to queue xAPI statements, or None when xAPI is off (the default)."""
    if not current_app.config.get("XAPI_ENDPOINT"):
        return None
    return Tracking(base_url=current_app.config["BASE_URL"], lang=current_lang())


def lockout() -> lockouts.Lockout:
    """The sign-in lockout for the app's settings: in Redis when rate limits are, else in the database."""
    config = current_app.config
    return lockouts.for_settings(db.session, config.get("RATELIMIT_STORAGE_URI"),
                                 config.get("LOCKOUT_FAILURES", lockouts.FAILURES),
                                 config.get("LOCKOUT_MINUTES", lockouts.MINUTES))


def get_module_lesson(module_id: str, lesson_id: str | None = None):
    """The module (and lesson) from the catalog, or 404: the one place that rule lives."""
    module: Module | None = catalog().module(module_id)
    if module is None:
        abort(404)
    if lesson_id is None:
        return module, None
    lesson = module.lesson(lesson_id)
    if lesson is None:
        abort(404)
    return module, lesson


def flash_step(result: StepResult) -> None:
    """The message for a certificate a finished lesson or quiz issued (or renewed, after a final
    quiz passed again; a refresher's result page says so itself)."""
    if result.certificate is not None:
        flash(_("You completed the module. Your certificate is ready."), "success")
