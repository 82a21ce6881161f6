"""Certificate rules: issue exactly once on completion, verification codes, validity, renewal, revocation.

Validity: a module may give its certificate a validity in months. A certificate is "current"
until `CERTIFICATE_DUE_SOON_DAYS` (default 30) days before it expires, then "due soon", and
"expired" after its last valid day (`expires_on`, inclusive). Renewing (a passed refresher, or
the final quiz passed again once the certificate is due soon or expired) issues a new
certificate with a new code and expiry; the earlier one is kept, "superseded".
"""
from __future__ import annotations

import base64
import calendar
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import Row, Select, select, update
from sqlalchemy.orm import Session, defer

from ..auth.models import User
from ..clock import utcnow
from ..content import Catalog, Module
from ..db import insert_once
from ..learning.service import COMPLETED, progress_by_module
from ..quiz.models import QuizAttempt
from .models import Certificate

CODE_BYTES = 10  # 80 random bits, shown as 16 base32 characters in groups of four

CURRENT, DUE_SOON, EXPIRED, REVOKED, SUPERSEDED = "current", "due_soon", "expired", "revoked", "superseded"
STATUSES = (CURRENT, DUE_SOON, EXPIRED, REVOKED, SUPERSEDED)
#: The statuses of a certificate someone holds now (what a trainer's report counts).
HELD_STATUSES = (CURRENT, DUE_SOON, EXPIRED)


def validity_status(expires_on: dt.date | None, revoked_at: dt.datetime | None, superseded: bool,
                    today: dt.date, due_soon_days: int) -> str:
    """One of STATUSES. Revocation wins over everything; a certificate without expiry stays current.

    `expires_on` is the last valid day; "due soon" starts `due_soon_days` days before it.
    """
    if revoked_at is not None:
        return REVOKED
    if superseded:
        return SUPERSEDED
    if expires_on is None:
        return CURRENT
    if expires_on < today:
        return EXPIRED
    if expires_on <= today + dt.timedelta(days=due_soon_days):
        return DUE_SOON
    return CURRENT


@dataclass(frozen=True)
class Policy:
    """The settings certificate rules need: the public address printed in certificates, and how
    many days before expiry a certificate is "due soon"."""

    base_url: str
    due_soon_days: int

    @classmethod
    def from_config(cls, config) -> "Policy":
        return cls(base_url=config["BASE_URL"], due_soon_days=config["CERTIFICATE_DUE_SOON_DAYS"])


def status_of(certificate: Certificate | Row, due_soon_days: int, today: dt.date | None = None) -> str:
    """A certificate's (or a report row's) status today (UTC)."""
    return validity_status(certificate.expires_on, certificate.revoked_at, certificate.superseded_at is not None,
                           today or utcnow().date(), due_soon_days)


#: What a report needs of a certificate (never the PDF).
REPORT_COLUMNS = (Certificate.id, Certificate.user_id, Certificate.module_id, Certificate.code, Certificate.issued_at,
                  Certificate.expires_on, Certificate.revoked_at, Certificate.superseded_at)


def current_certificates(session: Session, user_ids: Iterable[int] | Select,
                         module_ids: Iterable[str] | None = None) -> dict[tuple[int, str], Row]:
    """Each person's current (not superseded) certificate per module, in one query.

    `user_ids` may be a list or a SELECT of user ids (used as a subquery, so a report on thousands
    of learners sends one statement). The partial unique index guarantees at most one current
    certificate per learner and module. Values are read-only rows with the attributes of
    REPORT_COLUMNS, named as on Certificate (`status_of(row, days)` works on them): building 5,000 ORM
    objects costs several times the query itself (bench/refreshers.py).
    """
    query = select(*REPORT_COLUMNS).where(Certificate.superseded_at.is_(None), Certificate.user_id.in_(user_ids))
    if module_ids is not None:
        query = query.where(Certificate.module_id.in_(list(module_ids)))
    return {(row.user_id, row.module_id): row for row in session.execute(query)}


def new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode()
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def normalise_code(code: str) -> str:
    """Accept a code typed with spaces, lowercase letters or no dashes."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def verify_url(base_url: str, code: str) -> str:
    return f"{base_url}/verify/{code}"


def for_user_module(session: Session, user_id: int, module_id: str) -> Certificate | None:
    """The learner's current (not superseded) certificate for a module."""
    return session.scalar(select(Certificate).filter_by(user_id=user_id, module_id=module_id, superseded_at=None))


def find(session: Session, code: str) -> Certificate | None:
    return session.scalar(select(Certificate).where(Certificate.code == normalise_code(code)))


def _new_certificate(user: User, module: Module, today: dt.date, base_url: str) -> Certificate:
    # Why here: the PDF stack (fpdf2, fontTools, HarfBuzz, Pillow) costs every process memory
    # and start-up time; only the rare request that issues a certificate needs it.
    from .pdf import CertificateContent, render_certificate_pdf

    expires = add_months(today, module.certificate_validity_months) if module.certificate_validity_months else None
    code = new_code()
    content = CertificateContent(name=user.name_for_certificates, module_title_ar=module.title.ar,
                                 module_title_en=module.title.en, issued_on=today, expires_on=expires,
                                 code=code, verify_url=verify_url(base_url, code))
    return Certificate(user_id=user.id, module_id=module.id, code=code, name=content.name,
                       title_ar=module.title.ar, title_en=module.title.en, content_version=module.version,
                       expires_on=expires, pdf=render_certificate_pdf(content))


def issue_if_complete(session: Session, catalog: Catalog, user: User, module: Module,
                      policy: Policy) -> Certificate | None:
    """Issue the module's certificate if the learner has completed it and holds none (committed).

    A learner who holds one already gets a renewal instead when it is due soon or expired and the
    final quiz was passed again after it was issued (retaking the final quiz renews, like a
    refresher). Returns the new certificate, or None.
    """
    if progress_by_module(session, user.id, catalog)[module.id].status != COMPLETED:
        return None
    existing = for_user_module(session, user.id, module.id)
    if existing is not None:
        if (status_of(existing, policy.due_soon_days) in (DUE_SOON, EXPIRED)
                and _final_passed_since(session, existing, module)):
            return renew(session, user, module, existing, policy)
        return None
    certificate = _new_certificate(user, module, utcnow().date(), policy.base_url)
    # None when another request issued it a moment ago (the unique index refused this one).
    return certificate if insert_once(session, certificate) else None


def _final_passed_since(session: Session, certificate: Certificate, module: Module) -> bool:
    return session.scalar(select(QuizAttempt.id).where(
        QuizAttempt.user_id == certificate.user_id, QuizAttempt.module_id == module.id,
        QuizAttempt.quiz_id == module.final_quiz_id, QuizAttempt.passed.is_(True),
        QuizAttempt.submitted_at > certificate.issued_at).limit(1)) is not None


def renew(session: Session, user: User, module: Module, previous: Certificate, policy: Policy) -> Certificate | None:
    """Replace `previous` by a new certificate (new code, expiry counted from today).

    The conditional UPDATE marks `previous` superseded only if nobody did it first, so two
    renewals at once issue one certificate; the partial unique index backs this up. Returns the
    new certificate, or None if `previous` was already renewed (or revoked).
    """
    if previous.revoked_at is not None:
        return None
    now = utcnow()
    claimed = session.execute(update(Certificate).where(
        Certificate.id == previous.id, Certificate.superseded_at.is_(None), Certificate.revoked_at.is_(None),
    ).values(superseded_at=now)).rowcount
    if not claimed:
        session.rollback()
        return None
    certificate = _new_certificate(user, module, now.date(), policy.base_url)
    certificate.renewed_from_id = previous.id
    if not insert_once(session, certificate):
        return None
    session.refresh(previous)
    return certificate


def history(session: Session, user_id: int) -> list[Certificate]:
    """Every certificate the learner was ever issued, newest first (superseded ones included)."""
    return list(session.scalars(select(Certificate).options(defer(Certificate.pdf))
                                .where(Certificate.user_id == user_id)
                                .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def renewal_of(session: Session, certificate: Certificate) -> Certificate | None:
    """The certificate that superseded this one."""
    return session.scalar(select(Certificate).options(defer(Certificate.pdf))
                          .where(Certificate.renewed_from_id == certificate.id))


def revoke(session: Session, certificate: Certificate, reason: str) -> None:
    if certificate.revoked_at is None:
        certificate.revoked_at = utcnow()
        certificate.revoked_reason = reason.strip()
        session.commit()


def for_user(session: Session, user_id: int) -> list[Certificate]:
    """The learner's current certificates (one per module at most), newest first."""
    return list(session.scalars(select(Certificate).options(defer(Certificate.pdf))
                                .where(Certificate.user_id == user_id, Certificate.superseded_at.is_(None))
                                .order_by(Certificate.issued_at.desc())))
