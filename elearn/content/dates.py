"""Dates that say how current the course is: rules for `facts_as_of`, and the stale-lesson list.

A lesson's `facts_as_of` is the date of the newest source its facts were checked against;
`reviewed` is when someone last re-read it. Both are plain dates, so every rule here is a pure
function that takes `today` instead of reading the clock.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .model import Catalog

_SOURCE_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_AGE = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)


def source_date(value) -> dt.date | None:
    """The first day a source's date can mean: 2025-12-18, 2025-12 (-> 1st) or 2025 (-> 1 January).

    YAML reads `2025-12-18` as a date and `2025` as a number, so both arrive here too.
    None when the value is none of these forms.
    """
    if isinstance(value, dt.date):
        return value
    match = _SOURCE_DATE.match(str(value).strip())
    if not match:
        return None
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def facts_date_problems(facts_as_of: dt.date, reviewed: dt.date | None, today: dt.date) -> list[str]:
    """What is wrong with a lesson's `facts_as_of` against its `reviewed` date and today."""
    problems = []
    if facts_as_of > today:
        problems.append(f"'facts_as_of' ({facts_as_of}) is in the future")
    if isinstance(reviewed, dt.date) and facts_as_of > reviewed:
        problems.append(f"'facts_as_of' ({facts_as_of}) is after 'reviewed' ({reviewed}): "
                        "facts cannot be newer than the last check of the lesson")
    return problems


def source_after_facts(date_value, facts_as_of: dt.date) -> str | None:
    """A problem when a source is newer than the lesson's facts date (it cannot have been checked)."""
    start = source_date(date_value)
    if start is None or start <= facts_as_of:
        return None
    return (f"source dated {date_value} is after 'facts_as_of' ({facts_as_of}): check the lesson "
            "against it and move 'facts_as_of' forward, or remove the source")


# --- staleness ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Age:
    """A span such as 6m: `count` days, weeks, months or years."""

    count: int
    unit: str  # d, w, m or y

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    def before(self, today: dt.date) -> dt.date:
        """The date this span before `today` (months and years keep the day, clamped to the month's end)."""
        if self.unit == "d":
            return today - dt.timedelta(days=self.count)
        if self.unit == "w":
            return today - dt.timedelta(weeks=self.count)
        months = self.count * (12 if self.unit == "y" else 1)
        index = today.year * 12 + today.month - 1 - months
        year, month = divmod(index, 12)
        month += 1
        return dt.date(year, month, min(today.day, _days_in_month(year, month)))


def _days_in_month(year: int, month: int) -> int:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


def parse_age(text: str) -> Age:
    """'6m' -> Age(6, 'm'). Accepts Nd, Nw, Nm, Ny; raises ValueError otherwise."""
    match = _AGE.match(text or "")
    if not match:
        raise ValueError(f"'{text}' is not an age: use a number and d, w, m or y (e.g. 6m)")
    return Age(int(match.group(1)), match.group(2).lower())


@dataclass(frozen=True)
class StaleLesson:
    key: str  # module/lesson
    facts_as_of: dt.date


def stale_lessons(catalog: Catalog, age: Age, today: dt.date) -> list[StaleLesson]:
    """Lessons whose facts date is older than `age` before `today`, oldest first."""
    cutoff = age.before(today)
    stale = [StaleLesson(f"{module.id}/{lesson.id}", lesson.facts_as_of)
             for module in catalog.modules for lesson in module.lessons
             if lesson.facts_as_of < cutoff]
    return sorted(stale, key=lambda s: (s.facts_as_of, s.key))


def format_stale(stale: list[StaleLesson], age: Age, today: dt.date) -> str:
    cutoff = age.before(today)
    if not stale:
        return f"no lesson has facts older than {age} (all facts_as_of on or after {cutoff})"
    width = max(len(s.key) for s in stale)
    lines = [f"{len(stale)} lesson(s) with facts older than {age} (facts_as_of before {cutoff}):"]
    lines += [f"  {s.key.ljust(width)}  facts as of {s.facts_as_of}" for s in stale]
    return "\n".join(lines)
