"""The documents of an Open Badges 3.0 issuer, as plain dicts: the OpenBadgeCredential of a
certificate, the issuer's Profile, its public keys (Multikey) and its status lists. Pure
functions of plain values; signing is proof.py's, the database is service.py's.

Both languages in one credential: Open Badges 3.0's JSON schema makes `name` and `description`
single strings, so each carries English then Arabic (the Arabic wrapped in Unicode first-strong
isolates, so a left-to-right display does not reorder it). VC 2.0 language value objects would
be neater but fail the OB 3.0 schema that badge platforms validate against.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .jsonld import MULTIKEY_V1, OB_V3, VC_V2

CONTEXT = [VC_V2, OB_V3]
#: Open Badges 3.0 asks for at least this many entries per status list (herd privacy: 16 KB).
LIST_SIZE = 131_072
REVOCATION, SUPERSESSION = "revocation", "superseded"
#: status list path segment -> statusPurpose (supersession is a "message" list, not a revocation:
#: a renewed certificate was earned and valid, then replaced).
PURPOSES = {REVOCATION: "revocation", SUPERSESSION: "message"}
SUPERSESSION_MESSAGES = [{"status": "0x0", "message": "current (not replaced by a renewal)"},
                         {"status": "0x1", "message": "superseded: replaced by a renewed certificate"}]
ISSUER_NAME = "elearn"
FSI, PDI = "\u2068", "\u2069"
#: Neither the VC nor the OB context defines `assertionMethod` on a Profile; this is the
#: Security Vocabulary's definition (as in the W3C Controlled Identifiers context).
ASSERTION_METHOD = {"assertionMethod": {"@id": "https://w3id.org/security#assertionMethod",
                                        "@type": "@id", "@container": "@set"}}


@dataclass(frozen=True)
class Facts:
    """What a credential says about a certificate (read from its row and the module)."""

    number: int  # the certificate's id: its place in the status lists
    code: str
    holder: str
    module_id: str
    title_en: str
    title_ar: str
    summary_en: str
    summary_ar: str
    issued_at: dt.datetime
    expires_on: dt.date | None


def both(en: str, ar: str, joiner: str = " / ") -> str:
    return f"{en}{joiner}{FSI}{ar}{PDI}"


def timestamp(moment: dt.datetime) -> str:
    """An XML Schema dateTimeStamp in UTC, to the second (what VC 2.0 asks for)."""
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_url(base_url: str) -> str:
    return f"{base_url}/badges/issuer"


def key_url(base_url: str, kid: str) -> str:
    return f"{base_url}/badges/keys/{kid}"


def status_list_url(base_url: str, kind: str, number: int) -> str:
    return f"{base_url}/badges/status/{kind}/{number}"


def status_place(certificate_number: int) -> tuple[int, int]:
    """(list number, index in the list) of a certificate."""
    return divmod(certificate_number, LIST_SIZE)


def issuer_profile(base_url: str, key_urls: list[str]) -> dict:
    """The issuer's Profile, which also lists the keys it asserts with (a verifier checks that
    the key that signed a credential belongs to its issuer)."""
    return {"@context": [*CONTEXT, ASSERTION_METHOD], "id": issuer_url(base_url), "type": ["Profile"],
            "name": both("elearn: sanctions on Syria, advocacy training", "elearn: تدريب المناصرة حول العقوبات على سوريا"),
            "url": base_url, "assertionMethod": key_urls}


def key_document(base_url: str, kid: str, multibase: str, retired: dt.datetime | None) -> dict:
    document = {"@context": MULTIKEY_V1, "id": key_url(base_url, kid), "type": "Multikey",
                "controller": issuer_url(base_url), "publicKeyMultibase": multibase}
    if retired is not None:
        document["revoked"] = timestamp(retired)
    return document


def _status_entries(base_url: str, number: int) -> list[dict]:
    list_number, index = status_place(number)
    entries = []
    for kind, purpose in PURPOSES.items():
        url = status_list_url(base_url, kind, list_number)
        entry = {"id": f"{url}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": purpose,
                 "statusListIndex": str(index), "statusListCredential": url}
        if purpose == "message":
            entry.update(statusSize=1, statusMessage=SUPERSESSION_MESSAGES)
        entries.append(entry)
    return entries


def open_badge(facts: Facts, base_url: str, verify_url: str) -> dict:
    """The unsigned OpenBadgeCredential of a certificate."""
    achievement = {
        "id": f"{base_url}/badges/achievements/{facts.module_id}",
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": both(facts.title_en, facts.title_ar),
        "description": both(facts.summary_en, facts.summary_ar, "\n\n"),
        "criteria": {"narrative": both(
            "Read every lesson of the module, passed its check quizzes and its final quiz.",
            "قراءة جميع دروس الوحدة، والنجاح في اختبارات التحقق والاختبار النهائي.", "\n\n")},
    }
    credential = {
        "@context": CONTEXT,
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement["name"],
        "issuer": {"id": issuer_url(base_url), "type": ["Profile"], "name": ISSUER_NAME, "url": base_url},
        "validFrom": timestamp(facts.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            # No e-mail, no account id: the name as printed on the PDF certificate, unhashed.
            "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                            "identityHash": facts.holder}],
            "achievement": achievement,
        },
        "credentialStatus": _status_entries(base_url, facts.number),
    }
    if facts.expires_on is not None:
        credential["validUntil"] = f"{facts.expires_on.isoformat()}T23:59:59Z"  # the last valid day, inclusive
    return credential


def status_list(base_url: str, kind: str, number: int, encoded: str, now: dt.datetime) -> dict:
    """The unsigned BitstringStatusListCredential of list `number` of `kind`."""
    url = status_list_url(base_url, kind, number)
    return {"@context": [VC_V2], "id": url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer_url(base_url), "validFrom": timestamp(now),
            "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                                  "statusPurpose": PURPOSES[kind], "encodedList": encoded}}
