"""Certificate PDF renderer (no Flask).

Text is read back with pypdf: it returns pure Arabic lines in logical order
(mixed Arabic/Latin lines come back in visual run order), so the checks
compare whitespace-free strings of one script at a time.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from pypdf import PdfReader

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
    shapes 'منصّة' as three unjoined pieces; pdf.py patches that."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("amiri", "", certpdf.font_paths()[""])
    pdf.set_font("amiri", size=12)
    pdf.set_text_shaping(True, direction="rtl")
    assert len(pdf._preload_bidirectional_text("منصّة بنجاحٍ", False)) == 1


def test_font_cache_matches_plain_add_font(monkeypatch):
    content = make("محمّد الأحمد", datetime.date(2028, 11, 22))
    fast = PdfReader(io.BytesIO(render_certificate_pdf(content))).pages[0]
    monkeypatch.setattr(certpdf, "_fast_fonts", False)
    plain = PdfReader(io.BytesIO(render_certificate_pdf(content))).pages[0]
    assert fast.get_contents().get_data() == plain.get_contents().get_data()
    assert fast.extract_text() == plain.extract_text()


def test_font_cache_is_in_use():
    render_certificate_pdf(make("Jane Doe"))
    assert certpdf._fast_fonts, "font cache fell back to FPDF.add_font (fpdf2 internals changed?)"


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
