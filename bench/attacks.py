"""The attacks of issue 12, run against gunicorn serving any checkout of elearn (issue 12's
"before" worktree or the current one), on SQLite or PostgreSQL, with N workers.

    python bench/attacks.py --checkout /tmp/before12 --workers 2 --database sqlite
    python bench/attacks.py --workers 4 --database postgresql+psycopg://postgres@127.0.0.1:5432/test_h7

Each attack is what a determined learner (or two admins) would do, over HTTP, with several
requests truly at once (threads released by a barrier, one connection each):

- retake: for each of three accounts and each module of the shipped content, complete the
  lessons, then for every quiz submit an empty attempt, read the answer key off its result
  page and submit a second attempt with it. Counts the certificates earned.
- starts: 20 concurrent "start" requests for a quiz with max_attempts 2, twice (submitting
  every attempt they opened in between); counts open attempts per race and graded attempts.
- wait: 20 concurrent starts of a quiz with a 60 minute retake wait; the first attempt is
  submitted empty, the others answered from its result page. Counts attempts graded during the
  wait and how many of them passed.
- demote: two admins demote each other at the same moment; counts trials left with no admin.
- lockout: 30 and 40 concurrent wrong-password sign-ins for one name, each from its own
  address (X-Forwarded-For behind ELEARN_PROXY_FIX=1) and all from one address; counts the
  password checks (answers "Wrong pseudonym or password") against the lockout's 10, with the
  failures counted in the database and in Redis.

Prints one JSON object with every figure. The quiz races use a copy of the checkout's test
content (tests/fixtures/content/valid) with the policies above; the retake attack its shipped
content. Only keys both the old and the new content format know are written.
"""
from __future__ import annotations

import argparse
import html
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server import PASSWORD, Browser, free_port, path_of, stop, token_of  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)
ATTEMPT = re.compile(r"/attempts/(\d+)/")
ADDRESSES, ADDRESSES_LOCK = [], threading.Lock()

PREPARE = r"""
import sys
from sqlalchemy import text
from elearn import create_app
from elearn.auth.service import create_user
from elearn.db import db, upgrade_database
url, instance, learners, content = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
config = {"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x" * 32}
if content:
    config.update(LESSONS_DIR=content + "/lessons", QUIZZES_DIR=content + "/quizzes")
app = create_app(config)
with app.app_context():
    if url.startswith("postgresql") and sys.argv[6] == "fresh":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade_database()
    for i in range(1, learners + 1):
        create_user(db.session, f"learner{i:03d}", sys.argv[5], locale="en")
    for name in ("admin1", "admin2"):
        create_user(db.session, name, sys.argv[5], locale="en", role="admin")
    db.session.remove()
    db.engine.dispose()
"""


class Server:
    """A fresh database and gunicorn serving `checkout` on it."""

    def __init__(self, checkout: Path, database: str, workers: int, content: Path | None, learners: int,
                 redis: str | None = None, fresh: bool = True):
        """`fresh`: empty a PostgreSQL database first (DROP SCHEMA); the tests pass False, as they
        hand over a migrated, empty one."""
        self.instance = tempfile.mkdtemp(prefix="attacks-instance-")
        self.url = database if database != "sqlite" else f"sqlite:///{self.instance}/elearn.sqlite3"
        self.env = {**os.environ, "PYTHONPATH": str(checkout), "ELEARN_INSTANCE_PATH": self.instance,
                    "ELEARN_DATABASE_URL": self.url, "ELEARN_SECRET_KEY": secrets.token_hex(32),
                    "ELEARN_LOG_LEVEL": "WARNING", "ELEARN_PROXY_FIX": "1"}
        for name in ("ELEARN_TEST_DATABASE_URL", "ELEARN_CONTENT_DIR", "ELEARN_RATELIMIT_STORAGE_URI"):
            self.env.pop(name, None)
        if content:
            self.env["ELEARN_CONTENT_DIR"] = str(content)
        if redis:
            self.env["ELEARN_RATELIMIT_STORAGE_URI"] = redis
        subprocess.run([str(PYTHON), "-c", PREPARE, self.url, self.instance, str(learners),
                        str(content or ""), PASSWORD, "fresh" if fresh else "keep"], env=self.env, cwd=checkout,
                       check=True)
        self.port = free_port()
        gunicorn = PYTHON.with_name("gunicorn")
        self.log = open(Path(self.instance) / "gunicorn.log", "ab")
        self.process = subprocess.Popen(
            [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}", "--no-control-socket",
             "--timeout", "120", "elearn.wsgi:app"], env=self.env, cwd=checkout, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 300  # four workers loading the content on a busy 2-core machine
        while True:
            try:
                if Browser(self.port).get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                stop(self.process)
                raise RuntimeError(f"gunicorn did not start; see {self.log.name}")
            time.sleep(0.2)
        self.db = create_engine(self.url)

    def scalar(self, sql: str, **params):
        with self.db.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def execute(self, sql: str, **params) -> None:
        with self.db.begin() as conn:
            conn.execute(text(sql), params)

    def user_id(self, name: str) -> int:
        return self.scalar("SELECT id FROM users WHERE username_key = :n", n=name)

    def browser(self, name: str | None = None, address: str | None = None) -> Browser:
        """A browser from its own address (unless given one), so the per-address sign-in limit
        never stands between an attack and the rule it tests."""
        with ADDRESSES_LOCK:
            ADDRESSES.append(None)
            n = len(ADDRESSES)
        address = address or f"10.255.{n // 250}.{n % 250 + 1}"
        browser = Browser(self.port, timeout=120, headers={"X-Forwarded-For": address})
        if name:
            browser.login(name)
        return browser

    def close(self) -> None:
        stop(self.process)
        self.db.dispose()
        self.log.close()
        shutil.rmtree(self.instance, ignore_errors=True)


def at_once(count: int, work) -> list:
    """Run work(i) in `count` threads released together; the results in order."""
    barrier, results = threading.Barrier(count), [None] * count

    def run(i):
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - an attack reports what happened, never stops
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def clone(browser: Browser) -> Browser:
    copy = Browser(browser.port, browser.timeout, dict(browser.headers))
    copy.cookies = dict(browser.cookies)
    return copy


# -- reading pages as an attacker would ------------------------------------------------------------

def key_from_result(page: str) -> dict[str, set[str]]:
    """{prompt: labels of the options the result page marks as the right answer}."""
    keys = {}
    for block in page.split('<li class="answer')[1:]:
        prompt = re.search(r"<h2>(.*?)</h2>", block, re.S)
        labels = re.findall(r'<li class="key[^"]*">\s*<strong>(.*?)</strong>', block, re.S)
        if prompt and labels:
            keys[html.unescape(prompt.group(1)).strip()] = {html.unescape(l).strip() for l in labels}
    return keys


def question_of(page: str) -> tuple[str, dict[str, str], int]:
    """(prompt, {label: option value}, number of questions) of a question page."""
    prompt = re.search(r"<legend><h1>(.*?)</h1></legend>", page, re.S).group(1)
    options = re.findall(r'name="answer" value="([^"]+)"[^>]*>\s*<span>(.*?)</span>', page, re.S)
    count = int(re.search(r"Question \d+ of (\d+)", page).group(1))
    return html.unescape(prompt).strip(), {html.unescape(l).strip(): v for v, l in options}, count


def start(browser: Browser, module: str, quiz: str) -> int | None:
    """Start (or resume) an attempt; its id, or None when the quiz refuses a new one."""
    page = browser.get(f"/en/modules/{module}/quizzes/{quiz}/")[2]
    status, location, _ = browser.post(f"/en/modules/{module}/quizzes/{quiz}/start", {"csrf_token": token_of(page)})
    match = ATTEMPT.search(location)
    return int(match.group(1)) if status == 302 and match else None


def answer_from(browser: Browser, attempt: int, key: dict[str, set[str]]) -> None:
    number, count = 1, 1
    while number <= count:
        page = browser.get(f"/en/attempts/{attempt}/{number}")[2]
        prompt, options, count = question_of(page)
        chosen = [value for label, value in options.items() if label in key.get(prompt, ())]
        browser.post(f"/en/attempts/{attempt}/{number}", {"csrf_token": token_of(page), "answer": chosen,
                                                          "go": "next"})
        number += 1


def submit(browser: Browser, attempt: int) -> str:
    """Submit an attempt; the result page (empty when the app refused)."""
    status, _, page = browser.get(f"/en/attempts/{attempt}/review")
    if status != 200:
        return ""
    status, location, _ = browser.post(f"/en/attempts/{attempt}/submit", {"csrf_token": token_of(page)})
    if status != 302 or "/result" not in location:
        return ""
    return browser.get(path_of(location))[2]


# -- the attacks ----------------------------------------------------------------------------------

def attack_retake(server: Server, modules: list[dict], accounts: list[str]) -> dict:
    """Empty attempt, read the key, retake with it: certificates earned with no knowledge."""
    earned, seconds_attempts, blocked = {}, 0, 0
    for name in accounts:
        browser = server.browser(name)
        for module in modules:
            for lesson in module["lessons"]:
                url = f"/en/modules/{module['id']}/{lesson}/"
                browser.post(url + "complete", {"csrf_token": token_of(browser.get(url)[2])})
            for quiz in module["quizzes"]:
                first = start(browser, module["id"], quiz)
                key = key_from_result(submit(browser, first)) if first else {}
                second = start(browser, module["id"], quiz)
                if second is None or second == first:
                    blocked += 1
                    continue
                answer_from(browser, second, key)
                submit(browser, second)
                seconds_attempts += 1
        earned[name] = server.scalar("SELECT count(*) FROM certificates WHERE user_id = :u", u=server.user_id(name))
    return {"accounts": len(accounts), "modules": len(modules), "certificates": sum(earned.values()),
            "accounts_with_a_certificate": sum(1 for n in earned.values() if n),
            "second_attempts_made": seconds_attempts, "second_attempts_refused": blocked}


def race_starts(server: Server, browser: Browser, module: str, quiz: str, count: int) -> list[int]:
    page = browser.get(f"/en/modules/{module}/quizzes/{quiz}/")[2]
    token = token_of(page)
    browsers = [clone(browser) for _ in range(count)]

    def work(i):
        status, location, _ = browsers[i].post(f"/en/modules/{module}/quizzes/{quiz}/start", {"csrf_token": token})
        match = ATTEMPT.search(location)
        return int(match.group(1)) if match else None

    results = at_once(count, work)
    return sorted({r for r in results if isinstance(r, int)})


def attack_starts(server: Server, races: int, count: int = 20) -> dict:
    """One attempt at a quiz allowing 2, then 20 concurrent starts; open and graded attempts."""
    opened, graded = [], []
    for i in range(races):
        name = f"learner{i + 1:03d}"
        browser, uid = server.browser(name), server.user_id(name)
        submit(browser, start(browser, "sample", "final"))
        ids = race_starts(server, browser, "sample", "final", count)
        opened.append(server.scalar("SELECT count(*) FROM quiz_attempts WHERE user_id = :u AND quiz_id = 'final' "
                                    "AND submitted_at IS NULL", u=uid))
        for attempt in ids:
            submit(browser, attempt)
        graded.append(server.scalar("SELECT count(*) FROM quiz_attempts WHERE user_id = :u AND quiz_id = 'final' "
                                    "AND submitted_at IS NOT NULL", u=uid))
    return {"races": races, "open_attempts_per_race": [min(opened), max(opened)],
            "races_with_more_than_one_open": sum(n > 1 for n in opened), "allowed_attempts": 2,
            "graded_per_learner": [min(graded), max(graded)], "learners_over_the_limit": sum(n > 2 for n in graded)}


def attack_wait(server: Server, races: int, count: int = 20) -> dict:
    """Concurrent starts of a quiz with a 60 minute wait: one submitted empty, the others (or, when
    the race opened only one, a new start) answered from its result page."""
    opened, during_wait, passed_during_wait = [], [], []
    for i in range(races):
        name = f"learner{races + i + 1:03d}"
        browser, uid = server.browser(name), server.user_id(name)
        ids = race_starts(server, browser, "sample", "check-first-lesson", count)
        opened.append(len(ids))
        key = key_from_result(submit(browser, ids[0])) if ids else {}
        for attempt in ids[1:]:
            answer_from(browser, attempt, key)
            submit(browser, attempt)
        again = start(browser, "sample", "check-first-lesson") if len(ids) == 1 else None
        if again is not None and again not in ids:
            answer_from(browser, again, key)
            submit(browser, again)
        during_wait.append(server.scalar(
            "SELECT count(*) FROM quiz_attempts WHERE user_id = :u AND quiz_id = 'check-first-lesson' "
            "AND submitted_at IS NOT NULL", u=uid) - 1)
        passed_during_wait.append(server.scalar(
            "SELECT count(*) FROM quiz_attempts WHERE user_id = :u AND quiz_id = 'check-first-lesson' "
            "AND passed", u=uid))
    return {"races": races, "open_attempts_per_race": [min(opened), max(opened)],
            "graded_during_the_wait": [min(during_wait), max(during_wait)],
            "races_passed_during_the_wait": sum(n > 0 for n in passed_during_wait)}


def attack_demote(server: Server, trials: int) -> dict:
    """Two admins demote each other at once; how many trials leave the site with no admin."""
    ids = {name: server.user_id(name) for name in ("admin1", "admin2")}
    orphaned = 0
    browsers = {name: server.browser(name) for name in ids}
    for _ in range(trials):
        server.execute("UPDATE users SET role = 'admin' WHERE username_key IN ('admin1', 'admin2')")
        tokens = {name: token_of(b.get("/en/admin/users/")[2]) for name, b in browsers.items()}
        pairs = [("admin1", "admin2"), ("admin2", "admin1")]

        def work(i):
            me, other = pairs[i]
            browser = browsers[me]
            status, location, _ = browser.post(f"/en/admin/users/{ids[other]}/role",
                                               {"csrf_token": tokens[me], "role": "learner"})
            return status

        at_once(2, work)
        admins = server.scalar("SELECT count(*) FROM users WHERE role = 'admin'")
        orphaned += admins == 0
    return {"trials": trials, "trials_left_with_no_admin": orphaned}


def attack_lockout(server: Server, first_learner: int, burst: int, trials: int, many_addresses: bool) -> dict:
    """`burst` wrong passwords at once for one name; password checks made, then the right password."""
    checks, locked_right = [], 0
    for t in range(trials):
        name = f"learner{first_learner + t:03d}"
        browsers = [server.browser(address=None if many_addresses else f"10.254.0.{t + 1}") for i in range(burst)]
        tokens = [token_of(b.get("/en/login")[2]) for b in browsers]

        def work(i):
            status, _, page = browsers[i].post("/en/login", {"csrf_token": tokens[i], "username": name,
                                                             "password": "not the password"})
            return status, "Wrong pseudonym or password" in page

        results = at_once(burst, work)
        checks.append(sum(1 for r in results if isinstance(r, tuple) and r[1]))
        late = server.browser(address=None if many_addresses else f"10.254.0.{t + 1}")
        page = late.get("/en/login")[2]
        status, _, answer = late.post("/en/login", {"csrf_token": token_of(page), "username": name,
                                                    "password": PASSWORD})
        locked_right += status == 429 and "Too many failed sign-ins" in answer
    return {"burst": burst, "trials": trials, "password_checks": [min(checks), max(checks)], "limit": 10,
            "right_password_then_refused_as_locked": locked_right}


# -- content and orchestration ------------------------------------------------------------------------

def race_content(checkout: Path) -> Path:
    """The checkout's test content with the final allowing 2 attempts (no wait) and the check quiz
    a 60 minute wait."""
    target = Path(tempfile.mkdtemp(prefix="attacks-content-"))
    shutil.copytree(checkout / "tests" / "fixtures" / "content" / "valid", target, dirs_exist_ok=True)
    final = target / "quizzes" / "sample" / "final.yaml"
    body = re.sub(r"(?m)^(max_attempts|retake_wait_minutes): .*\n", "", final.read_text(encoding="utf-8"))
    final.write_text(body.replace("pass_mark: 80\n", "pass_mark: 80\nmax_attempts: 2\nretake_wait_minutes: 0\n"),
                     encoding="utf-8")
    check = target / "quizzes" / "sample" / "check-first-lesson.yaml"
    body = re.sub(r"(?m)^(max_attempts|retake_wait_minutes): .*\n", "", check.read_text(encoding="utf-8"))
    check.write_text(body.replace("lesson: first-lesson\n", "lesson: first-lesson\nretake_wait_minutes: 60\n"),
                     encoding="utf-8")
    return target


def shipped_modules(checkout: Path) -> list[dict]:
    import yaml

    modules = []
    for path in sorted((checkout / "lessons").glob("*/module.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        quizzes = sorted(p.stem for p in (checkout / "quizzes" / data["id"]).glob("*.yaml"))
        final = data.get("final_quiz", "final")
        modules.append({"id": data["id"], "lessons": data["lessons"],
                        "quizzes": [q for q in quizzes if q != final] + [final]})
    return modules


def start_redis() -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return process, f"redis://127.0.0.1:{port}/0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkout", type=Path, default=ROOT)
    parser.add_argument("--database", default="sqlite", help="'sqlite' (a fresh file) or a PostgreSQL URL")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--attacks", default="retake,starts,wait,demote,lockout")
    parser.add_argument("--races", type=int, default=5)
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args()
    attacks = set(args.attacks.split(","))
    checkout = args.checkout.resolve()
    out = {"checkout": str(checkout), "commit": subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short",
                                                                 "HEAD"], capture_output=True, text=True).stdout.strip(),
           "database": "sqlite" if args.database == "sqlite" else "postgresql", "workers": args.workers}
    if "retake" in attacks:
        server = Server(checkout, args.database, args.workers, None, 3)
        try:
            out["retake"] = attack_retake(server, shipped_modules(checkout), ["learner001", "learner002", "learner003"])
        finally:
            server.close()
    content = race_content(checkout)
    try:
        if attacks & {"starts", "wait", "demote", "lockout"}:
            server = Server(checkout, args.database, args.workers, content, 2 * args.races + 20)
            try:
                if "starts" in attacks:
                    out["starts"] = attack_starts(server, args.races)
                if "wait" in attacks:
                    out["wait"] = attack_wait(server, args.races)
                if "demote" in attacks:
                    out["demote"] = attack_demote(server, args.trials)
                if "lockout" in attacks:
                    first = 2 * args.races + 1
                    out["lockout_database"] = [
                        {"addresses": "many", **attack_lockout(server, first, 30, 2, True)},
                        {"addresses": "many", **attack_lockout(server, first + 2, 40, 2, True)},
                        {"addresses": "one", **attack_lockout(server, first + 4, 40, 2, False)}]
            finally:
                server.close()
        if "lockout" in attacks:
            redis, uri = start_redis()
            try:
                server = Server(checkout, args.database, args.workers, content, 10, redis=uri)
                try:
                    out["lockout_redis"] = [
                        {"addresses": "many", **attack_lockout(server, 1, 30, 2, True)},
                        {"addresses": "many", **attack_lockout(server, 3, 40, 2, True)}]
                finally:
                    server.close()
            finally:
                redis.terminate()
                redis.wait()
    finally:
        shutil.rmtree(content, ignore_errors=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
