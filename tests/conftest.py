"""Fixtures: a fresh, migrated database per test (SQLite by default, PostgreSQL when
ELEARN_TEST_DATABASE_URL is set), the app, a client, a CLI runner and signed-in clients.

Two ways to sign in: `Auth` drives the real forms (for tests of signing up and in), and
`login` / `sign_in` hand a client a session made by the app's own sign-in step, without pages or
password checks (for every other test: the state comes from tests/factories.py)."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import jinja2
import pytest
from flask import session
from sqlalchemy import create_engine, text

import elearn
import factories
from elearn import create_app
from elearn.db import db, upgrade_database
from elearn.views.auth import sign_in as start_session
from smtp_server import smtp  # noqa: F401  (fixture: a loopback SMTP server that keeps what it receives)

FIXTURES = Path(__file__).parent / "fixtures" / "content"
VALID = FIXTURES / "valid"
PG_URL = os.environ.get("ELEARN_TEST_DATABASE_URL")


def pytest_collection_modifyitems(items):
    """Every browser test is also slow (Chromium and a live server): `-m "not slow"` leaves them out."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


def base_config(tmp_path: Path, url: str) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "tests-only-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "LESSONS_DIR": str(VALID / "lessons"),
        "QUIZZES_DIR": str(VALID / "quizzes"),
        "BASE_URL": "https://elearn.example",
        "RATELIMIT_ENABLED": False,
    }


@pytest.fixture(scope="session", autouse=True)
def remembered_scrypt():
    """Remember every scrypt result for the session. scrypt is a pure function, so this changes
    no outcome, only the cost: a password hash takes 0.1-1 s on two busy cores, and a sign-in with
    the right password then costs nothing (its salt and password were hashed at sign-up)."""
    real, results = hashlib.scrypt, {}

    def scrypt(password, *, salt, n, r, p, maxmem=0, dklen=64):
        key = (bytes(password), bytes(salt), n, r, p, dklen)
        if key not in results:
            results[key] = real(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)
        return results[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hashlib, "scrypt", scrypt)
        yield


@pytest.fixture(scope="session", autouse=True)
def fixture_content_loaded_once():
    """Every test's create_app loads and validates tests/fixtures/content/valid; load it once per
    session instead (the catalog is immutable, and nothing edits those files during a run).
    Other content (a test's own copy, the real curriculum) is loaded as usual."""
    real, loaded = elearn.load_catalog, {}
    valid = (str(VALID / "lessons"), str(VALID / "quizzes"))

    def load_catalog(lessons_dir, quizzes_dir):
        if (str(lessons_dir), str(quizzes_dir)) != valid:
            return real(lessons_dir, quizzes_dir)
        if "valid" not in loaded:
            loaded["valid"] = real(lessons_dir, quizzes_dir)
        return loaded["valid"]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(elearn, "load_catalog", load_catalog)
        yield


class SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates shared by every test's app, so each template is compiled once per run
    rather than once per test. Jinja checks each entry against its template's source checksum."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


BYTECODE = SharedBytecode()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """Migrate once per session; each test then starts from a copy (SQLite) or truncated tables."""
    folder = tmp_path_factory.mktemp("db")
    url = PG_URL or f"sqlite:///{folder / 'template.sqlite3'}"
    if PG_URL:
        engine = create_engine(PG_URL)
        with engine.begin() as conn:  # start from nothing so the migrations run in full
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(base_config(folder, url))
    with app.app_context():
        upgrade_database()
        db.engine.dispose()
    return url


@pytest.fixture
def app(tmp_path, template_db):
    if PG_URL:
        url = PG_URL
    else:
        shutil.copy(template_db.removeprefix("sqlite:///"), tmp_path / "test.sqlite3")
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    app = create_app(base_config(tmp_path, url))
    app.jinja_env.bytecode_cache = BYTECODE
    yield app
    with app.app_context():
        if PG_URL:
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on the page at `url`."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class Auth:
    """Register and sign in through the real forms (CSRF included)."""

    def __init__(self, client):
        self.client = client

    def register(self, username="rami", password="correct horse battery", lang="en", **extra):
        data = {"username": username, "password": password, "confirm": password, "locale": lang,
                "csrf_token": csrf_token(self.client, f"/{lang}/register"), **extra}
        return self.client.post(f"/{lang}/register", data=data)

    def login(self, username="rami", password="correct horse battery", lang="en"):
        data = {"username": username, "password": password, "csrf_token": csrf_token(self.client, f"/{lang}/login")}
        return self.client.post(f"/{lang}/login", data=data)

    def logout(self, lang="en"):
        token = csrf_token(self.client, f"/{lang}/")
        return self.client.post(f"/{lang}/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return Auth(client)


def sign_in(client, who=None, **overrides):
    """Sign `client` in as `who` (a User, an id, or a username, made with `overrides` when new; a
    new user when None) without the sign-in form: the app's own sign-in step runs in a request
    context and its session becomes the client's. test_auth checks that this is what signing in
    through the form gives."""
    app = client.application
    with client.session_transaction() as cookie:
        with app.test_request_context():
            start_session(factories.make_user(**overrides) if who is None else factories.user(who, **overrides))
            signed, permanent = dict(session), session.permanent
        cookie.clear()
        cookie.update(signed)
        cookie.permanent = permanent
    return client


@pytest.fixture
def login(app):
    """login(who=None, client=None, **overrides): `client` (a new one by default) signed in as
    `who` through `sign_in`."""
    return lambda who=None, client=None, **overrides: sign_in(client or app.test_client(), who, **overrides)


@pytest.fixture
def trainer(login):
    """A client signed in as the trainer "coach"."""
    return login("coach", role="trainer")
