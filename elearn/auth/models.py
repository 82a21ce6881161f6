"""People. Only what the product needs: a pseudonym is enough; e-mail is optional."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..db import db

ROLES = ("learner", "trainer", "admin")


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    # Case-folded copy for unique look-ups: "Rami" and "rami" are the same person.
    username_key: Mapped[str] = mapped_column(String(40), unique=True)
    # A digest of what the pseudonym looks like (auth/names.py): a look-alike of a taken one is
    # refused. NULL for the few accounts that already looked alike when this was introduced.
    name_skeleton: Mapped[str | None] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    certificate_name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10), default="learner")
    locale: Mapped[str] = mapped_column(String(2), default="ar")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def name_for_certificates(self) -> str:
        return self.certificate_name or self.display_name

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username!r} {self.role}>"


class SignInFailure(db.Model):
    """One failed sign-in for an account name, kept for the lockout window (see lockout.py).

    The name is stored only as a SHA-256 digest of its case-folded form: people sometimes type
    their password into the name field, and a failed attempt may name no account at all.
    """

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_key_failed_at", "key", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class UserSession(db.Model):
    """One signed-in browser. The cookie carries a random token; this row holds its digest, so
    signing out (or "sign out of all devices", or a new password) ends the session on the server:
    a copy of the cookie taken before is worth nothing afterwards. A session ends at the latest
    SESSION_MAX_HOURS after sign-in; the idle timeout is kept in the signed cookie (auth/sessions.py)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the cookie's token
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class AccountCode(db.Model):
    """A one-time code that sets a new password: the learner's recovery codes ("recovery"), a
    reset code a trainer or an admin issued ("reset"), or the token of an e-mailed link ("email").
    Only a SHA-256 digest is stored: the codes are random (about 79 bits, 256 for e-mail tokens),
    so a digest cannot be turned back into a code."""

    __tablename__ = "account_codes"
    __table_args__ = (Index("ix_account_codes_user_kind", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime | None]
    used_at: Mapped[dt.datetime | None]
    # Who issued a reset code (a trainer or an admin); None for the learner's own codes.
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PasswordReset(db.Model):
    """A password set with a code, recorded: how ("recovery", "reset", "email") and, for a reset
    code, who issued it. The learner sees these on their account page."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
