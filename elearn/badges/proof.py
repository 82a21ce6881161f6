"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C VC Data Integrity EdDSA
Cryptosuites v1.0, section 3.3): canonicalise the document and the proof options with RDFC-1.0,
hash each with SHA-256, sign proof-hash || document-hash with Ed25519, and write the signature
as a base58btc multibase string.

Pure functions over dicts and key bytes; the keys themselves live in keys.py.
"""
from __future__ import annotations

import copy
import hashlib

from .jsonld import canonical_nquads

CRYPTOSUITE = "eddsa-rdfc-2022"
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
#: The multicodec prefix of an Ed25519 public key (0xed, as an unsigned varint: 0xed 0x01).
ED25519_PUB = b"\xed\x01"


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = ""
    while number:
        number, rest = divmod(number, 58)
        digits = _ALPHABET[rest] + digits
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + digits


def from_base58btc(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def public_key_multibase(public_key: bytes) -> str:
    """A Multikey's `publicKeyMultibase`: "z" + base58btc(0xed01 || 32-byte key)."""
    return "z" + base58btc(ED25519_PUB + public_key)


def public_key_from_multibase(value: str) -> bytes:
    raw = from_base58btc(value.removeprefix("z")) if value.startswith("z") else b""
    if not raw.startswith(ED25519_PUB) or len(raw) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return raw[2:]


def _hash_data(document: dict, proof_options: dict) -> bytes:
    options = {**proof_options, "@context": document["@context"]}
    options.pop("proofValue", None)
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    return (hashlib.sha256(canonical_nquads(options).encode()).digest()
            + hashlib.sha256(canonical_nquads(unsigned).encode()).digest())


def sign(document: dict, private_key: bytes, verification_method: str, created: str) -> dict:
    """A copy of `document` with an eddsa-rdfc-2022 DataIntegrityProof for assertion."""
    # Why here: cryptography's Rust module maps some 6 MiB into each process that imports it; only
    # signing and checking credentials and managing keys need it, not serving pages.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    proof = {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE, "created": created,
             "verificationMethod": verification_method, "proofPurpose": "assertionMethod"}
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(_hash_data(document, proof))
    signed = copy.deepcopy(document)
    signed["proof"] = {**proof, "proofValue": "z" + base58btc(signature)}
    return signed


def verify(document: dict, public_key: bytes) -> bool:
    """Whether the document's proof is a valid eddsa-rdfc-2022 signature by `public_key`."""
    # Why here: cryptography's Rust module maps some 6 MiB into each process that imports it; only
    # signing and checking credentials and managing keys need it, not serving pages.
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE \
            or proof.get("type") != "DataIntegrityProof" or not str(proof.get("proofValue", "")).startswith("z"):
        return False
    try:
        signature = from_base58btc(proof["proofValue"][1:])
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, _hash_data(document, proof))
    except (InvalidSignature, ValueError):
        return False
    return True
