"""Accounts for people at risk (issue 13): sessions that end on the server, recovery without
e-mail (recovery codes, reset codes from a trainer or an admin, an e-mailed link), look-alike
pseudonyms refused, and logs without codes or e-mail addresses."""
from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from conftest import Auth, csrf_token
from elearn.auth import recovery
from elearn.auth.models import AccountCode, PasswordReset, User, UserSession
from elearn.auth.names import skeleton
from elearn.auth.service import is_password
from elearn.db import db
from factories import PASSWORD, make_group, make_user, user

NEW = "a brand new passphrase"
CODE = re.compile(r"<code>([A-Z2-9]{4}(?:-[A-Z2-9]{4}){3})</code>")


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def account_status(client, lang="en") -> object:
    response = client.get(f"/{lang}/account")
    return 200 if response.status_code == 200 else response.headers["Location"].split("?")[0]


# --- sessions that end ------------------------------------------------------------------------

def test_a_cookie_copied_before_sign_out_is_refused_afterwards(app, auth):
    """The replay: with a signed cookie alone, the copy kept working for 31 days after sign-out."""
    with app.app_context():
        make_user(username="rami")
    auth.login("rami")
    copy = auth.client.get_cookie("session").value
    assert account_status(auth.client) == 200
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", copy, domain="localhost")
    assert account_status(thief) == "/en/login"
    assert count(app, UserSession) == 0


def test_sign_out_of_all_devices_ends_every_session(app, login):
    phone, laptop = login("rami"), login("rami")
    other = login("someone_else")
    assert count(app, UserSession) == 3
    response = phone.post("/en/account/sign-out-everywhere", data={"csrf_token": csrf_token(phone, "/en/account")})
    assert response.status_code == 302
    assert account_status(phone) == account_status(laptop) == "/en/login"
    assert account_status(other) == 200
    assert count(app, UserSession) == 1


def test_a_session_ends_after_the_idle_timeout_and_the_absolute_lifetime(app, auth):
    with app.app_context():
        make_user(username="rami")
    with freeze_time("2027-01-10 08:00") as clock:
        auth.login("rami")
        for _ in range(7):  # active every 100 minutes: the idle timeout (120) never runs out...
            clock.tick(dt.timedelta(minutes=100))
            assert account_status(auth.client) == 200
        clock.tick(dt.timedelta(minutes=100))  # ...but 800 minutes is past 12 hours after signing in
        assert account_status(auth.client) == "/en/login"
        auth.login("rami")
        clock.tick(dt.timedelta(minutes=121))  # idle for more than two hours
        assert account_status(auth.client) == "/en/login"
    assert count(app, UserSession) == 0  # the idle session was ended on the server too


def test_the_cookie_is_sent_again_only_when_it_changes(app, auth):
    """No signature and no Set-Cookie on every page: an unchanged cookie stays as it is, and the
    minute of the last request (for the idle timeout) still reaches the browser."""
    with app.app_context():
        make_user(username="rami")
    with freeze_time("2027-01-10 08:00") as clock:
        auth.login("rami")
        auth.client.get("/en/me/")  # the first page with a form stores the CSRF secret in the cookie
        again = auth.client.get("/en/me/")
        assert again.status_code == 200 and "Set-Cookie" not in again.headers
        clock.tick(dt.timedelta(seconds=30))
        assert "Set-Cookie" not in auth.client.get("/en/").headers
        clock.tick(dt.timedelta(minutes=100))
        later = auth.client.get("/en/")
        assert "session=" in later.headers["Set-Cookie"]  # the new minute of the last request
        clock.tick(dt.timedelta(minutes=100))  # 100 minutes after that request, 200 after sign-in
        assert account_status(auth.client) == 200


def test_the_session_settings_come_from_the_environment(app, tmp_path, monkeypatch):
    from conftest import base_config
    from elearn import create_app

    monkeypatch.setenv("ELEARN_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("ELEARN_SESSION_MAX_HOURS", "4")
    configured = create_app(base_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"]))
    assert configured.config["SESSION_IDLE_MINUTES"] == 15
    assert configured.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(hours=4)
    assert app.config["SESSION_IDLE_MINUTES"] == 120 and app.config["SESSION_MAX_HOURS"] == 12


def test_a_new_password_ends_the_other_sessions_on_the_server(app, login):
    here, there = login("rami"), login("rami")
    response = here.post("/en/account", data={
        "csrf_token": csrf_token(here, "/en/account"), "password-current": PASSWORD,
        "password-password": NEW, "password-confirm": NEW})
    assert response.status_code == 302
    assert account_status(here) == 200 and account_status(there) == "/en/login"
    assert count(app, UserSession) == 1


def test_the_current_password_check_is_locked_out_like_sign_in(app, login):
    client = login("rami")
    form = {"csrf_token": csrf_token(client, "/en/account"), "password-password": NEW, "password-confirm": NEW}
    for _ in range(app.config["LOCKOUT_FAILURES"]):
        response = client.post("/en/account", data={**form, "password-current": "not the password"})
        assert "The current password is wrong." in response.get_data(as_text=True)
    response = client.post("/en/account", data={**form, "password-current": PASSWORD})
    assert response.status_code == 400 and "Too many failed sign-ins" in response.get_data(as_text=True)
    with app.app_context():
        assert is_password(user("rami"), PASSWORD)  # unchanged


def test_the_current_password_check_is_rate_limited_per_address(app, tmp_path):
    from conftest import base_config, sign_in
    from elearn import create_app

    limited = create_app({**base_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"]), "RATELIMIT_ENABLED": True,
                          "LOCKOUT_FAILURES": 100})
    with limited.app_context():
        make_user(username="rami")
    client = sign_in(limited.test_client(), "rami")
    statuses = []
    for _ in range(11):
        statuses.append(client.post("/en/account", data={
            "csrf_token": csrf_token(client, "/en/account"), "password-current": "wrong guess",
            "password-password": NEW, "password-confirm": NEW}).status_code)
    assert statuses[:10] == [400] * 10 and statuses[10] == 429
    # Saving the profile is not a password check: not limited.
    response = client.post("/en/account", data={"csrf_token": csrf_token(client, "/en/account"),
                                                "profile-display_name": "R", "profile-locale": "en"})
    assert response.status_code == 302


# --- recovery codes -----------------------------------------------------------------------------

def codes_in(response) -> list[str]:
    return CODE.findall(response.get_data(as_text=True))


def recover(client, username, code, password=NEW, lang="en"):
    return client.post(f"/{lang}/recover", data={
        "csrf_token": csrf_token(client, f"/{lang}/recover"), "username": username, "code": code,
        "password": password, "confirm": password})


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_registration_shows_ten_recovery_codes_once_and_stores_only_digests(app, auth, lang):
    response = auth.register(username="rami", lang=lang)
    codes = codes_in(response)
    assert len(codes) == len(set(codes)) == 10
    assert response.headers["Cache-Control"] == "no-store"
    assert ("رموز الاسترداد" if lang == "ar" else "Your recovery codes") in response.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalars(select(AccountCode.code_hash)).all()
    assert len(stored) == 10 and not any(c.replace("-", "") in h or c in h for c in codes for h in stored)
    assert not any(c in auth.client.get(f"/{lang}/account").get_data(as_text=True) for c in codes)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_recovery_code_sets_a_new_password_once_and_ends_the_old_sessions(app, auth, lang):
    codes = codes_in(auth.register(username="rami", lang=lang))
    elsewhere = app.test_client()
    Auth(elsewhere).login("rami")
    stranger = app.test_client()
    response = recover(stranger, "RAMI", codes[3].lower().replace("-", " "), lang=lang)
    assert response.status_code == 302 and response.headers["Location"] == f"/{lang}/account"
    assert account_status(stranger, lang) == 200  # signed in with the new password's session
    assert account_status(auth.client, lang) == account_status(elsewhere, lang) == f"/{lang}/login"
    assert Auth(app.test_client()).login("rami", NEW).status_code == 302
    assert Auth(app.test_client()).login("rami").status_code == 400
    again = recover(app.test_client(), "rami", codes[3], "another new passphrase", lang=lang)
    assert again.status_code == 400
    with app.app_context():
        [reset] = db.session.scalars(select(PasswordReset)).all()
        assert (reset.method, reset.issued_by_id) == ("recovery", None)
        assert recovery.recovery_codes_left(db.session, reset.user_id) == 9


@pytest.mark.parametrize("lang, message", [
    ("en", "This pseudonym and this code do not go together"), ("ar", "هذا الاسم المستعار وهذا الرمز لا يتطابقان")])
def test_a_wrong_code_and_an_unknown_pseudonym_get_the_same_answer(app, auth, lang, message):
    codes = codes_in(auth.register(username="rami", lang=lang))

    def page(username, code):
        response = recover(app.test_client(), username, code, lang=lang)
        return response.status_code, re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))

    wrong_code, unknown_name = page("rami", "ABCD-EFGH-JKMN-PQRS"), page("nobody_here", codes[0])
    assert wrong_code[0] == unknown_name[0] == 400
    assert message in wrong_code[1]
    assert wrong_code[1].replace("rami", "") == unknown_name[1].replace("nobody_here", "")


def test_new_recovery_codes_need_the_password_and_replace_the_old_ones(app, auth):
    old = codes_in(auth.register(username="rami"))
    token = csrf_token(auth.client, "/en/account")
    refused = auth.client.post("/en/account/recovery-codes", data={"csrf_token": token, "codes-current": "wrong one"})
    assert refused.status_code == 400 and "The current password is wrong." in refused.get_data(as_text=True)
    response = auth.client.post("/en/account/recovery-codes", data={"csrf_token": token, "codes-current": PASSWORD})
    new = codes_in(response)
    assert len(new) == 10 and not set(new) & set(old) and response.headers["Cache-Control"] == "no-store"
    assert recover(app.test_client(), "rami", old[0]).status_code == 400
    assert recover(app.test_client(), "rami", new[0]).status_code == 302


# --- reset codes from a trainer or an admin ------------------------------------------------------

def issue(client, url):
    return client.post(url, data={"csrf_token": csrf_token(client, "/en/account")})


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_trainer_issues_a_reset_code_to_a_member_and_it_is_recorded(app, login, lang):
    with app.app_context():
        group = make_group("coach", ["rana", "other_coach"]).id
        user("other_coach").role = "trainer"
        db.session.commit()
        rana, other_coach = user("rana").id, user("other_coach").id
    coach, old_session = login("coach"), login("rana")
    response = issue(coach, f"/{lang}/trainer/groups/{group}/members/{rana}/reset-code")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    [code] = re.findall(r"<code>([A-Z2-9-]{19})</code>", response.get_data(as_text=True))
    assert "Content-Encoding" not in response.headers
    response = recover(app.test_client(), "rana", code, lang=lang)
    assert response.status_code == 302
    assert account_status(old_session, lang) == f"/{lang}/login"
    page = login("rana").get(f"/{lang}/account").get_data(as_text=True)
    assert ("برمز إعادة تعيين أصدره Coach" if lang == "ar" else "with a reset code issued by Coach") in page
    assert recover(app.test_client(), "rana", code, "yet another passphrase", lang=lang).status_code == 400
    # Not for a trainer (only an admin may), not for someone outside the trainer's groups.
    refused = issue(coach, f"/{lang}/trainer/groups/{group}/members/{other_coach}/reset-code")
    assert refused.status_code == 302 and count(app, AccountCode, AccountCode.user_id == other_coach) == 0
    with app.app_context():
        outsider = make_user(username="outsider").id
    assert issue(coach, f"/{lang}/trainer/groups/{group}/members/{outsider}/reset-code").status_code == 404


def test_a_reset_code_expires_and_a_new_one_cancels_the_old(app, login):
    with app.app_context():
        make_user(username="boss", role="admin")
        rana = make_user(username="rana").id
    with freeze_time("2027-03-01 10:00") as clock:
        boss = login("boss")
        first = re.findall(r"<code>([A-Z2-9-]{19})</code>", issue(boss, f"/en/admin/users/{rana}/reset-code")
                           .get_data(as_text=True))[0]
        second = re.findall(r"<code>([A-Z2-9-]{19})</code>", issue(login("boss"), f"/en/admin/users/{rana}/reset-code")
                            .get_data(as_text=True))[0]
        assert recover(app.test_client(), "rana", first).status_code == 400
        clock.tick(dt.timedelta(hours=recovery.RESET_HOURS, minutes=1))
        assert recover(app.test_client(), "rana", second).status_code == 400


def test_reset_codes_from_the_command_line(app, runner):
    with app.app_context():
        make_user(username="rana")
    result = runner.invoke(args=["users", "reset-code", "rana"])
    assert result.exit_code == 0, result.output
    [code] = re.findall(r"[A-Z2-9]{4}(?:-[A-Z2-9]{4}){3}", result.output)
    assert recover(app.test_client(), "rana", code).status_code == 302
    assert runner.invoke(args=["users", "reset-code", "nobody"]).exit_code != 0


# --- a link by e-mail ---------------------------------------------------------------------------

def wait_for(smtp, address, n=1, seconds=10.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end and len(smtp.to(address)) < n:
        time.sleep(0.05)
    return smtp.to(address)


def ask_link(client, username, lang="en"):
    token = csrf_token(client, f"/{lang}/recover")
    return client.post(f"/{lang}/recover/email", data={"csrf_token": token, "email-username": username})


def test_an_emailed_link_sets_a_new_password_once(app, smtp, capsys):
    with app.app_context():
        make_user(username="rana", email="rana@example.org", locale="ar")
        make_user(username="no_mail")
    client = app.test_client()
    for name in ("rana", "no_mail", "nobody"):  # the same answer whatever the name
        assert ask_link(client, name).status_code == 302
        said = client.get("/en/recover").get_data(as_text=True)
        assert "If this account has an e-mail address, a link to set a new password is on its way" in said
    [message] = wait_for(smtp, "rana@example.org")
    time.sleep(0.2)
    assert len(smtp.messages) == 1  # nothing for the account without an address, nor the unknown name
    assert message["Subject"] == "تعيين كلمة مرور جديدة على elearn"
    link = re.search(r"https://elearn\.example(/ar/recover/email/\S+)", message.get_content())[1]
    page = app.test_client().get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert page_client_post(app, link, NEW).status_code == 302
    used = app.test_client().get(link)
    assert used.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(PasswordReset.method)) == "email"
    err = capsys.readouterr().err
    assert "/recover/email/[code]" in err and link.rsplit("/", 1)[1] not in err and "rana@example.org" not in err


def page_client_post(app, link, password):
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(link).get_data(as_text=True))[1]
    return client.post(link, data={"csrf_token": token, "password": password, "confirm": password})


def test_an_emailed_link_expires_after_an_hour(app):
    with app.app_context():
        rana = make_user(username="rana", email="rana@example.org")
        with freeze_time("2027-03-01 10:00"):
            token = recovery.email_token(db.session, rana, dt.datetime(2027, 3, 1, 10, 0))
    with freeze_time("2027-03-01 11:01"):
        assert app.test_client().get(f"/en/recover/email/{token}").status_code == 404


# --- look-alike pseudonyms ----------------------------------------------------------------------

LOOK_ALIKES = [
    "ｄｅｍｏ-ａｄｍｉｎ",  # full-width letters
    "dеmо-аdmіn",  # Cyrillic е, о, а, і
    "demo\u00ad-admin",  # soft hyphen
    "de\u200dmo-admin",  # zero-width joiner
    "demo\u2010admin",  # Unicode hyphen
    "DEMO-ADMIN",  # case
]


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_every_look_alike_reads_the_same_to_the_skeleton(name):
    assert skeleton(name) == skeleton("demo-admin")


def test_different_names_keep_different_skeletons():
    names = ["demo-admin", "demo-admins", "demo_admin", "rami", "rima", "سلمى_حمص", "سلمى_حماه", "أمل", "امل2"]
    assert len({skeleton(n) for n in names}) == len(names)


@pytest.mark.parametrize("lang, message", [
    ("en", "This pseudonym looks the same as one already in use"),
    ("ar", "يبدو هذا الاسم المستعار مطابقًا لاسم مستخدم من قبل")])
def test_look_alike_pseudonyms_are_refused_in_both_languages(app, lang, message):
    with app.app_context():
        make_user(username="demo-admin", role="admin")
    for name in LOOK_ALIKES[:-1]:
        response = Auth(app.test_client()).register(username=name, lang=lang)
        assert response.status_code == 400, name
        assert message in response.get_data(as_text=True), name
    taken = Auth(app.test_client()).register(username="DEMO-ADMIN", lang=lang)
    assert ("This pseudonym is taken" if lang == "en" else "هذا الاسم المستعار مستخدم") in taken.get_data(as_text=True)
    assert count(app, User) == 1


# --- logs without codes or e-mail addresses ------------------------------------------------------

def test_access_log_lines_carry_no_codes_and_no_addresses(app, client, capsys):
    from elearn.logs import redact

    for path in ("/en/join/K7M2PQRS", "/ar/verify/ABCD2345EFGH", "/verify/ABCD2345EFGH", "/en/recover/email/tok_EN-123",
                 "/en/me/certificates/ABCD2345EFGH.pdf", "/en/join/?code=K7M2PQRS"):
        client.get(path)
    err = capsys.readouterr().err
    for secret in ("K7M2PQRS", "ABCD2345EFGH", "tok_EN-123"):
        assert secret not in err
    assert '"path": "/en/join/[code]"' in err and '"path": "/ar/verify/[code]"' in err
    assert redact("to <rana@example.org> refused") == "to <[e-mail]> refused"


def test_the_development_servers_request_lines_are_redacted(capsys):
    import io
    import logging

    from elearn.web import RedactingRequestHandler

    handler = RedactingRequestHandler.__new__(RedactingRequestHandler)
    handler.client_address = ("127.0.0.1", 5555)
    handler.requestline = "GET /en/join/K7M2PQRS?next=/x HTTP/1.1"
    handler.command, handler.path, handler.request_version = "GET", "/en/join/K7M2PQRS?next=/x", "HTTP/1.1"
    stream = io.StringIO()
    werkzeug_log = logging.getLogger("werkzeug")
    log_handler = logging.StreamHandler(stream)
    werkzeug_log.addHandler(log_handler)
    werkzeug_log.setLevel(logging.INFO)
    try:
        handler.log_request(200, 1234)
    finally:
        werkzeug_log.removeHandler(log_handler)
    line = stream.getvalue()
    assert "/en/join/[code]" in line and "K7M2PQRS" not in line and "next" not in line


# --- pages that carry secrets -------------------------------------------------------------------

def test_pages_with_codes_echo_no_query_parameters_are_not_stored_or_compressed(app, login):
    with app.app_context():
        group = make_group("coach", ["rana"])
        group_id, code = group.id, group.invite_code
    coach = login("coach")
    response = coach.get(f"/en/trainer/groups/{group_id}/?{code[0]}=probe&csrf_token=guess", headers={"Accept-Encoding": "br, gzip"})
    html = response.get_data(as_text=True)
    assert code in html and "probe" not in html and "guess" not in html
    assert response.headers["Cache-Control"] == "no-store" and "Content-Encoding" not in response.headers
    # A page without secrets is still compressed; a page that reads a parameter keeps it in its language link.
    lesson = coach.get("/en/modules/sample/first-lesson/?probe=1", headers={"Accept-Encoding": "gzip"})
    assert lesson.headers.get("Content-Encoding") == "gzip"
    login_page = app.test_client().get("/en/login?next=/en/me/&probe=1").get_data(as_text=True)
    assert 'href="/ar/login?next=' in login_page and "probe" not in login_page


def test_invitation_emails_are_capped_per_trainer_per_day(app, smtp, login):
    app.config["INVITATIONS_PER_DAY"] = 3
    with app.app_context():
        group_id = make_group("coach").id
    coach = login("coach")

    def invite(addresses):
        token = csrf_token(coach, f"/en/trainer/groups/{group_id}/")
        return coach.post(f"/en/trainer/groups/{group_id}/invite", data={"csrf_token": token,
                                                                         "addresses": "\n".join(addresses)})

    assert invite(["a@example.org", "b@example.org"]).status_code == 302
    refused = invite(["c@example.org", "d@example.org"])
    assert refused.status_code == 429 and "Left for today: 1" in refused.get_data(as_text=True)
    assert invite(["c@example.org"]).status_code == 302
    assert len(smtp.messages) == 3
    with freeze_time(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1), ignore=["asyncio", "aiosmtpd"]):
        coach = login("coach")  # the earlier session has ended by then
        assert invite(["d@example.org"]).status_code == 302
