"""Figures about the curriculum: lessons, words per lesson, questions per type."""
from __future__ import annotations

from collections import Counter

from .model import LANGS, QUESTION_TYPES, Catalog


def format_stats(catalog: Catalog) -> str:
    lines = []
    for module in catalog.modules:
        bank = module.question_bank
        types = Counter(q.type for q in bank)
        lines.append(f"{module.id}  ({len(module.lessons)} lessons, {len(module.quizzes)} quizzes, "
                     f"bank {len(bank)} questions: "
                     + ", ".join(f"{t} {types.get(t, 0)}" for t in QUESTION_TYPES) + ")")
        for lang in LANGS:
            words = [lesson.text(lang).words for lesson in module.lessons]
            lines.append(f"  {lang}: words per lesson " + ", ".join(
                f"{lesson.id}={w}" for lesson, w in zip(module.lessons, words)))
        for quiz in module.quizzes.values():
            lines.append(f"  quiz {quiz.id} ({quiz.kind}): {len(quiz.questions)} questions, pass {quiz.pass_mark}%")
    return "\n".join(lines)
