"""Quiz attempts. An attempt stores the questions and option order it showed (fixed when it
starts) and the answers as the learner saves them, so a dropped connection loses nothing and
a later content change cannot reshuffle an attempt under the learner's feet."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..db import db


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempts"
    # Looks up a learner's attempts at a quiz and, covering every column the trainers' group report
    # aggregates, lets the database answer that report from the index without reading the rows
    # (whose JSON columns make them large).
    # At most one open attempt per learner and quiz, whatever requests race (migration 0009): a
    # second "start" finds the index refusing its row and resumes the open one instead.
    __table_args__ = (Index("ix_quiz_attempts_report", "user_id", "module_id", "quiz_id", "passed", "percent",
                            "started_at"),
                      Index("uq_quiz_attempts_open", "user_id", "module_id", "quiz_id", unique=True,
                            sqlite_where=text("submitted_at IS NULL"), postgresql_where=text("submitted_at IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[str] = mapped_column(String(64))
    quiz_id: Mapped[str] = mapped_column(String(64))
    content_version: Mapped[str] = mapped_column(String(16))
    # [{"q": question id, "o": [option ids in the order shown]}, ...]
    layout: Mapped[list] = mapped_column(JSON)
    # {question id: [chosen option ids]}
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    saved_at: Mapped[dt.datetime | None]
    submitted_at: Mapped[dt.datetime | None]
    points: Mapped[float | None]
    max_points: Mapped[int | None]
    percent: Mapped[float | None]
    passed: Mapped[bool | None]
    # {question id: points}, kept for reports and item analysis
    question_points: Mapped[dict | None] = mapped_column(JSON)

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None
