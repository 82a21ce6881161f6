"""Shared by the browser tests and bench/page_weight.py: headless Chromium, a live server on
loopback, a log of every request (failing on any other host), seeded data and the page types.

Chromium is Debian's (/usr/bin/chromium), driven by Playwright for Python; Playwright's own
browsers are never downloaded. Without Chromium, Playwright or axe-core the browser tests skip
with the reason, unless ELEARN_REQUIRE_BROWSER=1 (set by CI), which makes that a failure.
"""
from __future__ import annotations

import ipaddress
import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, NoReturn
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Without the background-networking flags Chromium itself calls other hosts (updates, sync).
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LANGS = ("ar", "en")
PASSWORD = "a long enough password"
USERS = {"learner": "amal_learner", "trainer": "tariq_trainer", "admin": "nour_admin"}


def browser_required() -> bool:
    return os.environ.get("ELEARN_REQUIRE_BROWSER") == "1"


def unavailable(reason: str) -> NoReturn:
    """Skip the test with `reason`, or fail it when ELEARN_REQUIRE_BROWSER=1 (CI)."""
    import pytest

    if browser_required():
        pytest.fail(f"{reason} (ELEARN_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


def missing(axe: bool = False) -> str | None:
    """Why the browser tests cannot run here, or None."""
    if CHROMIUM is None:
        return "Debian chromium is not installed"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    if axe and not AXE.exists():
        return f"axe-core is not installed ({AXE.relative_to(ROOT)} is missing: run `npm ci`)"
    return None


@contextmanager
def launch() -> Iterator:
    """Headless Debian Chromium under Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def live_server(app) -> Iterator[str]:
    """Serve `app` on a free loopback port with werkzeug's threaded server; yields the base URL."""
    from werkzeug.serving import make_server

    from elearn.web import RedactingRequestHandler

    # The request lines it logs carry no codes, like `elearn serve`'s.
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=RedactingRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


def is_loopback(url: str) -> bool:
    """Whether a request stays on this machine (data:, about: and blob: URLs never leave it)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "about", "blob"):
        return True
    host = (parts.hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RequestLog:
    """Every request a browser context makes; `foreign()` lists those to another host."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def watch(self, context) -> None:
        context.on("request", lambda request: self.urls.append(request.url))

    def foreign(self) -> list[str]:
        return [url for url in self.urls if not is_loopback(url)]

    def assert_local(self) -> None:
        assert self.foreign() == [], f"requests to other hosts: {self.foreign()}"


def new_context(browser, log: RequestLog, **options):
    """A browser context (JavaScript off unless asked) whose requests go to `log`."""
    options.setdefault("java_script_enabled", False)
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    log.watch(context)
    return context


def sign_in(context, base: str, username: str, password: str = PASSWORD, lang: str = "en") -> None:
    """Sign in through the real form (JavaScript off is fine)."""
    page = context.new_page()
    page.goto(f"{base}/{lang}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/login" not in page.url, f"could not sign in as {username}"
    page.close()


@dataclass(frozen=True)
class PageType:
    """One kind of page: a path with {placeholders} filled from the seeded ids, who views it,
    and the status it answers with."""

    name: str
    path: str
    role: str | None = None  # None: signed out; else a key of USERS
    status: int = 200

    def url(self, base: str, lang: str, ids: dict[str, str]) -> str:
        return base + self.path.format(lang=lang, **ids)


# Every page type the accessibility scan and the page-weight bench visit, in both languages.
# A new page is one line here (add its ids to seed() when it needs new data).
PAGE_TYPES = [
    PageType("home", "/{lang}/"),
    PageType("home-signed-in", "/{lang}/", "learner"),
    PageType("module", "/{lang}/modules/{module}/", "learner"),
    PageType("lesson", "/{lang}/modules/{module}/{lesson}/", "learner"),
    PageType("lesson-signed-out", "/{lang}/modules/{module}/{lesson}/"),
    PageType("quiz-intro", "/{lang}/modules/{module}/quizzes/{quiz}/", "learner"),
    PageType("quiz-question", "/{lang}/attempts/{open_attempt}/{first}", "learner"),
    PageType("quiz-review", "/{lang}/attempts/{open_attempt}/review", "learner"),
    PageType("quiz-result", "/{lang}/attempts/{graded_attempt}/result", "learner"),
    PageType("quiz-result-failed", "/{lang}/attempts/{failed_attempt}/result", "learner"),
    PageType("my-learning", "/{lang}/me/", "learner"),
    PageType("account", "/{lang}/account", "learner"),
    PageType("sign-in", "/{lang}/login"),
    PageType("register", "/{lang}/register"),
    PageType("verify-form", "/{lang}/verify/"),
    PageType("verify-certificate", "/{lang}/verify/{certificate}"),
    PageType("verify-credential", "/{lang}/verify/credential"),
    PageType("join-form", "/{lang}/join/", "learner"),
    PageType("join", "/{lang}/join/{invite}", "learner"),
    PageType("my-certificates", "/{lang}/me/certificates/", "learner"),
    PageType("refresher-intro", "/{lang}/modules/{module}/refresher/", "learner"),
    PageType("refresher-result", "/{lang}/refresher/attempts/{refresher_attempt}/", "learner"),
    PageType("trainer-dashboard", "/{lang}/trainer/", "trainer"),
    PageType("trainer-group", "/{lang}/trainer/groups/{group}/", "trainer"),
    PageType("trainer-group-report", "/{lang}/trainer/groups/{group}/report", "trainer"),
    PageType("trainer-module-report", "/{lang}/trainer/groups/{group}/modules/{module}/", "trainer"),
    PageType("trainer-item-analysis", "/{lang}/trainer/groups/{group}/modules/{module}/quizzes/{quiz}/", "trainer"),
    PageType("trainer-learner", "/{lang}/trainer/groups/{group}/learners/{learner}/", "trainer"),
    PageType("trainer-enrol", "/{lang}/trainer/groups/{group}/enrol", "trainer"),
    PageType("trainer-feedback-results", "/{lang}/trainer/groups/{group}/feedback/", "trainer"),
    PageType("feedback-form", "/{lang}/modules/{module}/feedback", "learner"),
    PageType("offline", "/{lang}/offline", "learner"),
    PageType("offline-queued", "/{lang}/offline/queued", "learner"),
    PageType("admin-users", "/{lang}/admin/users/", "admin"),
    PageType("admin-certificate", "/{lang}/admin/certificates/{certificate}", "admin"),
    PageType("recover", "/{lang}/recover"),
    PageType("recover-email-link", "/{lang}/recover/email/{email_token}"),
    PageType("account-delete", "/{lang}/account/delete", "learner"),
    PageType("admin-delete-account", "/{lang}/admin/users/{learner}/delete", "admin"),
    PageType("confirm-leave", "/{lang}/groups/{group}/leave", "learner"),
    PageType("confirm-remove-member", "/{lang}/trainer/groups/{group}/members/{learner}/remove", "trainer"),
    PageType("confirm-unassign", "/{lang}/trainer/groups/{group}/assignments/{assignment}/delete", "trainer"),
    PageType("not-found", "/{lang}/no-such-page/", status=404),
]


def seed(app) -> dict[str, str]:
    """Data for every page type, made through the services: a learner who completed a module
    (graded attempts, a certificate renewed by a refresher) and has an open attempt; a trainer
    whose group the learner joined, with the module assigned; an admin. Returns the ids the page
    paths use."""
    import datetime as dt

    from elearn.auth.service import create_user
    from elearn.certificates import service as certificates
    from elearn.db import db
    from elearn.learning import service as learning
    from elearn.quiz import service as quizzes
    from elearn.refresher import service as refresher
    from elearn.auth import recovery
    from elearn.clock import utcnow
    from elearn.trainer import assignments, service as groups

    with app.app_context():
        catalog = app.extensions["catalog"]
        module = next((m for m in catalog.modules if refresher.refresher_quiz(m)), catalog.modules[0])
        session = db.session
        learner = create_user(session, USERS["learner"], PASSWORD, display_name="أمل", locale="ar")
        trainer = create_user(session, USERS["trainer"], PASSWORD, locale="en", role="trainer")
        create_user(session, USERS["admin"], PASSWORD, locale="en", role="admin")
        for lesson in module.lessons:
            learning.mark_complete(session, learner.id, module, lesson.id)
        session.commit()
        graded = {quiz.id: _pass(session, catalog, quizzes.start_attempt(session, learner.id, module, quiz))
                  for quiz in module.quizzes.values()}
        policy = certificates.Policy.from_config(app.config)
        certificates.issue_if_complete(session, catalog, learner, module, policy)
        renewal = _pass(session, catalog, refresher.start(session, learner.id, module, app.config["REFRESHER_QUESTIONS"]))
        refresher.renew_if_passed(session, learner, module, renewal, policy)
        retake = next(q for q in module.quizzes.values() if q.max_attempts != 1)  # 0: unlimited
        failing = next((q for q in module.quizzes.values() if q.id != retake.id), retake)
        failed = _fail(session, catalog, quizzes.start_attempt(session, learner.id, module, failing))
        open_attempt = quizzes.start_attempt(session, learner.id, module, retake)
        first = open_attempt.layout[0]
        quizzes.save_answer(session, open_attempt, first["q"], first["o"][:1])
        group = groups.create_group(session, trainer, "ورشة حلب / Aleppo workshop")
        groups.join(session, learner, group)
        assignment = assignments.assign(session, group, module.id, dt.date.today() + dt.timedelta(days=14), None)
        return {"failed_attempt": str(failed.id), "assignment": str(assignment.id),"first": "1", "module": module.id, "lesson": module.lessons[0].id, "quiz": module.final_quiz_id,
                "open_attempt": str(open_attempt.id), "graded_attempt": str(graded[module.final_quiz_id].id),
                "refresher_attempt": str(renewal.id), "learner": str(learner.id),
                "certificate": certificates.for_user_module(session, learner.id, module.id).code,
                "group": str(group.id), "invite": group.invite_code,
                "email_token": recovery.email_token(session, learner, utcnow())}


def _fail(session, catalog, attempt):
    """Submit an open attempt with nothing answered (graded: not passed)."""
    from elearn.quiz import service as quizzes
    from elearn.refresher.service import quiz_for

    quizzes.grade(session, quiz_for(catalog.module(attempt.module_id), attempt.quiz_id), attempt)
    session.commit()
    session.refresh(attempt)
    return attempt


def _pass(session, catalog, attempt):
    """Answer every question of an open attempt right, and grade it."""
    from elearn.quiz import service as quizzes
    from elearn.refresher.service import quiz_for

    quiz = quiz_for(catalog.module(attempt.module_id), attempt.quiz_id)
    for item in attempt.layout:
        quizzes.save_answer(session, attempt, item["q"], list(quiz.question(item["q"]).answer))
    quizzes.grade(session, quiz, attempt)
    session.commit()
    session.refresh(attempt)
    return attempt
