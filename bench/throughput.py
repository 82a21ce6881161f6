"""Throughput of read-only pages measured on the server: wrk (Debian's `wrk`, a C load generator
that needs a fraction of a core) against gunicorn on loopback, with the server's own CPU time.

    apt-get install wrk
    .venv/bin/python bench/throughput.py [--database-url URL] [--workers 4] [--seconds 10] [--runs 3]

Pages: the lesson page anonymous in English and Arabic, the lesson page signed in (the session
cookie, brought up to date before each round as a browser keeps it), and /bench/static-lesson (the same bytes as the English lesson page, precomputed:
bench/bench_app.py), each under the production command (README: `--preload`). Rounds alternate
the pages; per page it prints the median requests/s and requests per second of server CPU
("per server core": requests / CPU seconds of the gunicorn master and workers, which holds on a
busy machine where the raw rate depends on what else runs), and the CPU the generator used.
Journeys (sign-in, lessons, quizzes) are measured with locust by bench/load.py, which prints the
same per-core figure. Servers log warnings only.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import server  # noqa: E402  (bench/server.py)

WRK_REQUESTS = re.compile(r"(\d+) requests in")


def wrk(url: str, seconds: float, connections: int, headers: dict[str, str], pids: list[int]) -> dict:
    """One wrk run: requests, non-2xx/3xx answers, server CPU seconds and wrk's own CPU seconds."""
    import psutil

    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    before = server.cpu_seconds(pids)
    process = psutil.Popen(command + [url], stdout=subprocess.PIPE, text=True)
    generator = 0.0
    while process.poll() is None:
        try:
            times = process.cpu_times()
            generator = times.user + times.system
        except psutil.NoSuchProcess:
            break
        time.sleep(0.2)
    output = process.stdout.read()
    server_cpu = server.cpu_seconds(pids) - before
    match = WRK_REQUESTS.search(output)
    if not match:
        raise RuntimeError(f"wrk printed no count:\n{output}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {"requests": int(match.group(1)), "seconds": seconds, "server_cpu": server_cpu,
            "generator_cpu": generator, "errors": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


def session_cookie(browser: server.Browser, path: str) -> str:
    """The Cookie header a browser would send now. Once a minute the app stores the time of the
    last request in the cookie (the idle timeout); a browser keeps the new cookie, wrk does not,
    so the cookie is brought up to date before each signed-in round, as a browser's would be."""
    browser.get(path)
    return "; ".join(f"{k}={v}" for k, v in browser.cookies.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (its tables are emptied); default: SQLite in a temp dir")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--production-args", default="--preload",
                        help="what the production command adds to `gunicorn --workers N` (README)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    from bench_app import lesson_path
    from elearn.content import load_catalog

    tmp = tempfile.mkdtemp(prefix="elearn-throughput-")
    url = args.database_url or f"sqlite:///{tmp}/throughput.sqlite3"
    env = server.prepare_database(url, tmp, 1)
    catalog = load_catalog(server.ROOT / "lessons", server.ROOT / "quizzes")
    port = server.free_port()
    host = f"http://127.0.0.1:{port}"
    process = server.start_gunicorn(env, port, args.workers, app="bench.bench_app:create_bench_app()",
                                    log=f"{tmp}/gunicorn.log", args=args.production_args.split())
    compressed = {"Accept-Encoding": "br, gzip"}
    try:
        member = server.Browser(port)
        member.login(server.learner_names(1)[0])
        pages = {
            "lesson, anonymous, en": (lesson_path(catalog, "en"), compressed),
            "lesson, anonymous, ar": (lesson_path(catalog, "ar"), compressed),
            "lesson, signed in, en": (lesson_path(catalog, "en"), {**compressed, "Cookie": None}),
            "static copy of the en lesson": ("/bench/static-lesson", compressed),
        }
        pids = server.server_pids(process)
        backend = url.split(":", 1)[0].split("+")[0]
        print(f"elearn throughput ({server.ROOT}): {backend}, gunicorn {args.workers} sync workers "
              f"{' '.join(args.production_args.split())}, {os.cpu_count()} cores; wrk 1 thread, "
              f"{args.connections} connections, {args.runs} rounds of {args.seconds:.0f} s per page; "
              f"load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        results: dict[str, list[dict]] = {name: [] for name in pages}
        for _ in range(args.runs):
            for name, (path, headers) in pages.items():
                if "Cookie" in headers:
                    headers = {**headers, "Cookie": session_cookie(member, path)}
                results[name].append(wrk(host + path, args.seconds, args.connections, headers, pids))
        for name, runs in results.items():
            rate = statistics.median(r["requests"] / r["seconds"] for r in runs)
            per_core = statistics.median(r["requests"] / max(r["server_cpu"], 1e-9) for r in runs)
            cpu_ms = statistics.median(1000 * r["server_cpu"] / max(r["requests"], 1) for r in runs)
            generator = statistics.median(r["generator_cpu"] / r["seconds"] for r in runs)
            errors = sum(r["errors"] for r in runs)
            sockets = "; ".join(r["socket_errors"] for r in runs if r["socket_errors"])
            print(f"  {name:<29} {rate:6.0f} req/s; {per_core:6.0f} req/s per server core "
                  f"({cpu_ms:.2f} ms of server CPU per request); wrk used {100 * generator:.0f}% of a core; "
                  f"errors {errors}{'; socket errors ' + sockets if sockets else ''}")
        print(f"  load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        server.stop(process)


if __name__ == "__main__":
    main()
