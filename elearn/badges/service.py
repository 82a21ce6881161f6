"""Open Badges 3.0 credentials of certificates: build and sign one, publish the status lists,
check an uploaded credential. Services take a session and plain values (the keyring, the public
address, the time).

A credential is built from the certificate's row each time it is asked for and signed with the
active key: it says nothing the row does not, so it needs no table, and a rotated key signs the
next download. Revocation and supersession are not written anywhere else either: the status
lists are read from `revoked_at` and `superseded_at` when they are served, so
`elearn certificates revoke` shows in the list at once.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..certificates import service as certificates
from ..certificates.models import Certificate
from ..content import Module
from . import bitstring, credential as documents, proof
from .keys import Keyring, NoKey


def facts(certificate: Certificate, module: Module | None) -> documents.Facts:
    """What the credential says: the row as issued, and the module's summary if it still exists."""
    return documents.Facts(
        number=certificate.id, code=certificate.code, holder=certificate.name, module_id=certificate.module_id,
        title_en=certificate.title_en, title_ar=certificate.title_ar,
        summary_en=module.summary.en if module else certificate.title_en,
        summary_ar=module.summary.ar if module else certificate.title_ar,
        issued_at=certificate.issued_at, expires_on=certificate.expires_on)


def _sign(document: dict, keyring: Keyring, base_url: str, now: dt.datetime) -> dict:
    if keyring.active_private_key is None:
        raise NoKey("no signing key: run `elearn badges keygen`")
    return proof.sign(document, keyring.active_private_key, documents.key_url(base_url, keyring.active_kid),
                      documents.timestamp(now))


def credential_for(certificate: Certificate, module: Module | None, keyring: Keyring, base_url: str,
                   now: dt.datetime) -> dict:
    """The signed OpenBadgeCredential of a certificate."""
    unsigned = documents.open_badge(facts(certificate, module), base_url,
                                    certificates.verify_url(base_url, certificate.code))
    return _sign(unsigned, keyring, base_url, now)


def _numbers(session: Session, kind: str, list_number: int) -> list[int]:
    first = list_number * documents.LIST_SIZE
    column = Certificate.revoked_at if kind == documents.REVOCATION else Certificate.superseded_at
    return list(session.scalars(select(Certificate.id).where(
        Certificate.id >= first, Certificate.id < first + documents.LIST_SIZE, column.is_not(None))))


def status_list(session: Session, kind: str, list_number: int, keyring: Keyring, base_url: str,
                now: dt.datetime) -> dict:
    """The signed BitstringStatusListCredential: a bit set for each revoked (or superseded) certificate."""
    first = list_number * documents.LIST_SIZE
    encoded = bitstring.encode(documents.LIST_SIZE, (n - first for n in _numbers(session, kind, list_number)))
    return _sign(documents.status_list(base_url, kind, list_number, encoded, now), keyring, base_url, now)


def issuer_profile(keyring: Keyring, base_url: str) -> dict:
    return documents.issuer_profile(base_url, [documents.key_url(base_url, k.kid) for k in keyring.keys
                                               if k.retired is None])


def key_document(keyring: Keyring, kid: str, base_url: str) -> dict | None:
    key = keyring.public(kid)
    if key is None:
        return None
    return documents.key_document(base_url, kid, proof.public_key_multibase(key.public_key), key.retired)


# What checking an uploaded credential found, worst first.
NOT_A_CREDENTIAL, NOT_OURS, BAD_SIGNATURE, UNKNOWN_CERTIFICATE, SIGNED = (
    "not_a_credential", "not_ours", "bad_signature", "unknown_certificate", "signed")


@dataclass(frozen=True)
class Check:
    """The outcome of checking a credential: `outcome` is one of the constants above; when the
    signature holds, the certificate it names and that certificate's status today."""

    outcome: str
    certificate: Certificate | None = None
    status: str | None = None
    expired_by_dates: bool = False

    @property
    def valid(self) -> bool:
        return (self.outcome == SIGNED and not self.expired_by_dates
                and self.status in (certificates.CURRENT, certificates.DUE_SOON))


def _signing_key(document: dict, keyring: Keyring, base_url: str):
    method = document["proof"].get("verificationMethod", "")
    prefix = documents.key_url(base_url, "")
    if not isinstance(method, str) or not method.startswith(prefix):
        return None
    key = keyring.public(method.removeprefix(prefix))
    return key if key is not None and key.retired is None else None


def check(session: Session, document, keyring: Keyring, base_url: str, policy_days: int,
          now: dt.datetime) -> Check:
    """Check a credential someone uploaded: that this site issued it, that the signature holds
    (with the key it names, if that key is ours and not retired), then its certificate's status."""
    if not isinstance(document, dict) or not isinstance(document.get("proof"), dict) \
            or "OpenBadgeCredential" not in (document.get("type") or []):
        return Check(NOT_A_CREDENTIAL)
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    key = _signing_key(document, keyring, base_url)
    if issuer_id != documents.issuer_url(base_url) or key is None:
        return Check(NOT_OURS)
    try:
        signed = proof.verify(document, key.public_key)
    except (TypeError, KeyError, ValueError):  # jsonld.NotCanonicalisable is a ValueError
        signed = False
    if not signed:
        return Check(BAD_SIGNATURE)
    code = str(document.get("id", "")).rsplit("/", 1)[-1]
    certificate = certificates.find(session, code)
    if certificate is None:
        return Check(UNKNOWN_CERTIFICATE)
    valid_until = document.get("validUntil")
    expired = bool(valid_until) and valid_until < documents.timestamp(now)
    return Check(SIGNED, certificate, certificates.status_of(certificate, policy_days, now.date()), expired)
