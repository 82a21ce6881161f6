"""module_totals, the per-learner-and-module row the trainers' reports read, stays equal to what
a full recount from lessons and attempts gives."""
from sqlalchemy import select

from conftest import csrf_token
from elearn.db import db
from elearn.learning.models import ModuleTotals
from elearn.learning.service import rebuild_totals
from factories import make_module_totals, make_user
from quizhelpers import take


def snapshot():
    return sorted((t.user_id, t.module_id, t.lessons_done, t.quizzes_passed, t.best_final, t.last_activity)
                  for t in db.session.scalars(select(ModuleTotals)))


def test_totals_follow_every_step_and_match_a_full_recount(app, login):
    hiba, ziad = login("hiba"), login("ziad")
    hiba.get("/en/modules/sample/first-lesson/")  # opening a lesson is activity
    with app.app_context():
        assert snapshot()[0][2:4] == (0, 0) and snapshot()[0][5] is not None
    url = "/en/modules/sample/first-lesson/"
    hiba.post(url + "complete", data={"csrf_token": csrf_token(hiba, url)})
    take(app, hiba, "check-first-lesson")
    take(app, hiba, "final", {"s-multi": ["a"], "s-scenario": ["a"]})  # 25%, failed
    take(app, hiba, "final")  # 100%
    ziad.get("/en/modules/sample/second-lesson/")
    with app.app_context():
        rows = {r[0]: r for r in snapshot()}
        hiba_id = min(rows)
        assert rows[hiba_id][2:5] == (1, 2, 100.0)
        incremental = snapshot()
        assert rebuild_totals(db.session, app.extensions["catalog"]) == 2
        assert snapshot() == incremental


def test_rebuild_totals_command_recounts_after_content_changes(app, runner):
    with app.app_context():
        make_module_totals(make_user(username="stale"), lessons_done=9, quizzes_passed=9)  # counts no step made
    result = runner.invoke(args=["rebuild-totals"])
    assert result.exit_code == 0 and "module totals rebuilt: 0 rows" in result.output
    with app.app_context():
        assert snapshot() == []
