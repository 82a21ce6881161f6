"""Which questions an attempt at a drawing quiz (a module's final) asks: a pure function of the
module's bank, in strata, and the learner's earlier attempts at that quiz (no Flask, no
database). The rule, also in docs/content-format.md ("Drawing a final from the bank"):

1. Strata: each lesson's check-quiz questions (one stratum per lesson, in reading order) and
   the module-wide questions (the final's own).
2. Places: `size` (the quiz's `draw`, at most the bank). The module-wide stratum gets half of
   them, rounded up, as far as it can fill them: those questions are never shown with their
   answers in a check quiz. The lessons share the other places in proportion to their
   questions, each lesson getting at least one when there are places enough (largest remainder;
   ties at random). Places a stratum cannot fill go to the others.
3. Within a stratum: questions this learner was never asked in this quiz first, then those
   asked longest ago; among equals, a question of a type drawn fewer times so far, then chance.
4. Types: every question type of the bank is drawn when it can be, by swapping its best question
   (step 3's order) for the last-ranked question of the same stratum whose type is drawn twice or
   more (so no lesson loses its place and no other type disappears).
5. The questions are shown in random order.

So a second attempt asks questions the first did not, as long as the bank has them.
"""
from __future__ import annotations

import math
import random
from collections import Counter
from typing import Mapping, Sequence

from ..content import Question

Strata = Sequence[tuple[str | None, Sequence[Question]]]


def last_asked(layouts: Sequence[Sequence[dict]]) -> dict[str, int]:
    """{question id: how many attempts ago it was last asked (0 = the latest)}, from the layouts
    of earlier attempts, newest first."""
    ages: dict[str, int] = {}
    for age, layout in enumerate(layouts):
        for item in layout:
            ages.setdefault(item["q"], age)
    return ages


def places(lesson_sizes: Sequence[int], module_size: int, size: int, rng: random.Random) -> tuple[list[int], int]:
    """(places per lesson stratum, places for the module-wide stratum): step 2 of the rule."""
    size = max(0, min(size, sum(lesson_sizes) + module_size))
    module = min(module_size, math.ceil(size / 2))
    rest = size - module
    quota = [0] * len(lesson_sizes)
    filled = [i for i, n in enumerate(lesson_sizes) if n > 0]
    if rest >= len(filled):
        for i in filled:
            quota[i] = 1
    total = sum(lesson_sizes) or 1
    ties = [rng.random() for _ in lesson_sizes]
    while sum(quota) < rest:
        open_ = [i for i in filled if quota[i] < lesson_sizes[i]]
        if not open_:
            break
        best = max(open_, key=lambda i: (lesson_sizes[i] * rest / total - quota[i], ties[i]))
        quota[best] += 1
    module = min(module_size, size - sum(quota))  # what the lessons could not fill
    return quota, module


def choose(strata: Strata, size: int, asked: Mapping[str, int], rng: random.Random) -> list[Question]:
    """The questions of one attempt, in the order they will be shown."""
    lessons = [list(questions) for lesson, questions in strata if lesson is not None]
    module = [q for lesson, questions in strata if lesson is None for q in questions]
    quota, module_places = places([len(s) for s in lessons], len(module), size, rng)
    ties = {q.id: rng.random() for stratum in (*lessons, module) for q in stratum}
    counts: Counter = Counter()
    picked = [_pick(module, module_places, asked, counts, ties)]
    picked += [_pick(stratum, n, asked, counts, ties) for stratum, n in zip(lessons, quota)]
    _cover_types([module, *lessons], picked, asked, counts, ties)
    chosen = [q for group in picked for q in group]
    rng.shuffle(chosen)
    return chosen


def _freshness(question: Question, asked: Mapping[str, int]) -> tuple:
    """Never asked first, then the longest ago."""
    age = asked.get(question.id)
    return (0, 0) if age is None else (1, -age)


def _pick(stratum: list[Question], n: int, asked, counts: Counter, ties) -> list[Question]:
    pool, chosen = list(stratum), []
    for _ in range(min(n, len(pool))):
        best = min(pool, key=lambda q: (_freshness(q, asked), counts[q.type], ties[q.id]))
        pool.remove(best)
        chosen.append(best)
        counts[best.type] += 1
    return chosen


def _cover_types(strata: list[list[Question]], picked: list[list[Question]], asked, counts: Counter, ties) -> None:
    """Step 4: swap in a question of each type the draw misses, inside one stratum."""
    rank = lambda q: (_freshness(q, asked), ties[q.id])  # noqa: E731
    for qtype in sorted({q.type for stratum in strata for q in stratum} - set(+counts)):
        candidates = sorted(((q, i) for i, stratum in enumerate(strata) for q in stratum
                             if q.type == qtype and q not in picked[i]), key=lambda pair: rank(pair[0]))
        for question, i in candidates:
            spare = [q for q in picked[i] if counts[q.type] >= 2]
            if spare:
                out = max(spare, key=rank)
                picked[i][picked[i].index(out)] = question
                counts[out.type] -= 1
                counts[qtype] += 1
                break
