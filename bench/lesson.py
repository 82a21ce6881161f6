"""CPU time of one lesson page rendered in-process (the test client: routing, session, templates,
compression; no network), anonymous in English and Arabic and signed in, and the statements a
signed-in view sends. Prints medians of --runs runs of --n requests each.

    .venv/bin/python bench/lesson.py [--n 500] [--runs 3] [--database-url URL] [--profile signed-in]

CPU time (time.process_time) rather than wall time, so the figure holds on a busy machine.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "bench lesson password"


def build(url: str | None):
    from elearn import create_app
    from elearn.auth.service import create_user
    from elearn.db import db, upgrade_database

    tmp = tempfile.mkdtemp()
    app = create_app({"INSTANCE_PATH": tmp, "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{tmp}/bench.db"})
    with app.app_context():
        upgrade_database()
        if url:
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(table.delete())
            db.session.commit()
        create_user(db.session, "bench", PASSWORD, locale="en")
    return app


def signed_in(app):
    client = app.test_client()
    html = client.get("/en/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post("/en/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


def cpu_per_request(client, path: str, n: int) -> float:
    """Milliseconds of this process's CPU per request (brotli accepted, as browsers send)."""
    headers = {"Accept-Encoding": "br, gzip"}
    assert client.get(path, headers=headers).status_code == 200
    start = time.process_time()
    for _ in range(n):
        client.get(path, headers=headers)
    return (time.process_time() - start) * 1000 / n


def count_statements(app, client, path: str) -> tuple[int, int]:
    """Statements one view sends, and the pings (pool_pre_ping's, which bypass the statement
    events) made when it checks a connection out."""
    from sqlalchemy import event

    from elearn.db import db

    seen, pings = [], []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731  (before_cursor_execute: statement)
    do_ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda connection: pings.append(1) or do_ping(connection)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
        engine.dialect.do_ping = do_ping
    return len(seen), len(pings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url")
    parser.add_argument("--profile", choices=["anonymous-ar", "signed-in"], help="print a cProfile of that case")
    args = parser.parse_args()
    app = build(args.database_url)
    module = app.extensions["catalog"].modules[0]
    lesson = module.lessons[0]
    path = "/{lang}/modules/%s/%s/" % (module.id, lesson.id)
    anonymous, member = app.test_client(), signed_in(app)
    cases = {"anonymous en": (anonymous, path.format(lang="en")), "anonymous ar": (anonymous, path.format(lang="ar")),
             "signed in en": (member, path.format(lang="en"))}
    if args.profile:
        client, page = cases["signed in en"] if args.profile == "signed-in" else cases["anonymous ar"]
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.n):
            client.get(page, headers={"Accept-Encoding": "br, gzip"})
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
        return
    print(f"lesson page {path}, {args.n} requests x {args.runs} runs, CPU ms per request (median):")
    for name, (client, page) in cases.items():
        runs = [cpu_per_request(client, page, args.n) for _ in range(args.runs)]
        print(f"  {name:13s} {statistics.median(runs):6.2f} ms   (runs: {', '.join(f'{r:.2f}' for r in runs)})")
    statements, pings = count_statements(app, member, path.format(lang="en"))
    print(f"  SQL statements per signed-in view: {statements}, and {pings} connection ping(s)")


if __name__ == "__main__":
    main()
