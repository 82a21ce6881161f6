"""Memory of gunicorn workers: idle without --preload, and with the README's production command
idle and after a mix of signed-in requests. RSS and proportional set size (PSS: each shared page
counted once across the processes sharing it) per worker, from psutil.

    .venv/bin/python bench/memory.py [--database-url URL] [--workers 4] [--requests 2000] [--runs 3]

Each run starts gunicorn twice on a throwaway database (SQLite in a temporary folder, or the
PostgreSQL database given, whose tables are emptied first):
1. `gunicorn --workers N elearn.wsgi:app`: RSS and PSS of each worker once /healthz answers and
   the workers have settled (idle: no page served yet but the health check);
2. the production command (README: `--preload`): the same idle figures, then --requests requests
   from 8 signed-in learners (home, module and lesson pages in both languages, My learning, a
   check quiz through its forms), then the figures again.
Prints every run and the medians. Runs on another checkout too (copy bench/ there and run it
with that checkout's Python): --production-args gives the production command's extra arguments.
"""
from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import server  # noqa: E402  (bench/server.py)

LEARNERS = 8
# The floor under a worker's RSS: a fresh Python that imports the modules a worker has loaded once
# it has built the app and answered /healthz (gunicorn's, the libraries', the standard library's),
# but none of elearn's own, and builds nothing.
_LOADED = """
import sys, gunicorn.app.wsgiapp, gunicorn.workers.sync, elearn.wsgi
from werkzeug.test import create_environ, run_wsgi_app
run_wsgi_app(elearn.wsgi.app, create_environ("/healthz"))
print(" ".join(sorted(m for m in sys.modules if m.partition(".")[0] not in ("elearn", "__main__")
                      and not m.startswith("__editable__"))))  # pip's finder for an editable install
"""
_IMPORT_ONLY = """
import importlib, sys
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception:
        pass
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS")) / 1024)
"""


def worker_memory(process) -> list[tuple[float, float]]:
    """(RSS, PSS) in MiB of each worker of this gunicorn master."""
    import psutil

    sizes = []
    for child in psutil.Process(process.pid).children():
        info = child.memory_full_info()
        sizes.append((info.rss / 2**20, info.pss / 2**20))
    return sorted(sizes)


def settle(port: int, workers: int) -> None:
    """Every worker has booted and answered (gunicorn starts them one after another)."""
    for _ in range(workers * 2):
        server.Browser(port).get("/healthz")
    time.sleep(3)


def mixed_requests(port: int, total: int, lessons: list[tuple[str, str, str | None]]) -> int:
    """`total` requests from LEARNERS signed-in learners in threads; returns the failures."""
    import faults  # bench/faults.py: the quiz flow through its forms

    counter, failures, lock = itertools.count(), [], threading.Lock()

    def learner(name: str) -> None:
        browser = faults.Learner(name, server.Browser(port))
        browser.browser.login(name)
        while next(counter) < total:
            module_id, lesson_id, quiz_id = random.choice(lessons)
            lang = random.choice(["en", "ar"])
            paths = [f"/{lang}/", f"/{lang}/modules/{module_id}/", f"/{lang}/modules/{module_id}/{lesson_id}/",
                     f"/{lang}/me/"]
            try:
                for path in paths:
                    status = browser.browser.get(path)[0]
                    if status != 200:
                        with lock:
                            failures.append(f"{path}: {status}")
                if quiz_id and random.random() < 0.3:
                    faults.take_quiz(browser, lang, module_id, quiz_id)
            except (OSError, AssertionError) as exc:
                with lock:
                    failures.append(repr(exc))

    threads = [threading.Thread(target=learner, args=(name,)) for name in server.learner_names(LEARNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(failures)


def one_run(env: dict, workers: int, total: int, production: list[str], lessons, log: str) -> dict:
    port = server.free_port()
    figures = {}
    process = server.start_gunicorn(env, port, workers, log=log)
    try:
        settle(port, workers)
        figures["plain idle"] = worker_memory(process)
    finally:
        server.stop(process)
    process = server.start_gunicorn(env, port, workers, log=log, args=production)
    try:
        settle(port, workers)
        figures["production idle"] = worker_memory(process)
        figures["failures"] = mixed_requests(port, total, lessons)
        time.sleep(1)
        figures["production after"] = worker_memory(process)
    finally:
        server.stop(process)
    return figures


def library_floor(env: dict) -> tuple[float, int]:
    """RSS (MiB) of a Python holding only the non-elearn modules of a worker, and how many."""
    names = subprocess.run([sys.executable, "-c", _LOADED], env=env, cwd=server.ROOT, capture_output=True,
                           text=True, check=True).stdout.split()
    rss = subprocess.run([sys.executable, "-c", _IMPORT_ONLY, *names], env=env, capture_output=True, text=True,
                         check=True).stdout
    return float(rss), len(names)


def describe(sizes: list[tuple[float, float]]) -> str:
    rss = ", ".join(f"{r:.0f}" for r, _ in sizes)
    pss = ", ".join(f"{p:.0f}" for _, p in sizes)
    return f"RSS {rss}; PSS {pss}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (its tables are emptied); default: SQLite in a temp dir")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--production-args", default="--preload",
                        help="what the production command adds to `gunicorn --workers N` (README)")
    args = parser.parse_args()
    from elearn.content import load_catalog

    tmp = tempfile.mkdtemp(prefix="elearn-memory-")
    url = args.database_url or f"sqlite:///{tmp}/memory.sqlite3"
    catalog = load_catalog(server.ROOT / "lessons", server.ROOT / "quizzes")
    lessons = [(m.id, lesson.id, lesson.check_quiz_id) for m in catalog.modules for lesson in m.lessons]
    production = args.production_args.split()
    backend = url.split(":", 1)[0].split("+")[0]
    print(f"elearn worker memory ({server.ROOT}): {backend}, {args.workers} sync workers, "
          f"production command adds {production or 'nothing'}; {args.requests} mixed requests; "
          f"load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    keys = ("plain idle", "production idle", "production after")
    runs = []
    for number in range(1, args.runs + 1):
        env = server.prepare_database(url, tmp, LEARNERS)
        figures = one_run(env, args.workers, args.requests, production, lessons, f"{tmp}/gunicorn.log")
        runs.append(figures)
        print(f"  run {number}: " + "; ".join(f"{key}: {describe(figures[key])}" for key in keys)
              + f"; failures {figures['failures']}")
    print(f"  medians over {args.runs} runs of each worker's figure (MiB):")
    for key in keys:
        rss = statistics.median(r for run in runs for r, _ in run[key])
        pss = statistics.median(p for run in runs for _, p in run[key])
        print(f"    {key:<17} RSS {rss:5.1f}  PSS {pss:5.1f}   (max RSS {max(r for run in runs for r, _ in run[key]):.1f}, "
              f"max PSS {max(p for run in runs for _, p in run[key]):.1f})")
    floor, modules = library_floor(env)
    print(f"  floor: a Python that only imports the {modules} modules of a worker that are not elearn's "
          f"(gunicorn, the libraries, the standard library): RSS {floor:.1f} MiB")
    print(f"  load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if any(run["failures"] for run in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
