"""Issue 12: the site keeps an administrator whatever the interleaving; operators set roles and
passwords from the command line; the sign-in lockout counts a failure before the password check,
so concurrent guesses get no more checks than the limit (database and Redis-like store)."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from elearn.auth import admin
from elearn.auth.lockout import DatabaseLockout, StoreLockout
from elearn.auth.models import SignInFailure, User
from elearn.db import db
from factories import make_user


def roles(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(select(User.username, User.role)).all())


def test_the_last_admin_keeps_the_role(app):
    with app.app_context():
        one, two = make_user(username="rima", role="admin"), make_user(username="sami", role="admin")
        ids = one.id, two.id
        admin.set_role(db.session, ids[1], "trainer")
        with pytest.raises(admin.LastAdmin):
            admin.set_role(db.session, ids[0], "learner")
        admin.set_role(db.session, ids[1], "admin")  # giving the role is always allowed
        with pytest.raises(LookupError):
            admin.set_role(db.session, 999, "learner")
        with pytest.raises(ValueError):
            admin.set_role(db.session, ids[0], "owner")
    assert roles(app) == {"rima": "admin", "sami": "admin"}


def test_two_admins_demoting_each_other_at_once_leave_one(app):
    """Each demotion in its own thread, session and connection, released together, ten times."""
    with app.app_context():
        ids = [make_user(username=name, role="admin").id for name in ("nada", "omar")]
    for _ in range(10):
        with app.app_context():
            db.session.execute(User.__table__.update().values(role="admin"))
            db.session.commit()
        barrier, outcomes = threading.Barrier(2), []

        def demote(target):
            with app.app_context():
                barrier.wait()
                try:
                    admin.set_role(db.session, target, "learner")
                    outcomes.append("demoted")
                except admin.LastAdmin:
                    outcomes.append("refused")
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=demote, args=(uid,)) for uid in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["demoted", "refused"]
        assert list(roles(app).values()).count("admin") == 1


def test_users_set_role_and_set_password_commands(app, runner):
    with app.app_context():
        make_user(username="root", role="admin")
        make_user(username="lina")
    result = runner.invoke(args=["users", "set-role", "LINA", "admin"])
    assert result.exit_code == 0 and "'lina' is now admin" in result.output, result.output
    assert runner.invoke(args=["users", "set-role", "root", "learner"]).exit_code == 0
    result = runner.invoke(args=["users", "set-role", "lina", "trainer"])
    assert result.exit_code == 1 and "last administrator" in result.output
    assert runner.invoke(args=["users", "set-role", "nobody", "admin"]).exit_code == 1
    assert roles(app) == {"root": "learner", "lina": "admin"}

    result = runner.invoke(args=["users", "set-password", "lina", "--password", "olive tree by the river"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert check_password_hash(db.session.scalar(select(User.password_hash).filter_by(username="lina")),
                                   "olive tree by the river")
    result = runner.invoke(args=["users", "set-password", "lina", "--password", "password123"])
    assert result.exit_code != 0 and "too common" in result.output


def test_the_database_lockout_counts_before_the_check_and_takes_back_a_refusal(app):
    now = dt.datetime(2026, 1, 1, 12, 0)
    with app.app_context():
        guard = DatabaseLockout(db.session, failures=3, window=dt.timedelta(minutes=15))
        assert [guard.begin("dana", now) for _ in range(3)] == [None, None, None]
        assert guard.begin("dana", now + dt.timedelta(minutes=1)) == now + dt.timedelta(minutes=15)
        assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == 3  # the refusal is not kept
        assert guard.begin("dana", now + dt.timedelta(minutes=15)) is None  # the window moved on
        guard.succeeded("dana")
        assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == 0


def test_concurrent_sign_ins_get_at_most_the_limit_of_checks_in_the_database(app):
    checks, barrier = [], threading.Barrier(16)

    def attempt():
        with app.app_context():
            barrier.wait()
            try:
                if DatabaseLockout(db.session, failures=5).begin("hana") is None:
                    checks.append(1)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 1 <= len(checks) <= 5


def test_the_store_lockout_refuses_once_the_window_is_full():
    guard = StoreLockout("memory://", failures=3, window=dt.timedelta(minutes=15))
    assert [guard.begin("Rana") for _ in range(3)] == [None, None, None]
    until = guard.begin("RANA")
    assert until is not None and until > dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=14)
    guard.succeeded("rana")
    assert guard.begin("rana") is None
