"""Offline use on the learner's phone (docs/offline.md): the service worker at /sw.js (its scope
must cover every page, so it cannot live under /static/), the installable app's manifest per
language, and the pages the service worker shows when a page was not saved or a form was kept to
send later. Everything else is in static/js/offline.js and static/js/sw.js; with JavaScript off,
or in a browser without service workers, none of this is used."""
from __future__ import annotations

import hashlib
import os

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _

from ..i18n import text_dir
from ..web import asset_url

bp = Blueprint("offline", __name__)

# The pages whose template loads offline.js: where saving for offline or a kept answer helps.
SCRIPT_ENDPOINTS = frozenset({"learning.home", "learning.module", "learning.lesson", "quiz.quiz",
                              "quiz.question", "quiz.review", "offline.page", "offline.queued"})


def _worker() -> tuple[str, str]:
    """The service worker's source with its version: a hash of its own text and of the
    stylesheet's fingerprinted URL, so a new release drops the old caches of static files."""
    cache = current_app.extensions.setdefault("offline_worker", {})
    if not cache or current_app.debug:
        with open(os.path.join(current_app.static_folder, "js", "sw.js"), encoding="utf-8") as f:
            source = f.read()
        version = hashlib.sha256((source + asset_url("css/app.css")).encode()).hexdigest()[:10]
        cache["worker"] = (source.replace("__VERSION__", version), version)
    return cache["worker"]


@bp.route("/sw.js")
def worker():
    source, _version = _worker()
    return current_app.response_class(source, mimetype="text/javascript",
                                      headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})


@bp.route("/<lang:lang>/manifest.webmanifest")
def manifest(lang):
    data = {
        "name": _("elearn: sanctions on Syria"),
        "short_name": "elearn",
        "description": _("Training on sanctions on Syria and the debates around them, readable offline."),
        "lang": lang,
        "dir": text_dir(lang),
        "start_url": url_for("learning.home", lang=lang),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4e89",
        "icons": [{"src": asset_url("img/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = current_app.response_class(current_app.json.dumps(data), mimetype="application/manifest+json")
    return response


@bp.route("/<lang:lang>/offline")
def page(lang):
    """Shown by the service worker for a page that was not saved, instead of the browser's error."""
    return render_template("offline.html", queued=False)


@bp.route("/<lang:lang>/offline/queued")
def queued(lang):
    """Shown by the service worker after a form sent offline was kept on the device."""
    return render_template("offline.html", queued=True)


def module_pages(module, lang: str) -> list[str]:
    """What "Save this module for offline" stores: the home and module pages and every lesson,
    in the learner's language (the stylesheet and the offline page are added by the script)."""
    return [url_for("learning.home", lang=lang), url_for("learning.module", lang=lang, module_id=module.id),
            *(url_for("learning.lesson", lang=lang, module_id=module.id, lesson_id=lesson.id)
              for lesson in module.lessons)]


def attempt_pages(attempt, count: int, lang: str) -> list[str]:
    """Every question page of an open attempt (the server fixed its questions and order) and its
    review page: stored when the attempt is opened online, so it can be answered offline."""
    return [*(url_for("quiz.question", lang=lang, attempt_id=attempt.id, number=n) for n in range(1, count + 1)),
            url_for("quiz.review", lang=lang, attempt_id=attempt.id)]


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(offline_module_pages=module_pages, offline_attempt_pages=attempt_pages,
                                 OFFLINE_ENDPOINTS=SCRIPT_ENDPOINTS)
