"""Certificate PDF renderer (no Flask).

Text is read back with pypdf: it returns pure Arabic lines in logical order
(mixed Arabic/Latin lines come back in visual run order), so the checks
compare whitespace-free strings of one script at a time.
"""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

from elearn.certificates import fontcache, printable
from elearn.certificates import pdf as certpdf
from elearn.certificates.pdf import CertificateContent, render_certificate_pdf

TITLE_AR = "العقوبات على سوريا: مدخل إلى الإطار القانوني"
TITLE_EN = "Sanctions on Syria: an introduction to the legal framework"
CODE = "K7QM-3XRD-PW9A-TV2C-HN"
URL = f"https://elearn.example.org/certificates/verify/{CODE}"


def make(name: str, expires_on: datetime.date | None = None, **kw) -> CertificateContent:
    fields = dict(
        name=name,
        module_title_ar=TITLE_AR,
        module_title_en=TITLE_EN,
        issued_on=datetime.date(2026, 11, 22),
        expires_on=expires_on,
        code=CODE,
        verify_url=URL,
    )
    fields.update(kw)
    return CertificateContent(**fields)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_text(data: bytes) -> str:
    return PdfReader(io.BytesIO(data)).pages[0].extract_text()


@pytest.fixture(scope="module")
def arabic_pdf() -> bytes:
    return render_certificate_pdf(make("محمّد الأحمد", datetime.date(2028, 11, 22)))


@pytest.fixture(scope="module")
def latin_pdf() -> bytes:
    return render_certificate_pdf(make("Jane Doe"))


@pytest.mark.parametrize("which", ["arabic_pdf", "latin_pdf"])
def test_one_a4_landscape_page_under_150_kb(which, request):
    data = request.getfixturevalue(which)
    assert data.startswith(b"%PDF")
    assert len(data) < 150 * 1024
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(841.89, abs=1)
    assert float(box.height) == pytest.approx(595.28, abs=1)


def test_font_is_embedded_and_subset(arabic_pdf):
    reader = PdfReader(io.BytesIO(arabic_pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        assert font["/Subtype"] == "/Type0"
        assert re.match(r"^/[A-Z]{6}\+Amiri", font["/BaseFont"])  # subset tag
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        program = descriptor["/FontFile2"].get_object().get_data()
        assert 0 < len(program) < 100 * 1024  # full Amiri-Regular.ttf is 431 KB


def test_arabic_name_titles_and_code(arabic_pdf):
    text = squash(page_text(arabic_pdf))
    assert squash(TITLE_EN) in text
    assert squash(TITLE_AR) in text
    assert squash("محمّد الأحمد") in text
    assert squash("شهادة إتمام") in text
    assert "Certificate of Completion" in page_text(arabic_pdf)
    assert CODE in text
    assert URL in text


def test_latin_name_titles_and_code(latin_pdf):
    raw = page_text(latin_pdf)
    text = squash(raw)
    assert "Jane Doe" in raw
    assert squash(TITLE_EN) in text
    assert squash(TITLE_AR) in text
    assert CODE in text
    assert "elearn" in raw


def test_no_expiry_line_without_expiry(latin_pdf):
    raw = page_text(latin_pdf)
    assert "Valid until" not in raw
    assert squash("صالحة حتى") not in squash(raw)


def test_expiry_line_with_expiry(arabic_pdf):
    raw = page_text(arabic_pdf)
    assert "Valid until 22 November 2028" in raw
    assert squash("صالحة حتى") in squash(raw)
    assert "نوفمبر" in raw  # Arabic month name from babel
    assert "Issued on 22 November 2026" in raw


def test_latin_name_with_expiry_and_arabic_name_without():
    raw = page_text(render_certificate_pdf(make("Omar Al-Khatib", datetime.date(2027, 1, 5))))
    assert "Omar Al-Khatib" in raw and "Valid until 5 January 2027" in raw
    raw = page_text(render_certificate_pdf(make("ليلى حدّاد")))
    assert squash("ليلى حدّاد") in squash(raw) and "Valid until" not in raw


def test_long_texts_stay_on_one_page():
    data = render_certificate_pdf(
        make(
            "عبد الرحمن بن محمد بن عبد الله الحسيني الهاشمي القرشي",
            datetime.date(2027, 1, 5),
            module_title_en="Humanitarian exemptions and general licences under the EU, UK and "
            "US sanctions regimes concerning Syria: a practical guide for civil society",
            module_title_ar="الاستثناءات الإنسانية والتراخيص العامة في أنظمة العقوبات الأوروبية "
            "والبريطانية والأمريكية المتعلقة بسوريا: دليل عملي لمنظمات المجتمع المدني",
        )
    )
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    assert squash("دليل عملي لمنظمات المجتمع المدني") in squash(page_text(data))


def test_combining_marks_do_not_split_shaping_runs():
    """fpdf2 counts harakat (Unicode script Inherited) as a script change and
    shapes 'منصّة' as three unjoined pieces; fontcache.py patches that."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("amiri", "", certpdf.font_paths()[""])
    pdf.set_font("amiri", size=12)
    pdf.set_text_shaping(True, direction="rtl")
    assert len(pdf._preload_bidirectional_text("منصّة بنجاحٍ", False)) == 1


# --------------------------------------------------------------------------
# The font cache (fontcache.py) against plain FPDF.add_font
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cached_and_plain() -> list[tuple[bytes, bytes]]:
    """Certificates rendered through the font cache and through plain add_font.

    Another document goes through the cache first: its shared font data must
    come out of a subsetting run intact.
    """
    contents = [make("محمّد الأحمد", datetime.date(2028, 11, 22)), make("Lina ليلى Haddad")]
    render_certificate_pdf(make("Jane Doe"))
    cached = [render_certificate_pdf(c) for c in contents]
    assert fontcache.enabled, "font cache fell back to FPDF.add_font (fpdf2 internals changed?)"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fontcache, "enabled", False)
        plain = [render_certificate_pdf(c) for c in contents]
    return list(zip(cached, plain))


def test_font_cache_is_in_use():
    render_certificate_pdf(make("Jane Doe"))
    assert fontcache.enabled, "font cache fell back to FPDF.add_font (fpdf2 internals changed?)"


def test_font_cache_matches_plain_add_font(cached_and_plain):
    for cached, plain in cached_and_plain:
        fast = PdfReader(io.BytesIO(cached)).pages[0]
        slow = PdfReader(io.BytesIO(plain)).pages[0]
        assert fast.get_contents().get_data() == slow.get_contents().get_data()
        assert fast.extract_text() == slow.extract_text()


def _cid_to_gid(cid_font) -> Callable[[int], int]:
    cid_map = cid_font.get("/CIDToGIDMap", "/Identity")
    if cid_map == "/Identity":
        return lambda cid: cid
    table = cid_map.get_object().get_data()  # 2 bytes per CID, big-endian
    return lambda cid: int.from_bytes(table[2 * cid:2 * cid + 2], "big")


def _shown_codes(page) -> set[tuple[str, int]]:
    """(font resource, 2-byte code) of every glyph the content stream shows."""
    shown, font, saved = set(), None, []
    for operands, op in ContentStream(page.get_contents(), page.pdf).operations:
        if op == b"q":
            saved.append(font)
        elif op == b"Q":
            font = saved.pop()
        elif op == b"Tf":
            font = operands[0]
        elif op in (b"Tj", b"TJ"):
            strings = operands[0] if op == b"TJ" else operands
            for s in strings:
                if isinstance(s, (bytes, str)):
                    raw = getattr(s, "original_bytes", s)
                    shown.update((font, int.from_bytes(raw[i:i + 2], "big"))
                                 for i in range(0, len(raw), 2))
    return shown


def embedded_glyphs(data: bytes) -> dict[tuple[str, int], tuple]:
    """(font name without subset tag, code) -> (advance width, outline) of each
    glyph shown on the first page, read from the embedded font programs.

    Outlines are drawn with composites decomposed, so they compare equal
    whatever glyph ids the subset gave the components.
    """
    page = PdfReader(io.BytesIO(data)).pages[0]
    fonts = {}
    for res, ref in page["/Resources"]["/Font"].items():
        font = ref.get_object()
        cid_font = font["/DescendantFonts"][0].get_object()
        program = cid_font["/FontDescriptor"].get_object()["/FontFile2"].get_object()
        tt = TTFont(io.BytesIO(program.get_data()))
        fonts[res] = (font["/BaseFont"].split("+", 1)[1], tt, tt.getGlyphSet(),
                      _cid_to_gid(cid_font))
    glyphs = {}
    for res, code in _shown_codes(page):
        name, tt, glyph_set, cid_to_gid = fonts[res]
        glyph_name = tt.getGlyphName(cid_to_gid(code))
        pen = DecomposingRecordingPen(glyph_set)
        glyph_set[glyph_name].draw(pen)
        glyphs[name, code] = (tt["hmtx"][glyph_name][0], tuple(pen.value))
    return glyphs


def test_font_cache_embeds_the_same_glyph_outlines(cached_and_plain):
    """The cache hands fpdf2 font data it built from fpdf2/fontTools internals:
    every glyph shown must have the outline and advance that plain add_font
    embeds for it."""
    for cached, plain in cached_and_plain:
        fast, slow = embedded_glyphs(cached), embedded_glyphs(plain)
        assert fast.keys() == slow.keys()
        fonts = {name for name, _ in fast}
        assert fonts == {"Amiri", "AmiriBold"}
        assert sum(1 for _, outline in fast.values() if outline) > 60  # real glyphs were read
        for key in sorted(fast):
            assert fast[key] == slow[key], f"glyph {key} differs from plain add_font"


def test_same_certificate_same_bytes():
    """Creation date = issue date, so re-downloads are byte-identical."""
    content = make("Jane Doe", datetime.date(2027, 1, 5))
    assert render_certificate_pdf(content) == render_certificate_pdf(content)


def test_shared_font_data_survives_many_and_concurrent_documents():
    """The cached font data is subset for every document: it must stay intact,
    also when threads render at the same time."""
    from concurrent.futures import ThreadPoolExecutor

    contents = [
        make(name, datetime.date(2028, 1, 1) if i % 2 else None)
        for i, name in enumerate(["Jane Doe", "محمّد الأحمد", "Lina ليلى Haddad", "ليلى حدّاد"])
    ]
    expected = [render_certificate_pdf(c) for c in contents]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(render_certificate_pdf, contents * 6))
    assert results == expected * 6


def test_mixed_name_reads_the_same_in_both_columns():
    """The name takes its direction from its first strong character (like
    dir="auto"), not from the column: same word order on both sides."""
    raw = page_text(render_certificate_pdf(make("Lina ليلى Haddad")))
    name_lines = [line for line in raw.splitlines() if "Lina" in line]
    assert len(name_lines) == 2
    assert name_lines[0] == name_lines[1]


# --------------------------------------------------------------------------
# The text layer as viewers read it (poppler, pdf.js), the name's fit and font
# --------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
SEPARATORS = re.compile("[\\s:\u200e\u200f\u202a-\u202e\u2066-\u2069]+")  # spaces, colons, bidi controls
NAME = "ليلى حداد من سوريا"


def words(text: str) -> set[str]:
    return set(SEPARATORS.split(text)) - {""}


def poppler_text(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdfjs_text(data: bytes, tmp_path) -> str:
    if shutil.which("node") is None or not (ROOT / "node_modules" / "pdfjs-dist").exists():
        pytest.skip("node or pdfjs-dist is not installed (run `npm ci`)")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    return subprocess.run(["node", str(ROOT / "tests" / "js" / "pdf_text.mjs"), str(path)], capture_output=True,
                          text=True, check=True, timeout=60, cwd=ROOT).stdout


@pytest.fixture(scope="module")
def syria_pdf() -> bytes:
    return render_certificate_pdf(make(NAME, datetime.date(2028, 11, 30)))


@pytest.mark.parametrize("reader", [poppler_text, pdfjs_text])
def test_viewers_read_whole_arabic_words(reader, syria_pdf, tmp_path):
    """Amiri's kerning set 'ر' apart from 'ي' by more than the gap both readers take for a space
    ("سور يا"), and optional vowel marks split words; the certificate shapes without kerning and
    its fixed text carries no such marks."""
    found = words(reader(syria_pdf, tmp_path))
    found |= {part for word in found for part in word.split("/")}  # poppler may split "الثاني/نوفمبر" at the slash
    expected = words(NAME) | words(TITLE_AR) | {"شهادة", "إتمام", "تشهد", "منصة", "بإتمام", "بنجاح", "الوحدة",
                                               "التدريبية", "تشرين", "الثاني", "نوفمبر"}
    assert expected <= found
    assert not {"سور", "يا", "منصّ", "بن"} & found


def test_dates_are_written_as_the_lessons_write_them(syria_pdf):
    raw = page_text(syria_pdf)
    assert "Issued on 22 November 2026" in raw and "Valid until 30 November 2028" in raw
    # pypdf gives a mixed line in visual runs: the month pair and the figures, each whole
    arabic = [line for line in raw.splitlines() if "تاريخ الإصدار" in line]
    assert len(arabic) == 1 and "تشرين الثاني/نوفمبر" in arabic[0] and {"22", "2026"} <= set(re.findall(r"\d+", arabic[0]))
    assert "\u200f" not in raw


def text_positions(data: bytes) -> list[tuple[str, float]]:
    """(text, baseline height in mm from the page bottom) of every piece of text drawn."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((text, (cm[5] + tm[5] * cm[3]) * 25.4 / 72))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return found


def test_a_long_name_is_fitted_inside_the_frame():
    """Past two lines at the smallest size the account form refuses a name; one that got in
    earlier is shrunk, never allowed to push the dates and the code off the page."""
    name = ("Maria-Theresia Walburga Amalia Christina von Habsburg-Lothringen de Bourbon "
            "y Borbón-Dos Sicilias Hohenzollern")
    assert printable.name_layout(name) is None
    data = render_certificate_pdf(make(name, datetime.date(2028, 11, 30)))
    inner_bottom, inner_top = 12.5 + 4, certpdf.PAGE_H - 12.5
    heights = [y for _, y in text_positions(data)]
    assert heights and all(inner_bottom < y < inner_top for y in heights)
    assert CODE in squash(page_text(data)) and "Valid until 30 November 2028" in page_text(data)


@pytest.mark.parametrize("name, size, lines", [
    ("Jane Doe", 24.0, 1), ("ليلى حداد", 24.0, 1),
    ("Omar Abdulrahman Al-Khatib Al-Hashimi", None, 1),  # shrunk to fit one line
    ("Maria-Theresia Walburga Amalia Christina von Habsburg-Lothringen", 12.0, 2),
])
def test_name_layout_shrinks_then_wraps(name, size, lines):
    layout = printable.name_layout(name)
    assert layout is not None and layout.lines == lines
    if size is None:
        assert printable.NAME_MIN_SIZE <= layout.size < printable.NAME_SIZE
    else:
        assert layout.size == size
    if lines == 1:
        assert printable.text_width(name, layout.size) <= printable.COLUMN_WIDTH


def test_characters_the_font_cannot_draw_are_named():
    assert printable.unprintable("Jane 😀 Doe Ωmega 😀") == ["😀", "Ω"]
    assert printable.unprintable("محمّد\u200c الأحمد Ünal Şahin") == []  # ZWNJ is never drawn
    assert printable.shown("\u0301") == "U+0301"
