"""A module's final quiz may have any id: the report, the certificate and the refresher follow
`module.final_quiz_id`, not the name "final"."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from sqlalchemy import select

from conftest import VALID, base_config, csrf_token, sign_in
from elearn import create_app
from elearn.certificates.models import Certificate
from elearn.db import db
from elearn.trainer import assignments, service as groups
from factories import make_user
from quizhelpers import ANSWERS, take


@pytest.fixture
def exam_app(app, tmp_path):
    """The test content with its final quiz renamed "exam", on the same database as `app`."""
    content = tmp_path / "content"
    shutil.copytree(VALID, content)
    quizzes = content / "quizzes" / "sample"
    final = (quizzes / "final.yaml").read_text(encoding="utf-8")
    (quizzes / "exam.yaml").write_text(re.sub(r"(?m)^id: final$", "id: exam", final), encoding="utf-8")
    (quizzes / "final.yaml").unlink()
    module = content / "lessons" / "sample" / "module.yaml"
    module.write_text(module.read_text(encoding="utf-8").replace("final_quiz: final", "final_quiz: exam"),
                      encoding="utf-8")
    config = base_config(tmp_path / "exam", app.config["SQLALCHEMY_DATABASE_URI"])
    exam = create_app({**config, "LESSONS_DIR": str(content / "lessons"), "QUIZZES_DIR": str(content / "quizzes")})
    assert exam.extensions["catalog"].module("sample").final_quiz_id == "exam"
    yield exam
    with exam.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_final_quiz_called_exam_counts_in_report_certificate_and_refresher(exam_app):
    with exam_app.app_context():
        coach = make_user(username="coach", role="trainer")
        learner = make_user(username="amal", display_name="Amal")
        group = groups.create_group(db.session, coach, "Workshop")
        groups.join(db.session, learner, group)
        assignments.assign(db.session, group, "sample", dt.date.today() + dt.timedelta(days=7), None)
        group_id = group.id
    client = sign_in(exam_app.test_client(), "amal")
    for lesson in ("first-lesson", "second-lesson"):
        url = f"/en/modules/sample/{lesson}/"
        client.post(url + "complete", data={"csrf_token": csrf_token(client, url)})
    take(exam_app, client, "check-first-lesson")
    take(exam_app, client, "exam", ANSWERS["final"])

    with exam_app.app_context():
        certificate = db.session.scalar(select(Certificate))
        assert certificate is not None and certificate.module_id == "sample"
    trainer = sign_in(exam_app.test_client(), "coach")
    report = trainer.get(f"/en/trainer/groups/{group_id}/report").get_data(as_text=True)
    row = " ".join(re.sub(r"<[^>]+>", " ", report.split("<tbody>")[-1]).split())
    assert row.startswith("Amal A sample module") and "Completed" in row and "100%" in row
    module_page = trainer.get(f"/en/trainer/groups/{group_id}/modules/sample/").get_data(as_text=True)
    assert "Nobody in this group has submitted the final quiz yet." not in module_page
    refresher = client.get("/en/modules/sample/refresher/").get_data(as_text=True)
    assert "/refresher/start" in refresher  # the refresher takes the exam's pass mark and bank
