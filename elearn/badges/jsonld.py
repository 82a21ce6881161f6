"""JSON-LD canonicalisation (RDFC-1.0, which PyLD calls URDNA2015) with the contexts shipped in
contexts/: the document loader never goes to the network. A context it does not ship is an
error, so a credential can only be signed or checked over terms we have read."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

CONTEXTS = Path(__file__).resolve().parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-context-3.0.3.json",
    MULTIKEY_V1: "multikey-v1.jsonld",
}


class UnknownContext(ValueError):
    """A document names a JSON-LD context that elearn does not ship."""


class NotCanonicalisable(ValueError):
    """PyLD could not canonicalise the document (it is not valid JSON-LD over the shipped contexts)."""


@cache
def _context(url: str) -> dict:
    return json.loads((CONTEXTS / _FILES[url]).read_text(encoding="utf-8"))


def load_document(url: str, options=None) -> dict:
    """PyLD's document loader, offline: the shipped contexts, nothing else."""
    if url not in _FILES:
        raise UnknownContext(f"unknown JSON-LD context {url!r}")
    return {"contextUrl": None, "documentUrl": url, "document": _context(url)}


def shipped(url: str) -> dict:
    """A shipped context document (the verifier tests hand them to a second implementation)."""
    return load_document(url)["document"]


def canonical_nquads(document: dict) -> str:
    """The document as canonical N-Quads (RDFC-1.0); NotCanonicalisable if PyLD refuses it."""
    # Why here: PyLD and what it imports (requests, lxml) take some 10 MiB in each process; only
    # signing and checking a credential need them, not serving pages.
    from pyld import jsonld

    try:
        return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                           "documentLoader": load_document})
    except jsonld.JsonLdError as exc:
        raise NotCanonicalisable(str(exc)) from exc
