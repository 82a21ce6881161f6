"""Fixtures: a fresh, migrated database per test (SQLite by default, PostgreSQL when
ELEARN_TEST_DATABASE_URL is set), the app, a client, a CLI runner and signed-in helpers."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from elearn import create_app
from elearn.db import db, upgrade_database

FIXTURES = Path(__file__).parent / "fixtures" / "content"
VALID = FIXTURES / "valid"
PG_URL = os.environ.get("ELEARN_TEST_DATABASE_URL")


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


@pytest.fixture
def trainer(app):
    """A client signed in as the trainer "coach"."""
    from factories import make_user

    with app.app_context():
        make_user(username="coach", role="trainer")
    client = app.test_client()
    Auth(client).login("coach")
    return client
