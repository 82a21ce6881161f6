"""Screenshots of the trainer's pages and what their learners see, on the `elearn demo` data (a
group of 24 with varied progress), at 390 px and 1280 px, in both languages, in headless Chromium.

    python bench/trainer_screenshots.py [--out screenshots/trainer] [--widths 390,1280] [--page NAME ...]

Pages: the group, its report (and filtered to the overdue), a learner's page, a module's charts,
item analysis, the people page, the confirmation pages (remove a member, remove an assignment,
leave the group), and for a demo learner: home, My learning and the result of a failed attempt.
Saves `<out>/<page>-<lang>-<width>.png` and prints each page's width (OVERFLOW when wider than
the viewport).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import CHROMIUM, LAUNCH_ARGS, report, serve_app, shoot, sign_in  # noqa: E402

PASSWORD = "screenshots password"


def demo_ids(app, demo: dict) -> dict:
    """Ids the page paths need, read from the demo's data: a member, an assignment, the first
    learner and one of their failed attempts."""
    from sqlalchemy import select

    from elearn.auth.models import User
    from elearn.db import db
    from elearn.quiz.models import QuizAttempt
    from elearn.trainer.models import Assignment

    with app.app_context():
        learner = db.session.scalar(select(User).where(User.username == demo["learners"][1]))
        failed = db.session.scalar(select(QuizAttempt.id).where(
            QuizAttempt.user_id == learner.id, QuizAttempt.passed.is_(False), QuizAttempt.quiz_id != "refresher")
            .order_by(QuizAttempt.id)) or db.session.scalar(select(QuizAttempt.id).where(
                QuizAttempt.passed.is_(False), QuizAttempt.quiz_id != "refresher").order_by(QuizAttempt.id))
        failed_owner = db.session.get(QuizAttempt, failed).user_id if failed else learner.id
        return {"group": demo["group"], "member": learner.id, "learner": learner.username,
                "failed": failed, "failed_owner": db.session.get(User, failed_owner).username,
                "assignment": db.session.scalar(select(Assignment.id).where(Assignment.group_id == demo["group"])
                                                .order_by(Assignment.id))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="screenshots/trainer")
    parser.add_argument("--widths", default="390,1280", help="viewport widths in px, comma-separated")
    parser.add_argument("--page", action="append", help="only these pages (repeatable)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from elearn.certificates.service import Policy
    from elearn.db import db
    from elearn.demo import run_demo

    demo = {}
    app, server, base = serve_app(
        lambda app: demo.update(run_demo(db.session, app.extensions["catalog"], PASSWORD,
                                         Policy.from_config(app.config))))
    ids = demo_ids(app, demo)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    g = f"trainer/groups/{ids['group']}"
    # page name -> (path after /<lang>/, who views it)
    pages = {
        "group": (f"{g}/", "demo-admin"),
        "report": (f"{g}/report", "demo-admin"),
        "report-overdue": (f"{g}/report?status=overdue&sort=due", "demo-admin"),
        "learner": (f"{g}/learners/{ids['member']}/", "demo-admin"),
        "module-charts": (f"{g}/modules/over-compliance/", "demo-admin"),
        "item-analysis": (f"{g}/modules/over-compliance/quizzes/final/", "demo-admin"),
        "people": ("admin/users/", "demo-admin"),
        "confirm-remove-member": (f"{g}/members/{ids['member']}/remove", "demo-admin"),
        "confirm-unassign": (f"{g}/assignments/{ids['assignment']}/delete", "demo-admin"),
        "learner-home": ("", ids["learner"]),
        "my-learning": ("me/", ids["learner"]),
        "confirm-leave": (f"groups/{ids['group']}/leave", ids["learner"]),
        "result-failed": (f"attempts/{ids['failed']}/result", ids["failed_owner"]),
    }
    pages = {name: page for name, page in pages.items() if not args.page or name in args.page}
    overflowing = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for width in (int(w) for w in args.widths.split(",")):
            contexts = {who: sign_in(browser, base, who, PASSWORD, width) for who in {who for _p, who in pages.values()}}
            for name, (path, who) in pages.items():
                for lang in ("en", "ar"):
                    target = out / f"{name}-{lang}-{width}.png"
                    if report(name, lang, width, shoot(contexts[who], f"{base}/{lang}/{path}", target), target):
                        overflowing.append(f"{name}-{lang}-{width}")
            for context in contexts.values():
                context.close()
        browser.close()
    server.shutdown()
    print(f"{len(overflowing)} page(s) wider than the viewport" + (": " + ", ".join(overflowing) if overflowing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
