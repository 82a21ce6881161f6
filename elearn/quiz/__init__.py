"""Quizzes: attempts with a fixed shuffled layout, answers saved as the learner goes, graded once."""
from flask import Blueprint, Flask
from flask_babel import gettext as _


bp = Blueprint("quiz", __name__, url_prefix="/<lang:lang>")


def init_app(app: Flask) -> None:
    from . import views  # noqa: F401  (registers routes)

    app.register_blueprint(bp)
    app.jinja_env.globals["option_label"] = option_label


def option_label(option, lang: str) -> str:
    """An option's text; true/false options have none and read "True" or "False"."""
    if option.text is not None:
        return option.text.get(lang)
    return _("True") if option.id == "true" else _("False")
