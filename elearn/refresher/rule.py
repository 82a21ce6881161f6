"""Which questions a refresher asks: a pure function of the question bank and the person's past
answers (no Flask, no database). The rule, also in docs/refreshers.md:

Each question of the module's bank is in a Leitner box: its *streak*, the number of times in a
row it was answered right, counting back from the last time it was asked (a partly right answer
counts as wrong). A question with streak k >= 1 is *due* again BASE_INTERVAL_DAYS * 2**(k-1)
days after it was last asked (30, 60, 120, ... days): each right answer in a row doubles the gap.

The refresher takes `size` questions, filling from these tiers in order:
  1. weak spots: answered wrong the last time it was asked; most often missed first, then the
     longest ago;
  2. never asked;
  3. due again: lowest streak first, then the longest ago;
  4. not due yet: the closest to being due first (elapsed time / interval, highest first).
Ties inside a tier are broken at random, so two people with the same history get different
refreshers. The chosen questions are then shown in random order (the order does not give away
which ones are weak spots).
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Iterable, Sequence

BASE_INTERVAL_DAYS = 30


@dataclass(frozen=True)
class Answer:
    """One past answer to one question."""

    question_id: str
    at: dt.datetime
    correct: bool


@dataclass(frozen=True)
class Standing:
    """What the history says about one question."""

    question_id: str
    asked: int = 0
    missed: int = 0
    streak: int = 0
    last_at: dt.datetime | None = None
    last_correct: bool = False

    def interval(self) -> dt.timedelta:
        return dt.timedelta(days=BASE_INTERVAL_DAYS * 2 ** max(self.streak - 1, 0))

    def tier(self, now: dt.datetime) -> int:
        if self.last_at is None:
            return 2
        if not self.last_correct:
            return 1
        return 3 if now - self.last_at >= self.interval() else 4


def standings(question_ids: Iterable[str], answers: Iterable[Answer]) -> dict[str, Standing]:
    """Fold the answers (in any order) into one Standing per question of the bank."""
    by_question: dict[str, list[Answer]] = {q: [] for q in question_ids}
    for answer in answers:
        if answer.question_id in by_question:
            by_question[answer.question_id].append(answer)
    result = {}
    for qid, history in by_question.items():
        history.sort(key=lambda a: a.at)
        streak = 0
        for answer in reversed(history):
            if not answer.correct:
                break
            streak += 1
        result[qid] = Standing(qid, asked=len(history), missed=sum(not a.correct for a in history), streak=streak,
                               last_at=history[-1].at if history else None,
                               last_correct=bool(history) and history[-1].correct)
    return result


def _sort_key(standing: Standing, now: dt.datetime, tiebreak: float) -> tuple:
    tier = standing.tier(now)
    if tier == 1:
        return (1, -standing.missed, standing.last_at, tiebreak)
    if tier == 2:
        return (2, tiebreak)
    if tier == 3:
        return (3, standing.streak, standing.last_at, tiebreak)
    overdue_ratio = (now - standing.last_at) / standing.interval()
    return (4, -overdue_ratio, tiebreak)


def choose_questions(question_ids: Sequence[str], answers: Iterable[Answer], size: int, now: dt.datetime,
                     rng: random.Random) -> list[str]:
    """The ids of the refresher's questions (at most `size`), in the order they will be shown."""
    table = standings(question_ids, answers)
    ranked = sorted(table.values(), key=lambda s: _sort_key(s, now, rng.random()))
    chosen = [s.question_id for s in ranked[:max(size, 0)]]
    rng.shuffle(chosen)
    return chosen
