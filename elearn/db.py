"""The database: SQLAlchemy 2 models on Flask-SQLAlchemy, schema managed by Alembic (Flask-Migrate)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session

MIGRATIONS = str(Path(__file__).resolve().parent / "migrations")

# Named constraints so Alembic migrations are the same on SQLite and PostgreSQL.
_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)


# expire_on_commit=False: a commit does not make the next attribute read (say, the signed-in user's
# name in the page header) load the row again. Code that needs a row as another statement left
# it refreshes it explicitly (session.refresh).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    # Foreign keys are off by default in SQLite; WAL lets readers and one writer work at once.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def init_app(app: Flask) -> None:
    uri = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if uri.get_backend_name() != "sqlite":
        # pool_pre_ping: a connection the server dropped (restart, failover) is replaced before
        # use, so the app recovers by itself instead of failing one request per pooled connection.
        # A SQLite file drops no connection: there the ping was a statement on every request.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {}).setdefault("pool_pre_ping", True)
    db.init_app(app)
    # The SQLite file's folder must exist before anything connects, `elearn db upgrade` included.
    if uri.get_backend_name() == "sqlite" and uri.database and uri.database != ":memory:":
        Path(uri.database).parent.mkdir(parents=True, exist_ok=True)


def use_migrations(app: Flask) -> None:
    """Put Flask-Migrate on `app` (once): `elearn db ...` and upgrade_database need it."""
    # Why here: Flask-Migrate imports Alembic, some 11 MiB in each process; a process serving
    # pages never migrates.
    from flask_migrate import Migrate

    if "migrate" not in app.extensions:
        Migrate(app, db, directory=MIGRATIONS, render_as_batch=True, compare_type=True)


def upgrade_database(revision: str = "head") -> None:
    """Apply the migrations up to `revision`, by default every one (inside an app context)."""
    # Why here: as in use_migrations.
    from flask_migrate import upgrade

    use_migrations(current_app)
    upgrade(directory=MIGRATIONS, revision=revision)


def upsert(session, model, keys: dict, values: dict) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET values, on SQLite and PostgreSQL alike."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(model).values(**keys, **values)
    session.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=values))


def insert_once(session: Session, row) -> bool:
    """Add `row` and commit. False (rolled back) when a unique constraint refuses it: another
    request made the same row a moment ago, which callers treat as "already done"."""
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True
