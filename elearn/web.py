"""Cross-cutting web plumbing: fingerprinted static files, security headers, /healthz."""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import Flask, request, url_for

YEAR = 365 * 24 * 3600


class ElearnFlask(Flask):
    def get_send_file_max_age(self, filename):
        # A fingerprinted URL (?v=<hash>) never changes content: cache it for a year.
        return YEAR if request.args.get("v") else 300


@lru_cache(maxsize=256)
def _digest(path: str, mtime: float) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:10]


def asset_url(filename: str) -> str:
    """URL of a static file with a content hash, so it can be cached for a year."""
    from flask import current_app

    path = os.path.join(current_app.static_folder, filename)
    return url_for("static", filename=filename, v=_digest(path, os.path.getmtime(path)))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["asset_url"] = asset_url

    @app.after_request
    def _headers(response):
        # Nothing but this site: no third-party scripts, styles, fonts, images or frames.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-cache")
            response.vary.add("Cookie")
        return response

    @app.get("/healthz")
    def healthz():
        from sqlalchemy import text

        from .db import db

        db.session.execute(text("SELECT 1"))
        return {"status": "ok", "modules": len(app.extensions["catalog"].modules)}
