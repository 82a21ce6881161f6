"""elearn: bilingual advocacy training on sanctions on Syria."""
from __future__ import annotations

from flask import Flask

from . import commands, config as config_module, db, errors, i18n, views, web
from .content import load_catalog
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
    commands.init_app(app)
    return app
