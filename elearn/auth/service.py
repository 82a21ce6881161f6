"""Account rules: registration, authentication, password changes. Plain functions over a session."""
from __future__ import annotations

import secrets
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import insert_once
from .models import ROLES, User
from .names import skeleton_key

# scrypt is Werkzeug's default KDF: memory-hard, no extra dependency.
_METHOD = "scrypt"
# An account a trainer made (bulk enrolment) has no password until its one-time code sets one:
# the hash field holds this prefix and random text, which no password matches.
NO_PASSWORD = "none$"


class UsernameTaken(Exception):
    pass


class UsernameLooksTaken(UsernameTaken):
    """The pseudonym reads the same as one in use (look-alike letters, invisible characters)."""


def username_key(username: str) -> str:
    return username.strip().casefold()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_METHOD)


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username_key == username_key(username)))


def create_user(session: Session, username: str, password: str | None, *, display_name: str | None = None,
                email: str | None = None, locale: str = "ar", role: str = "learner") -> User:
    """Create and commit a user; raise UsernameTaken if the pseudonym is in use, and
    UsernameLooksTaken if it only looks like one in use. `password` None: no password yet."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    look = skeleton_key(username)
    user = User(username=username.strip(), username_key=username_key(username), name_skeleton=look,
                display_name=(display_name or username).strip(), email=(email or None),
                password_hash=hash_password(password) if password is not None else NO_PASSWORD + secrets.token_hex(16),
                locale=locale, role=role)
    if not insert_once(session, user):
        if find_user(session, username) is None and session.scalar(select(User.id).where(User.name_skeleton == look)):
            raise UsernameLooksTaken(username)
        raise UsernameTaken(username)
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = find_user(session, username)
    if user is None or not has_password(user):
        # Spend the same time as a real check so response times do not reveal which names exist.
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def has_password(user: User) -> bool:
    return not user.password_hash.startswith(NO_PASSWORD)


def is_password(user: User, password: str) -> bool:
    """The check behind every "type your current password" (account page, deleting the account)."""
    return check_password_hash(user.password_hash, password)


def change_password(session: Session, user: User, current: str, new: str) -> bool:
    if not is_password(user, current):
        return False
    user.password_hash = hash_password(new)
    session.commit()
    return True


@cache
def _dummy_hash() -> str:
    return hash_password("not a real password")


def fingerprint(user: User) -> str:
    """A short piece of the password hash kept in the session: a new password changes it, which
    ends every other session."""
    return user.password_hash[-16:]
