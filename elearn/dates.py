"""Dates and times as people read them: one style per language, for pages, CSV, e-mails and PDFs.

English writes the day, the month's name and the year ("30 November 2026", or "30 Nov 2026"
where space is short): never a numeric date, which readers of different countries read
differently (11/1/26). Arabic writes them as the lessons do: Western digits and the month's
Levantine name with its Egyptian one, "30 تشرين الثاني/نوفمبر 2026" (no short form: the pair is
what readers in both regions recognise). Times are 24-hour ("14:05"), in UTC like everything the
app stores; the page says so where it matters.

Pure functions of a date and a language: no locale data, no bidi marks (a date sits inside
text of either direction, and marks scramble it in an SVG or a spreadsheet cell).
"""
from __future__ import annotations

import datetime as dt
import re

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
MONTHS_AR = ("كانون الثاني/يناير", "شباط/فبراير", "آذار/مارس", "نيسان/أبريل", "أيار/مايو", "حزيران/يونيو",
             "تموز/يوليو", "آب/أغسطس", "أيلول/سبتمبر", "تشرين الأول/أكتوبر", "تشرين الثاني/نوفمبر",
             "كانون الأول/ديسمبر")


def month_name(month: int, lang: str, short: bool = False) -> str:
    """The name of month 1-12: "November" ("Nov" short) or "تشرين الثاني/نوفمبر"."""
    if lang == "ar":
        return MONTHS_AR[month - 1]
    name = MONTHS_EN[month - 1]
    return name[:3] if short else name


def format_date(day: dt.date, lang: str, short: bool = False) -> str:
    """'30 November 2026' ('30 Nov 2026' short) or '30 تشرين الثاني/نوفمبر 2026'.

    A datetime gives its date (UTC, as stored)."""
    return f"{day.day} {month_name(day.month, lang, short)} {day.year}"


_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def format_partial(value, lang: str) -> str:
    """A source's date as precise as it is given: '2012-01-18' -> '18 January 2012',
    '2025-12' -> 'December 2025', '2012' -> '2012'; anything else as written."""
    if isinstance(value, dt.date):
        return format_date(value, lang)
    text = str(value).strip()
    match = _PARTIAL.match(text)
    if not match or not 1 <= int(match.group(2) or 1) <= 12:
        return text
    year, month, day = match.groups()
    if month is None:
        return year
    if day is None:
        return f"{month_name(int(month), lang)} {year}"
    try:
        return format_date(dt.date(int(year), int(month), int(day)), lang)
    except ValueError:
        return text


def format_day_month(day: dt.date, lang: str) -> str:
    """Without the year, for a chart's axis: '30 Nov' or '30 تشرين الثاني/نوفمبر'."""
    return f"{day.day} {month_name(day.month, lang, short=True)}"


def format_time(moment: dt.datetime | dt.time) -> str:
    """'14:05': 24-hour, the same in both languages."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def format_datetime(moment: dt.datetime, lang: str, short: bool = False) -> str:
    """'30 Nov 2026, 14:05' or '30 تشرين الثاني/نوفمبر 2026، 14:05' (UTC, as stored)."""
    comma = "،" if lang == "ar" else ","
    return f"{format_date(moment, lang, short)}{comma} {format_time(moment)}"


def is_short(style: str | None) -> bool:
    """Babel's style names as the templates pass them: 'short' and 'medium' are the compact form,
    'long' and 'full' (and no style) the full one."""
    return style in ("short", "medium")
