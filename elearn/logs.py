"""Structured logs: one JSON object per line on standard error, each carrying the request id.

Every request gets one line from the `elearn.request` logger (request id, method, path, status,
duration in milliseconds, user id when signed in). Form bodies, query strings and passwords are
never logged: the path is logged without its query string, which can carry codes or `next=`.
Errors logged by Flask (`app.logger`, named `elearn`) go through the same handler, with the
request id of the request that failed.

Nothing that reaches the handler carries a code or an e-mail address: every line is passed
through `redact`, which replaces the code in invitation, certificate and password-reset paths
("/en/join/[code]"), any query string, and anything shaped like an e-mail address. Tracebacks
included (a database error quotes the row it refused).
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
CODE = "[code]"
# The segment after these is a secret: an invitation code, a certificate code (verify, download,
# the admin's page), a reset link's token.
_CODE_PATHS = re.compile(r"(/(?:join|verify|certificates|recover/email)/)(?!\[code\])[^/?#\s\"'\\<>]+")
_QUERY = re.compile(r"(/[^\s\"'?<>]*)\?[^\s\"'<>]*")
_EMAIL = re.compile(r"[^\s\"'<>(),;:@\[\]\\]+@[^\s\"'<>(),;:@\[\]\\]+\.[A-Za-z0-9-]+")


def redact(text: str) -> str:
    """`text` without codes in paths, query strings or e-mail addresses."""
    text = _QUERY.sub(r"\1?[query]", text)
    text = _CODE_PATHS.sub(lambda match: match.group(1) + CODE, text)
    return _EMAIL.sub("[e-mail]", text)


class _RedactingFormatter(JsonFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


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
    handler.setFormatter(_RedactingFormatter(FIELDS, rename_fields={"asctime": "time", "levelname": "level",
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
