"""Temporary lockout after repeated failed sign-ins for one account name.

After LOCKOUT_FAILURES failed sign-ins (default 10) for the same name within LOCKOUT_MINUTES
(default 15), signing in with that name is refused, even with the right password, until the
oldest of those failures leaves the window. A successful sign-in clears the name's failures.

It counts per name, not per address, so that guessing one account's password from many
addresses is stopped too (the per-address limit is Flask-Limiter's, on the login view). The
counts live where every app process sees them: in the database (table `sign_in_failures`), or
in Redis when ELEARN_RATELIMIT_STORAGE_URI is a redis:// URL. Never in one process's memory:
with several gunicorn workers each would count only its own share of the attempts.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Protocol

from flask import current_app
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..db import db
from ..clock import utcnow
from .models import SignInFailure
from .service import username_key

FAILURES = 10
MINUTES = 15
log = logging.getLogger("elearn.auth")


def name_key(username: str) -> str:
    """The stored form of a name: a digest, so attempted names (or mistyped passwords) are not kept."""
    return hashlib.sha256(username_key(username).encode()).hexdigest()


class Lockout(Protocol):
    def locked_until(self, username: str) -> dt.datetime | None: ...
    def failed(self, username: str) -> None: ...
    def succeeded(self, username: str) -> None: ...


@dataclass
class DatabaseLockout:
    """Failures as rows: inserts only, so concurrent workers never lose a count."""

    session: Session
    failures: int = FAILURES
    window: dt.timedelta = dt.timedelta(minutes=MINUTES)

    def locked_until(self, username: str, now: dt.datetime | None = None) -> dt.datetime | None:
        """When the lock on this name ends (naive UTC), or None if it is not locked."""
        now = now or utcnow()
        recent = self.session.scalars(
            select(SignInFailure.failed_at)
            .where(SignInFailure.key == name_key(username), SignInFailure.failed_at > now - self.window)
            .order_by(SignInFailure.failed_at.desc()).limit(self.failures)).all()
        if len(recent) < self.failures:
            return None
        until = recent[-1] + self.window
        return until if until > now else None

    def failed(self, username: str, now: dt.datetime | None = None) -> None:
        now = now or utcnow()
        # Forget failures older than the window, for every name: the table stays small.
        self.session.execute(delete(SignInFailure).where(SignInFailure.failed_at <= now - self.window))
        self.session.add(SignInFailure(key=name_key(username), failed_at=now))
        self.session.commit()

    def succeeded(self, username: str) -> None:
        self.session.execute(delete(SignInFailure).where(SignInFailure.key == name_key(username)))
        self.session.commit()


class StoreLockout:
    """The same rule in a `limits` storage (Redis): a moving window of failures per name.

    If the store cannot be reached, sign-in goes on without the lockout (and says so in the log)
    rather than failing for everyone.
    """

    def __init__(self, uri: str, failures: int = FAILURES, window: dt.timedelta = dt.timedelta(minutes=MINUTES)):
        self.limiter = MovingWindowRateLimiter(storage_from_string(uri))
        self.item = RateLimitItemPerSecond(failures, int(window.total_seconds()))

    def locked_until(self, username: str) -> dt.datetime | None:
        key = name_key(username)
        try:
            if self.limiter.test(self.item, "elearn-lockout", key):
                return None
            reset = self.limiter.get_window_stats(self.item, "elearn-lockout", key).reset_time
        except Exception:  # noqa: BLE001 - any storage error: fail open, loudly
            log.exception("lockout store unavailable")
            return None
        return dt.datetime.fromtimestamp(reset, dt.timezone.utc).replace(tzinfo=None)

    def failed(self, username: str) -> None:
        try:
            self.limiter.hit(self.item, "elearn-lockout", name_key(username))
        except Exception:  # noqa: BLE001
            log.exception("lockout store unavailable")

    def succeeded(self, username: str) -> None:
        try:
            self.limiter.clear(self.item, "elearn-lockout", name_key(username))
        except Exception:  # noqa: BLE001
            log.exception("lockout store unavailable")


def uses_store(uri: str | None) -> bool:
    return bool(uri) and uri.split(":", 1)[0] in ("redis", "rediss", "redis+cluster", "redis+sentinel")


def lockout() -> Lockout:
    """The app's lockout: Redis when the rate-limit storage is Redis, otherwise the database."""
    config = current_app.config
    failures = int(config.get("LOCKOUT_FAILURES", FAILURES))
    window = dt.timedelta(minutes=float(config.get("LOCKOUT_MINUTES", MINUTES)))
    uri = config.get("RATELIMIT_STORAGE_URI")
    if uses_store(uri):
        store = current_app.extensions.get("elearn-lockout")
        if store is None:
            store = current_app.extensions["elearn-lockout"] = StoreLockout(uri, failures, window)
        return store
    return DatabaseLockout(db.session, failures, window)
