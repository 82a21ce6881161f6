"""People. Only what the product needs: a pseudonym is enough; e-mail is optional."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String
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
