"""Group rules: who leads a group, joining by invitation code, leaving, removing members."""
from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth.models import User
from ..db import insert_once
from .models import Group, Membership

# No 0/O, 1/I/L: the code is read aloud in workshops and typed on phones.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8  # about 39 bits; joining is rate-limited and needs an account


def new_invite_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_invite_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def create_group(session: Session, trainer: User, name: str) -> Group:
    group = Group(name=name.strip(), trainer_id=trainer.id, invite_code=new_invite_code())
    session.add(group)
    session.commit()
    return group


def can_manage(user: User | None, group: Group) -> bool:
    """Admins manage every group; a trainer only their own."""
    return user is not None and (user.role == "admin" or (user.role == "trainer" and group.trainer_id == user.id))


def groups_for(session: Session, user: User) -> list[tuple[Group, int]]:
    """The groups a trainer leads (every group for an admin), with member counts, in one query."""
    members = (select(Membership.group_id, func.count(Membership.id).label("n"))
               .group_by(Membership.group_id).subquery())
    stmt = (select(Group, func.coalesce(members.c.n, 0)).outerjoin(members, members.c.group_id == Group.id)
            .order_by(Group.created_at.desc()))
    if user.role != "admin":
        stmt = stmt.where(Group.trainer_id == user.id)
    return [(group, count) for group, count in session.execute(stmt).all()]


def find_by_code(session: Session, code: str) -> Group | None:
    return session.scalar(select(Group).where(Group.invite_code == normalise_invite_code(code)))


def join(session: Session, user: User, group: Group) -> bool:
    """Add the user to the group; False when they were a member already."""
    return insert_once(session, Membership(group_id=group.id, user_id=user.id))


def leave(session: Session, user_id: int, group_id: int) -> bool:
    membership = session.scalar(select(Membership).filter_by(group_id=group_id, user_id=user_id))
    if membership is None:
        return False
    session.delete(membership)
    session.commit()
    return True


def member(session: Session, group_id: int, user_id: int) -> User | None:
    """The person if they are in the group, else None."""
    return session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                          .where(Membership.group_id == group_id, User.id == user_id))


def members(session: Session, group: Group) -> list[tuple[User, Membership]]:
    return [(u, m) for u, m in session.execute(
        select(User, Membership).join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group.id).order_by(User.display_name)).all()]


def memberships_of(session: Session, user_id: int) -> list[Group]:
    return list(session.scalars(select(Group).join(Membership, Membership.group_id == Group.id)
                                .where(Membership.user_id == user_id).order_by(Group.name)))
