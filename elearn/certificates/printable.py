"""What a certificate can print: the characters its font has, and the room the name has.

The renderer (pdf.py) and the account form ask the same questions here, so a name accepted at
entry is a name the certificate prints whole and inside its frame:

- ``unprintable(name)``: the characters the certificate font cannot draw (an emoji, a Greek or
  Cyrillic letter, a CJK character). fpdf2 would silently leave them out.
- ``name_layout(name)``: the size the name is printed at, from 24 pt down to 12 pt on one line,
  then on two lines at 12 pt; ``None`` when even that is not enough (the form refuses it; the
  renderer, given such a name from before the check, shrinks it further rather than push the
  module title, the dates and the code off the page).

Widths are measured as the renderer draws: HarfBuzz shaping with the bold Amiri the name is
printed in, kerning off (see pdf.py). Only fontpkg, fontTools and uharfbuzz: no PDF library.
"""
from __future__ import annotations

import functools
import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import fontpkg
import uharfbuzz as hb
from fontTools import ttLib

FONT = "amiri"
STYLES = {"": 400, "B": 700}  # fpdf2 style -> weight
#: Kerning off: Amiri moves some Arabic letters apart (ر before ي) by more than a tenth of an em,
#: which poppler and pdf.js read as a space between words ("سور يا").
FEATURES = {"kern": False}

COLUMN_WIDTH = 110.0  # mm, the width of each language's column
PT = 25.4 / 72  # mm per point
NAME_SIZE, NAME_MIN_SIZE, NAME_MAX_LINES = 24.0, 12.0, 2
#: Wrapping at word boundaries leaves the end of a line empty: two lines hold a bit less than
#: twice the column.
WRAP_FILL = 0.85


@functools.cache
def font_paths() -> dict[str, Path]:
    """Amiri TTF path per fpdf2 style ('' regular, 'B' bold), from the fontpkg-amiri package."""
    return {style: Path(fontpkg.path(FONT, weight=weight)) for style, weight in STYLES.items()}


@functools.cache
def _characters(style: str) -> frozenset[int]:
    return frozenset(ttLib.TTFont(str(font_paths()[style]), lazy=True).getBestCmap())


@functools.cache
def _harfbuzz(style: str) -> hb.Font:
    return hb.Font(hb.Face(hb.Blob.from_file_path(str(font_paths()[style]))))


def _drawn(char: str) -> bool:
    # Format characters (ZWJ, ZWNJ, direction marks) steer shaping and are never drawn.
    return not (char.isspace() or unicodedata.category(char) == "Cf")


def unprintable(text: str, style: str = "B") -> list[str]:
    """The characters of `text` the certificate font cannot draw, each once, in order."""
    have = _characters(style)
    missing = []
    for char in text:
        if _drawn(char) and ord(char) not in have and char not in missing:
            missing.append(char)
    return missing


def shown(char: str) -> str:
    """A character as an error message can show it: itself, or its code point when it is a mark
    that would sit on the quote or cannot be seen."""
    if unicodedata.category(char).startswith(("M", "C", "Z")):
        return f"U+{ord(char):04X}"
    return char


def text_width(text: str, size: float, style: str = "B") -> float:
    """The width in mm of `text` on one line at `size` points, shaped as the certificate shapes it."""
    font = _harfbuzz(style)
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(font, buffer, FEATURES)
    units = sum(position.x_advance for position in buffer.glyph_positions)
    return units / font.face.upem * size * PT


@dataclass(frozen=True)
class NameLayout:
    size: float  # points
    lines: int  # 1, or 2 when wrapped


def layout_for_width(width_at_1pt: float) -> NameLayout | None:
    """The name's size from its width in mm at 1 pt: the largest size (in half points) from
    NAME_SIZE down to NAME_MIN_SIZE that fits one line, else two lines at NAME_MIN_SIZE; None
    when two lines at NAME_MIN_SIZE are not enough."""
    if width_at_1pt <= 0 or width_at_1pt * NAME_SIZE <= COLUMN_WIDTH:
        return NameLayout(NAME_SIZE, 1)
    one_line = math.floor(COLUMN_WIDTH / width_at_1pt * 2) / 2
    if one_line >= NAME_MIN_SIZE:
        return NameLayout(one_line, 1)
    if width_at_1pt * NAME_MIN_SIZE <= COLUMN_WIDTH * NAME_MAX_LINES * WRAP_FILL:
        return NameLayout(NAME_MIN_SIZE, NAME_MAX_LINES)
    return None


def squeezed(width_at_1pt: float) -> NameLayout:
    """For a name past the limit (accepted before the check existed): small enough for two lines."""
    size = math.floor(COLUMN_WIDTH * NAME_MAX_LINES * WRAP_FILL / width_at_1pt * 2) / 2
    return NameLayout(max(size, 4.0), NAME_MAX_LINES)


def name_layout(name: str) -> NameLayout | None:
    """How `name` is printed on a certificate, or None when it is too long to print."""
    return layout_for_width(text_width(name, 1.0))
