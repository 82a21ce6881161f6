"""Time the queries behind recertification reports and reminders on one group of N learners:
`current_certificates` (a subquery of the group's member ids), `group_counts` (per-group counts of
current, due soon and expired) and `learner_reminders` (who is due a reminder); and the refresher's
question choice on a 130-question bank with 500 past answers. Prints medians.

    .venv/bin/python bench/refreshers.py [--learners 5000] [--runs 7] [--database-url postgresql+psycopg://...]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "content" / "valid"


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def seed(db, n: int) -> int:
    from elearn.auth.models import User
    from elearn.certificates.models import Certificate
    from elearn.trainer.models import Group, Membership

    trainer = User(username="coach", username_key="coach", display_name="coach", password_hash="x", role="trainer")
    db.session.add(trainer)
    db.session.flush()
    group = Group(name="Everyone", trainer_id=trainer.id, invite_code="BENCH001")
    db.session.add(group)
    db.session.flush()
    users = [User(username=f"u{i}", username_key=f"u{i}", display_name=f"u{i}", password_hash="x") for i in range(n)]
    db.session.add_all(users)
    db.session.flush()
    today = dt.date.today()
    db.session.add_all(Membership(group_id=group.id, user_id=u.id) for u in users)
    db.session.add_all(Certificate(user_id=u.id, module_id="sample", code=f"C{u.id:015d}", name=u.username,
                                   title_ar="وحدة", title_en="Module", content_version="v",
                                   expires_on=today + dt.timedelta(days=i % 400 - 60), pdf=b"x" * 30_000)
                       for i, u in enumerate(users))
    db.session.commit()
    return group.id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", help="default: a fresh SQLite file (PostgreSQL: the public schema is replaced)")
    args = parser.parse_args()

    from sqlalchemy import select, text

    from elearn import create_app
    from elearn.certificates.service import current_certificates
    from elearn.db import db, upgrade_database
    from elearn.refresher.rule import Answer, choose_questions
    from elearn.reminders.service import group_counts, learner_reminders
    from elearn.trainer.models import Membership

    tmp = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    app = create_app({"INSTANCE_PATH": tmp, "LOG_LEVEL": "WARNING", "SQLALCHEMY_DATABASE_URI": url, "LESSONS_DIR": str(FIXTURE / "lessons"),
                      "QUIZZES_DIR": str(FIXTURE / "quizzes")})
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade_database()
        group_id = seed(db, args.learners)
        catalog, today = app.extensions["catalog"], dt.date.today()
        members = select(Membership.user_id).where(Membership.group_id == group_id)

        def report():
            return current_certificates(db.session, members, ["sample"])

        assert len(report()) == args.learners
        print(f"{args.learners} learners, {db.engine.url.get_backend_name()}, median of {args.runs} runs")
        print(f"current_certificates (subquery of members): {median_ms(report, args.runs):.1f} ms")
        print(f"group_counts: {median_ms(lambda: group_counts(db.session, catalog, today, 30), args.runs):.1f} ms")
        print(f"learner_reminders: {median_ms(lambda: learner_reminders(db.session, catalog, today, 30), args.runs):.1f} ms")

    rng = random.Random(1)
    bank = [f"q{i}" for i in range(130)]
    now = dt.datetime(2027, 6, 1)
    history = [Answer(rng.choice(bank), now - dt.timedelta(days=rng.randint(0, 700)), rng.random() < 0.7)
               for _ in range(500)]
    print(f"choose_questions (130 questions, 500 answers): "
          f"{median_ms(lambda: choose_questions(bank, history, 10, now, rng), args.runs * 10):.2f} ms")


if __name__ == "__main__":
    main()
