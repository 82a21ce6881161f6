"""Screenshots of a failed final quiz's result page in Arabic and English (issue 12's review
options: score and own marks shown, right answers and feedback held back, blank questions
revealing nothing), in headless Chromium.

    python bench/review_screenshots.py [--out screenshots/review] [--module captagon] [--checkout PATH]

Starts the app on a temporary SQLite database with the checkout's content, makes a learner
who answers a drawn final: some right, some wrong, one left blank, and saves
result-failed-final-{ar,en}[-mobile].png. Needs Debian's `chromium` and `playwright`.
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import threading
from pathlib import Path

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "screenshots password"


def failed_attempt(app, module_id: str) -> int:
    """A learner's graded final at `module_id`: right, wrong and blank answers; its id."""
    from elearn import steps
    from elearn.auth.service import create_user
    from elearn.certificates.service import Policy
    from elearn.db import db
    from elearn.quiz import service

    catalog = app.extensions["catalog"]
    module = catalog.module(module_id)
    user = create_user(db.session, "amal", PASSWORD, locale="en")
    attempt = service.start_attempt(db.session, user.id, module, module.final_quiz, random.Random(12))
    for number, item in enumerate(attempt.layout):
        question = module.final_quiz.question(item["q"])
        wrong = [o for o in item["o"] if o not in question.answer]
        if number == len(attempt.layout) - 1:
            continue  # left blank
        if number % 3 == 0 and wrong:
            chosen = wrong[:1]
        else:
            chosen = sorted(question.answer)
        service.save_answer(db.session, attempt, item["q"], chosen)
    steps.finish_attempt(db.session, catalog, user, attempt, Policy.from_config(app.config))
    return attempt.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="screenshots/review")
    parser.add_argument("--module", default="captagon")
    parser.add_argument("--checkout", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    sys.path.insert(0, args.checkout)

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from elearn import create_app
    from elearn.db import upgrade_database

    tmp = tempfile.mkdtemp()
    app = create_app({"INSTANCE_PATH": tmp, "LOG_LEVEL": "WARNING", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/shots.db",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade_database()
        attempt = failed_attempt(app, args.module)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        for suffix, width in (("", 1280), ("-mobile", 390)):
            page = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False).new_page()
            page.goto(f"{base}/en/login")
            page.fill("#username", "amal")
            page.fill("#password", PASSWORD)
            with page.expect_navigation():
                page.keyboard.press("Enter")
            if "/login" in page.url:
                raise SystemExit("sign-in failed: " + page.inner_text("main"))
            for lang in ("ar", "en"):
                page.goto(f"{base}/{lang}/attempts/{attempt}/result")
                path = out / f"result-failed-final-{lang}{suffix}.png"
                page.screenshot(path=str(path), full_page=True)
                print(path)
        browser.close()
    server.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
