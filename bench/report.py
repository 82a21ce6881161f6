"""Time the trainer's group report and its CSV export for a group of 5,000 learners.

    python bench/report.py [--learners 5000] [--runs 15] [--database-url postgresql+psycopg://postgres@127.0.0.1/test]

Builds the group with `elearn.demo` (the same generator as `elearn demo`): every learner has
the five modules assigned and realistic activity (a quarter untouched, a third part-way, the rest
through every lesson or the whole module, quiz attempts graded by the real rules and retried
when failed, certificates for completed modules). Then it requests, as the trainer, through the
whole app (routing, session, queries, template): the report's first page with the default sort,
the same sorted by best score, an overdue filter, and the CSV export of every row. It prints the
median and the spread of wall-clock times, and the median CPU time of the bench process (on
SQLite that includes the queries; on PostgreSQL the server's share is not in it), which a busy
machine disturbs less. Uses a temporary SQLite database unless --database-url is given (its tables
are emptied first).
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    from sqlalchemy import func, insert, select, text

    from elearn import create_app
    from elearn.auth.models import User
    from elearn.auth.service import create_user
    from elearn.clock import utcnow
    from elearn.db import db, upgrade_database
    from elearn.demo import insert_activity, learner_activity, merge
    from elearn.learning.models import LessonProgress
    from elearn.quiz.models import QuizAttempt
    from elearn.trainer import assignments, service
    from elearn.trainer.models import Membership

    tmp = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    app = create_app({"INSTANCE_PATH": tmp, "LOG_LEVEL": "WARNING", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False})
    catalog = app.extensions["catalog"]
    started = time.perf_counter()
    with app.app_context():
        upgrade_database()
        if args.database_url:
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(table.delete())
            db.session.commit()
        trainer = create_user(db.session, "bench-trainer", "bench trainer password", role="trainer")
        group = service.create_group(db.session, trainer, "Bench group")
        now = utcnow()
        hashed = trainer.password_hash  # every bench learner shares one hash: signing in is not measured
        rows = [dict(username=f"learner{i}", username_key=f"learner{i}", display_name=f"Learner {i:05d}",
                     password_hash=hashed, role="learner", locale="ar" if i % 2 else "en", created_at=now)
                for i in range(args.learners)]
        db.session.execute(insert(User), rows)
        ids = db.session.scalars(select(User.id).where(User.role == "learner").order_by(User.id)).all()
        db.session.execute(insert(Membership), [dict(group_id=group.id, user_id=i, joined_at=now) for i in ids])
        db.session.commit()
        today = now.date()
        for n, module in enumerate(catalog.modules):
            assignments.assign(db.session, group, module.id, today + dt.timedelta(days=20 * n - 10),
                               12 if module.certificate_validity_months else None)
        rng = random.Random(2026)
        activity = merge(learner_activity(i, f"Learner {i}", catalog.modules, rng, now) for i in ids)
        insert_activity(db.session, activity, catalog)
        # Statistics for the query planner, as autovacuum (PostgreSQL) or a scheduled ANALYZE
        # would have them on a real site after bulk inserts.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        counts = {name: db.session.scalar(select(func.count()).select_from(model))
                  for name, model in (("lesson rows", LessonProgress), ("quiz attempts", QuizAttempt))}
        group_id = group.id
    print(f"built {args.learners} learners in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{v} {k}" for k, v in counts.items()) + f", {len(activity.certificates)} certificates")

    client = app.test_client()
    response = client.post("/en/login", data={"username": "bench-trainer", "password": "bench trainer password"})
    assert response.status_code == 302, response.status_code
    backend = url.split(":", 1)[0].split("+")[0]
    base = f"/en/trainer/groups/{group_id}"
    for label, path in (("report, first page", f"{base}/report"),
                        ("report sorted by score", f"{base}/report?sort=score&order=desc"),
                        ("report, overdue only", f"{base}/report?status=overdue"),
                        ("CSV export, every row", f"{base}/report.csv")):
        times, cpu = [], []
        for _ in range(args.runs + 1):
            start, start_cpu = time.perf_counter(), time.process_time()
            with client.get(path) as response:  # closed: a streamed CSV ends its request context
                size = len(response.get_data())
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, response.status_code
        tracemalloc.start()  # one more request, traced (tracing slows it, so it is not timed)
        with client.get(path) as response:
            for _chunk in response.response:  # read as a client would, chunk by chunk
                pass
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        times, cpu = sorted(times[1:]), sorted(cpu[1:])  # the first request warms caches; not counted
        print(f"{label} ({backend}, {args.learners} learners, n={args.runs}): median {statistics.median(times):.0f} ms, "
              f"min {times[0]:.0f}, max {times[-1]:.0f} (this process's CPU: median {statistics.median(cpu):.0f} ms); "
              f"{size / 1024:.0f} KB; peak Python memory while serving it {peak:.1f} MiB")


if __name__ == "__main__":
    main()
