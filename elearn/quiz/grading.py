"""Grading: pure functions from a catalog question and the chosen option ids to points.

Scoring rule (also in docs/content-format.md): every question is worth 1 point.
- single, true_false, scenario: 1 if the one chosen option is the answer, else 0
  (choosing several options is not a valid answer and scores 0);
- multiple: max(0, (right options chosen - wrong options chosen) / number of right options),
  so choosing every option scores 0 and a partly right choice earns part of the point.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from ..content import Question


@dataclass(frozen=True)
class Grade:
    question_id: str
    points: float
    chosen: frozenset[str]

    @property
    def correct(self) -> bool:
        return self.points >= 1.0


@dataclass(frozen=True)
class Result:
    grades: tuple[Grade, ...]
    max_points: int
    pass_mark: int

    @property
    def points(self) -> float:
        return sum(g.points for g in self.grades)

    @property
    def percent(self) -> float:
        return round(100 * self.points / self.max_points, 1) if self.max_points else 0.0

    @property
    def passed(self) -> bool:
        return self.percent >= self.pass_mark


def grade(question: Question, chosen: Iterable[str]) -> Grade:
    chosen = frozenset(chosen) & {o.id for o in question.options}
    if question.type == "multiple":
        right = len(chosen & question.answer)
        wrong = len(chosen - question.answer)
        points = max(0.0, (right - wrong) / len(question.answer))
    else:
        points = 1.0 if chosen == question.answer else 0.0
    return Grade(question.id, round(points, 4), chosen)


def grade_attempt(questions: Iterable[Question], answers: Mapping[str, Iterable[str]], pass_mark: int) -> Result:
    """Grade every question shown in an attempt; an unanswered question scores 0."""
    grades = tuple(grade(q, answers.get(q.id, ())) for q in questions)
    return Result(grades, len(grades), pass_mark)
