"""facts_as_of: the validator's rules, the stale-lesson list, and the "Facts current to" line on pages."""
import datetime as dt
import shutil

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, VALID
from elearn.cli import main
from elearn.content import check_content, load_catalog
from elearn.content.dates import Age, format_stale, parse_age, source_after_facts, source_date, stale_lessons

INVALID = FIXTURES / "invalid" / "dates"


def test_lessons_and_modules_expose_their_facts_date():
    module = load_catalog(VALID / "lessons", VALID / "quizzes").module("sample")
    first, second = module.lessons
    assert first.text("en").facts_as_of == first.text("ar").facts_as_of == dt.date(2025, 12, 18)
    assert first.facts_as_of == dt.date(2025, 12, 18) and second.facts_as_of == dt.date(2025, 11, 30)
    assert module.facts_as_of == dt.date(2025, 11, 30)  # the oldest lesson's


@pytest.mark.parametrize("fixture, expected", [
    ("missing-facts-as-of.en.md", "first-lesson.en.md:2: missing or invalid 'facts_as_of' date"),
    ("facts-after-reviewed.en.md",
     "first-lesson.en.md:15: 'facts_as_of' (2026-11-02) is after 'reviewed' (2026-11-01)"),
    ("facts-in-the-future.en.md", "first-lesson.en.md:15: 'facts_as_of' (2999-01-01) is in the future"),
    ("source-after-facts.en.md",
     "first-lesson.en.md:12: source dated 2026-01-05 is after 'facts_as_of' (2025-12-18)"),
    ("source-year-after-facts.en.md",  # a bare year counts from 1 January, which is after the facts date
     "first-lesson.en.md:12: source dated 2026 is after 'facts_as_of' (2025-12-18)"),
    ("source-date-unreadable.en.md", "first-lesson.en.md:12: source date must be YYYY-MM-DD, YYYY-MM or YYYY"),
    ("languages-disagree.ar.md",
     "first-lesson.ar.md:12: 'facts_as_of' (2025-12-19) differs from the English file's (2025-12-18, line 15)"),
])
def test_invalid_facts_dates_are_reported_with_path_and_line(tmp_path, fixture, expected):
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    lang = fixture.split(".")[-2]
    shutil.copy(INVALID / fixture, root / "lessons" / "sample" / f"first-lesson.{lang}.md")
    problems = check_content(root / "lessons", root / "quizzes")
    assert any(p == f"lessons/sample/{expected}" or p.startswith(f"lessons/sample/{expected}") for p in problems), problems


def test_a_source_dated_by_month_counts_from_its_first_day(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    lesson = root / "lessons" / "sample" / "first-lesson.en.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("date: 2025-12-18", "date: 2025-12"), encoding="utf-8")
    assert check_content(root / "lessons", root / "quizzes") == []


@pytest.mark.parametrize("value, expected", [
    (dt.date(2025, 12, 18), dt.date(2025, 12, 18)), ("2025-12-18", dt.date(2025, 12, 18)),
    ("2025-12", dt.date(2025, 12, 1)), (2025, dt.date(2025, 1, 1)), ("2025", dt.date(2025, 1, 1)),
    ("2025-13", None), ("December 2025", None), ("2025-02-30", None),
])
def test_source_date_reads_the_three_forms_by_their_first_day(value, expected):
    assert source_date(value) == expected


def test_source_after_facts_compares_first_days():
    facts = dt.date(2025, 12, 18)
    assert source_after_facts("2025-12", facts) is None
    assert source_after_facts(dt.date(2025, 12, 18), facts) is None
    assert "after 'facts_as_of'" in source_after_facts("2025-12-19", facts)


@pytest.mark.parametrize("text, age", [("6m", Age(6, "m")), ("90d", Age(90, "d")), ("12W", Age(12, "w")),
                                       (" 1y ", Age(1, "y"))])
def test_parse_age(text, age):
    assert parse_age(text) == age


@pytest.mark.parametrize("text", ["", "6", "m", "6x", "-6m", "6 months"])
def test_parse_age_refuses_other_forms(text):
    with pytest.raises(ValueError):
        parse_age(text)


@pytest.mark.parametrize("age, today, cutoff", [
    (Age(6, "m"), dt.date(2026, 8, 31), dt.date(2026, 2, 28)),  # clamped to the shorter month
    (Age(6, "m"), dt.date(2026, 3, 15), dt.date(2025, 9, 15)),  # across a year
    (Age(1, "y"), dt.date(2028, 2, 29), dt.date(2027, 2, 28)),
    (Age(2, "w"), dt.date(2026, 1, 10), dt.date(2025, 12, 27)),
    (Age(30, "d"), dt.date(2026, 3, 1), dt.date(2026, 1, 30)),
])
def test_age_before_today(age, today, cutoff):
    assert age.before(today) == cutoff


def test_stale_lessons_with_a_fixed_today():
    catalog = load_catalog(VALID / "lessons", VALID / "quizzes")
    today = dt.date(2026, 6, 1)  # 6 months before: 2025-12-01, between the two lessons' facts dates
    stale = stale_lessons(catalog, Age(6, "m"), today)
    assert [(s.key, s.facts_as_of) for s in stale] == [("sample/second-lesson", dt.date(2025, 11, 30))]
    text = format_stale(stale, Age(6, "m"), today)
    assert text.splitlines() == ["1 lesson(s) with facts older than 6m (facts_as_of before 2025-12-01):",
                                 "  sample/second-lesson  facts as of 2025-11-30"]
    assert stale_lessons(catalog, Age(6, "m"), dt.date(2026, 5, 30)) == []
    assert format_stale([], Age(6, "m"), dt.date(2026, 5, 30)).startswith("no lesson has facts older than 6m")
    both = stale_lessons(catalog, Age(1, "d"), dt.date(2026, 6, 1))
    assert [s.key for s in both] == ["sample/second-lesson", "sample/first-lesson"]  # oldest first


def check(*args):
    return CliRunner().invoke(main, ["content", "check", "--lessons", str(VALID / "lessons"),
                                     "--quizzes", str(VALID / "quizzes"), *args])


def test_check_lists_stale_lessons_and_still_exits_0():
    result = check("--stale-after", "1d")  # both fixture lessons have facts from 2025
    assert result.exit_code == 0, result.output
    assert "2 lesson(s) with facts older than 1d" in result.output
    assert "sample/second-lesson  facts as of 2025-11-30" in result.output
    assert "sample/first-lesson   facts as of 2025-12-18" in result.output
    fresh = check("--stale-after", "200y")
    assert fresh.exit_code == 0 and "no lesson has facts older than 200y" in fresh.output
    assert "lesson(s) with facts older" not in check().output  # only when asked


def test_check_refuses_a_malformed_age():
    result = check("--stale-after", "6x")
    assert result.exit_code == 2 and "'6x' is not an age" in result.output


@pytest.mark.parametrize("lang, module_line, lesson_line", [
    ("en", "Facts current to 30 November 2025", "Facts current to 18 December 2025"),
    ("ar", "المعلومات محدّثة حتى 30 تشرين الثاني/نوفمبر 2025", "المعلومات محدّثة حتى 18 كانون الأول/ديسمبر 2025"),
])
def test_pages_say_what_date_the_facts_are_current_to(client, lang, module_line, lesson_line):
    module = client.get(f"/{lang}/modules/sample/").get_data(as_text=True)
    assert module_line in module  # the module is as current as its oldest lesson
    assert lesson_line not in module
    lesson = client.get(f"/{lang}/modules/sample/first-lesson/").get_data(as_text=True)
    assert lesson_line in lesson
    reviewed = "Last reviewed: 1 November 2026" if lang == "en" else "آخر مراجعة:"
    assert f'<p class="meta">{lesson_line} · {reviewed}' in lesson
