"""End to end in headless Chromium with JavaScript OFF, in Arabic and in English:

- the learner journey: sign up with a pseudonym, read a lesson, mark it complete, answer the
  check quiz with the keyboard alone, see the result, then finish the module, get a
  certificate that verifies, and find it all on "My learning";
- the trainer journey: sign in, create a group, hand the invitation code to a learner who
  joins with it, see the learner among the members;
- the refresher journey: a certificate due for renewal, the refresher quiz, the renewed certificate.

Every request any page makes must stay on loopback. Screenshots (result page, certificate
rendered to PNG) go to $ELEARN_SCREENSHOTS when set.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from browser import PASSWORD, RequestLog, is_loopback, launch, live_server, missing, new_context, unavailable

pytestmark = pytest.mark.browser
STRONG = "quiet harbour lantern 4821"  # passes the password rules (length, not guessable)
WORDS = {
    "ar": {"register": "إنشاء الحساب", "complete": "سجّل الدرس مكتملًا", "check": "اختبر ما تعلّمته",
           "start": "ابدأ الاختبار", "submit": "أرسل الإجابات", "pass": "نجحت", "valid": "شهادة سارية",
           "download": "نزّل الشهادة (PDF)", "verify": "صفحة التحقق", "completed": "مكتمل",
           "create_group": "أنشئ المجموعة", "join": "انضمّ إلى المجموعة", "continue": "متابعة",
           "assign": "أسند", "report": "تقرير التقدّم", "not_started": "لم يبدأ", "assigned": "المهام المسندة إليك",
           "saved_codes": "حفظتُها، تابِع"},
    "en": {"register": "Create account", "complete": "Mark as complete", "check": "Check what you learned",
           "start": "Start the quiz", "submit": "Submit answers", "pass": "Passed", "valid": "Valid certificate",
           "download": "Download the certificate (PDF)", "verify": "Verification page", "completed": "Completed",
           "create_group": "Create group", "join": "Join the group", "continue": "Continue",
           "assign": "Assign", "report": "Progress report", "not_started": "Not started", "assigned": "Assigned to you",
           "saved_codes": "I have saved them, continue"},
}


@pytest.fixture(scope="module")
def chromium():
    reason = missing()
    if reason:
        unavailable(reason)
    with launch() as browser:
        yield browser


@pytest.fixture
def served(app):
    with live_server(app) as base:
        yield base


@pytest.fixture
def requests_log():
    """Every request of the test's browser contexts; none may go to another host."""
    log = RequestLog()
    yield log
    log.assert_local()


def shots_dir(tmp_path) -> Path:
    folder = Path(os.environ.get("ELEARN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def register(page, base, lang, username, password=STRONG):
    page.goto(f"{base}/{lang}/register")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    page.fill("#username", username)
    page.fill("#password", password)
    page.fill("#confirm", password)
    page.get_by_role("button", name=WORDS[lang]["register"]).click()
    # The recovery codes, shown once, then on to the home page.
    assert page.locator("ol.codes li").count() == 10, page.content()
    page.get_by_role("link", name=WORDS[lang]["saved_codes"]).click()
    assert page.url == f"{base}/{lang}/", page.content()


def current_question(page, quiz, lang):
    prompt = page.locator("legend h1").inner_text().strip()
    return next(q for q in quiz.questions if q.prompt.get(lang) == prompt)


def answer_by_keyboard(page, option_ids) -> None:
    """Choose options with the keyboard alone, then Tab to the forward button and press Enter."""
    inputs = page.locator("input[name=answer]")
    inputs.first.focus()
    if inputs.first.get_attribute("type") == "radio":
        page.keyboard.press("Space")
        for _ in range(inputs.count()):  # arrow keys move the choice within the group
            if page.locator(f'input[name=answer][value="{option_ids[0]}"]').is_checked():
                break
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
    else:
        for index in range(inputs.count()):
            if inputs.nth(index).get_attribute("value") in option_ids:
                page.keyboard.press("Space")
            page.keyboard.press("Tab")
    forward = page.locator("button[name=go][value=next]:focus, button[name=go][value=review]:focus")
    for _ in range(3):  # past "Save and go back" on later questions
        if forward.count():
            break
        page.keyboard.press("Tab")
    assert forward.count() == 1, "Tab did not reach the forward button"
    checked = sorted(inputs.nth(i).get_attribute("value") for i in range(inputs.count()) if inputs.nth(i).is_checked())
    assert checked == sorted(option_ids)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def take_quiz(page, quiz, lang, keyboard=False):
    """Start the quiz and answer every question right by its answer key (options are shuffled)."""
    page.get_by_role("button", name=WORDS[lang]["start"]).click()
    for _ in quiz.questions:
        question = current_question(page, quiz, lang)
        if keyboard:
            answer_by_keyboard(page, sorted(question.answer))
            continue
        for option_id in question.answer:
            page.check(f'input[name=answer][value="{option_id}"]')
        page.locator("button[name=go][value=next], button[name=go][value=review]").click()
    page.get_by_role("button", name=WORDS[lang]["submit"]).click()
    assert WORDS[lang]["pass"] in page.content()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_learner_journey(app, served, chromium, requests_log, tmp_path, lang):
    words = WORDS[lang]
    module = app.extensions["catalog"].module("sample")
    first = module.lessons[0]
    context = new_context(chromium, requests_log, locale="ar" if lang == "ar" else "en-GB", accept_downloads=True)
    page = context.new_page()
    register(page, served, lang, {"ar": "سلمى_حمص", "en": "salma_homs"}[lang])

    # Home -> module -> first lesson, by the links a learner follows.
    page.get_by_role("link", name=module.title.get(lang)).first.click()
    page.get_by_role("link", name=first.text(lang).title).first.click()
    assert page.url == f"{served}/{lang}/modules/{module.id}/{first.id}/"
    page.get_by_role("button", name=words["complete"]).click()
    assert page.locator("p.flash").count() == 1  # "Lesson marked as complete", on the next lesson
    page.locator("a[rel=prev]").click()
    page.get_by_role("link", name=words["check"]).click()
    take_quiz(page, module.quizzes[first.check_quiz_id], lang, keyboard=True)

    for lesson in module.lessons[1:]:
        page.goto(f"{served}/{lang}/modules/{module.id}/{lesson.id}/")
        page.get_by_role("button", name=words["complete"]).click()
        if lesson.check_quiz_id:
            page.goto(f"{served}/{lang}/modules/{module.id}/quizzes/{lesson.check_quiz_id}/")
            take_quiz(page, module.quizzes[lesson.check_quiz_id], lang)
    page.goto(f"{served}/{lang}/modules/{module.id}/quizzes/{module.final_quiz_id}/")
    take_quiz(page, module.final_quiz, lang)
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

    verify_href = page.get_by_role("link", name=words["verify"]).first.get_attribute("href")
    stranger = new_context(chromium, requests_log).new_page()
    stranger.goto(served + verify_href)
    assert words["valid"] in stranger.content()
    assert module.title.get(lang) in stranger.content()

    page.goto(f"{served}/{lang}/me/")
    row = page.locator("table.me tbody tr", has_text=module.title.get(lang))
    assert words["completed"] in row.inner_text()
    assert row.get_by_role("link", name=words["verify"]).get_attribute("href") == verify_href


def test_a_quiz_answer_given_by_keyboard_is_saved(app, served, chromium, requests_log):
    page = new_context(chromium, requests_log).new_page()
    page.goto(f"{served}/en/register")
    page.fill("#username", "keyboard")
    page.fill("#password", STRONG)
    page.fill("#confirm", STRONG)
    page.keyboard.press("Enter")
    page.get_by_role("link", name=WORDS["en"]["saved_codes"]).wait_for()  # the recovery codes, shown once
    page.goto(f"{served}/en/modules/sample/quizzes/final/")
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


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_trainer_journey(app, served, chromium, requests_log, lang):
    from factories import make_user

    words = WORDS[lang]
    with app.app_context():
        make_user(username=f"trainer_{lang}", password=PASSWORD, role="trainer", locale=lang)
    trainer = new_context(chromium, requests_log).new_page()
    trainer.goto(f"{served}/{lang}/login")
    trainer.fill("#username", f"trainer_{lang}")
    trainer.fill("#password", PASSWORD)
    trainer.keyboard.press("Enter")
    trainer.wait_for_url(f"{served}/{lang}/")
    trainer.goto(f"{served}/{lang}/trainer/")
    group_name = {"ar": "ورشة حلب", "en": "Aleppo workshop"}[lang]
    trainer.fill("#name", group_name)
    trainer.get_by_role("button", name=words["create_group"]).click()
    assert re.search(r"/trainer/groups/\d+/$", trainer.url)
    assert trainer.locator("main h1").inner_text() == group_name
    invite_url = trainer.locator("main code").first.inner_text()
    code = invite_url.rstrip("/").rsplit("/", 1)[-1]
    assert code in trainer.locator("main").inner_text().replace(invite_url, "")  # the code is also given alone

    learner = new_context(chromium, requests_log).new_page()
    register(learner, served, lang, f"joiner_{lang}")
    learner.goto(f"{served}/{lang}/join/")
    learner.fill("#code", code.lower())  # typed by hand, in any case
    learner.get_by_role("button", name=words["continue"]).click()
    assert group_name in learner.content()
    learner.get_by_role("button", name=words["join"]).click()
    assert learner.url == f"{served}/{lang}/me/"
    assert group_name in learner.locator("main").inner_text()

    trainer.reload()
    members = trainer.locator("main table tbody")
    assert f"joiner_{lang}" in members.inner_text()

    # assign the module to the group with a due date, then follow the learner in the report
    trainer.select_option("#module", "sample")
    trainer.fill("#due_on", "2030-05-31")
    trainer.get_by_role("button", name=words["assign"], exact=True).click()
    assert "#assignments" in trainer.url
    trainer.get_by_role("link", name=words["report"]).first.click()
    row = trainer.locator("table.report tbody tr", has_text=f"joiner_{lang}")
    assert row.count() == 1 and words["not_started"] in row.inner_text()
    learner.goto(f"{served}/{lang}/")
    assert words["assigned"] in learner.locator("main").inner_text()


# --- Refresher journey -------------------------------------------------------------------

REFRESHER_WORDS = {
    "ar": {"notice": "تجديدها", "start": "ابدأ الاختبار التنشيطي", "submit": "أرسل الإجابات",
           "renewed": "جُدِّدت شهادتك.", "valid": "شهادة سارية", "superseded": "شهادة مستبدلة"},
    "en": {"notice": "Take the refresher to renew it", "start": "Start the refresher", "submit": "Submit answers",
           "renewed": "Your certificate is renewed.", "valid": "Valid certificate", "superseded": "Superseded certificate"},
}


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_refresher_journey(app, served, chromium, requests_log, lang):
    """A learner whose certificate is due for renewal is told so on My learning, takes the
    refresher quiz (JavaScript off) and gets a renewed certificate with a new code; the old code
    still verifies, as superseded."""
    import datetime as dt

    from sqlalchemy import select

    from elearn.certificates.models import Certificate
    from elearn.db import db
    from factories import finish_module, make_user

    words = REFRESHER_WORDS[lang]
    module = app.extensions["catalog"].module("sample")
    with app.app_context():  # the module itself was walked in the learner journey
        finish_module(make_user(username=f"renewer_{lang}", password=STRONG, locale=lang))
        certificate = db.session.scalar(select(Certificate))
        certificate.expires_on = dt.date.today() + dt.timedelta(days=10)  # due for renewal soon
        db.session.commit()
        old_code = certificate.code

    page = new_context(chromium, requests_log).new_page()
    page.goto(f"{served}/{lang}/login")
    page.fill("#username", f"renewer_{lang}")
    page.fill("#password", STRONG)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(f"{served}/{lang}/me/")
    page.get_by_role("link", name=words["notice"]).first.click()
    page.get_by_role("button", name=words["start"]).click()
    bank = module.question_bank
    seen = 0
    while "/attempts/" in page.url and "/review" not in page.url:
        prompt = page.locator("legend h1").inner_text().strip()
        question = next(q for q in bank if q.prompt.get(lang) == prompt)
        for option_id in question.answer:
            page.check(f'input[name=answer][value="{option_id}"]')
        page.locator("button[name=go][value=next], button[name=go][value=review]").click()
        seen += 1
        assert seen <= len(bank)
    page.get_by_role("button", name=words["submit"]).click()
    assert words["renewed"] in page.content()
    new_code = page.locator("main code").first.inner_text().strip()
    assert new_code and new_code != old_code

    stranger = new_context(chromium, requests_log).new_page()
    stranger.goto(f"{served}/{lang}/verify/{new_code}")
    assert words["valid"] in stranger.content()
    stranger.goto(f"{served}/{lang}/verify/{old_code}")
    assert words["superseded"] in stranger.content()


@pytest.mark.parametrize("url, local", [
    ("http://127.0.0.1:5000/ar/", True), ("http://[::1]:8000/static/css/app.css", True), ("http://localhost/", True),
    ("data:image/svg+xml,<svg/>", True), ("about:blank", True),
    ("https://fonts.example/css", False), ("http://127.0.0.1.nip.example/", False), ("http://10.0.0.7/", False),
])
def test_only_loopback_requests_count_as_local(url, local):
    assert is_loopback(url) is local


@pytest.mark.parametrize("required, outcome", [("1", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_without_a_browser_the_tests_skip_here_and_fail_in_ci(monkeypatch, required, outcome):
    monkeypatch.setenv("ELEARN_REQUIRE_BROWSER", required)
    with pytest.raises(outcome, match="no chromium"):
        unavailable("no chromium")
