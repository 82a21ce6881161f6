"""The app as bench/load.py serves it: the production app plus one trivial route.

`/bench/static-lesson` answers with a copy of a lesson page's bytes made once per process,
so comparing its rate with the real lesson page's, under the same gunicorn, shows what the
app itself (routing, session, catalog, template) costs per page. Never used in production:
gunicorn reaches it only through `bench.bench_app:create_bench_app()`.
"""
from __future__ import annotations

from flask import Flask, Response

from elearn import create_app
from elearn.content import Catalog


def lesson_path(catalog: Catalog, lang: str = "en") -> str:
    """The lesson page the trivial route copies: the first lesson of the first module."""
    module = catalog.modules[0]
    return f"/{lang}/modules/{module.id}/{module.lessons[0].id}/"


def init_app(app: Flask) -> None:
    copy: list[bytes] = []

    @app.get("/bench/static-lesson")
    def static_lesson():
        if not copy:  # made on first use, when every blueprint is registered
            page = app.test_client().get(lesson_path(app.extensions["catalog"]))
            copy.append(page.get_data())
        return Response(copy[0], mimetype="text/html")


def create_bench_app(config: dict | None = None) -> Flask:
    """The production app, rate limits off (the bench's learners share one address), plus the route."""
    app = create_app({"RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING", **(config or {})})
    init_app(app)
    return app
