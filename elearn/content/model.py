"""Frozen dataclasses of the catalog. Built once per process by the loader; never mutated."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

LANGS = ("ar", "en")
QUESTION_TYPES = ("single", "multiple", "true_false", "scenario")


@dataclass(frozen=True)
class Text:
    """A piece of content in both languages."""

    ar: str
    en: str

    def get(self, lang: str) -> str:
        return self.ar if lang == "ar" else self.en


@dataclass(frozen=True)
class Source:
    publisher: str
    title: str
    date: str
    url: str


@dataclass(frozen=True)
class KeyTerm:
    term: str
    definition: str


@dataclass(frozen=True)
class LessonText:
    """One language's version of a lesson, rendered and sanitised."""

    lang: str
    title: str
    minutes: int | None
    objectives: tuple[str, ...]
    key_terms: tuple[KeyTerm, ...]
    sources: tuple[Source, ...]
    reviewed: dt.date  # when someone last re-read this language's file against its sources
    facts_as_of: dt.date  # the date of the newest source the facts were checked against
    html: str
    words: int


@dataclass(frozen=True)
class Lesson:
    id: str
    module_id: str
    position: int  # 0-based, reading order within the module
    texts: Mapping[str, LessonText]
    check_quiz_id: str | None = None

    def text(self, lang: str) -> LessonText:
        return self.texts[lang]

    @property
    def facts_as_of(self) -> dt.date:
        """The lesson's facts date (the validator makes both languages agree; min() stays safe)."""
        return min(text.facts_as_of for text in self.texts.values())


@dataclass(frozen=True)
class Option:
    id: str
    text: Text | None  # None for true/false options: the interface says "True"/"False"
    feedback: Text


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: Text
    scenario: Text | None
    options: tuple[Option, ...]
    answer: frozenset[str]
    line: int = field(default=0, compare=False)  # where it starts in its quiz file, for the quiz lint

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


#: When a part of a graded attempt is shown (docs/content-format.md, "Review options").
MOMENTS = ("always", "after-pass", "after-last-attempt")


@dataclass(frozen=True)
class Review:
    """What a learner sees on an attempt's result page, each with the moments it is shown at
    (a subset of MOMENTS; empty = never). An unanswered question never reveals its answer."""

    score: frozenset[str]  # their score and whether they passed
    marks: frozenset[str]  # whether each of their answers was right
    feedback: frozenset[str]  # the feedback on the options they chose
    answers: frozenset[str]  # the right answers (with their feedback)


_ALWAYS, _EARNED = frozenset({"always"}), frozenset({"after-pass", "after-last-attempt"})
#: Check quizzes teach: everything after every attempt.
CHECK_REVIEW = Review(score=_ALWAYS, marks=_ALWAYS, feedback=_ALWAYS, answers=_ALWAYS)
#: Final quizzes (and refreshers) prove knowledge: score and own marks after every attempt; the
#: feedback (which often names the right option) and the right answers once passed or when no
#: attempt is left.
FINAL_REVIEW = Review(score=_ALWAYS, marks=_ALWAYS, feedback=_EARNED, answers=_EARNED)


@dataclass(frozen=True)
class Quiz:
    id: str
    module_id: str
    kind: str  # "check" or "final"
    lesson_id: str | None
    title: Text
    pass_mark: int
    max_attempts: int  # 0 = unlimited
    retake_wait_minutes: int
    questions: tuple[Question, ...]
    max_per_day: int = 0  # attempts started in any 24 hours; 0 = unlimited
    review: Review = CHECK_REVIEW
    draw: int = 0  # questions per attempt drawn from `bank`; 0 = every question of `questions`
    # The module's question bank in strata, for a quiz that draws: (lesson id, its check quiz's
    # questions) in reading order, then (None, the module-wide questions: the final's own).
    bank: tuple[tuple[str | None, tuple[Question, ...]], ...] = ()

    def question(self, question_id: str) -> Question | None:
        """One of its questions, or of the bank it draws from."""
        found = next((q for q in self.questions if q.id == question_id), None)
        if found is None and self.draw:
            found = next((q for _lesson, stratum in self.bank for q in stratum if q.id == question_id), None)
        return found

    @property
    def attempt_size(self) -> int:
        """How many questions an attempt asks."""
        return min(self.draw, sum(len(stratum) for _lesson, stratum in self.bank)) if self.draw \
            else len(self.questions)


@dataclass(frozen=True)
class Module:
    id: str
    order: int
    title: Text
    summary: Text
    lessons: tuple[Lesson, ...]
    quizzes: Mapping[str, Quiz]
    final_quiz_id: str
    pass_mark: int
    certificate_validity_months: int | None
    version: str  # hash of the module's files: certificates record what they were earned on

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((l for l in self.lessons if l.id == lesson_id), None)

    @property
    def facts_as_of(self) -> dt.date | None:
        """The oldest facts date of its lessons: the module is only as current as its oldest lesson."""
        return min((lesson.facts_as_of for lesson in self.lessons), default=None)

    @property
    def final_quiz(self) -> Quiz:
        return self.quizzes[self.final_quiz_id]

    @property
    def question_bank(self) -> tuple[Question, ...]:
        return tuple(q for quiz in self.quizzes.values() for q in quiz.questions)


@dataclass(frozen=True)
class Catalog:
    modules: tuple[Module, ...]
    _by_id: Mapping[str, Module] = field(default_factory=lambda: MappingProxyType({}), repr=False)

    @classmethod
    def of(cls, modules) -> "Catalog":
        ordered = tuple(sorted(modules, key=lambda m: (m.order, m.id)))
        return cls(ordered, MappingProxyType({m.id: m for m in ordered}))

    def module(self, module_id: str) -> Module | None:
        return self._by_id.get(module_id)
