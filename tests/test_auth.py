"""Register, sign in and out, account settings, CSRF, validation messages in both languages."""
import pytest
from sqlalchemy import select

from conftest import Auth, csrf_token
from elearn.auth.models import User
from elearn.db import db
from factories import make_user


def get_user(app, username):
    with app.app_context():
        return db.session.scalar(select(User).where(User.username_key == username.casefold()))


def test_register_signs_in_and_stores_a_hashed_password(app, client, auth):
    response = auth.register(username="Rami", lang="en")
    # The answer is the page of recovery codes, shown this once; it leads on to the home page.
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert 'href="/en/"' in response.get_data(as_text=True)
    user = get_user(app, "rami")
    assert user.display_name == "Rami" and user.email is None and user.role == "learner"
    assert user.password_hash.startswith("scrypt:")
    assert "correct horse battery" not in user.password_hash
    assert "Rami" in client.get("/en/account").get_data(as_text=True)


def test_register_without_csrf_token_is_refused(app, client):
    response = client.post("/en/register", data={"username": "x1234", "password": "p" * 12, "confirm": "p" * 12,
                                                 "locale": "en"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert get_user(app, "x1234") is None


def test_csrf_error_page_is_arabic_on_arabic_pages(client):
    response = client.post("/ar/login", data={"username": "a", "password": "b"})
    assert response.status_code == 400
    assert "انتهت صلاحية هذا النموذج" in response.get_data(as_text=True)


@pytest.mark.parametrize("field, value, en, ar", [
    ("username", "", "This field is required.", "هذا الحقل مطلوب."),
    ("username", "ab", "Use between 3 and 40 characters.", "استخدم ما بين 3 و40 حرفًا."),
    ("username", "has space", "No spaces", "بلا مسافات"),
    ("email", "not-an-email", "This does not look like an e-mail address.", "لا يبدو هذا عنوان بريد إلكتروني صحيحًا."),
    ("password", "short", "Use between 10 and 200 characters.", "استخدم ما بين 10 و200 حرفًا."),
    ("confirm", "something else entirely", "The two passwords do not match.", "كلمتا المرور غير متطابقتين."),
])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_register_validation_messages(app, client, field, value, en, ar, lang):
    data = {"username": "valid_name", "email": "", "password": "long enough pw", "confirm": "long enough pw",
            "locale": lang, "csrf_token": csrf_token(client, f"/{lang}/register")}
    data[field] = value
    if field == "password":
        data["confirm"] = value
    response = client.post(f"/{lang}/register", data=data)
    assert response.status_code == 400
    assert (ar if lang == "ar" else en) in response.get_data(as_text=True)
    assert get_user(app, data["username"]) is None


def test_register_keeps_typed_values_after_an_error(client):
    data = {"username": "keepme", "email": "k@example.org", "password": "long enough pw", "confirm": "nope",
            "locale": "en", "csrf_token": csrf_token(client, "/en/register")}
    html = client.post("/en/register", data=data).get_data(as_text=True)
    assert 'value="keepme"' in html and 'value="k@example.org"' in html


@pytest.mark.parametrize("lang, text", [("en", "This pseudonym is taken"), ("ar", "هذا الاسم المستعار مستخدم")])
def test_duplicate_pseudonym_is_refused_case_insensitively(app, client, auth, lang, text):
    with app.app_context():
        make_user(username="Nour")
    response = auth.register(username="nour", lang=lang)
    assert response.status_code == 400
    assert text in response.get_data(as_text=True)


def test_login_and_logout(client, auth, app):
    with app.app_context():
        make_user(username="lina", locale="ar")
    response = auth.login("LINA")
    assert response.status_code == 302 and response.headers["Location"] == "/ar/"
    assert client.get("/en/account").status_code == 200
    auth.logout()
    response = client.get("/en/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/en/login")


@pytest.mark.parametrize("lang, text", [("en", "Wrong pseudonym or password."), ("ar", "الاسم المستعار أو كلمة المرور غير صحيحة.")])
def test_wrong_password_is_refused(client, auth, app, lang, text):
    with app.app_context():
        make_user(username="omar")
    response = auth.login("omar", "wrong password!", lang=lang)
    assert response.status_code == 400
    assert text in response.get_data(as_text=True)
    assert client.get(f"/{lang}/account").status_code == 302


def test_the_tests_fast_sign_in_gives_what_the_form_gives(app, login):
    """conftest's `login` (tests whose subject is not signing in use it) must stay equal to
    signing in through the form: the same session keys, accepted the same way."""
    with app.app_context():
        make_user(username="twice")
    form, fast = app.test_client(), login("twice")
    assert Auth(form).login("twice").status_code == 302
    with form.session_transaction() as by_form, fast.session_transaction() as by_login:
        assert set(by_form) - {"_flashes"} == set(by_login) and by_form.permanent and by_login.permanent
    for client in (form, fast):
        assert client.get("/en/account").status_code == 200


def test_login_redirects_to_a_local_next_only(client, app):
    with app.app_context():
        make_user(username="maya")
    for target, expected in [("/en/modules/sample/", "/en/modules/sample/"), ("//evil.example/", "/en/"),
                             ("https://evil.example/", "/en/")]:
        token = csrf_token(client, "/en/login")
        response = client.post(f"/en/login?next={target}", data={"username": "maya", "password": "correct horse battery",
                                                                   "csrf_token": token})
        assert response.headers["Location"] == expected


def test_account_settings_are_saved(client, auth, app):
    auth.register(username="dana")
    token = csrf_token(client, "/en/account")
    response = client.post("/en/account", data={
        "profile-csrf_token": token, "csrf_token": token, "profile-display_name": "Dana K.",
        "profile-certificate_name": "دانة ك.", "profile-email": "", "profile-locale": "ar"})
    assert response.status_code == 302 and response.headers["Location"] == "/ar/account"
    user = get_user(app, "dana")
    assert (user.display_name, user.certificate_name, user.locale) == ("Dana K.", "دانة ك.", "ar")
    assert user.name_for_certificates == "دانة ك."


def test_change_password_signs_out_other_browsers(app, auth, client):
    auth.register(username="hadi")
    other = app.test_client()
    assert Auth(other).login("hadi").status_code == 302
    token = csrf_token(client, "/en/account")
    response = client.post("/en/account", data={"csrf_token": token, "password-current": "correct horse battery",
                                                "password-password": "a brand new password",
                                                "password-confirm": "a brand new password"})
    assert response.status_code == 302
    assert client.get("/en/account").status_code == 200  # this browser stays signed in
    assert other.get("/en/account").status_code == 302  # the other one is signed out
    assert Auth(app.test_client()).login("hadi", "a brand new password").status_code == 302


def test_change_password_with_wrong_current_password(auth, client):
    auth.register(username="ziad")
    token = csrf_token(client, "/ar/account")
    response = client.post("/ar/account", data={"csrf_token": token, "password-current": "not my password",
                                                "password-password": "a brand new password",
                                                "password-confirm": "a brand new password"})
    assert response.status_code == 400
    assert "كلمة المرور الحالية غير صحيحة." in response.get_data(as_text=True)


def test_users_create_command(runner, app):
    result = runner.invoke(args=["users", "create", "trainer1", "--role", "trainer", "--password", "trainer password"])
    assert result.exit_code == 0, result.output
    assert get_user(app, "trainer1").role == "trainer"
    result = runner.invoke(args=["users", "create", "trainer1", "--role", "admin", "--password", "trainer password"])
    assert result.exit_code != 0 and "taken" in result.output


def test_login_is_rate_limited(app, tmp_path):
    from conftest import base_config
    from elearn import create_app

    limited = create_app({**base_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"]), "RATELIMIT_ENABLED": True})
    client = limited.test_client()
    responses = []
    for _ in range(12):
        token = csrf_token(client, "/en/login")
        responses.append(client.post("/en/login", data={"username": "x", "password": "y", "csrf_token": token}))
    assert [r.status_code for r in responses[:10]] == [400] * 10
    assert responses[-1].status_code == 429
    assert "Too many attempts" in responses[-1].get_data(as_text=True)
