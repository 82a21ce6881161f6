"""xAPI: a learner's journey queues statements (no network on their requests) and `elearn xapi
send` delivers them to a real LRS, Ralph (ralph-malph from PyPI, FastAPI, file-system backend),
started here on loopback; with the LRS down the journey is as fast and the statements wait and
retry."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from base64 import b64encode
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from browser import unavailable
from conftest import csrf_token
from elearn.db import db
from elearn.xapi.models import XapiStatement
from factories import user
from quizhelpers import take

pytestmark = pytest.mark.slow  # most tests start an LRS (Ralph) in another process
USERNAME, PASSWORD = "elearn", "a test-only LRS password"
VERBS = "http://adlnet.gov/expapi/verbs/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lrs_get(base: str, path: str):
    request = urllib.request.Request(base + path, headers={
        "X-Experience-API-Version": "1.0.3",
        "Authorization": "Basic " + b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def lrs(tmp_path_factory):
    """Ralph's LRS on a loopback port, storing statements in a file; yields its xAPI base URL."""
    try:
        import bcrypt  # noqa: F401  (comes with ralph-malph[lrs])
        import ralph  # noqa: F401
    except ImportError:
        unavailable("ralph-malph[lrs] is not installed (pip install -e '.[test]')")
    import bcrypt

    folder = tmp_path_factory.mktemp("lrs")
    (folder / "auth.json").write_text(json.dumps([{
        "username": USERNAME, "hash": bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt()).decode(),
        "scopes": ["all"], "agent": {"mbox": "mailto:lrs-admin@example.org"}}]))
    port = free_port()
    env = {**os.environ, "RALPH_AUTH_FILE": str(folder / "auth.json"), "RALPH_RUNSERVER_BACKEND": "fs",
           "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder)}
    process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("ralph_lrs.py")), str(port)], env=env, cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/xAPI/"
    deadline = time.monotonic() + 60
    while True:
        try:
            lrs_get(base, "statements?limit=1")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the LRS did not start: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.3)
    yield base
    process.terminate()
    process.wait(10)


def statements_for(app, base: str, user_id: int) -> list[dict]:
    """What the LRS holds for the learner, among the statements this test's app queued (the LRS
    outlives each test's database, where numbers start again at 1)."""
    agent = json.dumps({"account": {"homePage": "https://elearn.example", "name": str(user_id)}})
    found = lrs_get(base, "statements?limit=1000&agent=" + urllib.request.quote(agent))["statements"]
    with app.app_context():
        ours = set(db.session.scalars(select(XapiStatement.statement_id)))
    return [s for s in found if s["id"] in ours]


def journey(app, client) -> list[float]:
    """Both lessons, the check quiz and the final: the four requests that finish a step, timed."""
    timings = []
    for lesson in ("first-lesson", "second-lesson"):
        url = f"/en/modules/sample/{lesson}/"
        token = csrf_token(client, url)
        started = time.perf_counter()
        assert client.post(url + "complete", data={"csrf_token": token}).status_code == 302
        timings.append(time.perf_counter() - started)
    for quiz in ("check-first-lesson", "final"):
        started_at = time.perf_counter()
        take(app, client, quiz)  # the whole quiz, pages and submission
        timings.append(time.perf_counter() - started_at)
    return timings


def switch_on(app, endpoint: str) -> None:
    app.config.update(XAPI_ENDPOINT=endpoint, XAPI_USERNAME=USERNAME, XAPI_PASSWORD=PASSWORD)


def queued(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(XapiStatement))


def test_xapi_is_off_by_default(app, login):
    assert app.config["XAPI_ENDPOINT"] is None
    journey(app, login("lena"))
    assert queued(app) == 0


def test_a_learner_journey_reaches_the_lrs(app, login, runner, lrs):
    switch_on(app, lrs)
    journey(app, login("lena"))
    with app.app_context():
        user_id = user("lena").id
    assert queued(app) > 0
    result = runner.invoke(args=["xapi", "send"])
    assert result.exit_code == 0, result.output
    received = statements_for(app, lrs, user_id)
    verbs = sorted(s["verb"]["id"].rsplit("/", 1)[-1] for s in received)
    # 2 lessons completed; 2 + 2 questions answered; 2 quizzes passed; 1 certificate earned
    assert verbs == sorted(["completed"] * 2 + ["answered"] * 4 + ["passed"] * 2 + ["earned"])
    for statement in received:
        assert statement["actor"]["account"] == {"homePage": "https://elearn.example", "name": str(user_id)}
        assert not {"mbox", "mbox_sha1sum", "name", "openid"} & set(statement["actor"])
        names = statement["object"]["definition"]["name"]
        assert set(names) == {"en", "ar"} and all(names.values())
        assert statement["context"]["language"] == "en"
    final = next(s for s in received if s["object"]["id"].endswith("/quizzes/final/"))
    assert final["result"]["success"] is True and final["result"]["score"]["scaled"] == 1
    assert runner.invoke(args=["xapi", "status"]).output.startswith(f"sent: {len(received)} waiting: 0")
    print(f"\nLRS received {len(received)} statements for one learner's journey: {', '.join(verbs)}")


def test_with_the_lrs_down_the_journey_is_as_fast_and_statements_retry(app, login, runner, lrs, monkeypatch):
    journey(app, login("warm"))  # first requests load fonts, templates and the PDF stack
    switch_on(app, f"http://127.0.0.1:{free_port()}/xAPI/")  # nothing listens there
    connects = []
    real_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: connects.append(address) or real_connect(self, address))
    down = journey(app, login("lena"))
    monkeypatch.undo()
    assert connects == []  # the learner's requests opened no connection (the LRS is never called there)
    app.config["XAPI_ENDPOINT"] = None
    off = journey(app, login("omar"))
    waiting = queued(app)
    assert waiting > 0
    print(f"\njourney step requests, LRS down: {[round(t * 1000) for t in down]} ms; "
          f"xAPI off: {[round(t * 1000) for t in off]} ms")

    switch_on(app, f"http://127.0.0.1:{free_port()}/xAPI/")
    result = runner.invoke(args=["xapi", "send"])
    assert result.exit_code == 1 and f"failed (will retry): {waiting}" in result.output
    with app.app_context():
        rows = db.session.scalars(select(XapiStatement)).all()
        assert all(r.tries == 1 and r.sent_at is None and r.last_error for r in rows)
    # Not due yet: a second run right away leaves them alone (back-off) ...
    switch_on(app, lrs)
    assert "sent: 0" in runner.invoke(args=["xapi", "send"]).output
    # ... and once due, they go.
    with app.app_context():
        db.session.execute(update(XapiStatement).values(next_try_at=XapiStatement.created_at))
        db.session.commit()
    result = runner.invoke(args=["xapi", "send"])
    with app.app_context():
        errors = {row.last_error for row in db.session.scalars(select(XapiStatement))}
    assert f"sent: {waiting}" in result.output, errors
    with app.app_context():
        lena = user("lena").id
    assert len(statements_for(app, lrs, lena)) == waiting


def test_a_lost_answer_does_not_store_statements_twice(app, login, runner, lrs):
    """The LRS stored a batch but the answer never arrived: the retry sends the same statements
    (same ids), which the LRS recognises and does not store again."""
    switch_on(app, lrs)
    client = login("rana")
    url = "/en/modules/sample/first-lesson/"
    client.post(url + "complete", data={"csrf_token": csrf_token(client, url)})
    assert runner.invoke(args=["xapi", "send"]).exit_code == 0
    with app.app_context():
        db.session.execute(update(XapiStatement).values(sent_at=None))
        db.session.commit()
        rana = user("rana").id
    result = runner.invoke(args=["xapi", "send"])
    assert result.exit_code == 0, result.output
    assert len(statements_for(app, lrs, rana)) == 1
