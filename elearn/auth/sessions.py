"""Sessions that end: one row per signed-in browser, found by the digest of the cookie's token.

Signing out deletes the row, so a copy of the cookie taken before is refused afterwards (with a
signed cookie alone it stayed valid until it expired). "Sign out of all devices" and a new
password delete every row of the account. A session also ends `lifetime` after sign-in, however
active, and after `idle` without a request; the last request's time is kept in the signed
cookie, so a page view costs no write.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from .models import User, UserSession

IDLE_MINUTES = 120
MAX_HOURS = 12
# Run before every signed-in page: built once, with its parameters bound at execution, so a page
# neither builds the statement again nor works out its cache key.
_USER_FOR = (select(User).join(UserSession, UserSession.user_id == User.id)
             .where(UserSession.key == bindparam("key"), UserSession.created_at > bindparam("since")))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user: User, now: dt.datetime, lifetime: dt.timedelta) -> str:
    """A new session for `user`: returns the token for the cookie. Commits. Also forgets the
    account's sessions that have run out, so the table holds live sessions and little else."""
    token = secrets.token_urlsafe(32)
    session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                              UserSession.created_at <= now - lifetime))
    session.add(UserSession(user_id=user.id, key=_digest(token), created_at=now))
    session.commit()
    return token


def user_for(session: Session, token: str, now: dt.datetime, lifetime: dt.timedelta) -> User | None:
    """The account a live session belongs to, or None (ended, expired or never existed)."""
    return session.scalar(_USER_FOR, {"key": _digest(token), "since": now - lifetime})


def end(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.key == _digest(token)))
    session.commit()


def end_all(session: Session, user_id: int, keep: str | None = None) -> int:
    """End every session of the account (but the one whose token is `keep`); how many ended."""
    statement = delete(UserSession).where(UserSession.user_id == user_id)
    if keep is not None:
        statement = statement.where(UserSession.key != _digest(keep))
    ended = session.execute(statement).rowcount
    session.commit()
    return ended


def live(session: Session, user_id: int, now: dt.datetime, lifetime: dt.timedelta) -> list[UserSession]:
    """The account's sessions that have not run out, newest first."""
    return list(session.scalars(select(UserSession).where(
        UserSession.user_id == user_id, UserSession.created_at > now - lifetime).order_by(UserSession.created_at.desc())))


def is_current(row: UserSession, token: str | None) -> bool:
    return token is not None and row.key == _digest(token)


def purge(session: Session, now: dt.datetime, lifetime: dt.timedelta) -> int:
    """Delete sessions past their lifetime (for `elearn privacy purge`); returns how many."""
    count = session.execute(delete(UserSession).where(UserSession.created_at <= now - lifetime)).rowcount
    session.commit()
    return count

