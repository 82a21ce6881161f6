"""Certificate PDF renderer (pure function, no Flask).

One A4 landscape page: an English column on the left (left-to-right, left
aligned) and an Arabic column on the right (right-to-left, right aligned),
one vector QR code of the verification URL at the bottom centre.  Both
columns are written by the same functions from a ``_Language`` each.

Arabic is shaped by HarfBuzz through fpdf2's text shaping (uharfbuzz) with
the Amiri font of the ``fontpkg-amiri`` package (Amiri also covers Latin, so
one family serves both languages).  The font is embedded as a subset.  Never
pass text through arabic-reshaper / python-bidi: shaping twice corrupts it.

The text layer is for people who search, copy or listen: shaping runs with
kerning off (``printable.FEATURES``) and the fixed Arabic text carries no
optional vowel marks, so poppler and pdf.js read whole words (both take a gap
wider than a tenth of an em between glyphs for a space, and a mark at the
end of a word drawn before its letter for a separate word).  ``/ActualText``
spans do not help here: pdf.js ignores them and poppler lays their letters
out left to right, which reverses Arabic.  The name is fitted to its column
(``printable.name_layout``): the account form refuses what cannot fit or
cannot be drawn, so the renderer only shrinks.

Only fpdf2's public API is used here; the font cache that keeps a
certificate within its 150 ms budget and a fix for Arabic diacritics, both
built on fpdf2/fontTools internals, are in ``fontcache.py``.
"""

from __future__ import annotations

import datetime
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

import segno
from fpdf import FPDF

from .. import dates
from . import fontcache, printable

__all__ = ["CertificateContent", "preload_fonts", "render_certificate_pdf"]

APP_NAME = "elearn"
log = logging.getLogger(__name__)


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
# Fonts
# --------------------------------------------------------------------------

FONT = printable.FONT
font_paths = printable.font_paths  # Amiri TTF path per fpdf2 style ('' regular, 'B' bold)


def preload_fonts() -> None:
    """Parse the fonts now (about 0.2 s) instead of in the first request.

    Optional: call it at start-up, e.g. before gunicorn forks its workers.
    """
    fontcache.preload(FONT, font_paths())


# --------------------------------------------------------------------------
# Layout (mm; A4 landscape = 297 x 210)
# --------------------------------------------------------------------------

PAGE_W, PAGE_H = 297.0, 210.0
COL_W = printable.COLUMN_WIDTH  # 110 mm: leaves a 32 mm centre gap for the QR code (28 mm)
MID_X = PAGE_W / 2
PT = printable.PT  # mm per point
TOP = 40.0  # first line of both columns
DETAILS_TOP = 122.0  # details never start higher, however short the texts
QR_SIZE = 28.0

NAVY = (28, 52, 84)
GOLD = (168, 134, 78)
TEXT = (45, 45, 45)
MUTED = (95, 95, 95)


@dataclass(frozen=True)
class _Language:
    """Everything the English and the Arabic column differ in."""

    x: float  # left edge of the column
    direction: str  # "ltr" or "rtl": paragraph direction and alignment
    font: str
    code: str  # language of the dates (elearn.dates)
    heading: str
    before_name: str
    after_name: str
    module_title: Callable[[CertificateContent], str]
    text_size: float  # the lines around the name
    title_size: float  # module title, shrinks to title_min_size
    title_min_size: float
    issued: str  # "{date}" placeholder
    valid_until: str  # "{date}" placeholder
    code_label: str  # "{code}" placeholder
    verify_label: str
    scan_caption: str  # beside the QR code, on this column's side


EN = _Language(
    x=22.0,
    direction="ltr",
    font=FONT,
    code="en",  # "22 November 2026"
    heading="Certificate of Completion",
    before_name="This certifies that",
    after_name="has successfully completed the module",
    module_title=attrgetter("module_title_en"),
    text_size=13,
    title_size=16,
    title_min_size=11,
    issued="Issued on {date}",
    valid_until="Valid until {date}",
    code_label="Verification code: {code}",
    verify_label="Verify this certificate at:",
    scan_caption="Scan to verify",
)

AR = _Language(
    x=PAGE_W - 22.0 - COL_W,
    direction="rtl",
    font=FONT,
    code="ar",  # "22 تشرين الثاني/نوفمبر 2026", as the lessons write dates
    heading="شهادة إتمام",
    # No optional vowel marks: they would split words in the text layer.
    before_name=f"تشهد منصة {APP_NAME} بإتمام",
    after_name="بنجاح الوحدة التدريبية",
    module_title=attrgetter("module_title_ar"),
    # Arabic at the same point size looks smaller than Latin: one point more.
    text_size=14,
    title_size=17,
    title_min_size=12,
    issued="تاريخ الإصدار: {date}",
    valid_until="صالحة حتى: {date}",
    code_label="رمز التحقق: {code}",
    verify_label="للتحقق من صحة هذه الشهادة:",
    scan_caption="امسح الرمز للتحقق",
)


class _Column:
    """Writes successive blocks in one language's column, tracking the
    vertical position."""

    def __init__(self, pdf: FPDF, lang: _Language, y: float) -> None:
        self.pdf, self.lang, self.x, self.y = pdf, lang, lang.x, y
        self.align = "R" if lang.direction == "rtl" else "L"

    def _prepare(self, style: str, size: float, colour, auto_dir: bool = False) -> None:
        # auto_dir: paragraph direction from the first strong character (like
        # HTML dir="auto"), so a mixed name or a URL reads the same in both columns.
        direction = None if auto_dir else self.lang.direction
        self.pdf.set_text_shaping(True, direction=direction, features=printable.FEATURES)
        self.pdf.set_font(self.lang.font, style, size)
        self.pdf.set_text_color(*colour)

    def _put(self, text: str, width: float, h: float, gap: float) -> None:
        """One cell if ``text`` fits the column (its measured ``width``),
        else wrapped lines; then moves down by ``gap`` more."""
        self.pdf.set_xy(self.x, self.y)
        if width <= COL_W:
            self.pdf.cell(COL_W, h, text, align=self.align)
            self.y += h
        else:
            self.pdf.multi_cell(COL_W, h, text, align=self.align)
            self.y = self.pdf.get_y()
        self.y += gap

    def line(self, text: str, style: str, size: float, colour, gap: float = 0.0,
             min_size: float | None = None, auto_dir: bool = False) -> None:
        """One line; shrinks down to ``min_size`` to fit, else wraps."""
        self._prepare(style, size, colour, auto_dir)
        width = self.pdf.get_string_width(text)
        if width > COL_W and min_size:
            size = max(min_size, math.floor(size * COL_W / width * 0.98 * 2) / 2)
            self.pdf.set_font(self.lang.font, style, size)
            width = self.pdf.get_string_width(text)
        self._put(text, width, size * PT * 1.45, gap)

    def name(self, text: str) -> None:
        """The learner's name at the size ``printable`` gives it: one line
        from 24 pt down to 12 pt, then two lines; smaller still for a name
        from before the account form checked names, never off the page."""
        layout = printable.name_layout(text)
        if layout is None:
            layout = printable.squeezed(printable.text_width(text, 1.0))
        missing = printable.unprintable(text)
        if missing:  # accepted before the account form checked names
            log.warning("certificate name has characters the font cannot draw: %s",
                        " ".join(printable.shown(c) for c in missing))
        self._prepare("B", layout.size, NAVY, auto_dir=True)
        self._put(text, self.pdf.get_string_width(text), layout.size * PT * 1.45, 1.5)

    def block(self, text: str, style: str, size: float, colour, max_lines: int,
              min_size: float) -> None:
        """Wrapped text; shrinks so that it takes about ``max_lines`` lines."""
        self._prepare(style, size, colour)
        width = self.pdf.get_string_width(text)
        while size > min_size and width > COL_W * max_lines * 0.85:
            size -= 1
            width *= (size / (size + 1))
        self.pdf.set_font(self.lang.font, style, size)
        self._put(text, width, size * PT * 1.3, 0.0)

    def rule(self, length: float, gap: float) -> None:
        """A short gold rule on the column's starting side."""
        pdf = self.pdf
        pdf.set_draw_color(*GOLD)
        pdf.set_line_width(0.5)
        x0 = self.x + COL_W - length if self.align == "R" else self.x
        pdf.line(x0, self.y, x0 + length, self.y)
        self.y += gap


def _body(col: _Column, content: CertificateContent) -> None:
    """Heading, name and module title."""
    lang = col.lang
    col.line(lang.heading, "B", 28, NAVY, gap=1.5)
    col.rule(44, 9)
    col.line(lang.before_name, "", lang.text_size, TEXT, gap=1.5)
    col.name(content.name)
    col.line(lang.after_name, "", lang.text_size, TEXT, gap=1.5)
    col.block(lang.module_title(content), "B", lang.title_size, TEXT,
              max_lines=3, min_size=lang.title_min_size)


def _details(col: _Column, content: CertificateContent) -> None:
    """Dates, verification code and URL."""
    lang = col.lang

    def date(day: datetime.date) -> str:
        return dates.format_date(day, lang.code)

    lines = [lang.issued.format(date=date(content.issued_on))]
    if content.expires_on is not None:
        lines.append(lang.valid_until.format(date=date(content.expires_on)))
    lines.append(lang.code_label.format(code=content.code))
    for text in lines:
        col.line(text, "", 11, MUTED, min_size=8)
    col.line(lang.verify_label, "", 11, MUTED)
    col.line(content.verify_url, "", 11, NAVY, min_size=7, auto_dir=True)


def _new_document(content: CertificateContent) -> FPDF:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0
    pdf.set_creator(APP_NAME)
    pdf.set_title(f"{APP_NAME} – Certificate of completion / شهادة إتمام – {content.code}")
    # Fixed creation date (and so a fixed file ID): the same certificate
    # always renders to the same bytes.
    pdf.set_creation_date(
        datetime.datetime.combine(content.issued_on, datetime.time(), datetime.UTC)
    )
    fontcache.add_family(pdf, FONT, font_paths())
    pdf.add_page()
    return pdf


def _frame_and_app_name(pdf: FPDF) -> None:
    """Navy outer rule, thin gold inner rule, the app name centred on top."""
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(1.4)
    pdf.rect(9, 9, PAGE_W - 18, PAGE_H - 18)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.4)
    pdf.rect(12.5, 12.5, PAGE_W - 25, PAGE_H - 25)

    pdf.set_text_shaping(True, direction="ltr", features=printable.FEATURES)
    pdf.set_font(FONT, "B", 16)
    pdf.set_text_color(*NAVY)
    pdf.set_char_spacing(2)
    pdf.set_xy(0, 19)
    pdf.cell(PAGE_W, 8, APP_NAME, align="C")
    pdf.set_char_spacing(0)


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


def _qr_block(pdf: FPDF, url: str, text_bottom: float) -> None:
    """Centre divider, QR code at the bottom centre and its two captions.

    The QR sits in the gap between the columns, so very long texts can run
    beside it; the divider stops above it.
    """
    qr_y = min(max(150.0, text_bottom + 5), PAGE_H - 13 - 9 - QR_SIZE)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.3)
    pdf.line(MID_X, TOP, MID_X, min(text_bottom, qr_y - 5))
    _draw_qr(pdf, url, MID_X - QR_SIZE / 2, qr_y, QR_SIZE)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    caption_y = qr_y + QR_SIZE + 3.5  # keeps the QR quiet zone (4 modules) clear
    for lang in (EN, AR):
        # Each caption on its column's side, aligned towards the QR code.
        left = lang.x < MID_X
        pdf.set_text_shaping(True, direction=lang.direction, features=printable.FEATURES)
        pdf.set_xy(MID_X - 60 if left else MID_X + 3, caption_y)
        pdf.cell(57, 4, lang.scan_caption, align="R" if left else "L")


def render_certificate_pdf(content: CertificateContent) -> bytes:
    """Render ``content`` as a one-page bilingual A4 landscape PDF."""
    pdf = _new_document(content)
    _frame_and_app_name(pdf)
    columns = [_Column(pdf, lang, TOP) for lang in (EN, AR)]
    for col in columns:
        _body(col, content)
    # Details start on the same line in both columns, below the longer body.
    details_y = max([DETAILS_TOP] + [col.y + 5 for col in columns])
    for col in columns:
        col.y = details_y
        _details(col, content)
    _qr_block(pdf, content.verify_url, max(col.y for col in columns))
    return bytes(pdf.output())
