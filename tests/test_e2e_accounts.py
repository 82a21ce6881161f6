"""Accounts for people at risk (issue 13), end to end in headless Chromium with JavaScript OFF,
in Arabic and in English:

- forgot the password: a recovery code saved at sign-up sets a new one, and the sessions on the
  other devices end;
- a trainer issues a one-time reset code to a member, who sets a new password with it;
- "Download my data": the JSON and CSV files, opened and read;
- "Delete my account": the first press deletes nothing; then the trainer's report no longer lists
  the person and the verification page shows the certificate as the person chose;
- look-alike pseudonyms of an existing one are refused.

Every request stays on loopback. Screenshots go to $ELEARN_SCREENSHOTS when set; the files
downloaded and a summary of what they hold go there too (`data-<lang>.txt`).
"""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

from browser import PASSWORD, RequestLog, launch, live_server, missing, new_context, unavailable
from test_e2e_browser import STRONG, WORDS, shots_dir

pytestmark = pytest.mark.browser
NEW = "amber river teacup 5170"
TEXT = {
    "ar": {"forgot": "نسيت كلمة المرور؟", "set": "عيّن كلمة المرور الجديدة", "sign_in": "تسجيل الدخول",
           "done": "عُيّنت كلمة مرورك الجديدة", "reset_code": "رمز إعادة تعيين كلمة المرور",
           "delete": "حذف حسابي…", "delete_for_good": "احذف حسابي نهائيًا", "deleted": "حُذف حسابك",
           "nothing": "لن يُحذف شيء", "valid": "شهادة سارية", "revoked": "شهادة ملغاة",
           "look_alike": "يبدو هذا الاسم المستعار مطابقًا", "report": "تقرير التقدّم", "json": "نزّل بياناتي (JSON)",
           "csv": "نزّل بياناتي (CSV، لجداول البيانات)", "answers": "الإجابات"},
    "en": {"forgot": "Forgot your password?", "set": "Set the new password", "sign_in": "Sign in",
           "done": "Your new password is set", "reset_code": "Password reset code",
           "delete": "Delete my account…", "delete_for_good": "Delete my account for good",
           "deleted": "Your account is deleted", "nothing": "Nothing is deleted", "valid": "Valid certificate",
           "revoked": "Revoked certificate", "look_alike": "This pseudonym looks the same as one already in use",
           "report": "Progress report", "json": "Download my data (JSON)",
           "csv": "Download my data (CSV, for a spreadsheet)", "answers": "Answers"},
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
    log = RequestLog()
    yield log
    log.assert_local()


def sign_in(page, base, lang, username, password=STRONG):
    page.goto(f"{base}/{lang}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name=TEXT[lang]["sign_in"]).last.click()
    assert "/login" not in page.url, page.content()


def signed_in(page, base, lang) -> bool:
    page.goto(f"{base}/{lang}/account")
    return "/login" not in page.url


def use_code(page, base, lang, username, code, password=NEW):
    page.goto(f"{base}/{lang}/login")
    page.get_by_role("link", name=TEXT[lang]["forgot"]).click()
    assert page.url == f"{base}/{lang}/recover"
    page.fill("#username", username)
    page.fill("#code", code)
    page.fill("#password", password)
    page.fill("#confirm", password)
    page.get_by_role("button", name=TEXT[lang]["set"]).click()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_forgotten_password_recovery_code_and_the_old_sessions_end(app, served, chromium, requests_log, tmp_path, lang):
    shots, name = shots_dir(tmp_path), f"forgetful_{lang}"
    phone = new_context(chromium, requests_log).new_page()
    phone.goto(f"{served}/{lang}/register")
    phone.fill("#username", name)
    phone.fill("#password", STRONG)
    phone.fill("#confirm", STRONG)
    phone.get_by_role("button", name=WORDS[lang]["register"]).click()
    codes = phone.locator("ol.codes li code").all_inner_texts()
    assert len(codes) == 10
    phone.screenshot(path=str(shots / f"recovery-codes-{lang}.png"), full_page=True)
    phone.get_by_role("link", name=WORDS[lang]["saved_codes"]).click()
    laptop = new_context(chromium, requests_log).new_page()
    sign_in(laptop, served, lang, name)
    assert signed_in(phone, served, lang) and signed_in(laptop, served, lang)

    borrowed = new_context(chromium, requests_log).new_page()  # the password is forgotten
    use_code(borrowed, served, lang, name, codes[0].lower())
    assert borrowed.url == f"{served}/{lang}/account"
    assert TEXT[lang]["done"] in borrowed.locator("main").inner_text()
    borrowed.screenshot(path=str(shots / f"recovered-{lang}.png"), full_page=True)
    assert not signed_in(phone, served, lang) and not signed_in(laptop, served, lang)
    laptop.screenshot(path=str(shots / f"old-session-gone-{lang}.png"))
    sign_in(laptop, served, lang, name, NEW)  # the new password works


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_trainer_issued_reset_code(app, served, chromium, requests_log, tmp_path, lang):
    from factories import make_group, make_user

    shots, name = shots_dir(tmp_path), f"member_{lang}"
    with app.app_context():
        make_user(username=f"coach_{lang}", password=PASSWORD, role="trainer", locale=lang)
        make_user(username=name, password=STRONG, display_name={"ar": "سلمى", "en": "Salma"}[lang], locale=lang)
        group = make_group(f"coach_{lang}", [name], name={"ar": "ورشة إدلب", "en": "Idlib workshop"}[lang]).id
    member = new_context(chromium, requests_log).new_page()
    sign_in(member, served, lang, name)
    trainer = new_context(chromium, requests_log).new_page()
    sign_in(trainer, served, lang, f"coach_{lang}", PASSWORD)
    trainer.goto(f"{served}/{lang}/trainer/groups/{group}/")
    trainer.get_by_role("button", name=TEXT[lang]["reset_code"]).first.click()
    code = trainer.locator("main p.big code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    trainer.screenshot(path=str(shots / f"reset-code-{lang}.png"), full_page=True)

    use_code(new_context(chromium, requests_log).new_page(), served, lang, name, code)
    assert not signed_in(member, served, lang)
    sign_in(member, served, lang, name, NEW)
    member.goto(f"{served}/{lang}/account")
    history = member.locator("#resets-h + ul").inner_text()
    assert f"coach_{lang}" in history, history
    member.screenshot(path=str(shots / f"reset-recorded-{lang}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_download_my_data(app, served, chromium, requests_log, tmp_path, lang):
    from factories import finish_module, make_assignment, make_group, make_user

    shots, name = shots_dir(tmp_path), f"holder_{lang}"
    with app.app_context():
        make_user(username=name, password=STRONG, display_name={"ar": "رنا", "en": "Rana"}[lang],
                  email=f"{name}@example.org", locale=lang)
        make_assignment(make_group(f"coach_{lang}", [name], name={"ar": "ورشة حمص", "en": "Homs workshop"}[lang]))
        code = finish_module(name).code
    page = new_context(chromium, requests_log, accept_downloads=True).new_page()
    sign_in(page, served, lang, name)
    page.goto(f"{served}/{lang}/account")
    page.screenshot(path=str(shots / f"account-{lang}.png"), full_page=True)
    files = {}
    for kind in ("json", "csv"):
        with page.expect_download() as download:
            page.get_by_role("link", name=TEXT[lang][kind]).click()
        target = shots / f"my-data-{lang}.{kind}"
        download.value.save_as(target)
        files[kind] = target.read_text(encoding="utf-8-sig")
    data = json.loads(files["json"])
    rows = list(csv.reader(io.StringIO(files["csv"])))
    assert data["account"]["pseudonym"] == name and data["account"]["email"] == f"{name}@example.org"
    assert data["certificates"][0]["code"] == code and data["groups"][0]["trainer"]
    answers = [a for attempt in data["quiz_attempts"] for a in attempt["answers"]]
    assert answers and all(a["question"][lang] for a in answers)
    assert any(row[0] == TEXT[lang]["answers"] for row in rows)
    summary = [f"JSON sections: {', '.join(k for k in data if k not in ('format', 'exported_at'))}",
               f"account: {data['account']}",
               f"lessons: {len(data['lessons'])}, quiz attempts: {len(data['quiz_attempts'])}, "
               f"answers: {len(answers)}, groups: {[g['name'] for g in data['groups']]}, "
               f"certificates: {[c['code'] for c in data['certificates']]}",
               f"first answer: {json.dumps(answers[0], ensure_ascii=False)}",
               f"CSV: {len(rows)} rows; header {rows[0]}", *["CSV " + " | ".join(r) for r in rows[1:8]]]
    (shots / f"data-{lang}.txt").write_text("\n".join(summary) + "\n", encoding="utf-8")


@pytest.mark.parametrize("lang, choice", [("ar", "revoke"), ("en", "keep")])
def test_delete_my_account_then_the_report_and_the_verify_page(app, served, chromium, requests_log, tmp_path,
                                                               lang, choice):
    from factories import finish_module, make_assignment, make_group, make_user

    shots, name = shots_dir(tmp_path), f"leaver_{lang}"
    shown = {"ar": "هدى", "en": "Huda"}[lang]
    with app.app_context():
        make_user(username=name, password=STRONG, display_name=shown, certificate_name=shown + " S.", locale=lang)
        make_user(username=f"coach_{lang}", password=PASSWORD, role="trainer", locale=lang)
        group = make_group(f"coach_{lang}", [name], name={"ar": "ورشة درعا", "en": "Daraa workshop"}[lang])
        make_assignment(group)
        group, code = group.id, finish_module(name).code
    trainer = new_context(chromium, requests_log).new_page()
    sign_in(trainer, served, lang, f"coach_{lang}", PASSWORD)
    report = f"{served}/{lang}/trainer/groups/{group}/report"
    trainer.goto(report)
    assert shown in trainer.locator("main").inner_text()

    page = new_context(chromium, requests_log).new_page()
    sign_in(page, served, lang, name)
    page.goto(f"{served}/{lang}/account")
    page.get_by_role("link", name=TEXT[lang]["delete"]).click()
    assert TEXT[lang]["nothing"] in page.locator("main").inner_text()  # the first press deletes nothing
    page.screenshot(path=str(shots / f"delete-confirm-{lang}.png"), full_page=True)
    page.goto(f"{served}/{lang}/account/delete")
    page.check(f"input[name='delete-certificates'][value='{choice}']")
    page.fill("#delete-current", STRONG)
    page.get_by_role("button", name=TEXT[lang]["delete_for_good"]).click()
    assert page.url == f"{served}/{lang}/" and TEXT[lang]["deleted"] in page.locator("main").inner_text()
    page.screenshot(path=str(shots / f"deleted-{lang}.png"), full_page=True)

    trainer.goto(report)
    assert shown not in trainer.locator("main").inner_text()
    trainer.screenshot(path=str(shots / f"report-after-delete-{lang}.png"), full_page=True)
    verify = new_context(chromium, requests_log).new_page()
    verify.goto(f"{served}/{lang}/verify/{code}")
    text = verify.locator("main").inner_text()
    if choice == "keep":
        assert TEXT[lang]["valid"] in text and shown + " S." in text
    else:
        assert TEXT[lang]["revoked"] in text and shown not in text
    verify.screenshot(path=str(shots / f"verify-after-delete-{lang}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_look_alike_pseudonyms_are_refused(app, served, chromium, requests_log, tmp_path, lang):
    from factories import make_user
    from test_accounts import LOOK_ALIKES

    with app.app_context():
        make_user(username="demo-admin", role="admin")
    page = new_context(chromium, requests_log).new_page()
    for index, name in enumerate(LOOK_ALIKES[:-1]):
        page.goto(f"{served}/{lang}/register")
        page.fill("#username", name)
        page.fill("#password", STRONG)
        page.fill("#confirm", STRONG)
        page.get_by_role("button", name=WORDS[lang]["register"]).click()
        assert TEXT[lang]["look_alike"] in page.locator("#username-error").inner_text(), name
        if index == 1:
            page.screenshot(path=str(shots_dir(tmp_path) / f"look-alike-{lang}.png"), full_page=True)
