"""Certificate rules: issue exactly once on completion, verification codes, expiry, revocation."""
from __future__ import annotations

import base64
import calendar
import datetime as dt
import secrets

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth.models import User, utcnow
from ..content import Catalog, Module
from ..learning.service import COMPLETED, progress_by_module
from .models import Certificate
from .pdf import CertificateContent, render_certificate_pdf

CODE_BYTES = 10  # 80 random bits, shown as 16 base32 characters in groups of four


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


def verify_url(code: str) -> str:
    return f"{current_app.config['BASE_URL']}/verify/{code}"


def for_user_module(session: Session, user_id: int, module_id: str) -> Certificate | None:
    return session.scalar(select(Certificate).filter_by(user_id=user_id, module_id=module_id))


def find(session: Session, code: str) -> Certificate | None:
    return session.scalar(select(Certificate).where(Certificate.code == normalise_code(code)))


def issue_if_complete(session: Session, catalog: Catalog, user: User, module: Module) -> Certificate | None:
    """Issue the module's certificate if the learner has just completed it.

    Returns the new certificate, or None when the module is not complete or one exists already.
    """
    if progress_by_module(session, user.id, catalog)[module.id].status != COMPLETED:
        return None
    if for_user_module(session, user.id, module.id) is not None:
        return None
    today = utcnow().date()
    expires = add_months(today, module.certificate_validity_months) if module.certificate_validity_months else None
    code = new_code()
    content = CertificateContent(name=user.name_for_certificates, module_title_ar=module.title.ar,
                                 module_title_en=module.title.en, issued_on=today, expires_on=expires,
                                 code=code, verify_url=verify_url(code))
    certificate = Certificate(user_id=user.id, module_id=module.id, code=code, name=content.name,
                              title_ar=module.title.ar, title_en=module.title.en, content_version=module.version,
                              expires_on=expires, pdf=render_certificate_pdf(content))
    session.add(certificate)
    try:
        session.commit()
    except IntegrityError:  # another request issued it a moment ago
        session.rollback()
        return None
    return certificate


def revoke(session: Session, certificate: Certificate, reason: str) -> None:
    if certificate.revoked_at is None:
        certificate.revoked_at = utcnow()
        certificate.revoked_reason = reason.strip()
        session.commit()


def for_user(session: Session, user_id: int) -> list[Certificate]:
    return list(session.scalars(select(Certificate).where(Certificate.user_id == user_id)
                                .order_by(Certificate.issued_at.desc())))
