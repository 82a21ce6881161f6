"""The xAPI outbox: one row per statement, written by the request that finished a step, sent later.

A row is kept after it is sent (`sent_at`) so `elearn xapi status` can report; `elearn xapi
send --purge-after DAYS` deletes old sent rows. Each row names the learner it is about, so their
data export lists it and deleting their account deletes it (ON DELETE CASCADE)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..db import db


class XapiStatement(db.Model):
    __tablename__ = "xapi_statements"
    # The sender's query: unsent rows whose next try is due, oldest first.
    __table_args__ = (Index("ix_xapi_statements_due", "sent_at", "next_try_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The statement's own id (a UUID): a retry after a lost answer cannot store it twice.
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    # NULL only for rows queued before migration 0012 whose learner could not be told for sure.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)  # the statement as JSON
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    next_try_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    tries: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
