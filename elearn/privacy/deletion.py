"""Deleting an account: the person's own choice (account page) or an admin's.

The account row goes, and with it (ON DELETE CASCADE) its sessions, codes, password-reset records,
lesson progress, quiz attempts and answers, module totals, memberships, assignments made to it,
reminders, the xAPI statements about it in the outbox (those an LRS has received already are out
of reach) and, for a trainer, the groups they lead (with those groups' memberships and
assignments: the members keep their own learning). Its failed sign-ins are deleted by name.
Trainers' reports are built from memberships, so the person disappears from them.

Certificates are the one thing other people may rely on (an employer holding a printed copy).
The person chooses: keep them verifiable under the name printed on them (the rows stay, no
longer linked to any account), or revoke them (the verification page then says "revoked", and
the stored name and PDF are erased).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..auth.admin import LastAdmin, keeps_an_admin, lock_admins
from ..auth.lockout import name_key
from ..auth.models import SignInFailure, User
from ..certificates.models import Certificate
from ..trainer.models import Group

WITHDRAWN = "Withdrawn by the holder when their account was deleted."


__all__ = ["Deleted", "LastAdmin", "consequences", "delete_account"]


@dataclass(frozen=True)
class Deleted:
    certificates_kept: int
    certificates_revoked: int
    groups_deleted: int


def consequences(session: Session, user_id: int) -> tuple[list[Certificate], int]:
    """What deleting the account touches that others can see: its certificates (current and
    earlier) and how many groups it leads."""
    certificates = list(session.scalars(select(Certificate).where(Certificate.user_id == user_id)
                                        .order_by(Certificate.issued_at)))
    groups = session.scalar(select(func.count(Group.id)).where(Group.trainer_id == user_id)) or 0
    return certificates, groups


def delete_account(session: Session, user: User, keep_certificates: bool, now: dt.datetime) -> Deleted:
    """Delete `user` and everything held about them; commits. Raises LastAdmin (nothing changed)
    rather than delete the last administrator: the same atomic rule as a change of role
    (auth/admin.py), so two admins deleting each other at once cannot leave the site without one."""
    lock_admins(session)
    certificates, groups = consequences(session, user.id)
    if not keep_certificates:
        for certificate in certificates:
            certificate.revoked_at = certificate.revoked_at or now
            certificate.revoked_reason = WITHDRAWN
            certificate.name = ""
            certificate.pdf = b""
    session.execute(delete(SignInFailure).where(SignInFailure.key == name_key(user.username)))
    deleted = session.execute(delete(User).where(User.id == user.id, keeps_an_admin(user.id))
                              .execution_options(synchronize_session=False)).rowcount
    if not deleted:
        session.rollback()
        raise LastAdmin()
    session.commit()
    kept = len(certificates) if keep_certificates else 0
    return Deleted(kept, len(certificates) - kept, groups)
