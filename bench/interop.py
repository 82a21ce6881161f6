"""Figures for docs/interoperability.md, on a real module (default caesar-act) in a throw-away
instance: an Open Badges credential verified by the independent verifier (tests/js, node), then
after `elearn certificates revoke`; the SCORM package in each language (size, schema check); a
learner's journey through the whole module over HTTP with xAPI on, what Ralph's LRS received, and
the journey's time with the LRS down and with xAPI off (medians of --runs learners each).

    .venv/bin/python bench/interop.py [--module caesar-act] [--runs 3]

Needs node_modules (npm ci) and ralph-malph[lrs] (the test extra). Loopback only.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from base64 import b64encode
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASE = "https://elearn.example"
LRS_USER, LRS_PASSWORD = "elearn", "bench-only"


def make_app(folder: Path):
    from elearn import create_app
    from elearn.db import db, upgrade_database

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "BASE_URL": BASE,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade_database()
        db.session.remove()
    return app


def token(client, url: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def register(app, name: str):
    client = app.test_client()
    url = "/en/register"
    client.post(url, data={"username": name, "password": "a long enough password 42",
                           "confirm": "a long enough password 42", "locale": "en", "csrf_token": token(client, url)})
    return client


def take_quiz(app, client, module, quiz) -> None:
    """Start, answer every question right, submit: as a learner does, page by page."""
    from elearn.db import db
    from elearn.quiz.models import QuizAttempt
    from elearn.refresher.service import quiz_for

    url = f"/en/modules/{module.id}/quizzes/{quiz.id}/"
    location = client.post(url + "start", data={"csrf_token": token(client, url)}).headers["Location"]
    attempt_id = int(re.search(r"/attempts/(\d+)/", location).group(1))
    with app.app_context():
        layout = db.session.get(QuizAttempt, attempt_id).layout
    full = quiz_for(module, quiz.id)
    for number, item in enumerate(layout, start=1):
        page = f"/en/attempts/{attempt_id}/{number}"
        client.post(page, data={"csrf_token": token(client, page), "answer": sorted(full.question(item["q"]).answer),
                                "go": "next"})
    review = f"/en/attempts/{attempt_id}/review"
    client.post(f"/en/attempts/{attempt_id}/submit", data={"csrf_token": token(client, review)})


def journey(app, client, module) -> float:
    """Every lesson completed, its check quiz, then the final: seconds for the whole journey."""
    started = time.perf_counter()
    for lesson in module.lessons:
        url = f"/en/modules/{module.id}/{lesson.id}/"
        client.post(url + "complete", data={"csrf_token": token(client, url)})
        if lesson.check_quiz_id:
            take_quiz(app, client, module, module.quizzes[lesson.check_quiz_id])
    take_quiz(app, client, module, module.quizzes[module.final_quiz_id])
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_lrs(folder: Path):
    import bcrypt

    (folder / "auth.json").write_text(json.dumps([{
        "username": LRS_USER, "hash": bcrypt.hashpw(LRS_PASSWORD.encode(), bcrypt.gensalt()).decode(),
        "scopes": ["all"], "agent": {"mbox": "mailto:lrs-admin@example.org"}}]))
    port = free_port()
    env = {**os.environ, "RALPH_AUTH_FILE": str(folder / "auth.json"), "RALPH_RUNSERVER_BACKEND": "fs",
           "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder)}
    process = subprocess.Popen([sys.executable, str(ROOT / "tests" / "ralph_lrs.py"), str(port)], env=env,
                               cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/xAPI/"
    for _ in range(200):
        try:
            lrs_get(base, "statements?limit=1")
            return process, base
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("the LRS did not start")


def lrs_get(base: str, path: str):
    request = urllib.request.Request(base + path, headers={
        "X-Experience-API-Version": "1.0.3",
        "Authorization": "Basic " + b64encode(f"{LRS_USER}:{LRS_PASSWORD}".encode()).decode()})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def badges(app, module, folder: Path) -> None:
    from elearn.auth.models import User
    from elearn.badges import jsonld
    from elearn.certificates.models import Certificate
    from elearn.db import db
    from sqlalchemy import select

    runner = app.test_cli_runner()
    runner.invoke(args=["badges", "keygen"])
    client = register(app, "badge_holder")
    journey(app, client, module)
    with app.app_context():
        holder = db.session.scalar(select(User).filter_by(username="badge_holder"))
        code = db.session.scalar(select(Certificate.code).filter_by(user_id=holder.id))
    credential = client.get(f"/en/me/certificates/{code}.credential.json").get_json(force=True)

    def verify() -> dict:
        found = {url: jsonld.shipped(url) for url in (jsonld.VC_V2, jsonld.OB_V3, jsonld.MULTIKEY_V1)}
        for url in [credential["proof"]["verificationMethod"], credential["issuer"]["id"],
                    *(e["statusListCredential"] for e in credential["credentialStatus"])]:
            found[url] = app.test_client().get(url.removeprefix(BASE)).get_json(force=True)
        path = folder / "verify.json"
        path.write_text(json.dumps({"credential": credential, "documents": found}))
        run = subprocess.run(["node", str(ROOT / "tests" / "js" / "verify_credential.mjs"), str(path)],
                             capture_output=True, text=True, cwd=ROOT, check=True)
        return json.loads(run.stdout)

    print(f"Open Badges 3.0: credential of certificate {code} ({len(json.dumps(credential)):,} bytes)")
    print(f"  independent verifier, issued:  {verify()}")
    print("  " + runner.invoke(args=["certificates", "revoke", code, "--reason", "bench"]).output.strip())
    print(f"  independent verifier, revoked: {verify()}")


def scorm(app, module, folder: Path) -> None:
    from elearn.scorm import schema

    for lang in ("ar", "en"):
        target = folder / f"{module.id}-{lang}.zip"
        output = app.test_cli_runner().invoke(args=["export", "scorm", module.id, "--lang", lang, "-o", str(target)]).output
        with zipfile.ZipFile(target) as archive:
            problems = schema.problems(archive.read("imsmanifest.xml").decode())
            files = len(archive.namelist())
        print(f"SCORM 1.2 {lang}: {target.stat().st_size:,} bytes, {files} files, schema problems: {len(problems)}"
              f" ({output.strip().splitlines()[-1]})")


def xapi(app, module, folder: Path, runs: int) -> None:
    from elearn.db import db
    from elearn.xapi.models import XapiStatement
    from sqlalchemy import select

    process, lrs = start_lrs(folder)
    try:
        journey(app, register(app, "warm_up"), module)  # fonts, templates, the PDF stack
        app.config.update(XAPI_ENDPOINT=lrs, XAPI_USERNAME=LRS_USER, XAPI_PASSWORD=LRS_PASSWORD)
        journey(app, register(app, "xapi_learner"), module)
        sent = app.test_cli_runner().invoke(args=["xapi", "send"]).output.strip()
        with app.app_context():
            ours = set(db.session.scalars(select(XapiStatement.statement_id)))
        received = [s for s in lrs_get(lrs, "statements?limit=1000")["statements"] if s["id"] in ours]
        verbs = Counter(s["verb"]["id"].rsplit("/", 1)[-1] for s in received)
        print(f"xAPI: {sent}; the LRS holds {len(received)} statements for the journey: {dict(verbs)}")
        timings = {"LRS down": [], "xAPI off": []}
        for i in range(runs):
            app.config["XAPI_ENDPOINT"] = f"http://127.0.0.1:{free_port()}/xAPI/"
            timings["LRS down"].append(journey(app, register(app, f"down_{i}"), module))
            app.config["XAPI_ENDPOINT"] = None
            timings["xAPI off"].append(journey(app, register(app, f"off_{i}"), module))
        for name, values in timings.items():
            print(f"  journey ({len(module.lessons)} lessons, {len(module.quizzes)} quizzes, every page over HTTP), "
                  f"{name}: median {statistics.median(values) * 1000:.0f} ms of {runs}")
        app.config["XAPI_ENDPOINT"] = f"http://127.0.0.1:{free_port()}/xAPI/"
        print("  with the LRS down, `elearn xapi send`: "
              + app.test_cli_runner().invoke(args=["xapi", "send"]).output.strip())
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", default="caesar-act")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = make_app(folder)
        module = app.extensions["catalog"].module(args.module)
        badges(app, module, folder)
        scorm(app, module, folder)
        xapi(app, module, folder, args.runs)


if __name__ == "__main__":
    main()
