"""Records kept only as long as they serve, purged by `elearn privacy purge` (daily, from cron).

| record | kept | why |
|---|---|---|
| failed sign-ins | `sign_in_failures_keep` (24 hours) | the lockout looks back 15 minutes |
| sessions | their lifetime | a session past it is refused anyway |
| e-mailed reset links | a day after they expire | nothing to check after that |
| reset codes issued, password resets | `RECORDS_DAYS` (a year) | the person sees who reset their password |
| reminders | `reminders_keep` (400 days, never under a year and a due-soon window) | each reminder is sent once: a row purged earlier could be sent again |
| invitation counts | the day after | the cap is per day |
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..auth import recovery, sessions
from ..auth.models import AccountCode, PasswordReset, SignInFailure
from ..reminders.models import Reminder
from ..reminders.service import REMIND_EXPIRED_DAYS
from ..trainer.models import InvitationCount

RECORDS_DAYS = 365


def reminders_cutoff(now: dt.datetime, keep: dt.timedelta, due_soon_days: int) -> dt.datetime:
    """Reminder rows created before this go. Never sooner than a reminder could be planned again:
    reminders stop REMIND_EXPIRED_DAYS after a certificate expired, and its first one is sent up to
    `due_soon_days` before that."""
    return now - max(keep, dt.timedelta(days=REMIND_EXPIRED_DAYS + due_soon_days + 1))


def purge(session: Session, now: dt.datetime, *, sign_in_failures_keep: dt.timedelta, session_lifetime: dt.timedelta,
          reminders_keep: dt.timedelta, due_soon_days: int) -> dict[str, int]:
    """Delete what has outlived its purpose; returns how many rows of each kind went. Commits."""
    year = now - dt.timedelta(days=RECORDS_DAYS)
    counts = {
        "failed sign-ins": delete(SignInFailure).where(SignInFailure.failed_at < now - sign_in_failures_keep),
        "e-mailed links": delete(AccountCode).where(AccountCode.kind == recovery.EMAIL,
                                                     AccountCode.expires_at < now - dt.timedelta(days=1)),
        "reset codes": delete(AccountCode).where(AccountCode.kind == recovery.RESET, AccountCode.created_at < year),
        "password resets": delete(PasswordReset).where(PasswordReset.at < year),
        "reminders": delete(Reminder).where(
            Reminder.created_at < reminders_cutoff(now, reminders_keep, due_soon_days)),
        "invitation counts": delete(InvitationCount).where(InvitationCount.day < now.date() - dt.timedelta(days=1)),
    }
    result = {name: session.execute(statement).rowcount for name, statement in counts.items()}
    session.commit()
    result["sessions"] = sessions.purge(session, now, session_lifetime)
    return result
