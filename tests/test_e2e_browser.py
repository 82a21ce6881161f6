"""End to end in headless Chromium with JavaScript OFF: a new learner signs up, reads a whole
module, passes its quizzes and gets a certificate that verifies, once in Arabic, once in English.

Screenshots (result page, certificate rendered to PNG) go to $ELEARN_SCREENSHOTS when set.
"""
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="Debian chromium not installed")]
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def shots_dir(tmp_path) -> Path:
    folder = Path(os.environ.get("ELEARN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def answer_quiz(page, quiz, lang):
    """Answer every question right by its answer key (options are shuffled per attempt)."""
    page.get_by_role("button", name={"en": "Start the quiz", "ar": "ابدأ الاختبار"}[lang]).click()
    for _ in quiz.questions:
        prompt = page.locator("legend h1").inner_text().strip()
        question = next(q for q in quiz.questions if q.prompt.get(lang) == prompt)
        for option_id in question.answer:
            page.check(f'input[name=answer][value="{option_id}"]')
        page.locator('button[name=go][value=next], button[name=go][value=review]').click()
    page.get_by_role("button", name={"en": "Submit answers", "ar": "أرسل الإجابات"}[lang]).click()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_signup_to_verified_certificate(app, live_server, browser, tmp_path, lang):
    words = {"ar": {"register": "إنشاء الحساب", "complete": "سجّل الدرس مكتملًا", "pass": "نجحت", "valid": "شهادة سارية",
                    "download": "نزّل الشهادة (PDF)", "verify": "صفحة التحقق"},
             "en": {"register": "Create account", "complete": "Mark as complete", "pass": "Passed", "valid": "Valid certificate",
                    "download": "Download the certificate (PDF)", "verify": "Verification page"}}[lang]
    module = app.extensions["catalog"].module("sample")
    context = browser.new_context(java_script_enabled=False, locale="ar" if lang == "ar" else "en-GB",
                                  accept_downloads=True)
    page = context.new_page()
    external = []
    page.on("request", lambda r: None if r.url.startswith(live_server) else external.append(r.url))

    page.goto(f"{live_server}/{lang}/register")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    page.fill("#username", f"e2e_{lang}")
    page.fill("#password", "a long enough password")
    page.fill("#confirm", "a long enough password")
    page.get_by_role("button", name=words["register"]).click()
    assert page.url == f"{live_server}/{lang}/"

    for lesson in module.lessons:
        page.goto(f"{live_server}/{lang}/modules/{module.id}/{lesson.id}/")
        page.get_by_role("button", name=words["complete"]).click()
        if lesson.check_quiz_id:
            page.goto(f"{live_server}/{lang}/modules/{module.id}/quizzes/{lesson.check_quiz_id}/")
            answer_quiz(page, module.quizzes[lesson.check_quiz_id], lang)
            assert words["pass"] in page.content()
    page.goto(f"{live_server}/{lang}/modules/{module.id}/quizzes/{module.final_quiz_id}/")
    answer_quiz(page, module.final_quiz, lang)
    assert words["pass"] in page.content()
    shots = shots_dir(tmp_path)
    page.screenshot(path=str(shots / f"result-{lang}.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name=words["download"]).click()
    pdf = shots / f"certificate-{lang}.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(shots / f"certificate-{lang}")],
                       check=True)

    verify_href = page.get_by_role("link", name=words["verify"]).get_attribute("href")
    stranger = browser.new_context(java_script_enabled=False).new_page()
    stranger.goto(live_server + verify_href)
    assert words["valid"] in stranger.content()
    assert module.title.get(lang) in stranger.content()
    assert external == []


def test_a_quiz_question_can_be_answered_by_keyboard_alone(app, live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/en/register")
    page.fill("#username", "keyboard")
    page.fill("#password", "a long enough password")
    page.fill("#confirm", "a long enough password")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/en/")
    page.goto(f"{live_server}/en/modules/sample/quizzes/final/")
    page.get_by_role("button", name="Start the quiz").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/attempts/**")
    first = page.locator("input[name=answer]").first
    first.focus()
    page.keyboard.press("Space")
    assert first.is_checked()
    page.get_by_role("button", name="Save and continue").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/2")
    from elearn.db import db
    from elearn.quiz.models import QuizAttempt

    with app.app_context():
        attempt = db.session.query(QuizAttempt).one()
        assert list(attempt.answers.values()) == [[attempt.layout[0]["o"][0]]]
