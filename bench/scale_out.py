"""Scale-out on loopback: two app instances (separate gunicorn masters) behind HAProxy, sharing
PostgreSQL and Redis; learners read lessons and take check quizzes through the balancer, and one
instance is killed (kill -9, master and workers) halfway through.

    apt-get install haproxy redis-server
    .venv/bin/python bench/scale_out.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench
                                        [--learners 200] [--seconds 60] [--workers 2] [--redis-url URL]

1. The database's tables are emptied and one account per learner made (plus one for the lockout
   check). Redis: a redis-server of its own on a free loopback port, or --redis-url (that database
   is emptied). Each instance: `gunicorn --preload --workers N elearn.wsgi:app` (the README's
   command) with ELEARN_RATELIMIT_STORAGE_URI=redis://..., ELEARN_PROXY_FIX=1 and one secret key.
   HAProxy (config written to the temporary folder, printed with --show-config) listens on
   127.0.0.1 only, balances round robin, checks /healthz twice a second, and retries a request on
   the other instance only when it could not connect (a request that reached an instance is
   never sent twice).
2. Shared limits, each instance asked directly: 10 wrong passwords for one pseudonym, alternating
   A and B from 10 different addresses, lock it on both (the right password is then refused by
   A and by B); the verification page's 30-per-minute limit for one address, alternating A and
   B, refuses the 31st request.
3. The learners, each from a loopback address of its own (127.0.1.x: per-address limits see
   separate clients), sign in over the first 40 s, then for --seconds more: read a lesson, mark
   it complete, take its check quiz (each question, review, submit, result), with 2-8 s of
   reading between requests. Halfway through those seconds, instance A is killed.
4. Checks: no failed request but those in flight when A was killed; every submission answered
   with its result page (acknowledged) is graded in the database, no attempt half-written.
Prints the outcome; exit 1 when a check fails. Bounded: --seconds plus start-up and checks.
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import faults  # noqa: E402  (bench/faults.py: the database checks)
import server  # noqa: E402  (bench/server.py)

RAMP = 40.0  # seconds over which the learners sign in
THINK = (2.0, 8.0)  # seconds of reading between two requests
HAPROXY = """global
    maxconn 2000
    # Failed requests' lines (with HAProxy's termination state) are printed after a failed run.
    log stderr format raw local0 info
defaults
    mode http
    log global
    option httplog
    option dontlog-normal
    timeout connect 2s
    timeout client 90s
    timeout server 90s
    timeout queue 60s
    # A busy instance may take seconds to answer its health check on a loaded machine; a dead one
    # refuses the connection at once, and is out after two checks.
    timeout check 20s
    retries 10
    option redispatch 1
    retry-on conn-failure
    option forwardfor
frontend learners
    bind 127.0.0.1:{port}
    default_backend app
backend app
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    # As many requests at a time as an instance has sync workers; the rest wait in HAProxy's queue
    # (not in the instance's socket backlog, where health checks would wait behind them, and from
    # where a killed instance's waiting requests could not go to the other one).
    # A refused connection on live traffic takes the instance out at once (observe layer4): without
    # it, in the second before two checks fail, a dead instance with no request in progress looks
    # like the only one with a free slot, and all ten retries of a request go back to it (503).
    default-server inter 500ms fall 2 rise 2 maxconn {workers} observe layer4 error-limit 1 on-error mark-down
    server a 127.0.0.1:{port_a} check
    server b 127.0.0.1:{port_b} check
listen stats
    bind 127.0.0.1:{port_stats}
    stats enable
    stats uri /stats
"""


def address(number: int, block: int = 1) -> str:
    """A loopback address of its own for client `number` (127.0.<block>.x, 127.0.<block+1>.x, ...)."""
    return f"127.0.{block + number // 250}.{number % 250 + 1}"


@dataclass
class Outcome:
    """What one learner saw."""

    events: list = field(default_factory=list)  # (start, end, what, status or error)
    acknowledged: list = field(default_factory=list)  # attempt ids answered with their result
    in_flight: list = field(default_factory=list)  # attempt ids sent, no answer


class Journey:
    """One learner through the balancer; every request is recorded with its start and end."""

    def __init__(self, name: str, port: int, source: str, outcome: Outcome):
        self.name, self.outcome = name, outcome
        self.browser = server.Browser(port, timeout=90, source=source)

    def call(self, method: str, path: str, what: str, expect: int, data: dict | None = None):
        start = time.monotonic()
        try:
            status, location, body = self.browser.request(method, path, data)
        except OSError as exc:
            self.outcome.events.append((start, time.monotonic(), what, type(exc).__name__))
            raise Stop() from exc
        self.outcome.events.append((start, time.monotonic(), what, status))
        if status != expect:
            raise Stop()
        return server.path_of(location) if expect == 302 else body

    def sign_in(self) -> None:
        page = self.call("GET", "/en/login", "sign in (form)", 200)
        self.call("POST", "/en/login", "sign in", 302, {"username": self.name, "password": server.PASSWORD,
                                                         "csrf_token": server.token_of(page)})

    def learn(self, lesson: tuple[str, str, str]) -> None:
        module_id, lesson_id, quiz_id = lesson
        path = f"/en/modules/{module_id}/{lesson_id}/"
        page = self.call("GET", path, "lesson", 200)
        pause()
        if 'action="' + path + 'complete"' in page:
            self.call("POST", path + "complete", "mark complete", 302, {"csrf_token": server.token_of(page)})
            pause()
        intro = f"/en/modules/{module_id}/quizzes/{quiz_id}/"
        page = self.call("GET", intro, "quiz: intro", 200)
        location = self.call("POST", intro + "start", "quiz: start", 302, {"csrf_token": server.token_of(page)})
        while "/attempts/" in location and not location.endswith("/review"):
            pause()
            page = self.call("GET", location, "quiz: question", 200)
            options = server.OPTION.findall(page)
            location = self.call("POST", location, "quiz: answer", 302, {
                "csrf_token": server.token_of(page), "answer": random.sample(options, 1), "go": "next"})
        if not location.endswith("/review"):
            return  # the retake policy sent the learner back to the quiz page
        self.submit(location)

    def submit(self, review: str) -> None:
        attempt_id = int(review.split("/attempts/")[1].split("/")[0])
        page = self.call("GET", review, "quiz: review", 200)
        pause()
        self.outcome.in_flight.append(attempt_id)
        result = self.call("POST", review.removesuffix("review") + "submit", "quiz: submit", 302,
                           {"csrf_token": server.token_of(page)})
        self.outcome.in_flight.remove(attempt_id)
        if result.endswith(f"/attempts/{attempt_id}/result"):
            self.outcome.acknowledged.append(attempt_id)
        self.call("GET", result, "quiz: result", 200)


class Stop(Exception):
    """A request failed (recorded): start the next lesson."""


def pause() -> None:
    time.sleep(random.uniform(*THINK))


def learner(name: str, number: int, port: int, lessons: list, deadline: float, outcome: Outcome) -> None:
    time.sleep(random.uniform(0, RAMP))
    journey = Journey(name, port, address(number), outcome)
    while time.monotonic() < deadline:
        try:
            journey.sign_in()
            break
        except Stop:  # recorded; try again
            time.sleep(1)
    while time.monotonic() < deadline:
        try:
            journey.learn(random.choice(lessons))
        except Stop:
            time.sleep(0.5)
        except AssertionError as exc:  # a page without the form it should have: reported
            outcome.events.append((time.monotonic(), time.monotonic(), "page", repr(exc)))


def lockout_is_shared(port_a: int, port_b: int, name: str) -> tuple[bool, str]:
    """10 wrong passwords alternating A and B (each from its own address), then the right one on both."""
    statuses = []
    for attempt in range(10):
        browser = server.Browser((port_a, port_b)[attempt % 2], source=address(attempt, block=200))
        page = browser.get("/en/login")[2]
        statuses.append(browser.post("/en/login", {"username": name, "password": "wrong password here",
                                                   "csrf_token": server.token_of(page)})[0])
    locked = []
    for number, port in enumerate((port_a, port_b)):
        browser = server.Browser(port, source=address(20 + number, block=200))
        page = browser.get("/en/login")[2]
        status, _, body = browser.post("/en/login", {"username": name, "password": server.PASSWORD,
                                                     "csrf_token": server.token_of(page)})
        locked.append(status == 429 and "Too many failed sign-ins" in body)
    return all(locked), (f"wrong passwords answered {statuses}; right password then refused as locked "
                         f"by A: {locked[0]}, by B: {locked[1]}")


def rate_limit_is_shared(port_a: int, port_b: int) -> tuple[bool, str]:
    """The verification page allows 30 requests a minute per address: the 31st, spread over A and B, is refused."""
    source = address(0, block=210)
    statuses = [server.Browser((port_a, port_b)[i % 2], source=source).get("/en/verify/NOTACODE")[0]
                for i in range(31)]
    shared = 429 not in statuses[:30] and statuses[30] == 429
    return shared, f"31 requests from one address over A and B: first 30 {sorted(set(statuses[:30]))}, 31st {statuses[30]}"


def start_redis(tmp: str) -> tuple[subprocess.Popen, str]:
    port = server.free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", tmp], stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("redis-server did not start")


def start_haproxy(tmp: str, port_a: int, port_b: int, workers: int) -> tuple[subprocess.Popen, int, int, str]:
    port, stats = server.free_port(), server.free_port()
    config = HAPROXY.format(port=port, port_a=port_a, port_b=port_b, port_stats=stats, workers=workers)
    path = Path(tmp) / "haproxy.cfg"
    path.write_text(config)
    process = subprocess.Popen(["haproxy", "-f", str(path), "-db"], stdout=subprocess.DEVNULL,
                               stderr=open(Path(tmp) / "haproxy.log", "wb"))
    server.wait_healthy(process, port, 30, f"haproxy did not start (see {tmp}/haproxy.log)")
    return process, port, stats, config


def served_per_instance(stats_port: int) -> dict[str, int]:
    """Responses each instance sent, from HAProxy's statistics (CSV)."""
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{stats_port}/stats;csv", timeout=10) as response:
        rows = response.read().decode().splitlines()
    header = rows[0].lstrip("# ").split(",")
    counts = {}
    for row in rows[1:]:
        values = dict(zip(header, row.split(",")))
        if values.get("pxname") == "app" and values.get("svname") in ("a", "b"):
            counts[values["svname"]] = sum(int(values.get(f"hrsp_{k}xx") or 0) for k in range(1, 6))
    return counts


def start_instances(env: dict, workers: int, tmp: str) -> tuple[dict, dict]:
    ports = {"a": server.free_port(), "b": server.free_port()}
    processes = {}
    for name, port in ports.items():
        processes[name] = server.start_gunicorn(env, port, workers, log=f"{tmp}/gunicorn-{name}.log",
                                                args=["--preload"])
    return processes, ports


def report(outcomes: list[Outcome], killed_at: tuple[float, float], start: float) -> list[str]:
    """Print the request figures; return the problems (failed requests not in flight at the kill:
    sent before the last process of A was gone, answered after the first was killed)."""
    events = [e for o in outcomes for e in o.events]
    failed = [e for e in events if e[3] not in (200, 302)]
    # 502: HAProxy had sent the request to A, which died before answering. Anything else (503: no
    # instance could take it) is a failure of the setup.
    in_flight = [e for e in failed if e[0] <= killed_at[1] and e[1] >= killed_at[0] and e[3] in (502, "ConnectionError")]
    other = [e for e in failed if e not in in_flight]
    latencies = sorted(1000 * (e[1] - e[0]) for e in events if e[3] in (200, 302))
    span = max((e[1] for e in events), default=start) - start
    print(f"  {len(events)} requests in {span:.0f} s ({len(events) / max(span, 1):.0f} req/s), "
          f"p50/p95 {statistics.median(latencies):.0f} / {latencies[int(0.95 * len(latencies))]:.0f} ms; "
          f"failed: {len(in_flight)} in flight on A when it was killed "
          f"({', '.join(sorted({f'{e[2]} -> {e[3]}' for e in in_flight})) or 'none'}), {len(other)} others")
    signed_in = sum(1 for o in outcomes if any(e[2] == "sign in" and e[3] == 302 for e in o.events))
    print(f"  learners signed in: {signed_in} of {len(outcomes)}")
    return [f"request failed outside the kill: {e[2]} -> {e[3]} at t={e[0] - start:.1f}s" for e in other]


def run(args, tmp: str) -> list[str]:
    from elearn.content import load_catalog

    catalog = load_catalog(server.ROOT / "lessons", server.ROOT / "quizzes")
    lessons = [(m.id, lesson.id, lesson.check_quiz_id) for m in catalog.modules for lesson in m.lessons
               if lesson.check_quiz_id]
    names = server.learner_names(args.learners + 1)
    env = server.prepare_database(args.database_url, tmp, args.learners + 1)
    redis, redis_url = (None, args.redis_url) if args.redis_url else start_redis(tmp)
    if args.redis_url:
        import redis as redis_client

        redis_client.Redis.from_url(redis_url).flushdb()
    env.update(ELEARN_RATELIMIT_STORAGE_URI=redis_url, ELEARN_PROXY_FIX="1", ELEARN_SECRET_KEY=secrets.token_hex(32))
    processes, ports = start_instances(env, args.workers, tmp)
    balancer = None
    try:
        balancer, port, stats, config = start_haproxy(tmp, ports["a"], ports["b"], args.workers)
        print(f"elearn scale-out: 2 instances (gunicorn --preload, {args.workers} sync workers each) behind "
              f"HAProxy on 127.0.0.1:{port}; PostgreSQL; Redis {redis_url}; {args.learners} learners for "
              f"{args.seconds:.0f} s; {os.cpu_count()} cores; load average at start "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.show_config:
            print(config)
        problems = []
        for check in (lambda: lockout_is_shared(ports["a"], ports["b"], names[-1]),
                      lambda: rate_limit_is_shared(ports["a"], ports["b"])):
            ok, text = check()
            print(f"  {'shared' if ok else 'NOT SHARED'}: {text}")
            problems += [] if ok else [text]
        outcomes = [Outcome() for _ in names[:-1]]
        start = time.monotonic()
        deadline = start + RAMP + args.seconds
        threads = [threading.Thread(target=learner, args=(name, i, port, lessons, deadline, outcomes[i]), daemon=True)
                   for i, name in enumerate(names[:-1])]
        for thread in threads:
            thread.start()
        time.sleep(RAMP + args.seconds / 2)
        served_before = served_per_instance(stats)
        killing = time.monotonic()
        server.kill_all(processes.pop("a"))
        killed_at = (killing, time.monotonic())
        print(f"  kill -9 of instance A (master and {args.workers} workers) at t={killing - start:.0f} s; "
              f"responses so far: A {served_before.get('a')}, B {served_before.get('b')}")
        for thread in threads:
            thread.join(timeout=max(1, deadline - time.monotonic() + 120))
        served = served_per_instance(stats)
        print(f"  responses after the kill: A {served.get('a', 0) - served_before.get('a', 0)}, "
              f"B {served.get('b', 0) - served_before.get('b', 0)}")
        problems += report(outcomes, killed_at, start)
    finally:
        if balancer:
            balancer.terminate()
        for process in processes.values():
            server.stop(process)
        if redis:
            redis.terminate()
    acknowledged = [a for o in outcomes for a in o.acknowledged]
    in_flight = [a for o in outcomes for a in o.in_flight]
    graded, still_open, more, state = faults.check_attempts(args.database_url)
    problems += more + [f"acknowledged attempt {a} is not graded" for a in acknowledged if not state.get(a)]
    print(f"  submissions: {len(acknowledged)} acknowledged, all graded: "
          f"{all(state.get(a) for a in acknowledged)}; {len(in_flight)} cut off in flight "
          f"({sum(bool(state.get(a)) for a in in_flight)} of them graded); database: {graded} graded, "
          f"{still_open} open attempts, half-written: {len(more)}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL URL (its tables are emptied)")
    parser.add_argument("--redis-url", help="a Redis database to use (emptied); default: a redis-server of its own")
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--show-config", action="store_true", help="print the HAProxy configuration")
    args = parser.parse_args()
    missing = [tool for tool in ("haproxy", "redis-server") if not shutil.which(tool) and
               not (tool == "redis-server" and args.redis_url)]
    if missing:
        sys.exit(f"missing: {', '.join(missing)} (apt-get install haproxy redis-server)")
    tmp = tempfile.mkdtemp(prefix="elearn-scale-out-")
    problems = run(args, tmp)
    for problem in sorted(set(problems))[:20]:
        print("  PROBLEM:", problem)
    if problems:  # HAProxy's lines for the failed requests: the termination state says who failed
        lines = (Path(tmp) / "haproxy.log").read_text(errors="replace").splitlines()
        for line in [line for line in lines if " 50" in line][:10]:
            print("  haproxy:", line)
    print(f"  load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("  PASSED" if not problems else f"  FAILED: {len(set(problems))} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
