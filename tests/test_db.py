"""The schema comes only from Alembic migrations, and they match the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from elearn.db import db


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
