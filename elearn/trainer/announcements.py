"""A group's announcement: one short current message per group, written by its trainer and shown
on the home page of every member ("the workshop moves to room 4", "module 2 is due on Friday")."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..clock import utcnow
from ..db import db, upsert
from .models import Group, Membership

MAX_LENGTH = 500


class GroupAnnouncement(db.Model):
    """The current announcement of a group. One row per group: a new one replaces the old one,
    and clearing it deletes the row (an announcement is news, not a record to keep)."""

    __tablename__ = "group_announcements"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    text: Mapped[str] = mapped_column(String(MAX_LENGTH))
    posted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


def post(session: Session, group_id: int, text: str, author_id: int, now: dt.datetime) -> None:
    """Make `text` the group's announcement (replacing any earlier one). Commits."""
    upsert(session, GroupAnnouncement, {"group_id": group_id},
           {"text": text, "posted_at": now, "posted_by_id": author_id})
    session.commit()


def clear(session: Session, group_id: int) -> bool:
    """Remove the group's announcement; False when there was none. Commits."""
    removed = session.execute(delete(GroupAnnouncement).where(GroupAnnouncement.group_id == group_id)).rowcount
    session.commit()
    return removed > 0


def current(session: Session, group_id: int) -> GroupAnnouncement | None:
    return session.get(GroupAnnouncement, group_id)


def for_member(session: Session, user_id: int) -> list[tuple[str, GroupAnnouncement]]:
    """(group name, announcement) for every group the learner is in that has one, newest first."""
    rows = session.execute(
        select(Group.name, GroupAnnouncement)
        .join(GroupAnnouncement, GroupAnnouncement.group_id == Group.id)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == user_id).order_by(GroupAnnouncement.posted_at.desc())).all()
    return [(name, announcement) for name, announcement in rows]
