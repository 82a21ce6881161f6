"""WSGI entry point for production servers: `gunicorn elearn.wsgi:app`."""
from .cli import _make_app

app = _make_app()
