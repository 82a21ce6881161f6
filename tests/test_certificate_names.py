"""The name on certificates is checked where it is entered (issue 15): characters the
certificate font cannot draw are named, and a name too long for the frame is refused."""
from __future__ import annotations

import pytest

from conftest import csrf_token
from factories import user


def save(client, lang="en", display="Dana", certificate=""):
    token = csrf_token(client, f"/{lang}/account")
    return client.post(f"/{lang}/account", data={
        "profile-csrf_token": token, "csrf_token": token, "profile-display_name": display,
        "profile-certificate_name": certificate, "profile-email": "", "profile-locale": lang})


@pytest.mark.parametrize("lang, message", [
    ("en", "Certificates cannot print these characters: 😀 Ω. Write the name without them."),
    ("ar", "لا يمكن طباعة هذه المحارف على الشهادات: 😀 Ω. اكتب الاسم من دونها."),
])
def test_characters_the_certificate_cannot_print_are_named(app, login, lang, message):
    client = login("dana")
    response = save(client, lang, certificate="Dana 😀 Ωmega")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert user("dana").certificate_name is None


def test_a_display_name_used_on_certificates_is_checked_too(app, login):
    client = login("dana")
    response = save(client, display="Dana 🌻")
    assert response.status_code == 400
    assert "Your display name has characters certificates cannot print: 🌻" in response.get_data(as_text=True)
    # with a printable name for certificates the display name may keep its flower
    assert save(client, display="Dana 🌻", certificate="Dana Haddad").status_code == 302
    with app.app_context():
        assert user("dana").name_for_certificates == "Dana Haddad"


def test_a_name_too_long_for_the_frame_is_refused(app, login):
    client = login("dana")
    long_name = "Maria-Theresia Walburga Amalia Christina von Habsburg-Lothringen de Bourbon y Borbón-Dos Sicilias"
    response = save(client, certificate=long_name)
    assert response.status_code == 400 and "too long to fit on a certificate" in response.get_data(as_text=True)
    # Arabic, Latin with accents and invisible joiners are printable
    assert save(client, certificate="دانة حدّاد\u200c Ünal Şahin").status_code == 302
