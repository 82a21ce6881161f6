"""The issuer's Ed25519 keys, in a folder outside the repository (`BADGE_KEY_DIR`, by default
`<instance>/badge-keys`): one PKCS#8 PEM file per key, readable by its owner only, and a file
`active` naming the key that signs. `elearn badges keygen` makes the first key; `elearn badges
rotate` makes a new one and makes it active. Earlier keys are kept, and their public halves stay
published, so credentials signed with them still verify; a key that leaked is retired with
`elearn badges retire KID` (its public key is then published as revoked, and credentials it
signed no longer verify anywhere).
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ACTIVE = "active"


class NoKey(LookupError):
    """The operator has not generated a signing key yet (`elearn badges keygen`)."""


@dataclass(frozen=True)
class PublicKey:
    kid: str
    public_key: bytes
    created: dt.datetime
    retired: dt.datetime | None = None


@dataclass(frozen=True)
class Keyring:
    """What signing and verifying need, as plain values: every public key, and the active key."""

    keys: tuple[PublicKey, ...]
    active_kid: str | None
    active_private_key: bytes | None

    def public(self, kid: str) -> PublicKey | None:
        return next((key for key in self.keys if key.kid == kid), None)


def _crypto():
    """cryptography's serialization module and Ed25519 private key class."""
    # Why here: cryptography's Rust module maps some 6 MiB into each process that imports it; only
    # managing keys and signing need it, not serving pages.
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    return serialization, Ed25519PrivateKey


def _raw_private(key) -> bytes:
    serialization, _ = _crypto()
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


def _raw_public(key) -> bytes:
    serialization, _ = _crypto()
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def generate(folder: str | Path, now: dt.datetime) -> str:
    """Make a new key, make it the active one, and return its id."""
    serialization, Ed25519PrivateKey = _crypto()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    kid = f"{now:%Y%m%d}-{secrets.token_hex(4)}"
    key = Ed25519PrivateKey.generate()
    _write_private(folder / f"{kid}.pem", key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (folder / f"{ACTIVE}.tmp").write_text(kid)
    os.replace(folder / f"{ACTIVE}.tmp", folder / ACTIVE)  # atomic: a reader sees the old or the new id
    return kid


def retire(folder: str | Path, kid: str, now: dt.datetime) -> None:
    """Mark a key retired (it leaked, say): it signs nothing more and its signatures stop verifying."""
    folder = Path(folder)
    if not (folder / f"{kid}.pem").exists():
        raise NoKey(f"no key {kid}")
    if _active_kid(folder) == kid:
        raise ValueError("rotate first: the active key cannot be retired")
    (folder / f"{kid}.retired").write_text(now.isoformat())


def _active_kid(folder: Path) -> str | None:
    path = folder / ACTIVE
    return path.read_text().strip() if path.exists() else None


def load(folder: str | Path) -> Keyring:
    """Every key in the folder (an empty keyring if there is none)."""
    serialization, Ed25519PrivateKey = _crypto()
    folder = Path(folder)
    keys, active_private = [], None
    active = _active_kid(folder) if folder.is_dir() else None
    for path in sorted(folder.glob("*.pem")) if folder.is_dir() else ():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, Ed25519PrivateKey), f"{path} is not an Ed25519 key"
        retired_file = path.with_suffix(".retired")
        retired = dt.datetime.fromisoformat(retired_file.read_text().strip()) if retired_file.exists() else None
        created = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).replace(tzinfo=None)
        keys.append(PublicKey(path.stem, _raw_public(key), created, retired))
        if path.stem == active:
            active_private = _raw_private(key)
    return Keyring(tuple(keys), active if active_private else None, active_private)
