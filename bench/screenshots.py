"""Screenshots of every page type, at a phone's width (390 px) and a laptop's (1280 px), in both
languages, in headless Chromium; with each page's width, so a page that scrolls sideways shows.

    python bench/screenshots.py [--out screenshots] [--widths 390,1280] [--lang ar --lang en]
                                [--page NAME ...] [--all-lessons]

Starts the app on a temporary SQLite database with the repository's content, seeded as the
browser tests seed it (tests/browser.py: a learner with progress, a certificate, a graded and an
open attempt, a trainer's group, an admin), and saves `<out>/<page>-<lang>-<width>.png` for every
page type of tests/browser.PAGE_TYPES, plus every module page and the first lesson of each module
(every lesson with --all-lessons). Prints one line per page: its document width, and OVERFLOW when
it is wider than the viewport. Screenshots are not committed. Needs Debian's `chromium` and the
`playwright` Python package (test extra). The trainer pages with more data: trainer_screenshots.py.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The document's width and the viewport's (a page that scrolls sideways is wider).
WIDTH = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def serve_app(prepare=None):
    """The app on a new temporary SQLite database, migrated (then `prepare(app)` inside an app
    context, when given), served on a free loopback port. Returns (app, server, base URL)."""
    from werkzeug.serving import make_server

    from elearn import create_app
    from elearn.db import upgrade_database

    tmp = tempfile.mkdtemp()
    app = create_app({"INSTANCE_PATH": tmp, "LOG_LEVEL": "WARNING", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/shots.db",
                      "RATELIMIT_ENABLED": False, "LESSONS_DIR": str(ROOT / "lessons"),
                      "QUIZZES_DIR": str(ROOT / "quizzes")})
    with app.app_context():
        upgrade_database()
        if prepare is not None:
            prepare(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server, f"http://127.0.0.1:{server.server_port}"


def sign_in(browser, base: str, username: str, password: str, width: int):
    """A context at `width` (JavaScript off, as most learners' pages need none) signed in as `username`."""
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 900},
                                  java_script_enabled=False)
    if username:
        page = context.new_page()
        page.goto(f"{base}/en/login")
        page.fill("#username", username)
        page.fill("#password", password)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/login" not in page.url, f"could not sign in as {username}"
        page.close()
    return context


def shoot(context, url: str, target: Path) -> tuple[int, int, int]:
    """Screenshot of the whole page at `url`: (status, document width, viewport width)."""
    page = context.new_page()
    response = page.goto(url)
    width, viewport = _measure(page)
    page.screenshot(path=str(target), full_page=True)
    page.close()
    return (response.status if response else 0), width, viewport


def _measure(page) -> tuple[int, int]:
    # page.evaluate needs scripts; with JavaScript off, measure through the DevTools protocol.
    cdp = page.context.new_cdp_session(page)
    try:
        metrics = cdp.send("Page.getLayoutMetrics")
    finally:
        cdp.detach()
    return round(metrics["cssContentSize"]["width"]), round(metrics["cssLayoutViewport"]["clientWidth"])


def report(name: str, lang: str, width: int, result: tuple[int, int, int], target: Path) -> bool:
    status, document, viewport = result
    wide = document > viewport
    print(f"{name:32} {lang}  {width:>4}px  status {status}  page {document}px{'  OVERFLOW' if wide else ''}  {target}",
          flush=True)
    return wide


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="screenshots")
    parser.add_argument("--widths", default="390,1280", help="viewport widths in px, comma-separated")
    parser.add_argument("--lang", action="append", choices=["ar", "en"], help="default: both")
    parser.add_argument("--page", action="append", help="only these page types (repeatable)")
    parser.add_argument("--all-lessons", action="store_true", help="every lesson, not just the first of each module")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from browser import PAGE_TYPES, USERS, seed
    from browser import PASSWORD as SEEDED_PASSWORD

    ids = {}
    app, server, base = serve_app(lambda app: ids.update(seed(app)))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    catalog = app.extensions["catalog"]
    pages = [(p.name, p.path, p.role) for p in PAGE_TYPES]
    for module in catalog.modules:
        pages.append((f"module-{module.id}", f"/{{lang}}/modules/{module.id}/", "learner"))
        for lesson in (module.lessons if args.all_lessons else module.lessons[:1]):
            pages.append((f"lesson-{module.id}-{lesson.id}", f"/{{lang}}/modules/{module.id}/{lesson.id}/", "learner"))
    pages = [p for p in pages if not args.page or p[0] in args.page]
    overflowing = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for width in (int(w) for w in args.widths.split(",")):
            contexts = {role: sign_in(browser, base, USERS.get(role), SEEDED_PASSWORD, width)
                        for role in {role for _n, _p, role in pages}}
            for lang in args.lang or ["ar", "en"]:
                for name, path, role in pages:
                    target = out / f"{name}-{lang}-{width}.png"
                    result = shoot(contexts[role], base + path.format(lang=lang, **ids), target)
                    if report(name, lang, width, result, target):
                        overflowing.append(f"{name}-{lang}-{width}")
            for context in contexts.values():
                context.close()
        browser.close()
    server.shutdown()
    print(f"{len(overflowing)} page(s) wider than the viewport" + (": " + ", ".join(overflowing) if overflowing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
