"""Certificates. The PDF is made once, at issue, and stored: downloads serve what was stored,
and the module title and content version are kept as they were when it was earned.

A renewal (a passed refresher) issues a new certificate and marks the earlier one superseded;
the earlier ones stay in the learner's history and remain verifiable as superseded."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..db import db


class Certificate(db.Model):
    __tablename__ = "certificates"
    # One *current* (not superseded) certificate per learner and module: completing twice, or two
    # renewals at once, cannot leave two. A partial unique index, on SQLite and PostgreSQL alike.
    __table_args__ = (Index("uq_certificates_current", "user_id", "module_id", unique=True,
                            sqlite_where=text("superseded_at IS NULL"),
                            postgresql_where=text("superseded_at IS NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL once the holder deleted their account and chose to keep the certificate verifiable.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    module_id: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    title_ar: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    content_version: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_on: Mapped[dt.date | None]
    revoked_at: Mapped[dt.datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # Set on the earlier certificate when a renewal replaces it.
    superseded_at: Mapped[dt.datetime | None]
    # The certificate this one renewed (None for the first one earned).
    renewed_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="SET NULL"), unique=True)

    def title(self, lang: str) -> str:
        return self.title_ar if lang == "ar" else self.title_en
