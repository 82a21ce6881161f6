"""Certificate PDF renderer (pure function, no Flask).

One A4 landscape page: an English column on the left (left-to-right, left
aligned) and an Arabic column on the right (right-to-left, right aligned),
one vector QR code of the verification URL at the bottom centre.

Arabic is shaped by HarfBuzz through fpdf2's text shaping (uharfbuzz) with
the Amiri font of the ``fontpkg-amiri`` package (Amiri also covers Latin, so
one family serves both languages).  The font is embedded as a subset.  Never
pass text through arabic-reshaper / python-bidi: shaping twice corrupts it.

Speed: parsing Amiri (``FPDF.add_font``) and subsetting it on output are
most of the cost of a certificate (plain fpdf2: ~170 ms each on a 2-core
box).  The parsed font is therefore kept per process as a *template* (cmap,
widths, HarfBuzz face, parsed 'glyf'/'hmtx' data of a "lean" font program
without the layout tables fpdf2 drops from subsets anyway) and cloned into
each document (~45 ms each).  This relies on fpdf2 internals (``TTFFont``,
``SubsetMap``; fpdf2 2.8) and on how fontTools' subsetter treats tables; if
cloning fails, rendering falls back to plain ``add_font`` (same page content,
slower).  ``tests/test_certificate_pdf.py`` checks both paths agree.

fpdf2 also needs a small fix for Arabic diacritics, applied on import: see
``_patch_inherited_script``.
"""

from __future__ import annotations

import copy
import datetime
import functools
import io
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import fontpkg
import segno
from babel.dates import format_date
from fpdf import FPDF

__all__ = ["CertificateContent", "preload_fonts", "render_certificate_pdf"]

log = logging.getLogger(__name__)

APP_NAME = "elearn"
#: Babel locale of Arabic dates: 'ar' gives "22 نوفمبر 2026"
#: ('ar_SY' would give the Levantine month names: "22 تشرين الثاني 2026").
ARABIC_DATE_LOCALE = "ar"
ENGLISH_DATE_LOCALE = "en_GB"  # "22 November 2026"


@dataclass(frozen=True)
class CertificateContent:
    name: str  # the name the learner chose for certificates (Arabic, Latin or mixed)
    module_title_ar: str
    module_title_en: str
    issued_on: datetime.date
    expires_on: datetime.date | None  # when the module has a validity
    code: str  # verification code, e.g. 'K7QM-3XRD-PW9A-TV2C-HN'
    verify_url: str  # public verification URL (QR code + text)


# --------------------------------------------------------------------------
# fpdf2 fix: combining marks must not split a shaping run
# --------------------------------------------------------------------------

def _patch_inherited_script() -> None:
    """Treat Unicode script "Inherited" like "Common" in fpdf2's run splitting.

    fpdf2 (checked up to 2.8.9) splits text into separately shaped fragments
    whenever the Unicode script changes, and counts combining marks (script
    Inherited: shadda, fatha, tanween, ZWNJ, ...) as a script of their own.
    "منصّة" is then shaped as "منص" + "ّ" + "ة": the letters lose their
    joining forms and the shadda its anchor.  Marks inherit the script of the
    preceding character (UAX #24), i.e. they must never start a new run.
    Idempotent; only ``FPDF._parse_chars`` uses this function.
    """
    import fpdf.fpdf as fpdf_module
    from fpdf.unicode_script import UnicodeScript

    original = fpdf_module.get_unicode_script
    if getattr(original, "_inherited_as_common", False):
        return

    @functools.lru_cache(maxsize=None)
    def get_unicode_script(char: str) -> UnicodeScript:
        script = original(char)
        return UnicodeScript.COMMON if script == UnicodeScript.INHERITED else script

    get_unicode_script._inherited_as_common = True  # type: ignore[attr-defined]
    fpdf_module.get_unicode_script = get_unicode_script


_patch_inherited_script()


# --------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------

FONT = "amiri"
_STYLES = {"": 400, "B": 700}

# Tables fpdf2 drops from embedded subsets anyway (see fpdf/output.py).
_LEAN_DROP = (
    "FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT",
    "CBLC", "EBDT", "EBLC", "EBSC", "SVG ", "CPAL", "COLR",
)


@functools.lru_cache(maxsize=None)
def font_paths() -> dict[str, Path]:
    """Amiri TTF path per fpdf2 style ('' regular, 'B' bold), resolved once.

    ``fontpkg.path(family, weight=..., style='normal')`` returns a
    ``pathlib.Path`` inside the installed ``fontpkg_amiri`` package.
    """
    return {style: Path(fontpkg.path("amiri", weight=w)) for style, w in _STYLES.items()}


class _SharedGlyphs(dict):
    """The template's ``glyf`` glyphs; every read hands out a private copy.

    fontTools' subsetter rebinds ``glyf.glyphs`` to a new dict built by
    indexing this one, then edits those glyphs in place (component remapping,
    hinting trim): copies keep the shared originals intact.  The originals are
    never expanded, so a copy is just the raw glyph bytes.
    """

    __slots__ = ()

    def __getitem__(self, name):
        src = dict.__getitem__(self, name)
        glyph = object.__new__(type(src))
        glyph.__dict__.update(src.__dict__)
        return glyph

    def get(self, name, default=None):
        return self[name] if name in self else default

    def values(self):
        return [self[name] for name in self]

    def items(self):
        return [(name, self[name]) for name in self]


@dataclass(frozen=True)
class _FontTemplate:
    font: object  # fpdf.fonts.TTFFont, parsed once, never output itself
    lean: bytes  # font program without layout tables and glyph names
    glyph_order: tuple[str, ...]
    glyf_state: dict  # decompiled 'glyf' table state (glyphs: _SharedGlyphs)
    hmtx_state: dict  # decompiled 'hmtx' table state (tuples: immutable)


def _lean_font(path: Path) -> bytes:
    """``path`` without the tables fpdf2 drops from subsets and without glyph
    names (post format 3: subsets are written that way anyway)."""
    from fontTools import ttLib

    tt = ttLib.TTFont(path, recalcTimestamp=False)
    tt.getGlyphOrder()
    for tag in _LEAN_DROP:
        if tag in tt:
            del tt[tag]
    post = tt["post"]
    post.formatType = 3.0
    post.extraNames, post.mapping = [], {}
    buf = io.BytesIO()
    tt.save(buf)
    return buf.getvalue()


@functools.lru_cache(maxsize=None)
def _font_templates() -> dict[str, _FontTemplate]:
    from fontTools import ttLib

    pdf = FPDF()
    out = {}
    for style, path in font_paths().items():
        pdf.add_font(FONT, style, path)
        font = pdf.fonts[FONT + style]
        font.hbfont  # noqa: B018 - load the HarfBuzz face once
        order = tuple(font.ttfont.getGlyphOrder())
        lean = _lean_font(path)
        tt = ttLib.TTFont(io.BytesIO(lean), recalcBBoxes=False, lazy=True)
        tt.setGlyphOrder(list(order))
        glyf_state = dict(tt["glyf"].__dict__)
        glyf_state["glyphs"] = _SharedGlyphs(glyf_state["glyphs"])
        glyf_state.pop("_reverseGlyphOrder", None)
        out[style] = _FontTemplate(font, lean, order, glyf_state, dict(tt["hmtx"].__dict__))
    return out


def _document_ttfont(tpl: _FontTemplate):
    """A per-document font program for fpdf2 to subset (it edits it in place).

    Only small tables are parsed again; 'glyf' and 'hmtx' reuse the
    template's parsed data.  recalcBBoxes=False lets fontTools copy glyph
    bytes instead of decoding and re-encoding every outline.
    """
    from fontTools import ttLib

    tt = ttLib.TTFont(io.BytesIO(tpl.lean), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    order = list(tpl.glyph_order)
    tt.setGlyphOrder(order)
    for tag, state in (("glyf", tpl.glyf_state), ("hmtx", tpl.hmtx_state)):
        cls = ttLib.getTableClass(tag)
        table = cls.__new__(cls)
        table.__dict__.update(state)
        if tag == "glyf":
            table.glyphOrder = order
        tt[tag] = table
    return tt


def _clone_font(tpl: _FontTemplate, index: int):
    from fpdf.fonts import HarfBuzzFont, SubsetMap, TTFFont

    src = tpl.font
    font = TTFFont.__new__(TTFFont)
    for slot in TTFFont.__slots__:  # immutable parts are shared
        if hasattr(src, slot):
            setattr(font, slot, getattr(src, slot))
    font.i = index
    font.desc = copy.copy(src.desc)  # fpdf2 sets its object id and font file
    # Own HarfBuzz font (fpdf2 sets its ptem) on the shared, immutable face.
    font._hbfont = HarfBuzzFont(src.hbfont.face)
    font.ttfont = _document_ttfont(tpl)
    font.cw = src.cw.copy()
    font.glyph_ids = dict(src.glyph_ids)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    return font


_fast_fonts = True  # switched off for good if cloning ever fails


def preload_fonts() -> None:
    """Parse the fonts now (about 0.2 s) instead of in the first request.

    Optional: call it at start-up, e.g. before gunicorn forks its workers.
    """
    if _fast_fonts:
        _font_templates()


def _add_fonts(pdf: FPDF) -> None:
    global _fast_fonts
    if _fast_fonts:
        try:
            clones = {}
            for style, tpl in _font_templates().items():
                clones[FONT + style] = _clone_font(tpl, len(pdf.fonts) + len(clones) + 1)
        except Exception:  # fpdf2 internals changed: stay correct, get slower
            log.warning("certificate font cache disabled; using FPDF.add_font", exc_info=True)
            _fast_fonts = False
        else:
            pdf.fonts.update(clones)
            return
    for style, path in font_paths().items():
        pdf.add_font(FONT, style, path)


# --------------------------------------------------------------------------
# Layout (mm; A4 landscape = 297 x 210)
# --------------------------------------------------------------------------

PAGE_W, PAGE_H = 297.0, 210.0
COL_W = 110.0  # leaves a 32 mm centre gap for the QR code (28 mm)
COL_EN_X = 22.0
COL_AR_X = PAGE_W - 22.0 - COL_W
MID_X = PAGE_W / 2
PT = 25.4 / 72  # mm per point

NAVY = (28, 52, 84)
GOLD = (168, 134, 78)
TEXT = (45, 45, 45)
MUTED = (95, 95, 95)


class _Column:
    """Writes successive blocks in one column, tracking the vertical position."""

    def __init__(self, pdf: FPDF, x: float, rtl: bool, y: float) -> None:
        self.pdf, self.x, self.rtl, self.y = pdf, x, rtl, y
        self.align = "R" if rtl else "L"

    def _prepare(self, style: str, size: float, colour, auto_dir: bool = False) -> None:
        # auto_dir: paragraph direction from the first strong character (like
        # HTML dir="auto"), so a mixed name or a URL reads the same in both columns.
        direction = None if auto_dir else ("rtl" if self.rtl else "ltr")
        self.pdf.set_text_shaping(True, direction=direction)
        self.pdf.set_font(FONT, style, size)
        self.pdf.set_text_color(*colour)

    def line(self, text: str, style: str, size: float, colour, gap: float = 0.0,
             min_size: float | None = None, leading: float = 1.45,
             auto_dir: bool = False) -> None:
        """One line; shrinks down to ``min_size`` to fit, else wraps."""
        self._prepare(style, size, colour, auto_dir)
        width = self.pdf.get_string_width(text)
        if width > COL_W and min_size:
            size = max(min_size, math.floor(size * COL_W / width * 0.98 * 2) / 2)
            self.pdf.set_font(FONT, style, size)
            width = self.pdf.get_string_width(text)
        h = size * PT * leading
        self.pdf.set_xy(self.x, self.y)
        if width <= COL_W:
            self.pdf.cell(COL_W, h, text, align=self.align)
            self.y += h
        else:
            self.pdf.multi_cell(COL_W, h, text, align=self.align)
            self.y = self.pdf.get_y()
        self.y += gap

    def block(self, text: str, style: str, size: float, colour, max_lines: int,
              min_size: float, gap: float = 0.0) -> None:
        """Wrapped text; shrinks so that it takes about ``max_lines`` lines."""
        self._prepare(style, size, colour)
        width = self.pdf.get_string_width(text)
        while size > min_size and width > COL_W * max_lines * 0.85:
            size -= 1
            width *= (size / (size + 1))
        self.pdf.set_font(FONT, style, size)
        h = size * PT * 1.3
        self.pdf.set_xy(self.x, self.y)
        if width <= COL_W:
            self.pdf.cell(COL_W, h, text, align=self.align)
            self.y += h
        else:
            self.pdf.multi_cell(COL_W, h, text, align=self.align)
            self.y = self.pdf.get_y()
        self.y += gap

    def rule(self, length: float, gap: float) -> None:
        pdf = self.pdf
        pdf.set_draw_color(*GOLD)
        pdf.set_line_width(0.5)
        x0 = self.x + COL_W - length if self.rtl else self.x
        pdf.line(x0, self.y, x0 + length, self.y)
        self.y += gap


def _draw_qr(pdf: FPDF, data: str, x: float, y: float, size: float) -> None:
    """``data`` as a vector QR code: one filled rectangle per run of dark modules."""
    qr = segno.make(data, error="m", micro=False)
    rows = [tuple(r) for r in qr.matrix_iter(border=0)]
    m = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c, n = 0, len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                # +0.02 mm overlap hides hairline seams between rows in viewers
                pdf.rect(x + start * m, y + r * m, (c - start) * m, m + 0.02, style="F")
            else:
                c += 1


def _details(col: _Column, lines: list[str], url_label: str, url: str) -> None:
    size = 11
    for text in lines:
        col.line(text, "", size, MUTED, min_size=8)
    col.line(url_label, "", size, MUTED)
    col.line(url, "", size, NAVY, min_size=7, auto_dir=True)


def render_certificate_pdf(content: CertificateContent) -> bytes:
    """Render ``content`` as a one-page bilingual A4 landscape PDF."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0
    pdf.set_creator(APP_NAME)
    pdf.set_title(f"{APP_NAME} – Certificate of completion / شهادة إتمام – {content.code}")
    # Fixed creation date (and so a fixed file ID): the same certificate
    # always renders to the same bytes.
    pdf.set_creation_date(
        datetime.datetime.combine(content.issued_on, datetime.time(), datetime.timezone.utc)
    )
    _add_fonts(pdf)
    pdf.add_page()

    # Frame: navy outer rule, thin gold inner rule.
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(1.4)
    pdf.rect(9, 9, PAGE_W - 18, PAGE_H - 18)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.4)
    pdf.rect(12.5, 12.5, PAGE_W - 25, PAGE_H - 25)

    # App name, centred on top.
    pdf.set_text_shaping(True, direction="ltr")
    pdf.set_font(FONT, "B", 16)
    pdf.set_text_color(*NAVY)
    pdf.set_char_spacing(2)
    pdf.set_xy(0, 19)
    pdf.cell(PAGE_W, 8, APP_NAME, align="C")
    pdf.set_char_spacing(0)

    top = 40
    details_top = 122

    # English --------------------------------------------------------------
    en = _Column(pdf, COL_EN_X, rtl=False, y=top)
    en.line("Certificate of Completion", "B", 28, NAVY, gap=1.5)
    en.rule(44, 9)
    en.line("This certifies that", "", 13, TEXT, gap=1.5)
    en.line(content.name, "B", 24, NAVY, gap=1.5, min_size=12, auto_dir=True)
    en.line("has successfully completed the module", "", 13, TEXT, gap=1.5)
    en.block(content.module_title_en, "B", 16, TEXT, max_lines=3, min_size=11)

    en_details = [f"Issued on {format_date(content.issued_on, 'long', locale=ENGLISH_DATE_LOCALE)}"]
    if content.expires_on is not None:
        en_details.append(
            f"Valid until {format_date(content.expires_on, 'long', locale=ENGLISH_DATE_LOCALE)}"
        )
    en_details.append(f"Verification code: {content.code}")

    # Arabic ---------------------------------------------------------------
    ar = _Column(pdf, COL_AR_X, rtl=True, y=top)
    ar.line("شهادة إتمام", "B", 28, NAVY, gap=1.5)
    ar.rule(44, 9)
    ar.line(f"تشهد منصّة {APP_NAME} بإتمام", "", 14, TEXT, gap=1.5)
    ar.line(content.name, "B", 24, NAVY, gap=1.5, min_size=12, auto_dir=True)
    ar.line("بنجاحٍ الوحدةَ التدريبية", "", 14, TEXT, gap=1.5)
    ar.block(content.module_title_ar, "B", 17, TEXT, max_lines=3, min_size=12)

    ar_details = [f"تاريخ الإصدار: {format_date(content.issued_on, 'long', locale=ARABIC_DATE_LOCALE)}"]
    if content.expires_on is not None:
        ar_details.append(
            f"صالحة حتى: {format_date(content.expires_on, 'long', locale=ARABIC_DATE_LOCALE)}"
        )
    ar_details.append(f"رمز التحقق: {content.code}")

    # Details start on the same line in both columns, below the longer body.
    en.y = ar.y = max(en.y + 5, ar.y + 5, details_top)
    _details(en, en_details, "Verify this certificate at:", content.verify_url)
    _details(ar, ar_details, "للتحقق من صحة هذه الشهادة:", content.verify_url)

    # QR code at the bottom centre (it sits in the gap between the columns,
    # so very long texts can run beside it), divider above it.
    qr_size = 28
    qr_y = min(max(150.0, max(en.y, ar.y) + 5), PAGE_H - 13 - 9 - qr_size)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.3)
    pdf.line(MID_X, top, MID_X, min(max(en.y, ar.y), qr_y - 5))
    _draw_qr(pdf, content.verify_url, MID_X - qr_size / 2, qr_y, qr_size)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.set_text_shaping(True, direction="ltr")
    caption_y = qr_y + qr_size + 3.5  # keeps the QR quiet zone (4 modules) clear
    pdf.set_xy(MID_X - 60, caption_y)
    pdf.cell(57, 4, "Scan to verify", align="R")
    pdf.set_text_shaping(True, direction="rtl")
    pdf.set_xy(MID_X + 3, caption_y)
    pdf.cell(57, 4, "امسح الرمز للتحقق", align="L")

    return bytes(pdf.output())
