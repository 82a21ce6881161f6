"""Property-based tests (hypothesis): whatever a visitor sends, to any form or in any URL
parameter, the answer is never a server error, nothing out of range is stored, and names
holding markup are always shown as text."""
from __future__ import annotations

import os
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st
from markupsafe import escape
from sqlalchemy import select

from conftest import csrf_token
from elearn.views.forms import EMAIL, USERNAME
from elearn.auth.models import User
from elearn.auth.service import username_key
from elearn.db import db
from elearn.i18n import LANGUAGES
from elearn.quiz.models import QuizAttempt
from elearn.trainer.models import Group
from factories import finish_module, make_user
from quizhelpers import attempt_id, start

pytestmark = pytest.mark.slow  # hundreds of requests per test; `-m "not slow"` leaves them out

# On a developer's machine each run tries new examples; in CI (CI=true) the examples are fixed,
# so a submission is never failed by an example that an unrelated change happened to draw.
IN_CI = bool(os.environ.get("CI"))
# Few examples per test and no deadline: the suite stays fast on two busy cores. Tests whose
# examples each hash a password (scrypt) or load many pages run fewer.
FAST = settings(max_examples=30, deadline=None, derandomize=IN_CI,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FEW = settings(FAST, max_examples=15)

MARKUP = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{ 7*7 }}", "{% raw %}x",
          "javascript:alert(1)", "' OR 1=1 --", "\u202eevil\u202c", "ß" * 40, "İ" * 30, "%00%2F..", "..\\..\\",
          "\r\nSet-Cookie: x=1", "&amp;&lt;", "\ufeff\u200f", "𝕏" * 20, "٣", "²", "9" * 5000, "-1", "0", " ", ""]
# Text of every kind: any Unicode (NUL and controls included), markup, very long values.
TEXT = st.one_of(st.text(max_size=60), st.sampled_from(MARKUP), st.text(min_size=200, max_size=2000),
                 st.builds(lambda piece, n: piece * n, st.sampled_from(["a", "ب", "<", "ß", "\x00"]),
                           st.sampled_from([1, 41, 81, 121, 201, 255, 5000, 300_000])))
EXTRA = st.dictionaries(st.text(min_size=1, max_size=12), TEXT, max_size=3)  # unknown fields
LANG = st.sampled_from(LANGUAGES)
HIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def post(client, url: str, token_page: str, data: dict, extra: dict, prefix: str = ""):
    """POST a form with a valid CSRF token, unknown fields added, and check it was not a 5xx."""
    fields = {k: v for k, v in extra.items() if k not in data}
    fields.update(data)
    fields[prefix + "csrf_token"] = fields["csrf_token"] = csrf_token(client, token_page)
    response = client.post(url, data=fields)
    assert response.status_code < 500, (url, fields)
    return response


def check_shown_inert(html: str, *values: str | None) -> None:
    """A value holding markup appears escaped, and (when long enough not to occur in the page's own
    markup by chance, as "<" or "<a" would) never raw."""
    for value in values:
        if value and "<" in value:
            assert str(escape(value)) in html
            assert len(value) < 8 or value not in html


def check_user(user: User) -> None:
    """Everything stored about a person is within its rules."""
    assert re.match(USERNAME, user.username) and user.username == user.username.strip()
    assert user.username_key == username_key(user.username) and len(user.username_key) <= 40
    assert 1 <= len(user.display_name) <= 80 and user.display_name == user.display_name.strip()
    assert not HIDDEN.search(user.display_name)
    assert user.certificate_name is None or (0 < len(user.certificate_name) <= 120
                                             and not HIDDEN.search(user.certificate_name))
    assert user.email is None or (re.match(EMAIL, user.email) and len(user.email) <= 254)
    assert user.locale in LANGUAGES and user.role in ("learner", "trainer", "admin")


# --- forms -----------------------------------------------------------------------------------

@FAST
@given(lang=LANG, username=TEXT, email=TEXT, password=TEXT, confirm=st.none() | TEXT, locale=TEXT, extra=EXTRA)
def test_register_form(app, lang, username, email, password, confirm, locale, extra):
    client = app.test_client()
    data = {"username": username, "email": email, "password": password,
            "confirm": password if confirm is None else confirm, "locale": locale}
    response = post(client, f"/{lang}/register", f"/{lang}/register", data, extra)
    if response.status_code == 302:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.username_key == username_key(username)))
            check_user(user)
        check_shown_inert(client.get(f"/{lang}/account").get_data(as_text=True), user.username)


@FAST
@given(lang=LANG, username=TEXT, password=TEXT, extra=EXTRA, target=TEXT)
def test_sign_in_form(app, lang, username, password, extra, target):
    client = app.test_client()
    response = client.get(f"/{lang}/login", query_string={"next": target})
    assert response.status_code < 500
    response = post(client, f"/{lang}/login", f"/{lang}/login", {"username": username, "password": password}, extra)
    assert response.status_code in (400, 413, 429)
    with app.app_context():
        assert db.session.scalar(select(User)) is None


def assert_only_own_scripts(html: str) -> None:
    """The only script elements on a page are the app's own files (offline.js), never one made
    of what a user typed."""
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
        assert re.match(r'<script src="/static/js/[a-z-]+\.js\?v=[0-9a-f]+"', tag), tag


@pytest.fixture
def learner(login):
    return login("propuser", display_name="Prop User")


@FAST
@given(display=TEXT, certificate=TEXT, email=TEXT, locale=TEXT, extra=EXTRA, lang=LANG)
def test_account_form(app, learner, display, certificate, email, locale, extra, lang):
    post(learner, f"/{lang}/account", f"/{lang}/account", {
        "profile-display_name": display, "profile-certificate_name": certificate, "profile-email": email,
        "profile-locale": locale}, extra, prefix="profile-")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username_key == "propuser"))
        check_user(user)
    for page in (f"/{lang}/account", f"/{lang}/me/", f"/{lang}/"):
        html = learner.get(page).get_data(as_text=True)
        assert_only_own_scripts(html)
        check_shown_inert(html, user.display_name, user.certificate_name)


@FEW  # four password hashes per example
@given(current=st.sampled_from(["correct horse battery"]) | TEXT, password=TEXT, confirm=st.none() | TEXT,
       extra=EXTRA, lang=LANG)
def test_password_form(app, login, current, password, confirm, extra, lang):
    client = login()
    response = post(client, f"/{lang}/account", f"/{lang}/account", {
        "password-current": current, "password-password": password,
        "password-confirm": password if confirm is None else confirm}, extra, prefix="password-")
    if response.status_code == 302:  # changed: the new password follows the policy
        from elearn.auth import passwords

        assert current == "correct horse battery" and passwords.problem(password) is None


@pytest.fixture
def trainer(login):
    return login("proptrainer", role="trainer")


@FAST
@given(name=TEXT, extra=EXTRA, lang=LANG)
def test_group_form(app, trainer, name, extra, lang):
    response = post(trainer, f"/{lang}/trainer/", f"/{lang}/trainer/", {"name": name}, extra)
    with app.app_context():
        groups = db.session.scalars(select(Group)).all()
    for group in groups:
        assert 0 < len(group.name) <= 120 and group.name == group.name.strip() and "\x00" not in group.name
    if response.status_code == 302:
        html = trainer.get(response.headers["Location"]).get_data(as_text=True)
        check_shown_inert(html, groups[-1].name)
        check_shown_inert(trainer.get(f"/{lang}/trainer/").get_data(as_text=True), groups[-1].name)


@settings(FAST, max_examples=20)
@given(code=TEXT, lang=LANG, extra=EXTRA)
def test_join_code(app, learner, code, lang, extra):
    for client in (learner, app.test_client()):
        assert client.get(f"/{lang}/join/", query_string={"code": code}).status_code < 500
        if code:
            url = f"/{lang}/join/{quote(code, safe='')}"
            assert client.get(url).status_code < 500
            assert client.post(url, data={**extra, "csrf_token": csrf_token(client, f"/{lang}/login")}).status_code < 500


@FAST
@given(code=TEXT, lang=LANG)
def test_verify_code(client, code, lang):
    response = client.get(f"/{lang}/verify/", query_string={"code": code})
    assert response.status_code < 500
    if response.status_code == 302:
        assert client.get(response.headers["Location"]).status_code in (200, 404)
    if code:
        # 404 for an unknown code, 400 for NUL, a redirect when it decodes to "/" (merged slashes).
        assert client.get(f"/{lang}/verify/{quote(code, safe='')}").status_code in (308, 400, 404)


@pytest.fixture
def attempt(app, learner):
    """The learner's open attempt at the final quiz: (client, location, the shown layout)."""
    location = start(learner)
    with app.app_context():
        layout = db.session.get(QuizAttempt, attempt_id(location)).layout
    return location, layout


@FAST
@given(number=st.integers(-5, 10) | st.integers(2**31 - 5, 2**70), answers=st.lists(TEXT, max_size=4),
       pick=st.lists(st.integers(0, 5), max_size=4), go=TEXT | st.sampled_from(["prev", "next", "review", "1", "2"]),
       extra=EXTRA)
@example(number=1, answers=[], pick=[0], go="²", extra={})  # a digit that int() does not read
@example(number=1, answers=[], pick=[], go="9" * 5000, extra={})  # more digits than int() reads
@example(number=2, answers=["<b>"], pick=[], go="٢", extra={})  # an Arabic-Indic digit
def test_quiz_answer_posts(app, learner, attempt, number, answers, pick, go, extra):
    location, layout = attempt
    aid = attempt_id(location)
    url = f"/en/attempts/{aid}/{number}"
    shown = layout[number - 1]["o"] if 1 <= number <= len(layout) else []
    chosen = [shown[i] for i in pick if i < len(shown)] + answers
    response = learner.post(url, data={**extra, "csrf_token": csrf_token(learner, f"/en/attempts/{aid}/1"),
                                       "answer": chosen, "go": go})
    assert response.status_code < 500
    if response.status_code == 302:
        assert response.headers["Location"].startswith(f"/en/attempts/{aid}/")
    with app.app_context():
        stored = db.session.get(QuizAttempt, aid).answers or {}
    for item in layout:  # only ids of options that were shown for that question are ever stored
        assert set(stored.get(item["q"], [])) <= set(item["o"])
    assert set(stored) <= {item["q"] for item in layout}


# --- URL parameters -----------------------------------------------------------------------------

SEGMENT = TEXT.filter(bool).map(lambda s: quote(s, safe=""))  # any text, as one path segment


@settings(FAST, max_examples=20)
@given(lang=SEGMENT | LANG, module=SEGMENT | st.just("sample"), lesson=SEGMENT | st.just("first-lesson"),
       quiz=SEGMENT | st.just("final"), number=st.integers(-10, 2**70).map(str) | SEGMENT, next_=TEXT)
def test_url_parameters_never_fail(app, learner, lang, module, lesson, quiz, number, next_):
    paths = [f"/{lang}/", f"/{lang}/modules/{module}/", f"/{lang}/modules/{module}/{lesson}/",
             f"/{lang}/modules/{module}/quizzes/{quiz}/", f"/en/attempts/{number}/{number}",
             f"/en/attempts/{number}/review", f"/en/attempts/{number}/result", f"/en/me/certificates/{module}.pdf",
             f"/en/modules/{module}/refresher/", f"/en/trainer/groups/{number}/"]
    for client in (learner, app.test_client()):
        for path in paths:
            assert client.get(path).status_code < 500, path
        response = client.get("/en/login", query_string={"next": next_})
        assert response.status_code < 500


@pytest.fixture
def trainer_group(app, trainer):
    with app.app_context():
        from elearn.trainer import service

        owner = db.session.scalar(select(User).where(User.username_key == "proptrainer"))
        return service.create_group(db.session, owner, "Workshop").id


REPORT_ARGS = st.dictionaries(st.sampled_from(["page", "module", "status", "sort", "order", "q", "go", "next"]),
                              TEXT | st.sampled_from(["²", "٣", "0", "-1", "9" * 5000, "sample", "desc", "%_"]),
                              max_size=6)


@settings(FEW, max_examples=10)  # seven pages per example
@given(args=REPORT_ARGS, lang=LANG, module=SEGMENT | st.just("sample"), quiz=SEGMENT | st.just("final"))
@example(args={"page": "²"}, lang="en", module="sample", quiz="final")
@example(args={"page": "9" * 5000, "sort": "²", "q": "%_\\"}, lang="ar", module="sample", quiz="final")
def test_trainer_and_admin_url_parameters_never_fail(app, trainer, trainer_group, args, lang, module, quiz):
    base = f"/{lang}/trainer/groups/{trainer_group}"
    for path in [f"{base}/", f"{base}/report", f"{base}/report.csv", f"{base}/modules/{module}/",
                 f"{base}/modules/{module}/quizzes/{quiz}/", f"{base}/modules/{module}/quizzes/{quiz}.csv",
                 f"/{lang}/admin/users/"]:
        assert trainer.get(path, query_string=args).status_code < 500, (path, args)


@FEW  # a password hash per example
@given(target=TEXT | st.sampled_from(["//evil.example", "/\\evil.example", "https:evil.example",
                                      "/\t/evil.example", "%2F%2Fevil.example", "http://evil.example"]))
def test_next_stays_on_this_host(app, target):
    from urllib.parse import urljoin, urlsplit

    client = app.test_client()
    response = client.post("/en/login", query_string={"next": target}, data={
        "username": "nextuser", "password": "correct horse battery", "csrf_token": csrf_token(client, "/en/login")})
    if response.status_code == 302:
        location = response.headers["Location"].replace("\\", "/").replace("\t", "").replace("\n", "")
        assert urlsplit(urljoin("http://localhost/en/login", location)).netloc == "localhost"


@pytest.fixture(autouse=True)
def _next_user(request, app):
    if request.node.name.startswith("test_next_stays"):
        with app.app_context():
            make_user(username="nextuser")


# --- names holding markup, on every page that shows them -----------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_a_name_holding_markup_is_shown_as_text_everywhere(app, client, login):
    login("xss_learner", client)
    token = csrf_token(client, "/en/account")
    client.post("/en/account", data={"profile-csrf_token": token, "profile-display_name": SCRIPT,
                                     "profile-certificate_name": SCRIPT, "profile-locale": "en"})
    with app.app_context():
        finish_module("xss_learner")
    trainer = login("xss_trainer", role="trainer")
    token = csrf_token(trainer, "/en/trainer/")
    location = trainer.post("/en/trainer/", data={"name": SCRIPT, "csrf_token": token}).headers["Location"]
    with app.app_context():
        group = db.session.scalar(select(Group))
        learner = db.session.scalar(select(User).where(User.username_key == "xss_learner"))
        from elearn.certificates.models import Certificate

        code = db.session.scalar(select(Certificate.code))
    token = csrf_token(client, f"/en/join/{group.invite_code}")
    assert client.post(f"/en/join/{group.invite_code}", data={"csrf_token": token}).status_code == 302
    admin = login("xss_admin", role="admin")
    pages = [(client, "/{lang}/account"), (client, "/{lang}/me/"), (client, "/{lang}/"),
             (client, "/{lang}/me/certificates/"), (client, f"/{{lang}}/join/{group.invite_code}"),
             (trainer, location.replace("/en/", "/{lang}/")), (trainer, "/{lang}/trainer/"),
             (trainer, f"/{{lang}}/trainer/groups/{group.id}/learners/{learner.id}/"),
             (trainer, f"/{{lang}}/trainer/groups/{group.id}/report"),
             (app.test_client(), f"/{{lang}}/verify/{code}"), (admin, f"/{{lang}}/admin/certificates/{code}"),
             (admin, "/{lang}/admin/users/")]
    shown = 0
    for lang in LANGUAGES:
        for who, page in pages:
            response = who.get(page.format(lang=lang))
            assert response.status_code in (200, 404), (page, response.status_code)
            html = response.get_data(as_text=True)
            assert SCRIPT not in html, page
            assert_only_own_scripts(html)
            shown += str(escape(SCRIPT)) in html
    assert shown >= 2 * 8  # the name (or group name) really was on most of those pages, escaped
