"""elearn: bilingual advocacy training on sanctions on Syria."""
from __future__ import annotations

import sys

from flask import Flask
from flask.cli import AppGroup

from . import config as config_module, db, errors, i18n, views, web
from .content import ContentError, load_catalog
from .extensions import compress, csrf, limiter


def create_app(config: dict | None = None) -> Flask:
    """Build the app. Reads settings from ELEARN_* variables, then `config` (a mapping, e.g. for tests).

    Loads and validates the content (raises ContentError naming every problem) and reads or
    creates the instance's secret key; it does not touch the database schema.
    """
    overrides = dict(config or {})
    instance = overrides.pop("INSTANCE_PATH", None) or config_module.instance_path()
    settings = config_module.from_env(instance)
    settings.update(overrides)
    app = web.ElearnFlask(__name__, instance_path=instance, static_folder=settings["STATIC_DIR"],
                          static_url_path="/static")
    app.cli = AppCommands(name=app.name)
    app.config.from_mapping(settings)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module.ensure_secret_key(instance)
    app.extensions["catalog"] = load_catalog(app.config["LESSONS_DIR"], app.config["QUIZZES_DIR"])

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    errors.init_app(app)
    views.init_app(app)
    return app


def create_app_or_exit() -> Flask:
    """create_app() for the processes that serve pages (gunicorn, `elearn serve`) and for the
    `elearn` command: content problems are printed, one a line, and the process exits 1."""
    try:
        return create_app()
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("elearn cannot start: fix the content problems above (`elearn content check` lists them).",
              file=sys.stderr)
        sys.exit(1)


class AppCommands(AppGroup):
    """`app.cli`: the commands that work on an app, run by tests with `app.test_cli_runner()`
    (elearn/cli.py puts the same commands on the `elearn` command). They are imported when one is
    looked up, which a process serving pages never does: their modules and what they import
    (exports, statistics, translation tools) would cost each worker memory for nothing."""

    def get_command(self, ctx, name):
        self._add_app_commands()
        return super().get_command(ctx, name)

    def list_commands(self, ctx):
        self._add_app_commands()
        return super().list_commands(ctx)

    def _add_app_commands(self) -> None:
        if getattr(self, "_added", False):
            return
        # Why here: see the class.
        from .commands import APP_COMMANDS

        for command in APP_COMMANDS:
            self.add_command(command)
        self._added = True
