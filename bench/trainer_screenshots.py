"""Screenshots of the trainer pages (group, report, learner, charts, item analysis, people) in
both languages, on the `elearn demo` data, in headless Chromium.

    python bench/trainer_screenshots.py [--out screenshots/trainer] [--width 1280] [--mobile]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import CHROMIUM, LAUNCH_ARGS, serve_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="screenshots/trainer")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--mobile", action="store_true", help="a 390 px wide phone viewport")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from elearn.db import db
    from elearn.certificates.service import Policy
    from elearn.demo import run_demo

    password = "screenshots password"
    demo = {}
    _app, server, base = serve_app(
        lambda app: demo.update(run_demo(db.session, app.extensions["catalog"], password,
                                                Policy.from_config(app.config))))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    group = demo["group"]
    pages = {
        "group": f"trainer/groups/{group}/",
        "report": f"trainer/groups/{group}/report",
        "report-overdue": f"trainer/groups/{group}/report?status=overdue&sort=due",
        "learner": f"trainer/groups/{group}/learners/3/",
        "module-charts": f"trainer/groups/{group}/modules/over-compliance/",
        "item-analysis": f"trainer/groups/{group}/modules/over-compliance/quizzes/final/",
        "people": "admin/users/",
        "learner-home": "",
    }
    width = 390 if args.mobile else args.width
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for who in ("demo-admin", demo["learners"][1]):
            page = browser.new_context(viewport={"width": width, "height": 900},
                                       java_script_enabled=False).new_page()
            page.goto(f"{base}/en/login")
            page.fill("#username", who)
            page.fill("#password", password)
            with page.expect_navigation():
                page.click("form.stack button[type=submit]")
            assert "/login" not in page.url, f"could not sign in as {who}"
            for name, path in pages.items():
                if (name == "learner-home") != (who != "demo-admin"):
                    continue
                for lang in ("en", "ar"):
                    page.goto(f"{base}/{lang}/{path}")
                    target = out / f"{name}-{lang}{'-mobile' if args.mobile else ''}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
