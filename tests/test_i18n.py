"""Locale from the URL, redirects from /, direction markup, switching, Arabic catalogue."""
import re

import pytest

from factories import make_user


@pytest.mark.parametrize("header, expected", [
    ("en-GB,en;q=0.9", "/en/"),
    ("ar-SY,ar;q=0.9,en;q=0.5", "/ar/"),
    ("fr-FR,fr;q=0.9", "/ar/"),  # neither language: Arabic
    (None, "/ar/"),
])
def test_root_redirects_by_accept_language(client, header, expected):
    headers = {"Accept-Language": header} if header else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_root_prefers_saved_choice_over_browser(client, login):
    login("huda", client, locale="ar")  # her saved choice
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.headers["Location"] == "/ar/"


@pytest.mark.parametrize("lang, direction", [("ar", "rtl"), ("en", "ltr")])
@pytest.mark.parametrize("path", ["/", "/modules/sample/", "/modules/sample/first-lesson/", "/login", "/register"])
def test_html_lang_and_dir(client, lang, direction, path):
    response = client.get(f"/{lang}{path}")
    assert response.status_code == 200
    assert f'<html lang="{lang}" dir="{direction}">' in response.get_data(as_text=True)


def test_language_switch_keeps_the_page(client):
    html = client.get("/en/modules/sample/first-lesson/").get_data(as_text=True)
    assert 'href="/ar/modules/sample/first-lesson/"' in html
    html = client.get("/ar/modules/sample/").get_data(as_text=True)
    assert 'href="/en/modules/sample/"' in html


def test_language_switch_keeps_query_string(client):
    html = client.get("/en/login?next=/en/modules/sample/").get_data(as_text=True)
    assert re.search(r'href="/ar/login\?next=(/|%2F)en(/|%2F)modules(/|%2F)sample(/|%2F)"', html)


def test_interface_strings_really_are_arabic(client):
    """Flask-Babel silently falls back to English without a compiled catalogue: check it did not."""
    ar = client.get("/ar/login").get_data(as_text=True)
    assert "تسجيل الدخول" in ar
    assert "Sign in" not in ar
    assert "Sign in" in client.get("/en/login").get_data(as_text=True)


def test_dates_and_numbers_follow_the_locale(client):
    en = client.get("/en/modules/sample/first-lesson/").get_data(as_text=True)
    ar = client.get("/ar/modules/sample/first-lesson/").get_data(as_text=True)
    assert "1 November 2026" in en
    # the lessons' month names (Levantine/Egyptian), Western digits, no bidi marks
    assert "1 تشرين الثاني/نوفمبر 2026" in ar and "\u200f" not in ar
    assert "درسان" in client.get("/ar/").get_data(as_text=True)  # Arabic dual: "two lessons"


def test_unknown_language_prefix_is_404(client):
    assert client.get("/fr/").status_code == 404


@pytest.mark.parametrize("lang, text", [("ar", "الصفحة غير موجودة"), ("en", "Page not found")])
def test_404_page_in_both_languages(client, lang, text):
    response = client.get(f"/{lang}/modules/no-such-module/")
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_500_page_in_both_languages(app):
    @app.get("/<lang:lang>/boom")
    def boom(lang):
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    for lang, text in [("ar", "حدث خطأ ما"), ("en", "Something went wrong")]:
        response = client.get(f"/{lang}/boom")
        assert response.status_code == 500
        assert text in response.get_data(as_text=True)
        assert f'lang="{lang}"' in response.get_data(as_text=True)


def test_saved_choice_is_used_for_pages_without_prefix(app, client):
    with app.app_context():
        make_user(username="sami", locale="en")
    response = client.get("/healthz")
    assert response.status_code == 200


@pytest.mark.parametrize("n, text", [(0, "لا دروس"), (1, "درس واحد"), (2, "درسان"), (7, "7 دروس"),
                                     (11, "11 درسًا"), (99, "99 درسًا"), (100, "100 درس"), (103, "103 دروس")])
def test_arabic_plural_forms_follow_the_number(app, n, text):
    from flask_babel import force_locale, ngettext

    with app.test_request_context("/ar/"), force_locale("ar"):
        assert ngettext("%(num)s lesson", "%(num)s lessons", n) == text
