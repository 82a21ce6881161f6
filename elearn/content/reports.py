"""The reports `elearn content check` and `elearn content lint` print after validation.

Reports, not refusals: a lesson going stale with the passage of time or a quiz leaning on a cue
is for an author to act on, never a reason for CI to fail. Pure: `today` is passed in.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .dates import Age, format_stale, stale_lessons
from .lint import format_details, format_summary, lint_catalog, lint_quizzes
from .loader import load_quizzes
from .model import Catalog


def check_report(catalog: Catalog, today: dt.date, stale_after: Age | None = None,
                 lint_details: bool = False) -> str:
    """The quiz lint's figures (and flagged items), then the stale lessons when asked for."""
    lint = lint_catalog(catalog)
    parts = [format_summary(lint)]
    if lint_details:
        parts.append(format_details(lint))
    if stale_after is not None:
        parts.append(format_stale(stale_lessons(catalog, stale_after, today), stale_after, today))
    return "\n".join(parts)


def quiz_lint_report(quizzes_dir: Path, details: bool = False) -> tuple[str, list[str]]:
    """The lint of the quizzes alone (lessons may be mid-edit), and any problem reading them."""
    modules, problems = load_quizzes(Path(quizzes_dir))
    lint = lint_quizzes(modules.items())
    text = format_summary(lint) + ("\n" + format_details(lint) if details else "")
    return text, problems
