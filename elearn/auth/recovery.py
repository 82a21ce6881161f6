"""Setting a new password without the old one, and without needing e-mail.

- Recovery codes: ten, made at registration (and again on request from the account page), shown
  once; each sets a new password once.
- A reset code: issued by a trainer (for a learner in one of their groups) or an admin, shown
  once to them, valid for RESET_HOURS; issuing a new one cancels the previous one.
- An e-mailed link (when the account has an address and the server can send mail): valid for
  EMAIL_MINUTES, once.

Codes are random and only their SHA-256 digests are stored. Every password set with a code is
recorded (PasswordReset) and ends every session of the account. Using a code is a conditional
UPDATE (used_at IS NULL), so two requests cannot both use the same one.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from . import sessions
from .models import AccountCode, PasswordReset, User
from .service import find_user, hash_password

RECOVERY, RESET, EMAIL = "recovery", "reset", "email"
RECOVERY_CODES = 10
RESET_HOURS = 72
EMAIL_MINUTES = 60
EMAILS_AT_ONCE = 3  # unexpired e-mailed links per account: more requests send nothing
# The invitation codes' alphabet (no 0/O, 1/I/L): read aloud, copied by hand, typed on phones.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_LENGTH = 16  # 16 characters of 31: about 79 bits


def new_code() -> str:
    """A code as shown: four groups of four ("ABCD-EFGH-JKMN-PQRS")."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, _LENGTH, 4))


def normalise(code: str) -> str:
    """What a person typed, as stored: capitals, without the spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def _email_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_recovery_codes(session: Session, user: User, now: dt.datetime) -> list[str]:
    """Replace the account's recovery codes with ten new ones; returns them (shown once). Commits."""
    session.execute(delete(AccountCode).where(AccountCode.user_id == user.id, AccountCode.kind == RECOVERY))
    codes = [new_code() for _ in range(RECOVERY_CODES)]
    session.add_all(AccountCode(user_id=user.id, kind=RECOVERY, code_hash=_digest(c), created_at=now) for c in codes)
    session.commit()
    return codes


def recovery_codes_left(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count(AccountCode.id)).where(
        AccountCode.user_id == user_id, AccountCode.kind == RECOVERY, AccountCode.used_at.is_(None))) or 0


def issue_reset_code(session: Session, user: User, issuer: User | None, now: dt.datetime) -> tuple[str, dt.datetime]:
    """A one-time reset code for `user`, issued by a trainer or an admin (None: from the command
    line); cancels any earlier unused one. Returns the code (shown once) and when it expires. Commits."""
    session.execute(delete(AccountCode).where(AccountCode.user_id == user.id, AccountCode.kind == RESET,
                                              AccountCode.used_at.is_(None)))
    code, expires = new_code(), now + dt.timedelta(hours=RESET_HOURS)
    session.add(AccountCode(user_id=user.id, kind=RESET, code_hash=_digest(code), created_at=now,
                            expires_at=expires, issued_by_id=issuer.id if issuer else None))
    session.commit()
    return code, expires


def email_token(session: Session, user: User, now: dt.datetime) -> str | None:
    """A token for an e-mailed link, or None when EMAILS_AT_ONCE links are already out. Commits."""
    out = session.scalar(select(func.count(AccountCode.id)).where(
        AccountCode.user_id == user.id, AccountCode.kind == EMAIL, AccountCode.used_at.is_(None),
        AccountCode.expires_at > now)) or 0
    if out >= EMAILS_AT_ONCE:
        return None
    token = secrets.token_urlsafe(32)
    session.add(AccountCode(user_id=user.id, kind=EMAIL, code_hash=_email_digest(token), created_at=now,
                            expires_at=now + dt.timedelta(minutes=EMAIL_MINUTES)))
    session.commit()
    return token


def _usable(now: dt.datetime):
    return (AccountCode.used_at.is_(None),
            (AccountCode.expires_at.is_(None)) | (AccountCode.expires_at > now))


def find_code(session: Session, username: str, code: str, now: dt.datetime) -> AccountCode | None:
    """The usable recovery or reset code `code` of the account named `username`, or None."""
    user = find_user(session, username)
    # The same query whether or not the name exists: the time taken tells nothing.
    return session.scalar(select(AccountCode).where(
        AccountCode.user_id == (user.id if user else 0), AccountCode.kind.in_((RECOVERY, RESET)),
        AccountCode.code_hash == _digest(code), *_usable(now)))


def find_email_token(session: Session, token: str, now: dt.datetime) -> AccountCode | None:
    return session.scalar(select(AccountCode).where(
        AccountCode.kind == EMAIL, AccountCode.code_hash == _email_digest(token), *_usable(now)))


@dataclass(frozen=True)
class Reset:
    user: User
    method: str
    recovery_codes_left: int


def set_password_with(session: Session, code: AccountCode, new_password: str, now: dt.datetime) -> Reset | None:
    """Use `code` (once) to set a new password: ends every session, records the reset. None when
    the code was used a moment ago by another request. Commits."""
    taken = session.execute(update(AccountCode).where(AccountCode.id == code.id, AccountCode.used_at.is_(None))
                            .values(used_at=now)).rowcount
    if taken != 1:
        session.rollback()
        return None
    user = session.get(User, code.user_id)
    user.password_hash = hash_password(new_password)
    if code.kind == EMAIL:  # the other links sent to that address are spent too
        session.execute(update(AccountCode).where(AccountCode.user_id == user.id, AccountCode.kind == EMAIL,
                                                  AccountCode.used_at.is_(None)).values(used_at=now))
    session.add(PasswordReset(user_id=user.id, method=code.kind, issued_by_id=code.issued_by_id, at=now))
    session.commit()
    sessions.end_all(session, user.id)
    return Reset(user, code.kind, recovery_codes_left(session, user.id))


def history(session: Session, user_id: int) -> tuple[list[PasswordReset], list[AccountCode]]:
    """The account's password resets and the reset codes issued for it, newest first."""
    resets = list(session.scalars(select(PasswordReset).where(PasswordReset.user_id == user_id)
                                  .order_by(PasswordReset.at.desc())))
    issued = list(session.scalars(select(AccountCode).where(AccountCode.user_id == user_id, AccountCode.kind == RESET)
                                  .order_by(AccountCode.created_at.desc())))
    return resets, issued
