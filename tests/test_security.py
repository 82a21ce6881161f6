"""Security: headers, cookies, the proxy switch, sign-in lockout shared by every app process,
the password policy, `next=` that cannot leave the site, request ids and access logs."""
from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import shutil
import socket
import subprocess
import time

import pytest
from sqlalchemy import func, select

from conftest import Auth, base_config, csrf_token
from elearn import create_app
from elearn.auth import lockout as lockout_module, passwords
from elearn.auth.lockout import DatabaseLockout, StoreLockout, name_key
from elearn.auth.models import SignInFailure, User
from elearn.views.auth import local_path
from elearn.db import db
from factories import make_user


def another_app(app, tmp_path, **config):
    """A second app process on the same database (as another gunicorn worker or host would be)."""
    return create_app({**base_config(tmp_path / "other", app.config["SQLALCHEMY_DATABASE_URI"]), **config})


def login(client, username, password, lang="en", **kwargs):
    token = csrf_token(client, f"/{lang}/login")
    return client.post(f"/{lang}/login", data={"username": username, "password": password, "csrf_token": token},
                       **kwargs)


# --- headers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/en/", "/ar/login", "/en/no-such-page", "/healthz"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'" and "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'" and csp["base-uri"] == "'self'" and csp["form-action"] == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain http here


def test_static_files_carry_the_headers_too(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- cookies ---------------------------------------------------------------------------------

def session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "no session cookie set"
    return cookies[0]


def test_session_cookie_is_httponly_and_samesite(client):
    cookie = session_cookie(client.get("/en/login"))  # the CSRF token lives in the session
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http, no https base URL, no proxy


def test_session_cookie_is_secure_when_the_base_url_is_https(app, tmp_path, monkeypatch):
    monkeypatch.setenv("ELEARN_BASE_URL", "https://learn.example.org")
    config = base_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"])
    config.pop("BASE_URL")
    secure = create_app(config)
    assert secure.config["BASE_URL"] == "https://learn.example.org"
    assert "Secure" in session_cookie(secure.test_client().get("/en/login"))


def test_behind_proxy_fix_forwarded_https_makes_cookies_secure_and_adds_hsts(app, tmp_path):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    behind = another_app(app, tmp_path, PROXY_FIX=1)
    response = behind.test_client().get("/en/login", headers=headers)
    assert "Secure" in session_cookie(response)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    # Without the switch the forwarded headers are not trusted: anyone could send them.
    response = another_app(app, tmp_path, PROXY_FIX=0).test_client().get("/en/login", headers=headers)
    assert "Secure" not in session_cookie(response) and "Strict-Transport-Security" not in response.headers


def test_proxy_fix_setting_comes_from_the_environment(app, tmp_path, monkeypatch):
    monkeypatch.setenv("ELEARN_PROXY_FIX", "2")
    assert create_app(base_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"])).config["PROXY_FIX"] == 2


def test_behind_proxy_fix_rate_limits_count_per_client_not_per_proxy(app, tmp_path):
    behind = another_app(app, tmp_path, PROXY_FIX=1, RATELIMIT_ENABLED=True)
    client = behind.test_client()

    def verify(address):  # limited to 30 a minute per client address
        return client.get("/en/verify/ABCD-EFGH", headers={"X-Forwarded-For": address}).status_code

    assert [verify("203.0.113.1") for _ in range(31)][-2:] == [404, 429]
    assert verify("203.0.113.2") == 404  # another client behind the same proxy


# --- lockout ---------------------------------------------------------------------------------

def test_lockout_is_shared_by_two_app_processes_on_one_database(app, tmp_path):
    app.config["LOCKOUT_FAILURES"] = 4  # fewer password hashes: the default is 10
    with app.app_context():
        make_user(username="salma")
    other = another_app(app, tmp_path, LOCKOUT_FAILURES=4)
    first, second = app.test_client(), other.test_client()
    for n in range(4):  # the failures are split over the two processes
        assert login(first if n % 2 else second, "salma", "wrong password!").status_code == 400
    for client in (first, second):
        response = login(client, "SALMA", "correct horse battery")  # right password, still refused
        assert response.status_code == 429
        assert "Too many failed sign-ins with this pseudonym. Try again in 15 minutes." in response.get_data(as_text=True)
        assert client.get("/en/account").status_code == 302
    response = login(first, "salma", "correct horse battery", lang="ar")
    assert response.status_code == 429 and "محاولات دخول فاشلة كثيرة" in response.get_data(as_text=True)


def test_the_default_is_ten_failures_in_fifteen_minutes(app):
    assert (app.config["LOCKOUT_FAILURES"], app.config["LOCKOUT_MINUTES"]) == (10, 15)


def test_a_lock_does_not_reveal_whether_the_name_exists(app, client):
    app.config["LOCKOUT_FAILURES"] = 3
    for _ in range(3):
        login(client, "nobody-at-all", "wrong password!")
    response = login(client, "nobody-at-all", "wrong password!")
    assert response.status_code == 429 and "Too many failed sign-ins" in response.get_data(as_text=True)


def test_lockout_counts_per_name_and_success_clears_it(app, client):
    app.config["LOCKOUT_FAILURES"] = 3
    with app.app_context():
        make_user(username="karim")
        make_user(username="huda")
    for _ in range(2):
        login(client, "karim", "wrong password!")
    assert login(client, "huda", "correct horse battery").status_code == 302  # another name: unaffected
    assert login(client, "karim", "correct horse battery").status_code == 302
    for _ in range(2):  # the success cleared karim's two failures
        login(client, "karim", "wrong password!")
    assert login(client, "karim", "correct horse battery").status_code == 302


def test_lockout_stores_digests_not_names(app, client):
    login(client, "my secret password", "oops")
    with app.app_context():
        keys = db.session.scalars(select(SignInFailure.key)).all()
    assert keys == [name_key("MY SECRET PASSWORD")] and "secret" not in keys[0]


def test_lockout_rule_ends_after_the_window_and_forgets_old_rows(app):
    start = dt.datetime(2026, 1, 1, 12, 0)
    with app.app_context():
        guard = DatabaseLockout(db.session, failures=3, window=dt.timedelta(minutes=15))
        for minute in (0, 5, 10):
            guard.failed("dana", now=start + dt.timedelta(minutes=minute))
        assert guard.locked_until("dana", now=start + dt.timedelta(minutes=11)) == start + dt.timedelta(minutes=15)
        assert guard.locked_until("dana", now=start + dt.timedelta(minutes=15)) is None  # oldest left the window
        guard.failed("other", now=start + dt.timedelta(minutes=40))  # prunes everything older than 15 minutes
        assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == 1


def test_lockout_uses_redis_when_rate_limits_do(app, tmp_path):
    assert lockout_module.uses_store("redis://cache:6379/0") and lockout_module.uses_store("rediss://cache")
    assert not lockout_module.uses_store("memory://") and not lockout_module.uses_store(None)
    with app.app_context():
        assert isinstance(lockout_module.for_settings(db.session, "memory://"), DatabaseLockout)
        store = lockout_module.for_settings(db.session, "redis://cache:6379/0", 4, 15)
        assert isinstance(store, StoreLockout) and store is lockout_module.for_settings(db.session, "redis://cache:6379/0", 4, 15)


def test_store_lockout_follows_the_same_rule():
    guard = StoreLockout("memory://", failures=3, window=dt.timedelta(minutes=15))
    for _ in range(3):
        assert guard.locked_until("Rana") is None
        guard.failed("rana")
    until = guard.locked_until("RANA")
    assert until is not None and dt.timedelta(minutes=14) < until - dt.datetime.now(dt.UTC).replace(tzinfo=None)
    guard.succeeded("rana")
    assert guard.locked_until("rana") is None


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway redis-server on a free loopback port (skipped when Redis is not installed, a
    failure instead when ELEARN_REQUIRE_REDIS=1, as CI sets it)."""
    server = shutil.which("redis-server")
    if os.environ.get("ELEARN_REQUIRE_REDIS") == "1":
        import redis  # noqa: F401  (CI: a missing client is a failure, not a skip)

        assert server, "redis-server is not installed (.ci/run installs it)"
    pytest.importorskip("redis")
    if server is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_lockout_in_redis_is_shared_by_two_app_processes(app, tmp_path, redis_url):
    with app.app_context():
        make_user(username="yara")
    one = another_app(app, tmp_path / "one", RATELIMIT_STORAGE_URI=redis_url, LOCKOUT_FAILURES=4)
    two = another_app(app, tmp_path / "two", RATELIMIT_STORAGE_URI=redis_url, LOCKOUT_FAILURES=4)
    for n in range(4):
        login((one if n % 2 else two).test_client(), "yara", "wrong password!")
    assert login(one.test_client(), "yara", "correct horse battery").status_code == 429
    with app.app_context():  # nothing went to the database
        assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == 0


# --- password policy -------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["1234567890", "password123", "qwertyuiop", "aaaaaaaaaaaa",
                                      "iloveyou12", "abcdefghijk", "P@ssw0rd2024"])
def test_common_passwords_are_refused(password):
    assert passwords.problem(password) == "common"


@pytest.mark.parametrize("password", ["correct horse battery", "olive tree by the river", "بيت ياسمين على التلة",
                                      "x" * 9 + "Q7!mV#p2Lr"])
def test_passphrases_are_accepted(password):
    assert passwords.problem(password) is None


def test_password_length_and_the_own_pseudonym():
    assert passwords.problem("short") == "length" and passwords.problem("y" * 201) == "length"
    assert passwords.problem("nour-alhalabi-1") is None
    assert passwords.problem("nour-alhalabi-1", ["Nour-Alhalabi"]) == "common"


@pytest.mark.parametrize("lang, text", [
    ("en", "This password is too common or too easy to guess."),
    ("ar", "كلمة المرور هذه شائعة جدًا أو سهل تخمينها."),
])
def test_register_refuses_a_common_password_in_both_languages(app, auth, lang, text):
    response = auth.register(username="newcomer", password="password123", lang=lang)
    assert response.status_code == 400 and text in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username_key == "newcomer")) is None


def test_register_refuses_the_pseudonym_as_password(auth):
    response = auth.register(username="samira_k", password="samira_k2024")
    assert response.status_code == 400 and "too common" in response.get_data(as_text=True)


@pytest.mark.parametrize("lang, text", [
    ("en", "This password is too common or too easy to guess."),
    ("ar", "كلمة المرور هذه شائعة جدًا أو سهل تخمينها."),
])
def test_change_password_refuses_a_common_password(app, auth, client, lang, text):
    auth.register(username="fadi")
    token = csrf_token(client, f"/{lang}/account")
    response = client.post(f"/{lang}/account", data={"csrf_token": token, "password-current": "correct horse battery",
                                                     "password-password": "1234567890",
                                                     "password-confirm": "1234567890"})
    assert response.status_code == 400 and text in response.get_data(as_text=True)
    assert Auth(app.test_client()).login("fadi").status_code == 302  # the old password still works


def test_users_create_refuses_a_common_password(runner):
    result = runner.invoke(args=["users", "create", "admin2", "--role", "admin", "--password", "password123"])
    assert result.exit_code != 0 and "too common" in result.output


# --- next= -------------------------------------------------------------------------------------

OFFSITE = ["//evil.example/", "///evil.example/", "/\\evil.example/", "\\\\evil.example/", "/\\/evil.example/",
           "https:evil.example", "https://evil.example/", "HTTPS://evil.example", "javascript:alert(1)",
           "/\t/evil.example/", "/\n/evil.example/", " //evil.example/", "evil.example", ".evil.example",
           "\x00//evil.example", "", None]


@pytest.mark.parametrize("target", OFFSITE)
def test_local_path_refuses_anything_that_can_leave_the_site(target):
    assert local_path(target) is None


@pytest.mark.parametrize("target", ["/en/modules/sample/", "/ar/me/?tab=certificates", "/en/join/ABC123",
                                    "/%09/evil.example"])  # still encoded: a path on this site
def test_local_path_keeps_paths_on_this_site(target):
    assert local_path(target) == target


# The same targets as they arrive in a query string, raw and percent-encoded (once and twice).
ENCODED = ["//evil.example/", "/%5Cevil.example/", "%2F%2Fevil.example", "%5C%5Cevil.example", "https:evil.example",
           "https%3A%2F%2Fevil.example", "/%09/evil.example", "%2F%09%2Fevil.example", "/%0A/evil.example",
           "%252F%252Fevil.example", "/%2F/evil.example", "http:/\\evil.example", "/%E3%80%82/evil.example"]


@pytest.mark.parametrize("target", ENCODED)
@pytest.mark.parametrize("form", ["login", "register"])
def test_next_never_redirects_to_another_host(app, client, target, form):
    from urllib.parse import urljoin, urlsplit

    with app.app_context():
        make_user(username="maya")
    if form == "login":
        token = csrf_token(client, "/en/login")
        response = client.post(f"/en/login?next={target}", data={
            "username": "maya", "password": "correct horse battery", "csrf_token": token})
    else:
        response = Auth(client).client.post(f"/en/register?next={target}", data={
            "username": "newbie", "password": "correct horse battery", "confirm": "correct horse battery",
            "locale": "en", "csrf_token": csrf_token(client, "/en/register")})
    if form == "login":
        assert response.status_code == 302
        location = response.headers["Location"]
    else:  # registering answers with the recovery codes, and a link on to `next`
        assert response.status_code == 200
        location = html.unescape(re.search(r'<a class="button" href="([^"]*)"', response.get_data(as_text=True))[1])
    # Resolved the way a browser resolves it (backslashes read as slashes, tabs and newlines dropped).
    browser_view = location.replace("\\", "/").replace("\t", "").replace("\n", "")
    assert urlsplit(urljoin("http://localhost/en/login", browser_view)).netloc == "localhost", location


# --- request ids, access logs, bad ids --------------------------------------------------------

def log_lines(captured: str) -> list[dict]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


def test_every_response_has_a_request_id_and_one_json_log_line(client, capsys):
    response = client.get("/en/modules/sample/?secret=query", headers={"X-Request-ID": "lb-1234.abc"})
    assert response.headers["X-Request-ID"] == "lb-1234.abc"  # the load balancer's id is kept
    [line] = [entry for entry in log_lines(capsys.readouterr().err) if entry["logger"] == "elearn.request"]
    assert line["request_id"] == "lb-1234.abc" and line["method"] == "GET" and line["status"] == 200
    assert line["path"] == "/en/modules/sample/" and "secret" not in json.dumps(line)
    assert isinstance(line["duration_ms"], float) and line["user_id"] is None and line["level"] == "INFO"


def test_a_strange_incoming_request_id_is_replaced(client):
    response = client.get("/en/", headers={"X-Request-ID": "<script>" + "x" * 100})
    assert len(response.headers["X-Request-ID"]) == 32 and response.headers["X-Request-ID"].isalnum()
    assert client.get("/en/").headers["X-Request-ID"] != response.headers["X-Request-ID"]


def test_logs_carry_the_user_id_but_never_passwords_or_form_bodies(app, client, auth, capsys):
    auth.register(username="logme", password="a very private passphrase")
    capsys.readouterr()
    Auth(client).login("logme", "a very private passphrase")
    client.get("/en/account")
    err = capsys.readouterr().err
    assert "private passphrase" not in err and "logme" not in err
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username_key == "logme"))
    assert {"path": "/en/account", "user_id": uid} in [{"path": e["path"], "user_id": e["user_id"]}
                                                        for e in log_lines(err) if e.get("path")]


def test_a_server_error_is_logged_as_json_with_its_request_id(app, capsys):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/boom", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    entries = log_lines(capsys.readouterr().err)
    error = next(e for e in entries if e["level"] == "ERROR")
    assert error["request_id"] == "req-500" and "kaboom" in error["exc_info"]
    assert any(e.get("status") == 500 and e["request_id"] == "req-500" for e in entries)


def test_ids_too_large_for_the_database_are_not_found(app, client, auth):
    auth.register(username="bigid")
    for path in ["/en/attempts/99999999999999999999/1", "/en/attempts/1/99999999999999999999",
                 "/en/attempts/2147483648/review", "/en/trainer/groups/9999999999999/"]:
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("path", ["/en/verify/AB%00CD", "/en/join/%00", "/en/verify/?code=%00",
                                  "/en/login?next=/%00"])
def test_nul_characters_are_a_bad_request(client, path):
    response = client.get(path)
    assert response.status_code == 400 and "Bad request" in response.get_data(as_text=True)


def test_nul_in_a_form_is_a_bad_request_and_stores_nothing(app, client):
    token = csrf_token(client, "/en/register")
    response = client.post("/en/register", data={"username": "nul\x00name", "password": "correct horse battery",
                                                 "confirm": "correct horse battery", "locale": "en",
                                                 "csrf_token": token})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
