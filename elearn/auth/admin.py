"""What admins and operators change on accounts: roles, keeping the site an administrator, and a
password set from the command line.

The site must always keep one administrator: nobody else can give the role back from the web.
`set_role` makes "demote only if another admin remains" one atomic step, whatever the
interleaving of concurrent requests:
- PostgreSQL: the admins' rows are locked first (SELECT ... FOR UPDATE, in id order, so two
  changes never deadlock); a concurrent change waits, then re-reads who is still an admin;
- SQLite (one writer at a time): the check is inside the UPDATE statement itself, so it reads
  the rows as the write lock holds them.
The same conditional UPDATE runs on both; on SQLite the lock is a no-op.
"""
from __future__ import annotations

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from .models import ROLES, User
from .service import hash_password


class LastAdmin(Exception):
    """The change would leave the site without an administrator."""


def keeps_an_admin(user_id: int):
    """A SQL condition: the user is not an admin, or another admin remains."""
    others = (select(func.count()).select_from(User)
              .where(User.role == "admin", User.id != user_id).scalar_subquery())
    return or_(User.role != "admin", others > 0)


def lock_admins(session: Session) -> None:
    """Lock the admins' rows until the transaction ends (PostgreSQL; nothing on SQLite)."""
    session.execute(select(User.id).where(User.role == "admin").order_by(User.id).with_for_update())


def set_role(session: Session, user_id: int, role: str) -> None:
    """Give `user_id` the role `role` (committed). Raises LastAdmin rather than remove the last
    administrator, LookupError for an unknown user, ValueError for an unknown role."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    lock_admins(session)
    statement = update(User).where(User.id == user_id)
    if role != "admin":
        statement = statement.where(keeps_an_admin(user_id))
    changed = session.execute(statement.values(role=role).execution_options(synchronize_session="fetch")).rowcount
    if changed:
        session.commit()
        return
    session.rollback()
    if session.get(User, user_id) is None:
        raise LookupError(user_id)
    raise LastAdmin()


def set_password(session: Session, user: User, password: str) -> None:
    """Set a new password (committed). The session fingerprint follows the hash, so every browser
    signed in as this person is signed out."""
    user.password_hash = hash_password(password)
    session.commit()
