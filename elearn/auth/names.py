"""Look-alike pseudonyms: the skeleton two names share when they read the same on a page.

"demo-admin" typed with full-width letters, Cyrillic "а", "е" and "о", a soft hyphen or a
zero-width joiner is a different string that reads as "demo-admin" on the People page. Unicode's
answer (UTS #39, "Unicode Security Mechanisms", section 4) is a skeleton: normalise, drop what
is never displayed, and map every character to the prototype of its confusables class. Two names
with the same skeleton look alike, and a new pseudonym whose skeleton is taken is refused.

The confusables come from Unicode's confusables.txt as shipped by the `confusable_homoglyphs`
package. It stores each pair in both directions (and wraps right-to-left characters in marks), so
the classes are rebuilt here with a union-find, and each class is mapped to one member: the
multi-character prototype when there is one ("m" reads as "rn"), else an ASCII character, else the
lowest code point. Pseudonyms are equal regardless of case ("Rami" is "rami"), so the skeleton
is taken of the case-folded name.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from functools import cache
from importlib.resources import files

# Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties.txt, Unicode 15.1):
# characters a renderer shows as nothing, such as the soft hyphen, zero-width joiners, bidi
# marks, variation selectors and tag characters.
_IGNORABLE = [(0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
              (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
              (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
              (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF)]


_IGNORABLE_RE = re.compile("[" + "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in _IGNORABLE) + "]")


def _strip(text: str) -> str:
    return _IGNORABLE_RE.sub("", text)


@cache
def _prototypes() -> dict[str, str]:
    """Each confusable character -> the member of its class that stands for the class."""
    data = json.loads(files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8"))
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for key, entries in data.items():
        for entry in entries:
            a, b = _strip(key), _strip(entry["c"])
            if a and b:
                parent[find(a)] = find(b)
    classes: dict[str, list[str]] = {}
    for member in list(parent):
        classes.setdefault(find(member), []).append(member)
    mapping = {}
    for members in classes.values():
        chosen = min(members, key=lambda m: (len(m) == 1, not m.isascii(), len(m), m))
        mapping.update((m, chosen) for m in members if len(m) == 1 and m != chosen)
    return mapping


def _map(text: str) -> str:
    prototypes = _prototypes()
    return unicodedata.normalize("NFD", "".join(prototypes.get(ch, ch) for ch in text))


def skeleton(name: str) -> str:
    """What `name` looks like, case aside: equal skeletons read the same (UTS #39's skeleton of
    the case-folded name, after NFKC and without default-ignorable characters)."""
    text = _strip(unicodedata.normalize("NFKC", name.strip())).casefold()
    return _map(unicodedata.normalize("NFD", text))


def skeleton_key(name: str) -> str:
    """The stored form: a digest of the skeleton (fixed length, whatever the mapping makes of it)."""
    return hashlib.sha256(skeleton(name).encode()).hexdigest()
