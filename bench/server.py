"""Shared by bench/load.py, bench/faults.py and tests/test_faults.py: a throwaway database with
learner accounts, gunicorn on a free loopback port, process memory, and a tiny cookie-keeping
HTTP client that does not follow redirects (so every answer's status is seen)."""
from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load test password"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
OPTION = re.compile(r'name="answer" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def learner_names(n: int) -> list[str]:
    return [f"learner{i:03d}" for i in range(1, n + 1)]


def prepare_database(url: str, instance: str, learners: int, content_dir: str | None = None) -> dict:
    """Migrate `url`, empty it, create `learners` accounts; return the environment for gunicorn.

    Accounts are made through the accounts service, not the sign-up form (which is rate limited
    and not what is measured), all with the same password hash.
    """
    from elearn import create_app
    from elearn.auth.service import create_user, hash_password
    from elearn.db import db, upgrade_database

    # Warnings only: one JSON line per request would bury the figures a bench prints.
    env = {"ELEARN_LOG_LEVEL": "WARNING", **os.environ, "ELEARN_INSTANCE_PATH": instance, "ELEARN_DATABASE_URL": url,
           "ELEARN_SECRET_KEY": secrets.token_hex(32)}
    env.pop("ELEARN_TEST_DATABASE_URL", None)
    if content_dir:
        env["ELEARN_CONTENT_DIR"] = content_dir
    else:
        env.pop("ELEARN_CONTENT_DIR", None)
    config = {"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": env["ELEARN_SECRET_KEY"]}
    if content_dir:
        config.update(LESSONS_DIR=f"{content_dir}/lessons", QUIZZES_DIR=f"{content_dir}/quizzes")
    app = create_app(config)
    with app.app_context():
        upgrade_database()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        shared = hash_password(PASSWORD)  # one scrypt hash for every account: hashing is slow on purpose
        for name in learner_names(learners):
            create_user(db.session, name, None, locale="en").password_hash = shared
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return env


def start_gunicorn(env: dict, port: int, workers: int, app: str = "elearn.wsgi:app",
                   log: str | None = None, args: list[str] = ()) -> subprocess.Popen:
    """Start gunicorn (sync workers, and `args`, e.g. ["--preload"]) on 127.0.0.1:port and wait
    until /healthz answers."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    out = open(log, "ab") if log else subprocess.DEVNULL
    process = subprocess.Popen([str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                                "--no-control-socket", *args, app], env=env, cwd=ROOT, stdout=out, stderr=out)
    # building the app takes a minute on a busy machine
    return wait_healthy(process, port, 180, f"gunicorn did not start (see {log})")


def wait_healthy(process: subprocess.Popen, port: int, seconds: float, failure: str) -> subprocess.Popen:
    """Wait until /healthz on `port` answers 200 (the app, or a balancer in front of it); kill
    `process` and raise RuntimeError(failure) if it exits or `seconds` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if Browser(port).get("/healthz")[0] == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(failure)
        time.sleep(0.1)


def server_pids(process: subprocess.Popen) -> list[int]:
    """The gunicorn master's pid, then its workers'."""
    import psutil

    return [process.pid] + [child.pid for child in psutil.Process(process.pid).children()]


def kill_all(process: subprocess.Popen) -> None:
    """kill -9 the master and every worker at once: nothing gets to finish or clean up."""
    for pid in server_pids(process):
        os.kill(pid, signal.SIGKILL)
    process.wait()


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def rss_mib(pids: list[int]) -> dict[int, float]:
    import psutil

    sizes = {}
    for pid in pids:
        try:
            sizes[pid] = psutil.Process(pid).memory_info().rss / 2**20
        except psutil.NoSuchProcess:
            pass
    return sizes


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes."""
    import psutil

    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


class Browser:
    """One learner's browser: keeps the session cookie, never follows redirects.

    Raises OSError (connection refused, reset or cut mid-answer) when the server is down.
    """

    def __init__(self, port: int, timeout: float = 30, headers: dict | None = None, source: str | None = None):
        self.port, self.timeout, self.cookies = port, timeout, {}
        self.headers = headers or {}  # sent with every request (e.g. X-Forwarded-For behind ProxyFix)
        # A loopback address of its own (127.0.1.7, say), so that per-address rate limits see one client.
        self.source = (source, 0) if source else None

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, Location header, body)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout,
                                                source_address=self.source)
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        except http.client.HTTPException as exc:  # cut off mid-answer: the server died
            raise ConnectionError(repr(exc)) from exc
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response.status, response.headers.get("Location", ""), text

    def get(self, path: str) -> tuple[int, str, str]:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> tuple[int, str, str]:
        return self.request("POST", path, data)

    def login(self, username: str, lang: str = "en") -> None:
        status, _, page = self.get(f"/{lang}/login")
        status, location, _ = self.post(f"/{lang}/login", {"username": username, "password": PASSWORD,
                                                            "csrf_token": token_of(page)})
        if status != 302:
            raise AssertionError(f"sign-in of {username} answered {status}")


def token_of(page: str) -> str:
    match = TOKEN.search(page)
    if not match:
        raise AssertionError("no CSRF token on the page")
    return match.group(1)


def path_of(location: str) -> str:
    """Location may be absolute (http://127.0.0.1:port/...) or a path."""
    return "/" + location.split("://", 1)[1].split("/", 1)[1] if "://" in location else location
