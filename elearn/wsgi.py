"""WSGI entry point for production servers: `gunicorn --preload elearn.wsgi:app` (README).

With `--preload` gunicorn builds the app once in its master and forks the workers from it, so
they share the memory of the code, the catalog and the templates instead of each building their
own (bench/memory.py measures both). What makes that safe and keeps the pages shared:

- No database connection crosses a fork. Building the app opens none, and each child replaces
  the engine's pool with an empty one (`dispose(close=False)`, SQLAlchemy's recipe for forked
  processes: the parent's connections, if any, are left to the parent), so two workers can never
  talk over one connection.
- Just before the first fork, what every worker would otherwise build for itself on its first
  pages is built once (the ORM's mapper configuration, the compiled templates, both interface
  catalogues and Babel's data for both languages: some 10 MiB), then `gc.freeze()` puts it all
  out of the garbage collector's reach, so a collection in a worker does not write to (and so
  copy) the pages those objects sit on. Without `--preload` nothing forks after the app is
  built, and each worker builds only what its pages use, when they use it.
"""
import datetime as dt
import gc
import os

from babel.dates import format_date
from flask_babel import get_translations
from sqlalchemy.orm import configure_mappers

from . import create_app_or_exit
from .db import db
from .i18n import LANGUAGES
from .web import warn_about_process_state

app = create_app_or_exit()
warn_about_process_state(app)
_shared = []  # [True] once the first fork has been prepared


def _before_first_fork() -> None:
    if _shared:
        return
    _shared.append(True)
    configure_mappers()
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    for lang in LANGUAGES:
        with app.test_request_context(f"/{lang}/"):
            get_translations()
        format_date(dt.date(2026, 1, 1), "long", locale=lang)
    gc.freeze()


def _empty_pools_after_fork() -> None:
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


os.register_at_fork(before=_before_first_fork, after_in_child=_empty_pools_after_fork)
