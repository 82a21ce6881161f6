"""Quizzes: attempts with a fixed shuffled layout, answers saved as the learner goes, graded once."""
from flask import Blueprint, Flask

bp = Blueprint("quiz", __name__, url_prefix="/<lang:lang>")


def init_app(app: Flask) -> None:
    from . import views  # noqa: F401  (registers routes)

    app.register_blueprint(bp)
