"""Reminders: e-mails to learners whose certificate is due soon or expired, and digests to trainers."""
from flask import Flask


def init_app(app: Flask) -> None:
    from . import cli, models  # noqa: F401

    app.cli.add_command(cli.reminders)
