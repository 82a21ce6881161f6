"""What a learner did with lessons. Content ids are slugs from the catalog, not foreign keys:
content lives in files, so progress survives content edits."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..db import db


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    # The index covers what the trainers' group report aggregates (see trainer/report.py).
    __table_args__ = (UniqueConstraint("user_id", "module_id", "lesson_id"),
                      Index("ix_lesson_progress_report", "user_id", "module_id", "lesson_id", "completed_at",
                            "last_opened_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[str] = mapped_column(String(64))
    lesson_id: Mapped[str] = mapped_column(String(64))
    first_opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[dt.datetime | None]


class ModuleTotals(db.Model):
    """A learner's totals in one module, kept up to date as they work so that a trainer's report
    on thousands of learners reads one narrow row per learner and module instead of aggregating
    every lesson and quiz attempt (see learning/service.refresh_totals)."""

    __tablename__ = "module_totals"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lessons_done: Mapped[int] = mapped_column(default=0)
    quizzes_passed: Mapped[int] = mapped_column(default=0)
    best_final: Mapped[float | None]  # best percent in the module's final quiz
    last_activity: Mapped[dt.datetime | None]
