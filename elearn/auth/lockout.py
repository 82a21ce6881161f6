"""Temporary lockout after repeated failed sign-ins for one account name.

After LOCKOUT_FAILURES failed sign-ins (default 10) for the same name within LOCKOUT_MINUTES
(default 15), signing in with that name is refused, even with the right password, until the
oldest of those failures leaves the window. A successful sign-in clears the name's failures.

A sign-in counts as a failure *before* its password is checked (`begin`), in one atomic step on
the store: a row committed and then counted (database), or the moving window's own atomic hit
(Redis). However many requests race, at most LOCKOUT_FAILURES of them get their password
checked in a window: every one that does is already counted when the next one counts. A
refused request takes its count back; a right password clears them all.

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

from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

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
    def begin(self, username: str) -> dt.datetime | None: ...
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

    def begin(self, username: str, now: dt.datetime | None = None) -> dt.datetime | None:
        """Count this sign-in as a failure before its password is checked. Returns when the lock
        ends if the name is locked (the count is taken back), else None: check the password, and
        call `succeeded` if it is right (a wrong one is counted already).

        The row is committed before the count, so of any number of concurrent sign-ins each sees
        every row committed before its own: at most `failures` of them see a count within bounds.
        """
        now = now or utcnow()
        row = self.failed(username, now)
        counted = self.session.scalar(select(func.count()).select_from(SignInFailure).where(
            SignInFailure.key == row.key, SignInFailure.failed_at > now - self.window))
        if counted <= self.failures:
            return None
        self.session.execute(delete(SignInFailure).where(SignInFailure.id == row.id))
        self.session.commit()
        return self.locked_until(username, now) or now + dt.timedelta(minutes=1)

    def failed(self, username: str, now: dt.datetime | None = None) -> SignInFailure:
        """Record one failure (committed)."""
        now = now or utcnow()
        # Forget failures older than the window, for every name: the table stays small.
        self.session.execute(delete(SignInFailure).where(SignInFailure.failed_at <= now - self.window))
        row = SignInFailure(key=name_key(username), failed_at=now)
        self.session.add(row)
        self.session.commit()
        return row

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

    def begin(self, username: str) -> dt.datetime | None:
        """Count this sign-in before its password is checked: the window's hit is atomic in the
        store and refused once it is full, so a refused hit means locked."""
        try:
            if self.limiter.hit(self.item, "elearn-lockout", name_key(username)):
                return None
        except Exception:  # noqa: BLE001 - any storage error: fail open, loudly
            log.exception("lockout store unavailable")
            return None
        return self.locked_until(username) or utcnow() + dt.timedelta(minutes=1)

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


# One StoreLockout (a connection pool) per store and rule in this process: it keeps no count
# itself, so sharing it between requests is safe and every process still sees the same counts.
_stores: dict[tuple, StoreLockout] = {}


def for_settings(session: Session, storage_uri: str | None, failures: int = FAILURES,
                 minutes: float = MINUTES) -> Lockout:
    """The lockout for these settings: Redis when the rate-limit storage is Redis, otherwise the
    database of `session`."""
    window = dt.timedelta(minutes=float(minutes))
    if uses_store(storage_uri):
        key = (storage_uri, int(failures), window)
        if key not in _stores:
            _stores[key] = StoreLockout(storage_uri, int(failures), window)
        return _stores[key]
    return DatabaseLockout(session, int(failures), window)
