"""Offline on the learner's phone (issue 16, docs/offline.md), in headless Chromium with
JavaScript on and Playwright's offline emulation, in Arabic and in English: save a module, go
offline, read every lesson, answer a check quiz and submit it, close the browser and open it
again on the same profile (service-worker caches and IndexedDB survive only in a persistent
profile), come back online: every answer and the grade reach the server exactly once. Then a
content change replaces the saved copy, and a page never saved shows the offline page in the
learner's language and direction. The routes themselves are checked without a browser."""
from __future__ import annotations

import re
import time
from collections import Counter

import pytest
from flask import request as http_request
from sqlalchemy import select

from browser import CHROMIUM, LAUNCH_ARGS, PASSWORD, missing, sign_in, unavailable
from elearn.auth.service import create_user
from elearn.db import db
from elearn.quiz.models import QuizAttempt

TITLES = {"ar": ("أنت غير متصل", "rtl"), "en": ("You are offline", "ltr")}


def test_worker_manifest_and_offline_pages_are_served(client, login):
    login("reader", client)
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache" and "__VERSION__" not in worker.get_data(as_text=True)
    for lang, (title, direction) in TITLES.items():
        manifest = client.get(f"/{lang}/manifest.webmanifest").get_json(force=True)
        assert (manifest["lang"], manifest["dir"], manifest["start_url"]) == (lang, direction, f"/{lang}/")
        page = client.get(f"/{lang}/offline").get_data(as_text=True)
        assert title in page and f'dir="{direction}"' in page
        assert 'src="/static/js/offline.js?v=' in page


def test_the_script_is_only_on_pages_where_it_helps(client, login):
    """Only for a signed-in learner (what is saved is theirs), and not on every page."""
    assert "<script" not in client.get("/en/modules/sample/").get_data(as_text=True)
    login("reader", client)
    module = client.get("/en/modules/sample/").get_data(as_text=True)
    assert re.search(r'<script src="/static/js/offline\.js\?v=\w+" defer', module) and "data-pages=" in module
    assert "<script" not in client.get("/en/account").get_data(as_text=True)


def _launch(p, folder):
    context = p.chromium.launch_persistent_context(str(folder), executable_path=CHROMIUM, args=LAUNCH_ARGS,
                                                   headless=True)
    context.set_default_timeout(30_000)
    return context


def _wait(predicate, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def _until_controlled(page) -> None:
    """Wait until the service worker runs and controls `page`. A page whose navigation began while
    the worker was still activating stays uncontrolled even after clients.claim() (Chromium), as
    it would for a learner until their next page: reload it once in that case."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not _wait(lambda: page.evaluate("() => navigator.serviceWorker.controller !== null"), seconds=5):
        page.reload()
    assert _wait(lambda: page.evaluate("() => navigator.serviceWorker.controller !== null")), page.evaluate(
        "() => navigator.serviceWorker.getRegistrations().then(r => JSON.stringify(r.map(x => [x.scope, !!x.active, !!x.installing, !!x.waiting])))")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_offline_journey(app, tmp_path, lang, request):
    from playwright.sync_api import sync_playwright

    from browser import live_server

    reason = missing()
    if reason:
        unavailable(reason)
    posts = Counter()

    @app.before_request
    def count_posts():
        if http_request.method == "POST":
            posts[http_request.path] += 1

    with app.app_context():
        user = create_user(db.session, "layla", PASSWORD, locale=lang)
        user_id = user.id
        db.session.commit()
    module = app.extensions["catalog"].module("sample")
    check = next(lesson.check_quiz_id for lesson in module.lessons if lesson.check_quiz_id)
    profile = tmp_path / "profile"
    with live_server(app) as base, sync_playwright() as p:
        context = _launch(p, profile)
        sign_in(context, base, "layla", lang=lang)
        page = context.new_page()
        page.goto(f"{base}/{lang}/modules/sample/")
        _until_controlled(page)
        page.locator("#offline button").first.click()
        page.wait_for_selector("#offline[data-state=saved]")
        saved_bytes = int(page.locator("#offline").get_attribute("data-bytes"))
        pages = page.locator("script[data-pages]").get_attribute("data-pages").split()
        print(f"\n{lang}: module 'sample' saved for offline: {saved_bytes} bytes, {len(pages)} pages")
        assert saved_bytes > 1000

        # Online: open the check quiz; its question pages are stored.
        page.goto(f"{base}/{lang}/modules/sample/quizzes/{check}/")
        with page.expect_navigation():
            page.locator("form[action$='/start'] button").click()
        attempt_pages = page.locator("script[data-attempt]").get_attribute("data-attempt").split()
        assert page.evaluate("""urls => new Promise(done => { const t = Date.now(); (function poll() {
            Promise.all(urls.map(u => caches.match(u))).then(hits => hits.every(Boolean) ? done(true)
              : Date.now() - t > 30000 ? done(false) : setTimeout(poll, 200)); })(); })""", attempt_pages)
        attempt_id = int(re.search(r"/attempts/(\d+)/", page.url).group(1))

        context.set_offline(True)
        for url in pages[2:]:
            page.goto(base + url)
            assert page.locator("#offline-note").is_visible()
            assert page.locator("html").get_attribute("dir") == TITLES[lang][1]
            assert page.locator("article, main h1").first.is_visible()
        page.goto(f"{base}/{lang}/modules/sample/")  # the module page opens offline too
        page.goto(f"{base}/{lang}/me/")  # never saved: the offline page, not the browser's error
        assert TITLES[lang][0] in page.locator("h1").inner_text()
        assert page.locator("html").get_attribute("dir") == TITLES[lang][1]

        chosen = {}
        page.goto(base + attempt_pages[0])
        for number in range(1, len(attempt_pages)):
            option = page.locator("input[name=answer]").first
            chosen[number] = option.get_attribute("value")
            option.check()
            with page.expect_navigation():
                page.locator(".actions button[value=next], .actions button[value=review]").click()
        assert page.url.endswith("/review")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").last.click()
        assert "/offline/queued" in page.url
        assert not any("/attempts/" in path for path in posts), posts  # nothing reached the server yet
        context.close()

        # The browser is opened again on the same profile, offline, then the connection returns.
        context = _launch(p, profile)
        context.set_offline(True)
        page = context.new_page()
        page.goto(f"{base}/{lang}/modules/sample/")
        assert page.locator("#offline-note").is_visible()
        context.set_offline(False)  # no reload: the page's `online` listener sends what was kept
        submit = f"/{lang}/attempts/{attempt_id}/submit"
        assert _wait(lambda: posts[submit] == 1), posts
        page.reload()
        page.wait_for_timeout(1500)
        assert posts[submit] == 1
        assert all(posts[f"/{lang}/attempts/{attempt_id}/{n}"] == 1 for n in chosen), posts
        with app.app_context():
            attempt = db.session.get(QuizAttempt, attempt_id)
            assert attempt.user_id == user_id and not attempt.is_open and attempt.percent is not None
            assert [attempt.answers[item["q"]] for item in attempt.layout] == [[chosen[n]] for n in sorted(chosen)]
            assert db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user_id)).all() == [attempt]

        # A content change: the module page replaces the saved copy and says so.
        # The catalog is shared by every test of the run: put its version back afterwards, and keep
        # the new one as long as a real one (PostgreSQL holds attempts' versions in 16 characters).
        original = module.version
        request.addfinalizer(lambda: object.__setattr__(module, "version", original))
        object.__setattr__(module, "version", original[::-1] if original[::-1] != original else original.upper())
        page.goto(f"{base}/{lang}/modules/sample/")
        # (a string predicate would be eval'd, which the CSP refuses: poll a function instead)
        assert _wait(lambda: page.evaluate("v => !!document.querySelector('#offline[data-state=saved]') && "
                                           "JSON.parse(localStorage.getItem('elearn-saved')).sample.version === v",
                                           module.version))
        assert page.locator("#offline p").inner_text().startswith(
            "تغيّر" if lang == "ar" else "The module’s content changed")

        # Signing out deletes the learner's saved pages from the device.
        with page.expect_navigation():
            page.locator("form[action$='/logout'] button").click()
        assert _wait(lambda: page.evaluate("urls => Promise.all(urls.map(u => caches.match(u)))"
                                           ".then(hits => hits.every(hit => !hit))", pages + attempt_pages))
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_without_service_workers_nothing_breaks(app, login):
    """Service workers blocked (an old browser, or a policy): no offer to save, and reading and
    answering work online as they do without JavaScript."""
    from browser import RequestLog, launch, live_server, new_context

    reason = missing()
    if reason:
        unavailable(reason)
    with app.app_context():
        create_user(db.session, "samir", PASSWORD, locale="en")
        db.session.commit()
    check = next(lesson.check_quiz_id for lesson in app.extensions["catalog"].module("sample").lessons
                 if lesson.check_quiz_id)
    log = RequestLog()
    with live_server(app) as base, launch() as browser:
        context = new_context(browser, log, java_script_enabled=True, service_workers="block")
        sign_in(context, base, "samir")
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/en/modules/sample/")
        page.wait_for_timeout(1000)
        assert page.locator("#offline").count() == 0
        page.goto(f"{base}/en/modules/sample/quizzes/{check}/")
        with page.expect_navigation():
            page.locator("form[action$='/start'] button").click()
        page.locator("input[name=answer]").first.check()
        with page.expect_navigation():
            page.locator(".actions button[value=next], .actions button[value=review]").click()
        assert re.search(r"/attempts/\d+/(2|review)$", page.url)
        assert errors == []
        context.close()
    log.assert_local()
