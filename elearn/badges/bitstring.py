"""The bitstring of a W3C Bitstring Status List: bit 0 is the most significant bit of the first
byte; the list is GZIP-compressed and written as multibase base64url without padding ("u...")."""
from __future__ import annotations

import base64
import gzip
from typing import Iterable


def encode(size: int, set_bits: Iterable[int]) -> str:
    data = bytearray(size // 8)
    for index in set_bits:
        data[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same list always encodes the same way (stable ETags, reproducible tests).
    packed = gzip.compress(bytes(data), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("not a multibase base64url string")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def is_set(data: bytes, index: int) -> bool:
    return bool(data[index // 8] & (0x80 >> (index % 8)))
