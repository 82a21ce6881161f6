"""Cross-cutting web plumbing: fingerprinted static files, security headers, pages that carry
secrets, request ids and access logs (the development server's too), the proxy setting, /healthz."""
from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import os
import time
from functools import lru_cache

from flask import Flask, abort, current_app, g, has_request_context, request, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from sqlalchemy import text
from werkzeug.routing import IntegerConverter
from werkzeug.serving import WSGIRequestHandler

from . import logs
from .db import db

YEAR = 365 * 24 * 3600
# Integer primary keys are 32-bit on PostgreSQL; a larger id in a URL is simply not found.
MAX_ID = 2**31 - 1
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'self'")
access_log = logging.getLogger("elearn.request")


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app):
        # Secure when the public address is https, or when this request came over https
        # (directly or, with ELEARN_PROXY_FIX, as told by the proxy's X-Forwarded-Proto).
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)

    def save_session(self, app, session, response):
        # Static files never need the session. Saving it there would refresh the cookie and add
        # "Vary: Cookie", so a browser would revalidate the cached stylesheet on every page.
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)


class ElearnFlask(Flask):
    session_interface = SessionInterface()

    def get_send_file_max_age(self, filename):
        # A fingerprinted URL (?v=<hash>) never changes content: cache it for a year.
        return YEAR if request.args.get("v") else 300


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that stops at the largest id the database holds: 404 instead of an overflow error."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


@lru_cache(maxsize=256)
def _digest(path: str, mtime: float) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:10]


def asset_url(filename: str) -> str:
    """URL of a static file with a content hash, so it can be cached for a year.

    Worked out once per process and file (static files ship with a release and do not change
    while it runs), except in debug mode, where an edited file gets a new hash at once."""
    urls = current_app.extensions.setdefault("asset_urls", {})
    if filename not in urls or current_app.debug:
        path = os.path.join(current_app.static_folder, filename)
        urls[filename] = url_for("static", filename=filename, v=_digest(path, os.path.getmtime(path)))
    return urls[filename]


def carries_secrets(view):
    """For a page (or a download) holding a code, a token or personal data: sent with
    `Cache-Control: no-store` (no copy left in a shared phone's cache or a proxy), uncompressed
    (so its size tells nothing about the secret: BREACH), and its language link keeps no query
    parameters (i18n.switch_url) even if the page declares some with `keeps_query`."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        g.carries_secrets = True
        return view(*args, **kwargs)

    return wrapped


def keeps_query(*names: str):
    """The query parameters a page reads, and so the only ones its language link carries over
    (i18n.switch_url): a page never echoes a parameter it does not know."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            g.kept_query = names
            return view(*args, **kwargs)

        return wrapped

    return decorator


class RedactingRequestHandler(WSGIRequestHandler):
    """The development server's request lines (`elearn serve`), without codes, query strings or
    e-mail addresses, like the app's own access log."""

    def log(self, type: str, message: str, *args) -> None:
        super().log(type, "%s", logs.redact(message % args if args else message))


def _has_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values)


def refuse_nul_characters() -> None:
    """NUL is never valid text (PostgreSQL refuses to store it): a 400, not a 500 or garbage."""
    if "\x00" in request.path or _has_nul(itertools.chain(request.args.items(multi=True),
                                                           request.form.items(multi=True))):
        abort(400)


def _start_request() -> None:
    g.request_id = logs.request_id(request.headers.get("X-Request-ID"))
    g.started = time.perf_counter()


def _log_request(response) -> None:
    started = g.get("started")
    user = g.get("user")
    access_log.info("request", extra={
        "method": request.method,
        "path": request.path[:300],  # never the query string or the body
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "user_id": getattr(user, "id", None),
    })


def warn_about_process_state(app: Flask) -> None:
    """Said by the processes that serve requests (not by every command): on PostgreSQL, the sign
    of several processes, rate limits kept in one process's memory count per process."""
    storage = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if storage.startswith("memory://") and not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.logger.warning("rate limits are kept in each process's memory (memory://): with several "
                           "processes set ELEARN_RATELIMIT_STORAGE_URI to a shared store such as redis://")


def init_app(app: Flask) -> None:
    app.jinja_env.globals["asset_url"] = asset_url
    app.url_map.converters["int"] = BoundedIntConverter
    logs.configure(app.config.get("LOG_LEVEL") or "INFO")
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies:
        # Trust that many proxies in front for the client address, scheme and host.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    # First of all before_request functions, so even a request refused early has an id and a time.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.before_request(refuse_nul_characters)

    @app.after_request
    def _headers(response):
        # Nothing but this site: no third-party scripts, styles, fonts, images or frames.
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")  # for browsers without frame-ancestors
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if g.get("carries_secrets"):
            response.headers["Cache-Control"] = "no-store"
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-cache")
            response.vary.add("Cookie")
        if g.get("request_id"):
            response.headers["X-Request-ID"] = g.request_id
        _log_request(response)
        return response

    @app.get("/healthz")
    def healthz():
        db.session.execute(text("SELECT 1"))
        return {"status": "ok", "modules": len(app.extensions["catalog"].modules)}
