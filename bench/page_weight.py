"""Page weight: every page type in both languages, loaded in headless Chromium with an empty
cache (cold) and again in the same browser context (warm), on an emulated slow network
(400 kbit/s each way, 400 ms round trip). Prints bytes over the wire (headers included),
requests and load time, medians of --runs loads, and the lesson page's verdict against the
budgets: 40 KB cold, 12 KB warm, under 3 s.

    python bench/page_weight.py [--runs 3] [--server gunicorn|werkzeug] [--page lesson]

Serves the app on loopback (gunicorn by default, as in production; the app compresses its
responses itself with flask-compress) on a throwaway SQLite database with the real content
(lessons/ and quizzes/), seeded so that every page type exists (tests/browser.py). Exits 1 if a
page asks any other host for anything or the lesson page misses a budget.
Needs Debian's `chromium` and the `playwright` Python package (test extra).
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser import (LANGS, PAGE_TYPES, PASSWORD, USERS, RequestLog, launch, live_server, missing,  # noqa: E402
                     new_context, seed, sign_in)

SLOW = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
BUDGETS = {"lesson": {"cold_kb": 40, "warm_kb": 12, "cold_ms": 3000}}


@dataclass
class Load:
    bytes: int = 0
    requests: int = 0
    ms: float = 0.0


def measure(page, url: str, throttle: bool) -> Load:
    """Load `url` in `page`; count what came over the wire (cache hits transfer 0 bytes)."""
    load = Load()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    if throttle:
        cdp.send("Network.emulateNetworkConditions", SLOW)

    def finished(event):
        if event["encodedDataLength"] > 0:
            load.bytes += event["encodedDataLength"]
            load.requests += 1

    cdp.on("Network.loadingFinished", finished)
    start = time.perf_counter()
    page.goto(url, wait_until="load")
    load.ms = (time.perf_counter() - start) * 1000
    page.wait_for_load_state("networkidle")  # the icon is fetched after the load event: count it too
    cdp.detach()
    return load


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict) -> Iterator[str]:
    port = free_port()
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen([str(gunicorn_bin), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                                "--no-control-socket", "elearn.wsgi:app"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(20)


def serve(args, tmp: str):
    """The seeded app, served as asked; yields the base URL."""
    from elearn import create_app
    from elearn.db import upgrade_database

    env = {**os.environ, "ELEARN_INSTANCE_PATH": tmp, "ELEARN_DATABASE_URL": f"sqlite:///{tmp}/weight.db",
           "ELEARN_CONTENT_DIR": str(ROOT), "ELEARN_SECRET_KEY": "page-weight-bench"}
    env.pop("ELEARN_TEST_DATABASE_URL", None)
    app = create_app({"INSTANCE_PATH": tmp, "LOG_LEVEL": "WARNING", "SQLALCHEMY_DATABASE_URI": env["ELEARN_DATABASE_URL"],
                      "SECRET_KEY": env["ELEARN_SECRET_KEY"], "LESSONS_DIR": str(ROOT / "lessons"),
                      "QUIZZES_DIR": str(ROOT / "quizzes")})
    with app.app_context():
        upgrade_database()
    ids = seed(app)
    if args.server == "gunicorn":
        return ids, gunicorn(env)
    return ids, live_server(app)


def kb(n: float) -> str:
    return f"{n / 1000:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="loads per page and cache state (medians are printed)")
    parser.add_argument("--server", choices=["gunicorn", "werkzeug"], default="gunicorn")
    parser.add_argument("--page", action="append", help="only these page types (repeatable)")
    parser.add_argument("--fast", action="store_true", help="no network emulation (bytes and requests only)")
    parser.add_argument("--js", action="store_true", help="JavaScript on (the offline script and service worker load)")
    args = parser.parse_args()
    reason = missing()
    if reason:
        sys.exit(f"page_weight: {reason}")
    pages = [p for p in PAGE_TYPES if not args.page or p.name in args.page]

    tmp = tempfile.mkdtemp(prefix="elearn-weight-")
    ids, server = serve(args, tmp)
    log = RequestLog()
    rows, verdicts = [], []
    with server as base, launch() as browser:
        states = {None: None}
        for role, username in USERS.items():
            context = new_context(browser, log, java_script_enabled=args.js)
            sign_in(context, base, username, PASSWORD)
            states[role] = context.storage_state()
            context.close()
        for page_type in pages:
            for lang in LANGS:
                url = page_type.url(base, lang, ids)
                cold, warm = [], []
                for _ in range(args.runs):
                    context = new_context(browser, log, storage_state=states[page_type.role],
                                          java_script_enabled=args.js)
                    page = context.new_page()
                    cold.append(measure(page, url, not args.fast))
                    page.goto("about:blank")
                    warm.append(measure(page, url, not args.fast))
                    context.close()
                row = [f"{page_type.name} ({lang})"]
                for loads in (cold, warm):
                    row += [kb(statistics.median(x.bytes for x in loads)), str(round(statistics.median(x.requests for x in loads))),
                            f"{statistics.median(x.ms for x in loads):.0f}"]
                budget = BUDGETS.get(page_type.name)
                if budget:
                    ok = (float(row[1]) <= budget["cold_kb"] and float(row[4]) <= budget["warm_kb"]
                          and (args.fast or float(row[3]) < budget["cold_ms"]))
                    verdicts.append(ok)
                    row.append("within budget" if ok else "OVER BUDGET")
                rows.append(row)
                print("  ".join(row), file=sys.stderr, flush=True)

    network = "no emulation" if args.fast else "400 kbit/s, 400 ms RTT"
    server_name = args.server
    print(f"\nPage weight, median of {args.runs} loads ({network}; server: {server_name}); KB = 1000 bytes over the wire")
    header = ["page", "cold KB", "cold req", "cold ms", "warm KB", "warm req", "warm ms", "lesson budget"]
    widths = [max(len(str(r[i])) if i < len(r) else 0 for r in rows + [header]) for i in range(len(header))]
    for row in [header] + rows:
        print("  ".join(str(cell).ljust(widths[i]) if i == 0 else str(cell).rjust(widths[i])
                        for i, cell in enumerate(row)))
    print(f"budget for a lesson page: {BUDGETS['lesson']['cold_kb']} KB cold, {BUDGETS['lesson']['warm_kb']} KB warm, "
          f"under {BUDGETS['lesson']['cold_ms'] / 1000:.0f} s cold on the slow network")
    foreign = log.foreign()
    if foreign:
        print("requests to other hosts:", *foreign, sep="\n  ")
    return 1 if foreign or not all(verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
