"""Groups of learners led by a trainer, joined with an invitation code."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..db import db


class Group(db.Model):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invite_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Assignment(db.Model):
    """A module assigned through a group: to every member (user_id NULL) or to one member.

    The first due date is `due_on`; with `recur_months` the module is due again that many months
    after each due date (compliance staff renewing a certificate)."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[dt.date]
    recur_months: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class InvitationCount(db.Model):
    """How many invitation e-mails a trainer sent on a day (UTC): the daily cap is checked and
    counted in one conditional UPDATE, so parallel requests cannot pass it together."""

    __tablename__ = "invitation_counts"

    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(primary_key=True)
    sent: Mapped[int] = mapped_column(default=0)
