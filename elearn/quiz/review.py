"""What the result page of a graded attempt shows: pure functions of the quiz's review options
(content.Review), the learner's standing at the quiz and the attempt's answers.

The moments (docs/content-format.md, "Review options"): "always" (after every attempt),
"after-pass" (once the learner has passed the quiz), "after-last-attempt" (once no attempt is
left). Whatever the options say, a question left unanswered never reveals its right answer or
any feedback: submitting an empty attempt teaches nothing about the key.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from ..content import Option, Question
from ..content.model import Review


@dataclass(frozen=True)
class Shown:
    """Which parts of the review are shown now."""

    score: bool
    marks: bool
    feedback: bool
    answers: bool


@dataclass(frozen=True)
class OptionView:
    option: Option
    picked: bool  # the learner chose it (always shown: it is their own answer)
    key: bool  # shown as a right answer
    feedback: bool  # its feedback is shown


@dataclass(frozen=True)
class ItemView:
    question: Question
    options: tuple[OptionView, ...]
    answered: bool
    points: float | None  # None when the marks are not shown


def moments(passed: bool, attempts_left: bool) -> frozenset[str]:
    """The moments that hold now for a learner."""
    now = {"always"}
    if passed:
        now.add("after-pass")
    if not attempts_left:
        now.add("after-last-attempt")
    return frozenset(now)


def shown(review: Review, passed: bool, attempts_left: bool) -> Shown:
    now = moments(passed, attempts_left)
    return Shown(score=bool(review.score & now), marks=bool(review.marks & now),
                 feedback=bool(review.feedback & now), answers=bool(review.answers & now))


def item(question: Question, options: Sequence[Option], chosen: Iterable[str], points: float,
         show: Shown) -> ItemView:
    """One question of a graded attempt as the result page may show it."""
    chosen = set(chosen)
    answered = bool(chosen)
    views = []
    for option in options:
        picked = option.id in chosen
        key = answered and show.answers and option.id in question.answer
        views.append(OptionView(option, picked, key, (picked and show.feedback) or key))
    return ItemView(question, tuple(views), answered, points if show.marks else None)


def items(shown_questions: Sequence[tuple[Question, Sequence[Option]]], answers: Mapping[str, Iterable[str]],
          question_points: Mapping[str, float], show: Shown) -> list[ItemView]:
    """Every question of a graded attempt, in the order it was shown."""
    return [item(question, options, answers.get(question.id, ()), question_points.get(question.id, 0.0), show)
            for question, options in shown_questions]
