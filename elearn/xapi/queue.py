"""The outbox: add statements (on the request, in the step's transaction), and what the sender
reads and records. Retries back off: 1, 2, 4 ... minutes, at most 6 hours between tries."""
from __future__ import annotations

import datetime as dt
import json
from typing import Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from .models import XapiStatement

MAX_WAIT = dt.timedelta(hours=6)


def add(session: Session, user_id: int, statements: Iterable[dict], now: dt.datetime) -> int:
    """Queue statements about the learner `user_id` (added to the session; the caller commits with
    its step). The learner's id on the row is what their export and account deletion find."""
    rows = [XapiStatement(statement_id=s["id"], user_id=user_id, body=json.dumps(s, ensure_ascii=False),
                          created_at=now, next_try_at=now) for s in statements]
    session.add_all(rows)
    return len(rows)


def due(session: Session, now: dt.datetime, limit: int) -> list[XapiStatement]:
    return list(session.scalars(select(XapiStatement).where(
        XapiStatement.sent_at.is_(None), XapiStatement.next_try_at <= now)
        .order_by(XapiStatement.id).limit(limit)))


def backoff(tries: int) -> dt.timedelta:
    return min(dt.timedelta(minutes=2 ** max(tries - 1, 0)), MAX_WAIT)


def mark_sent(session: Session, ids: list[int], now: dt.datetime) -> None:
    session.execute(update(XapiStatement).where(XapiStatement.id.in_(ids)).values(sent_at=now, last_error=None))
    session.commit()


def mark_failed(session: Session, rows: list[XapiStatement], error: str, now: dt.datetime) -> None:
    for row in rows:
        row.tries += 1
        row.next_try_at = now + backoff(row.tries)
        row.last_error = error[:500]
    session.commit()


def counts(session: Session) -> dict[str, int]:
    """How many statements are sent, waiting, and waiting after a failed try."""
    sent = session.scalar(select(func.count()).where(XapiStatement.sent_at.is_not(None)))
    waiting = session.scalar(select(func.count()).where(XapiStatement.sent_at.is_(None)))
    failing = session.scalar(select(func.count()).where(XapiStatement.sent_at.is_(None), XapiStatement.tries > 0))
    return {"sent": sent, "waiting": waiting, "failing": failing}


def purge_sent(session: Session, before: dt.datetime) -> int:
    deleted = session.execute(delete(XapiStatement).where(XapiStatement.sent_at < before)).rowcount
    session.commit()
    return deleted
