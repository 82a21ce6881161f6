"""Load test: simulated learners against gunicorn on loopback, with locust (headless, in process).

    python bench/load.py [--database-url postgresql+psycopg://postgres@127.0.0.1/bench]
                         [--workers 4] [--users 50] [--duration 60] [--compare-seconds 10]

1. Sets up a throwaway database (SQLite in a temporary folder, or the PostgreSQL database given,
   whose tables are emptied first) with one account per simulated learner.
2. Starts gunicorn (sync workers; default 2 per core: the load generator runs on the same cores)
   serving the production app plus one bench route (elearn/bench_routes.py), rate limits off.
3. Learners sign in through the form, then for --duration seconds read lessons (in English or
   Arabic), mark them complete and take the lesson's check quiz through the real forms (CSRF
   token from each page, one question per page, review, submit, result), without think time:
   the figures are the server's capacity, not a model of human pacing.
   Prints requests/s, p50/p95/p99, failures (must be 0) and the RSS of every gunicorn process.
4. Under the same gunicorn: the lesson page (anonymous) against /bench/static-lesson, which
   returns that page's bytes precomputed; rounds alternate and the median rates are printed,
   with their ratio (the share of the trivial route's rate the real page keeps).

Needs the `bench` extra: pip install -e ".[bench]".
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import gevent
import gevent.event
from locust import FastHttpUser, constant, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import server  # noqa: E402  (bench/server.py)

# Filled in by main() before the users start: (module id, lesson id, check quiz id or None).
LESSONS: list[tuple[str, str, str | None]] = []
NAMES: list[str] = []
SIGNED_IN: list[str] = []
GO = gevent.event.Event()  # set when every learner has signed in: the measured part starts
STATIC_PATH = "/bench/static-lesson"


class Learner(FastHttpUser):
    """Signs in once, then reads a lesson, marks it complete and takes its check quiz, and again."""

    wait_time = constant(0)

    def on_start(self):
        self.username = NAMES.pop()
        page = self.expect("GET", "/en/login", 200, "sign in (form)")
        self.expect("POST", "/en/login", 302, "sign in", data={
            "username": self.username, "password": server.PASSWORD, "csrf_token": server.token_of(page)})
        SIGNED_IN.append(self.username)
        GO.wait()  # no request queued behind the sign-ins (scrypt) gets into the figures

    def expect(self, method: str, path: str, status: int, name: str, data: dict | None = None) -> str:
        """Make a request, fail it unless the answer has `status`; the body, or the Location of a redirect."""
        with self.client.request(method, path, name=name, data=data, allow_redirects=False,
                                 catch_response=True) as response:
            if response.status_code != status:
                response.failure(f"{method} {path}: {response.status_code}, expected {status}")
                raise StopTaskFlow()
            if status == 302:
                return server.path_of(response.headers["Location"])
            return response.text

    @task
    def learn(self):
        module_id, lesson_id, quiz_id = random.choice(LESSONS)
        lang = random.choice(["en", "ar"])
        try:
            lesson = f"/{lang}/modules/{module_id}/{lesson_id}/"
            page = self.expect("GET", lesson, 200, "lesson")
            if 'action="' + lesson + 'complete"' in page:
                self.expect("POST", lesson + "complete", 302, "lesson: mark complete",
                            data={"csrf_token": server.token_of(page)})
            if quiz_id:
                self.take_quiz(lang, module_id, quiz_id)
        except StopTaskFlow:
            pass

    def take_quiz(self, lang: str, module_id: str, quiz_id: str):
        intro = f"/{lang}/modules/{module_id}/quizzes/{quiz_id}/"
        page = self.expect("GET", intro, 200, "quiz: intro")
        location = self.expect("POST", intro + "start", 302, "quiz: start",
                               data={"csrf_token": server.token_of(page)})
        while "/attempts/" in location and not location.endswith("/review"):
            page = self.expect("GET", location, 200, "quiz: question")
            options = server.OPTION.findall(page)
            location = self.expect("POST", location, 302, "quiz: save answer", data={
                "csrf_token": server.token_of(page), "answer": random.sample(options, 1), "go": "next"})
        if not location.endswith("/review"):
            return  # the retake policy sent the learner back to the quiz page
        page = self.expect("GET", location, 200, "quiz: review")
        result = self.expect("POST", location.removesuffix("review") + "submit", 302, "quiz: submit",
                             data={"csrf_token": server.token_of(page)})
        self.expect("GET", result, 200, "quiz: result")


class StopTaskFlow(Exception):
    """A request failed (already recorded): abandon this round of the flow."""


class LessonReader(FastHttpUser):
    wait_time = constant(0)
    path = ""

    @task
    def read(self):
        self.client.get(self.path, name="lesson page")


class StaticReader(FastHttpUser):
    wait_time = constant(0)

    @task
    def read(self):
        self.client.get(STATIC_PATH, name="static copy")


@dataclass
class Run:
    stats: object  # locust's RequestStats
    elapsed: float  # seconds measured
    peak: dict[int, float]  # pid -> highest RSS seen (MiB)
    cpu: float  # CPU seconds the gunicorn processes used while measured

    @property
    def rate(self) -> float:
        return self.stats.total.num_requests / self.elapsed

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu / max(self.stats.total.num_requests, 1)


def run_locust(user_class, users: int, seconds: float, host: str, pids: list[int]) -> Run:
    """Run `users` users of `user_class`; stats are reset once all have started (sign-ins excluded)."""
    env = Environment(user_classes=[user_class], host=host)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    runner.spawning_greenlet.join()
    if user_class is Learner:  # sign-ins (scrypt, on purpose slow) are not what is measured
        deadline = time.monotonic() + 120
        while len(SIGNED_IN) < users and time.monotonic() < deadline and not env.stats.total.num_failures:
            gevent.sleep(0.2)
    env.stats.reset_all()
    GO.set()
    cpu, start = server.cpu_seconds(pids), time.monotonic()
    peak: dict[int, float] = {}
    while time.monotonic() - start < seconds:
        for pid, size in server.rss_mib(pids).items():
            peak[pid] = max(peak.get(pid, 0), size)
        gevent.sleep(1)
    elapsed, cpu = time.monotonic() - start, server.cpu_seconds(pids) - cpu
    runner.quit()
    return Run(env.stats, elapsed, peak, cpu)


def percentiles(entry) -> str:
    return " / ".join(f"{entry.get_response_time_percentile(p):.0f}" for p in (0.5, 0.95, 0.99))


def print_load(run: Run, idle: dict[int, float], master: int) -> None:
    stats, elapsed, peak, total = run.stats, run.elapsed, run.peak, run.stats.total
    print(f"  requests: {total.num_requests} in {elapsed:.0f} s = {run.rate:.0f} req/s; "
          f"p50/p95/p99 {percentiles(total)} ms; failures: {total.num_failures}")
    print(f"  gunicorn CPU: {run.cpu:.0f} s in {elapsed:.0f} s ({100 * run.cpu / elapsed / (os.cpu_count() or 1):.0f}% "
          f"of the cores), {run.cpu_ms_per_request:.1f} ms per request: "
          f"{1000 / run.cpu_ms_per_request:.0f} req/s per core the app has to itself")
    for (name, method), entry in sorted(stats.entries.items()):
        if not entry.num_requests:
            continue
        print(f"    {name:<22} {method:<4} {entry.num_requests:>7}  p50/p95/p99 {percentiles(entry):>13} ms"
              f"  failures {entry.num_failures}")
    for error in stats.errors.values():
        print(f"    error x{error.occurrences}: {error.method} {error.name}: {error.error}")
    for label, sizes in (("idle, after start", idle), ("peak under load", peak)):
        workers = ", ".join(f"{size:.0f}" for pid, size in sorted(sizes.items()) if pid != master)
        print(f"  RSS {label} (MiB): master {sizes.get(master, 0):.0f}; workers {workers}")


def compare(users: int, seconds: float, rounds: int, host: str, lesson_path: str, pids: list[int]) -> None:
    """Lesson page against its static copy, alternating rounds; median rates and their ratio.

    Also per request CPU of the gunicorn processes, whose ratio does not depend on how much of
    the machine the load generator and other programs took."""
    import urllib.request

    with urllib.request.urlopen(host + lesson_path) as a, urllib.request.urlopen(host + STATIC_PATH) as b:
        same = a.read() == b.read()
    print(f"  lesson page {lesson_path} and {STATIC_PATH} return the same bytes: {'yes' if same else 'NO'}")
    LessonReader.path = lesson_path
    runs: dict[str, list[Run]] = {"lesson": [], "static": []}
    for _ in range(rounds):
        for key, user_class in (("lesson", LessonReader), ("static", StaticReader)):
            runs[key].append(run_locust(user_class, users, seconds, host, pids))
    rate = {key: statistics.median(r.rate for r in value) for key, value in runs.items()}
    cpu = {key: statistics.median(r.cpu_ms_per_request for r in value) for key, value in runs.items()}
    failures = sum(r.stats.total.num_failures for value in runs.values() for r in value)
    print(f"  lesson page: {rate['lesson']:.0f} req/s; static copy: {rate['static']:.0f} req/s "
          f"(medians of {rounds} rounds of {seconds:.0f} s, {users} users); "
          f"ratio {rate['lesson'] / rate['static']:.2f}; failures {failures}")
    print(f"  gunicorn CPU per request: lesson page {cpu['lesson']:.2f} ms, static copy {cpu['static']:.2f} ms; "
          f"ratio {cpu['static'] / cpu['lesson']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (its tables are emptied); default: SQLite in a temp dir")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--compare-seconds", type=float, default=10)
    parser.add_argument("--compare-rounds", type=int, default=3)
    args = parser.parse_args()

    from bench_app import lesson_path
    from elearn.content import load_catalog

    tmp = tempfile.mkdtemp(prefix="elearn-load-")
    url = args.database_url or f"sqlite:///{tmp}/load.sqlite3"
    env = server.prepare_database(url, tmp, args.users)
    catalog = load_catalog(server.ROOT / "lessons", server.ROOT / "quizzes")
    LESSONS[:] = [(m.id, lesson.id, lesson.check_quiz_id) for m in catalog.modules for lesson in m.lessons]
    NAMES[:] = server.learner_names(args.users)
    port = server.free_port()
    host = f"http://127.0.0.1:{port}"
    process = server.start_gunicorn(env, port, args.workers, app="bench.bench_app:create_bench_app()",
                                    log=f"{tmp}/gunicorn.log")
    try:
        pids = server.server_pids(process)
        backend = url.split(":", 1)[0].split("+")[0]
        print(f"elearn load test: {backend}, gunicorn {args.workers} sync workers, {os.cpu_count()} cores, "
              f"{args.users} learners for {args.duration:.0f} s; load average at start "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        idle = server.rss_mib(pids)
        run = run_locust(Learner, args.users, args.duration, host, pids)
        print_load(run, idle, process.pid)
        compare(args.users, args.compare_seconds, args.compare_rounds, host, lesson_path(catalog), pids)
        print(f"  load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        server.stop(process)
    if run.stats.total.num_failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
