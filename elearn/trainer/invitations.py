"""The daily cap on invitation e-mails: a trainer's invitations carry text they chose to
addresses they typed, so without a cap the app is a way to send mail in bulk."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import insert_once
from .models import InvitationCount

PER_DAY = 100


def reserve(session: Session, trainer_id: int, count: int, day: dt.date, cap: int) -> bool:
    """Count `count` invitations against the trainer's cap for `day`; False (nothing counted) when
    they would pass it. One conditional UPDATE, so parallel requests cannot both pass. Commits."""
    insert_once(session, InvitationCount(trainer_id=trainer_id, day=day, sent=0))
    taken = session.execute(update(InvitationCount).where(
        InvitationCount.trainer_id == trainer_id, InvitationCount.day == day, InvitationCount.sent + count <= cap)
        .values(sent=InvitationCount.sent + count)).rowcount
    session.commit()
    return taken == 1


def give_back(session: Session, trainer_id: int, count: int, day: dt.date) -> None:
    """Uncount invitations that were not delivered. Commits."""
    session.execute(update(InvitationCount).where(InvitationCount.trainer_id == trainer_id, InvitationCount.day == day)
                    .values(sent=InvitationCount.sent - count))
    session.commit()


def left_today(session: Session, trainer_id: int, day: dt.date, cap: int) -> int:
    sent = session.scalar(select(InvitationCount.sent).where(InvitationCount.trainer_id == trainer_id,
                                                             InvitationCount.day == day)) or 0
    return max(0, cap - sent)
