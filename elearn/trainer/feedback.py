"""Anonymous end-of-module feedback: three ratings from 1 to 5 and an optional comment, given once
per learner and module after completing it, and seen by trainers only as totals per group.

What is stored, and why it cannot be traced back to a learner:

- A response holds the module, the day (never the time) and the answers: no user id, and an id
  that is random rather than counting up, so neither the order of the rows nor a time of day lines
  a response up with the moment someone completed the module.
- A learner in several groups gives one row per group (with that group's id), not one row listing
  the groups: a combination of groups can be as telling as a name, a single group id is not. A
  learner in no group gives one row without a group.
- "Already answered" is a separate receipt: an HMAC of (user id, module id) under a key the server
  holds (derived from its secret key), with nothing else in the row and no link to the response.
  Whoever reads the database without that key cannot tell whose receipts they are. (A flag on the
  learner's progress row would have said in clear who answered, and it is written the moment the
  response is, so the two could be matched by time.)
- Trainers see a module's results for their group only from MIN_RESPONSES responses on, as
  counts, means and distributions, with the comments in alphabetical order and undated.

What this does not prevent: someone who holds both the database and the secret key can tell who
answered a module (not what they said); and a trainer who watches the count go from 3 to 4 just
after one person completed the module learns that person's answers.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import ForeignKey, Index, SmallInteger, String, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..db import db

QUESTIONS = ("clarity", "usefulness", "difficulty")
SCALE = range(1, 6)
MIN_RESPONSES = 3
MAX_COMMENT = 1000


class FeedbackResponse(db.Model):
    __tablename__ = "feedback_responses"
    __table_args__ = (Index("ix_feedback_responses_group_module", "group_id", "module_id"),)

    # Random, not a counter: the order of ids would follow the order of completions.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    day: Mapped[dt.date]
    clarity: Mapped[int] = mapped_column(SmallInteger)
    usefulness: Mapped[int] = mapped_column(SmallInteger)
    difficulty: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(String(MAX_COMMENT))


class FeedbackReceipt(db.Model):
    """That someone answered a module: a keyed digest of (user, module), nothing else."""

    __tablename__ = "feedback_receipts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)


@dataclass(frozen=True)
class Answers:
    clarity: int
    usefulness: int
    difficulty: int
    comment: str | None = None

    def __post_init__(self):
        for name in QUESTIONS:
            if getattr(self, name) not in SCALE:
                raise ValueError(f"{name} must be 1-5")
        if self.comment is not None and len(self.comment) > MAX_COMMENT:
            raise ValueError("comment too long")


def receipt_key(secret: bytes, user_id: int, module_id: str) -> str:
    return hmac.new(secret, f"{user_id}:{module_id}".encode(), hashlib.sha256).hexdigest()


def has_answered(session: Session, secret: bytes, user_id: int, module_id: str) -> bool:
    return session.get(FeedbackReceipt, receipt_key(secret, user_id, module_id)) is not None


def answered_modules(session: Session, secret: bytes, user_id: int, module_ids) -> set[str]:
    """Which of `module_ids` the learner has answered, in one query."""
    keys = {receipt_key(secret, user_id, m): m for m in module_ids}
    if not keys:
        return set()
    found = session.scalars(select(FeedbackReceipt.key).where(FeedbackReceipt.key.in_(keys)))
    return {keys[k] for k in found}


def submit(session: Session, secret: bytes, user_id: int, module_id: str, group_ids: list[int],
           answers: Answers, today: dt.date) -> bool:
    """Store the answers once for (user, module), one row per group (or one without a group).
    False when the learner had already answered. The receipt and the rows commit together."""
    session.add(FeedbackReceipt(key=receipt_key(secret, user_id, module_id)))
    for group_id in sorted(set(group_ids)) or [None]:
        session.add(FeedbackResponse(id=secrets.token_hex(16), module_id=module_id, group_id=group_id, day=today,
                                     clarity=answers.clarity, usefulness=answers.usefulness,
                                     difficulty=answers.difficulty, comment=answers.comment or None))
    try:
        session.commit()
    except IntegrityError:  # the receipt exists: answered before (or by a request a moment ago)
        session.rollback()
        return False
    return True


@dataclass(frozen=True)
class Rating:
    question: str
    mean: float
    counts: tuple[int, ...]  # how many chose 1, 2, 3, 4, 5

    @property
    def shares(self) -> tuple[float, ...]:
        total = sum(self.counts)
        return tuple(c / total if total else 0.0 for c in self.counts)


@dataclass(frozen=True)
class Summary:
    """A module's feedback in one group. `ratings` and `comments` are empty below MIN_RESPONSES."""

    module_id: str
    responses: int
    ratings: tuple[Rating, ...]
    comments: tuple[str, ...]

    @property
    def shown(self) -> bool:
        return self.responses >= MIN_RESPONSES


def summarise(module_id: str, counts: dict[str, dict[int, int]], comments: list[str],
              minimum: int = MIN_RESPONSES) -> Summary:
    """Pure: how many chose each value of each question, and the comments -> what a trainer may see."""
    responses = sum(counts.get(QUESTIONS[0], {}).values())
    if responses < minimum:
        return Summary(module_id, responses, (), ())
    ratings = []
    for question in QUESTIONS:
        chosen = tuple(counts.get(question, {}).get(value, 0) for value in SCALE)
        mean = sum(value * n for value, n in zip(SCALE, chosen)) / responses
        ratings.append(Rating(question, mean, chosen))
    kept = sorted((c.strip() for c in comments if c and c.strip()), key=str.casefold)
    return Summary(module_id, responses, tuple(ratings), tuple(kept))


def for_group(session: Session, group_id: int) -> dict[str, Summary]:
    """Every module the group's members gave feedback on -> its summary. Counted in the database
    (one query per question, one for the comments), whatever the number of responses."""
    mine = FeedbackResponse.group_id == group_id
    counts: dict[str, dict[str, dict[int, int]]] = {}
    for question in QUESTIONS:
        column = getattr(FeedbackResponse, question)
        for module_id, value, n in session.execute(
                select(FeedbackResponse.module_id, column, func.count()).where(mine)
                .group_by(FeedbackResponse.module_id, column)):
            counts.setdefault(module_id, {}).setdefault(question, {})[value] = n
    comments: dict[str, list[str]] = {}
    for module_id, comment in session.execute(select(FeedbackResponse.module_id, FeedbackResponse.comment)
                                              .where(mine, FeedbackResponse.comment.is_not(None))):
        comments.setdefault(module_id, []).append(comment)
    return {m: summarise(m, found, comments.get(m, [])) for m, found in counts.items()}
