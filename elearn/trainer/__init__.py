"""Trainers: groups, assignments and reports."""
from flask import Blueprint, Flask

bp = Blueprint("trainer", __name__, url_prefix="/<lang:lang>")


def init_app(app: Flask) -> None:
    from . import report_views, views  # noqa: F401  (registers routes)

    app.register_blueprint(bp)
    from .cli import demo, rebuild_totals_command

    app.cli.add_command(demo)
    app.cli.add_command(rebuild_totals_command)
