"""Screenshots of home, module, lesson and quiz pages in both languages, in headless Chromium.

    python bench/screenshots.py [--out screenshots] [--width 1280] [--mobile]

Starts the app on a temporary SQLite database with the repository's content, signs up a
learner (so progress bars show), and saves PNGs to --out (not committed). Needs Debian's
`chromium` and the `playwright` Python package (test extra).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def serve_app(prepare=None):
    """The app on a new temporary SQLite database, migrated (then `prepare(app)` inside an app
    context, when given), served on a free loopback port. Returns (app, server, base URL)."""
    from werkzeug.serving import make_server

    from elearn import create_app
    from elearn.db import upgrade_database

    tmp = tempfile.mkdtemp()
    app = create_app({"INSTANCE_PATH": tmp, "LOG_LEVEL": "WARNING", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/shots.db",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade_database()
        if prepare is not None:
            prepare(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server, f"http://127.0.0.1:{server.server_port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="screenshots")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--mobile", action="store_true", help="a 390 px wide phone viewport")
    parser.add_argument("--all-lessons", action="store_true", help="every lesson, not just the first of each module")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    app, server, base = serve_app()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    catalog = app.extensions["catalog"]
    width = 390 if args.mobile else args.width
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False).new_page()
        page.goto(f"{base}/en/register")
        page.fill("#username", "screenshots")
        page.fill("#password", "screenshots password")
        page.fill("#confirm", "screenshots password")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/en/")
        for lang in ("ar", "en"):
            shots = [("home", f"/{lang}/"), ("me", f"/{lang}/me/"), ("register", f"/{lang}/register")]
            for module in catalog.modules:
                shots.append((f"module-{module.id}", f"/{lang}/modules/{module.id}/"))
                lessons = module.lessons if args.all_lessons else module.lessons[:1]
                for lesson in lessons:
                    shots.append((f"lesson-{module.id}-{lesson.id}", f"/{lang}/modules/{module.id}/{lesson.id}/"))
            shots.append(("quiz", f"/{lang}/modules/{catalog.modules[0].id}/quizzes/{catalog.modules[0].final_quiz_id}/"))
            for name, path in shots:
                page.goto(base + path)
                target = out / f"{lang}-{name}{'-mobile' if args.mobile else ''}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
