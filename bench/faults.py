"""Fault tests against gunicorn on loopback.

    python bench/faults.py kill [--database-url URL] [--learners 12] [--seconds 10]
    python bench/faults.py pg-restart --database-url postgresql+psycopg://postgres@127.0.0.1/bench

kill: learners take a check quiz again and again through the real forms; after --seconds every
gunicorn process (master and workers) gets SIGKILL at once. Each learner remembers which
submissions were acknowledged (a redirect to the result page). gunicorn is started again and the
database is checked: every acknowledged submission is graded, no attempt is half-written
(graded fields all set or all empty, JSON readable, points for exactly the questions shown), and
the learners carry on with the same sessions: submissions that were in flight can be submitted
again and each open attempt ends graded.

pg-restart: learners read lessons and mark them complete while PostgreSQL is restarted
(`pg_ctlcluster`, else `service postgresql restart`); every request is logged with its time and
status. It passes when errors fall only inside the restart window (plus a second) and requests
succeed again afterwards without restarting the app. Restarting PostgreSQL cuts every other
client of the server too: do not run it on a shared server.

The tables of a --database-url are emptied first. Exit status 1 when a check fails.
"""
from __future__ import annotations

import argparse
import json
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import server  # noqa: E402  (bench/server.py)


@dataclass
class Learner:
    """One simulated learner's record of what the server told it."""

    name: str
    browser: server.Browser
    acknowledged: list[int] = field(default_factory=list)  # attempt ids whose submit was answered
    in_flight: list[int] = field(default_factory=list)  # submit sent, no answer (server died)


def take_quiz(learner: Learner, lang: str, module_id: str, quiz_id: str) -> None:
    """Start, answer every question, review and submit one attempt (raises OSError if the server dies)."""
    browser = learner.browser
    intro = f"/{lang}/modules/{module_id}/quizzes/{quiz_id}/"
    status, _, page = browser.get(intro)
    status, location, _ = browser.post(intro + "start", {"csrf_token": server.token_of(page)})
    location = server.path_of(location)
    while "/attempts/" in location and not location.endswith("/review"):
        status, _, page = browser.get(location)
        options = server.OPTION.findall(page)
        status, location, _ = browser.post(location, {"csrf_token": server.token_of(page),
                                                      "answer": random.sample(options, 1), "go": "next"})
        location = server.path_of(location)
    if not location.endswith("/review"):
        raise AssertionError(f"quiz start led to {location!r}")
    attempt_id = int(location.split("/attempts/")[1].split("/")[0])
    status, _, page = browser.get(location)
    token = server.token_of(page)
    learner.in_flight.append(attempt_id)
    status, location, _ = browser.post(location.removesuffix("review") + "submit", {"csrf_token": token})
    learner.in_flight.remove(attempt_id)
    if status == 302 and server.path_of(location).endswith(f"/attempts/{attempt_id}/result"):
        learner.acknowledged.append(attempt_id)
    else:
        raise AssertionError(f"submit of attempt {attempt_id} answered {status} {location!r}")


def quiz_loop(learner: Learner, stop: threading.Event, module_id: str, quiz_id: str, errors: list) -> None:
    while not stop.is_set():
        try:
            take_quiz(learner, "en", module_id, quiz_id)
        except OSError:
            return  # the server is gone
        except Exception as exc:  # noqa: BLE001  (reported, and fails the run)
            errors.append(f"{learner.name}: {exc!r}")
            return


def check_attempts(url: str) -> tuple[int, int, list[str], dict[int, bool]]:
    """Read every attempt with raw SQL. (graded, open, problems, {id: graded})."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    problems, state = [], {}
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT id, layout, answers, submitted_at, points, max_points, percent, passed, question_points "
            "FROM quiz_attempts")).all()
        if engine.dialect.name == "sqlite":
            verdict = connection.execute(text("PRAGMA integrity_check")).scalar()
            if verdict != "ok":
                problems.append(f"SQLite integrity_check: {verdict}")
    engine.dispose()
    for row in rows:
        problems += attempt_problems(row)
        state[row.id] = row.submitted_at is not None
    graded = sum(state.values())
    return graded, len(rows) - graded, problems, state


def attempt_problems(row) -> list[str]:
    """What is wrong with one attempt row: a half-written grade or unreadable JSON."""
    try:
        layout, answers, points = (value if not isinstance(value, str) else json.loads(value)
                                   for value in (row.layout, row.answers, row.question_points))
    except ValueError as exc:
        return [f"attempt {row.id}: unreadable JSON ({exc})"]
    graded = (row.points, row.max_points, row.percent, row.passed, points)
    if row.submitted_at is None:
        return [] if all(v is None for v in graded) else [f"attempt {row.id}: open but partly graded"]
    if any(v is None for v in graded):
        return [f"attempt {row.id}: submitted without a full grade {graded}"]
    shown = {item["q"] for item in layout}
    if set(points) != shown or not set(answers) <= shown:
        return [f"attempt {row.id}: points or answers for questions not shown"]
    return []


@dataclass
class KillOutcome:
    acknowledged: int  # submissions answered before the kill
    in_flight: int  # submissions sent when the server died
    problems: list[str]  # empty: passed


def kill_test(url: str, tmp: str, learners: int = 12, seconds: float = 10.0, workers: int = 2,
              content_dir: str | None = None, quiz: tuple[str, str] | None = None, log=print) -> KillOutcome:
    """Run the kill -9 test."""
    env = server.prepare_database(url, tmp, learners, content_dir)
    module_id, quiz_id = quiz or first_check_quiz(content_dir)
    port = server.free_port()
    logfile = f"{tmp}/gunicorn.log"
    process = server.start_gunicorn(env, port, workers, log=logfile)
    crowd = [Learner(name, server.Browser(port)) for name in server.learner_names(learners)]
    for learner in crowd:
        learner.browser.login(learner.name)
    stop, errors = threading.Event(), []
    # Daemon threads, stopped in `finally`: an error (say, psutil missing) must end the run, not hang it.
    threads = [threading.Thread(target=quiz_loop, args=(lr, stop, module_id, quiz_id, errors), daemon=True)
               for lr in crowd]
    for thread in threads:
        thread.start()
    try:
        time.sleep(seconds)
        # Strike once some submissions are acknowledged (a busy machine can be slow to get there),
        # while another is on its way if one comes.
        wait_until(lambda: any(lr.acknowledged for lr in crowd) or errors, 60)
        wait_until(lambda: any(lr.in_flight for lr in crowd), 5)
        server.kill_all(process)
        killed_at = time.monotonic()
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    acknowledged = [a for lr in crowd for a in lr.acknowledged]
    in_flight = [a for lr in crowd for a in lr.in_flight]
    graded, still_open, problems, state = check_attempts(url)
    problems += errors
    problems += [f"acknowledged attempt {a} is not graded" for a in acknowledged if not state.get(a)]
    log(f"kill -9 of gunicorn (master + {workers} workers) after {seconds:.1f} s of {learners} learners "
        f"submitting: {len(acknowledged)} submissions acknowledged, {len(in_flight)} in flight "
        f"({sum(state.get(a, False) for a in in_flight)} of them graded before the kill); "
        f"database: {graded} graded, {still_open} open attempts")
    process = server.start_gunicorn(env, port, workers, log=logfile)
    try:
        log(f"  gunicorn up again {time.monotonic() - killed_at:.1f} s after the kill")
        problems += carry_on(crowd, module_id, quiz_id)
    finally:
        server.stop(process)
    graded_after, open_after, more, state = check_attempts(url)
    problems += more
    problems += [f"attempt {a} sent before the kill is still open after resubmitting" for a in in_flight
                 if not state.get(a)]
    problems += [f"acknowledged attempt {a} is not graded" for lr in crowd for a in lr.acknowledged
                 if not state.get(a)]
    log(f"  after restart: every learner signed in still, in-flight attempts submitted again, one more quiz "
        f"each: {graded_after} graded, {open_after} open attempts; problems: {len(set(problems))}")
    return KillOutcome(len(acknowledged), len(in_flight), sorted(set(problems)))


def wait_until(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.001)


def carry_on(crowd: list[Learner], module_id: str, quiz_id: str) -> list[str]:
    """After the restart: same sessions, results of acknowledged attempts, in-flight ones resubmitted."""
    problems = []
    for learner in crowd:
        browser = learner.browser
        for attempt_id in learner.acknowledged[-3:]:
            status, _, _ = browser.get(f"/en/attempts/{attempt_id}/result")
            if status != 200:
                problems.append(f"{learner.name}: result of attempt {attempt_id} answered {status}")
        for attempt_id in learner.in_flight:
            status, _, page = browser.get(f"/en/attempts/{attempt_id}/review")
            if status == 200:  # still open: submit it again
                status, _, _ = browser.post(f"/en/attempts/{attempt_id}/submit", {"csrf_token": server.token_of(page)})
            if status != 302:
                problems.append(f"{learner.name}: attempt {attempt_id} after restart answered {status}")
        try:
            take_quiz(learner, "en", module_id, quiz_id)
        except (OSError, AssertionError) as exc:
            problems.append(f"{learner.name}: quiz after restart failed: {exc!r}")
    return problems


def first_check_quiz(content_dir: str | None) -> tuple[str, str]:
    from elearn.content import load_catalog

    root = Path(content_dir) if content_dir else server.ROOT
    catalog = load_catalog(root / "lessons", root / "quizzes")
    lesson = next(lesson for m in catalog.modules for lesson in m.lessons if lesson.check_quiz_id)
    return lesson.module_id, lesson.check_quiz_id


def restart_command() -> list[str]:
    if shutil.which("pg_lsclusters") and shutil.which("pg_ctlcluster"):  # Debian
        first = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout.split()
        if len(first) >= 2:
            return ["pg_ctlcluster", "--skip-systemctl-redirect", first[0], first[1], "restart"]
    return ["service", "postgresql", "restart"]


def pg_restart_test(url: str, tmp: str, learners: int = 8, before: float = 3.0, after: float = 8.0,
                    workers: int = 2, command: list[str] | None = None, log=print) -> list[str]:
    """Restart PostgreSQL under load; return the problems found (empty: passed)."""
    env = server.prepare_database(url, tmp, learners)
    port = server.free_port()
    process = server.start_gunicorn(env, port, workers, log=f"{tmp}/gunicorn.log")
    from elearn.content import load_catalog

    catalog = load_catalog(server.ROOT / "lessons", server.ROOT / "quizzes")
    lessons = [f"/en/modules/{m.id}/{lesson.id}/" for m in catalog.modules for lesson in m.lessons]
    crowd = [Learner(name, server.Browser(port, timeout=10)) for name in server.learner_names(learners)]
    for learner in crowd:
        learner.browser.login(learner.name)
    events: list[tuple[float, str, str]] = []  # (time, what, status or error)
    stop = threading.Event()

    def read(learner: Learner) -> None:
        while not stop.is_set():
            path = random.choice(lessons)
            try:
                status, _, page = learner.browser.get(path)
                events.append((time.monotonic(), "lesson", str(status)))
                if status == 200 and 'action="' + path + 'complete"' in page:
                    status, _, _ = learner.browser.post(path + "complete", {"csrf_token": server.token_of(page)})
                    events.append((time.monotonic(), "mark complete", str(status)))
            except OSError as exc:
                events.append((time.monotonic(), "lesson", type(exc).__name__))
                time.sleep(0.05)

    threads = [threading.Thread(target=read, args=(learner,), daemon=True) for learner in crowd]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        time.sleep(before)
        command = command or restart_command()
        down = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True)
        up = time.monotonic()
        log(f"PostgreSQL restart: `{' '.join(command)}` exit {done.returncode}, took {up - down:.1f} s "
            f"(at {time.strftime('%H:%M:%S')})")
        time.sleep(after)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        server.stop(process)
    ok = {"200", "302"}
    bad_before = [e for e in events if e[0] < down and e[2] not in ok]
    bad_after = [e for e in events if e[0] > up + 1 and e[2] not in ok]
    inside = [e for e in events if down <= e[0] <= up + 1 and e[2] not in ok]
    good_after = [e for e in events if e[0] > up + 1 and e[2] in ok]
    first_ok = min((e[0] for e in events if e[0] > up and e[2] in ok), default=None)
    log(f"  {len(events)} requests: {len(bad_before)} errors before, {len(inside)} during the restart window "
        f"({', '.join(sorted({e[2] for e in inside})) or 'none'}), {len(bad_after)} after; "
        f"{len(good_after)} successes after; first success {first_ok - up:.2f} s after the restart returned"
        if first_ok else "  no success after the restart")
    for second in range(int(down - start) - 1, int(up - start) + 3):
        bucket = [e for e in events if second <= e[0] - start < second + 1]
        log(f"    t={second:>2}s  ok {sum(e[2] in ok for e in bucket):>4}  errors {sum(e[2] not in ok for e in bucket):>4}")
    problems = [f"error before the restart: {e}" for e in bad_before]
    problems += [f"error after the restart window: {e}" for e in bad_after]
    if done.returncode != 0:
        problems.append(f"restart command failed: {done.stderr.strip()}")
    if not good_after:
        problems.append("no successful request after the restart")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("test", choices=["kill", "pg-restart"])
    parser.add_argument("--database-url")
    parser.add_argument("--learners", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=10.0, help="kill: how long learners submit before the kill")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--restart-command", help="pg-restart: instead of pg_ctlcluster/service, e.g. "
                                                  "'systemctl restart postgresql'")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="elearn-faults-")
    if args.test == "kill":
        url = args.database_url or f"sqlite:///{tmp}/faults.sqlite3"
        problems = kill_test(url, tmp, args.learners, args.seconds, args.workers).problems
    else:
        if not (args.database_url or "").startswith("postgresql"):
            parser.error("pg-restart needs --database-url postgresql+psycopg://...")
        problems = pg_restart_test(args.database_url, tmp, args.learners, workers=args.workers,
                                   command=args.restart_command and shlex.split(args.restart_command))
    for problem in problems:
        print("  PROBLEM:", problem)
    print("  PASSED" if not problems else f"  FAILED: {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
