"""Refreshers: a short quiz for holders of a module's certificate; passing renews the certificate."""
from flask import Blueprint, Flask

bp = Blueprint("refresher", __name__, url_prefix="/<lang:lang>")


def init_app(app: Flask) -> None:
    from . import views  # noqa: F401  (registers routes)

    app.register_blueprint(bp)
