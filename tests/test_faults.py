"""kill -9 of the production server while learners submit quizzes loses no acknowledged
submission and leaves no attempt half-written (a short run of bench/faults.py's kill test,
on SQLite or on the PostgreSQL of ELEARN_TEST_DATABASE_URL)."""
import sys
from pathlib import Path

import pytest

from conftest import PG_URL, VALID

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import faults  # noqa: E402  (bench/faults.py)


@pytest.fixture
def database_url(app):
    """The test database, migrated (the `app` fixture empties it again afterwards)."""
    from elearn.db import db

    with app.app_context():
        db.engine.dispose()
    return app.config["SQLALCHEMY_DATABASE_URI"]


@pytest.mark.slow  # a gunicorn server, learners submitting, a kill -9 and a restart
def test_kill_9_loses_no_acknowledged_submission(database_url, tmp_path):
    lines = []
    outcome = faults.kill_test(database_url, str(tmp_path), learners=4, seconds=1.0, workers=2,
                               content_dir=str(VALID), quiz=("sample", "check-first-lesson"), log=lines.append)
    assert outcome.problems == [], "\n".join(lines + outcome.problems)
    assert outcome.acknowledged > 0, lines  # the kill came while learners were submitting


def test_a_half_written_attempt_is_reported():
    from types import SimpleNamespace

    row = dict(id=7, layout='[{"q": "s-single", "o": ["a", "b"]}]', answers='{"s-single": ["a"]}',
               submitted_at="2026-01-01", points=1.0, max_points=1, percent=100.0, passed=True,
               question_points='{"s-single": 1.0}')
    assert faults.attempt_problems(SimpleNamespace(**row)) == []
    assert faults.attempt_problems(SimpleNamespace(**{**row, "percent": None}))  # graded without a percent
    assert faults.attempt_problems(SimpleNamespace(**{**row, "submitted_at": None}))  # open but graded
    assert faults.attempt_problems(SimpleNamespace(**{**row, "answers": '{"s-single": ['}))  # torn JSON
    assert faults.attempt_problems(SimpleNamespace(**{**row, "question_points": '{"other": 1.0}'}))


@pytest.mark.skipif(not PG_URL, reason="needs ELEARN_TEST_DATABASE_URL (PostgreSQL)")
def test_the_app_reconnects_after_postgresql_drops_its_connections(app, client):
    """What a PostgreSQL restart does to the app's pooled connections, without restarting the
    server (that is bench/faults.py pg-restart): the next request still succeeds."""
    from sqlalchemy import create_engine, text

    assert client.get("/healthz").status_code == 200  # leaves a connection in the pool
    other = create_engine(PG_URL)
    with other.begin() as connection:
        dropped = connection.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    other.dispose()
    assert dropped >= 1
    assert client.get("/healthz").status_code == 200
    assert client.get("/en/modules/sample/").status_code == 200
