"""Structured logs: one JSON object per line on standard error, each carrying the request id.

Every request gets one line from the `elearn.request` logger (request id, method, path, status,
duration in milliseconds, user id when signed in). Form bodies, query strings and passwords are
never logged: the path is logged without its query string, which can carry codes or `next=`.
Errors logged by Flask (`app.logger`, named `elearn`) go through the same handler, with the
request id of the request that failed.
"""
from __future__ import annotations

import logging
import re
import sys
import uuid

from flask import g, has_request_context
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners and servers replace it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(level: str = "INFO") -> None:
    """Send the `elearn` loggers to standard error as JSON lines. Safe to call more than once."""
    logger = logging.getLogger("elearn")
    logger.setLevel(level.upper())
    if any(isinstance(h, _StderrHandler) for h in logger.handlers):
        return
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter(FIELDS, rename_fields={"asctime": "time", "levelname": "level",
                                                              "name": "logger"}))
    handler.addFilter(_RequestIdFilter())
    logger.addHandler(handler)
    # Flask adds its own plain-text handler to `app.logger` unless one is configured: this is it.
    logger.propagate = False


def request_id(incoming: str | None) -> str:
    """The load balancer's request id when it sent a sane one, otherwise a new one."""
    if incoming and REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex
