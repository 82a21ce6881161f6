"""One date style per language (issue 15): elearn.dates, the templates' date filters, the group
report's CSV and the completion chart's labels."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest

from elearn import dates
from factories import make_assignment, make_group, make_progress

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 11, 30)
NUMERIC = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b")  # 11/1/26, 2026-11-30, 30.11.2026
BIDI_MARKS = ("\u200e", "\u200f", "\u061c")


@pytest.mark.parametrize("lang, short, text", [
    ("en", False, "30 November 2026"), ("en", True, "30 Nov 2026"),
    ("ar", False, "30 تشرين الثاني/نوفمبر 2026"), ("ar", True, "30 تشرين الثاني/نوفمبر 2026"),
])
def test_a_date_in_each_language(lang, short, text):
    assert dates.format_date(DAY, lang, short) == text
    assert dates.format_date(dt.datetime(2026, 11, 30, 23, 59), lang, short) == text


def test_times_are_24_hour_after_the_date():
    moment = dt.datetime(2027, 1, 5, 9, 7)
    assert dates.format_datetime(moment, "en", short=True) == "5 Jan 2027, 09:07"
    assert dates.format_datetime(moment, "ar") == "5 كانون الثاني/يناير 2027، 09:07"


def test_every_arabic_month_name_is_the_one_the_lessons_use():
    lessons = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "lessons").rglob("*.ar.md"))
    assert [m for m in dates.MONTHS_AR if m not in lessons] == []


def test_no_form_is_numeric_or_carries_bidi_marks():
    for month in range(1, 13):
        for lang in ("en", "ar"):
            for short in (False, True):
                text = dates.format_date(dt.date(2026, month, 1), lang, short)
                assert not NUMERIC.search(text) and not any(m in text for m in BIDI_MARKS)


@pytest.fixture
def group_id(app):
    with app.app_context():
        group = make_group("coach", ["amal"], name="Workshop", created_at=dt.datetime(2026, 11, 1, 9, 0))
        make_assignment(group, due_on=DAY)
        make_progress("amal", lessons=["first-lesson"], quizzes=[("final", None)])
        return group.id


@pytest.mark.parametrize("lang, due", [("en", "30 November 2026"), ("ar", "30 تشرين الثاني/نوفمبر 2026")])
def test_pages_and_the_csv_write_dates_one_way(trainer, group_id, lang, due):
    group_page = trainer.get(f"/{lang}/trainer/groups/{group_id}/").get_data(as_text=True)
    assert dates.format_date(DAY, lang, short=True) in group_page
    report = trainer.get(f"/{lang}/trainer/groups/{group_id}/report.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(report)))
    assert rows[1][7] == due and not NUMERIC.search(report)
    for page in (group_page, trainer.get(f"/{lang}/trainer/groups/{group_id}/report").get_data(as_text=True)):
        shown = re.sub(r"<[^>]+>|\s(href|action|value|id|for|name)=\"[^\"]*\"", " ", page)
        assert not NUMERIC.search(shown.split("<main", 1)[-1]) and not any(m in page for m in BIDI_MARKS)


def test_the_arabic_chart_writes_its_dates_right_to_left(trainer, group_id):
    labels = {}
    for lang in ("en", "ar"):
        html = trainer.get(f"/{lang}/trainer/groups/{group_id}/modules/sample/").get_data(as_text=True)
        labels[lang] = re.findall(r'<text class="tick date[^"]*" x="[\d.]+" y="[\d.]+" text-anchor="(\w+)"([^>]*)>([^<]+)</text>', html)
    ar_dates = [(anchor, attrs, text) for anchor, attrs, text in labels["ar"] if "/" in text]
    assert ar_dates and all('direction="rtl"' in attrs for _, attrs, _ in ar_dates)
    assert ar_dates[0][2] == "1 تشرين الثاني/نوفمبر 2026" and ar_dates[0][0] == "start"
    assert not any(m in text for _, _, text in labels["ar"] for m in BIDI_MARKS)
    en_dates = [(anchor, text) for anchor, attrs, text in labels["en"] if "Nov" in text]
    assert en_dates[0] == ("start", "1 Nov 2026") and 'direction="rtl"' not in str(labels["en"])


@pytest.mark.parametrize("value, en, ar", [
    ("2012-01-18", "18 January 2012", "18 كانون الثاني/يناير 2012"),
    ("2025-12", "December 2025", "كانون الأول/ديسمبر 2025"),
    ("2012", "2012", "2012"), (2012, "2012", "2012"), ("2025-13", "2025-13", "2025-13"),
])
def test_a_sources_date_as_precise_as_it_is_given(value, en, ar):
    assert (dates.format_partial(value, "en"), dates.format_partial(value, "ar")) == (en, ar)


def test_a_lessons_sources_are_dated_in_the_one_style(client):
    for lang in ("en", "ar"):
        html = client.get(f"/{lang}/modules/sample/first-lesson/").get_data(as_text=True)
        sources = html.split('class="sources"', 1)[1].split("</ol>", 1)[0]
        assert not NUMERIC.search(re.sub(r'href="[^"]*"', "", sources)), sources
