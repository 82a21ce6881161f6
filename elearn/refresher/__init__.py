"""Refreshers: a short quiz for holders of a module's certificate; passing renews the certificate."""
from flask import Blueprint, Flask, current_app, g

bp = Blueprint("refresher", __name__, url_prefix="/<lang:lang>")


def renewal_notices() -> list:
    """For templates: the signed-in person's certificates due soon or expired (empty when signed out)."""
    from ..db import db
    from .service import needing_renewal

    if g.get("user") is None:
        return []
    return needing_renewal(db.session, current_app.extensions["catalog"], g.user.id)


def init_app(app: Flask) -> None:
    from . import views  # noqa: F401  (registers routes)

    app.register_blueprint(bp)
    app.jinja_env.globals["renewal_notices"] = renewal_notices
