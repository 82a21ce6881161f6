"""Reading: home, module and lesson pages, and lesson progress."""
from flask import Blueprint, Flask

bp = Blueprint("learning", __name__)


def init_app(app: Flask) -> None:
    from . import views  # noqa: F401  (registers routes)

    app.register_blueprint(bp)
