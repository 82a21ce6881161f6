"""Reminders sent (or being sent) by `elearn reminders send`.

One row per recipient and window key, unique together: however often the command runs, a
reminder for a window is delivered once. A row is claimed before sending and marked sent after
the SMTP server accepted the message; a failed delivery keeps the row unsent (with the error),
so the next run retries it."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..db import db


class Reminder(db.Model):
    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # "due_soon" / "expired" (a learner's certificate) or "digest" (a trainer's groups)
    kind: Mapped[str] = mapped_column(String(16))
    # The window: "cert:<id>:due_soon", "cert:<id>:expired" or "digest:<ISO year>-W<week>"
    key: Mapped[str] = mapped_column(String(64))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Set while a run is sending it; a claim older than the lease is taken over by a later run.
    claimed_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
