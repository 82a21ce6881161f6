"""The schema comes only from Alembic migrations, and they match the models."""
import datetime as dt
import json

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade

from elearn.clock import utcnow
from elearn.db import MIGRATIONS, db, upgrade_database, use_migrations
from factories import make_user


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_db_upgrade_command_creates_a_fresh_database(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from conftest import VALID
    from elearn.cli import main

    monkeypatch.setenv("ELEARN_CONTENT_DIR", str(VALID))
    monkeypatch.setenv("ELEARN_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.delenv("ELEARN_DATABASE_URL", raising=False)
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "inst" / "elearn.sqlite3").exists()


def test_0012_links_statements_queued_before_it_to_their_learners_only_when_sure(app):
    """The actor's account name is the learner's number; SQLite may give a deleted account's
    number to a newer account, so a row queued before that account existed stays unlinked."""
    outbox = sa.table("xapi_statements", sa.column("id", sa.Integer), sa.column("statement_id", sa.String),
                      sa.column("body", sa.Text), sa.column("created_at", sa.DateTime),
                      sa.column("next_try_at", sa.DateTime), sa.column("tries", sa.Integer))
    now = utcnow()

    def row(n: int, actor, at: dt.datetime) -> dict:
        body = "not json" if actor is None else json.dumps({"id": f"s{n}", "actor": {"account": {
            "homePage": "https://elearn.example", "name": str(actor)}}})
        return {"id": n, "statement_id": f"s{n}", "body": body, "created_at": at, "next_try_at": at, "tries": 0}

    with app.app_context():
        use_migrations(app)
        downgrade(directory=MIGRATIONS, revision="0011")
        lena, omar = make_user(username="lena").id, make_user(username="omar").id
        db.session.execute(outbox.insert(), [
            row(1, lena, now + dt.timedelta(seconds=1)), row(2, 999, now),
            row(3, omar, now - dt.timedelta(days=1)), row(4, None, now)])
        db.session.commit()
        db.session.remove()
        upgrade_database()
        linked = dict(db.session.execute(sa.text("SELECT id, user_id FROM xapi_statements")).all())
    assert linked == {1: lena, 2: None, 3: None, 4: None}


def test_pooled_connections_are_pinged_only_where_a_server_can_drop_them(app):
    """PostgreSQL: a connection dropped by a restart is replaced before use (the fault tests
    restart it). SQLite: a file drops nothing, so no ping costs every request a statement."""
    with app.app_context():
        engine = db.engine
    assert engine.pool._pre_ping is (engine.dialect.name == "postgresql")
