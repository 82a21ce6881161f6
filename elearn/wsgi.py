"""WSGI entry point for production servers: `gunicorn elearn.wsgi:app`."""
from .cli import _make_app
from .web import warn_about_process_state

app = _make_app()
warn_about_process_state(app)
