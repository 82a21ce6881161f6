"""Certificates: issued exactly once on completion, stored PDF, public verification, revocation."""
import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from conftest import csrf_token
from elearn.auth.models import User
from elearn.certificates import service
from elearn.certificates.models import Certificate
from elearn.db import db
from factories import finish_module, make_graded_attempt, make_user
from quizhelpers import take


@pytest.fixture
def certified(app, client, login):
    """A learner who completed the sample module, signed in on `client`; returns their
    certificate's code. (Completing through the pages: test_quiz, test_learning.)"""
    with app.app_context():
        amal = make_user(username="amal", certificate_name="أمل الخطيب")
        code = finish_module(amal).code
    login("amal", client)
    return code


def test_certificate_is_issued_once_on_completion(app, client, certified):
    with app.app_context():
        cert = db.session.scalar(select(Certificate))
        assert cert.name == "أمل الخطيب" and cert.module_id == "sample"
        assert cert.content_version == app.extensions["catalog"].module("sample").version
        assert cert.expires_on == service.add_months(cert.issued_at.date(), 12)
        assert cert.pdf.startswith(b"%PDF")
    take(app, client, "final")  # passing again does not issue another
    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == 1
        user = db.session.get(User, cert.user_id)
        assert service.issue_if_complete(db.session, app.extensions["catalog"], user,
                                         app.extensions["catalog"].module("sample"),
                                         service.Policy.from_config(app.config)) is None


def test_no_certificate_before_completion(app):
    with app.app_context():
        make_graded_attempt(make_user(), "final")
        assert db.session.scalar(select(func.count(Certificate.id))) == 0


def test_codes_carry_80_random_bits():
    codes = {service.new_code() for _ in range(200)}
    assert len(codes) == 200
    code = codes.pop()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code)  # 16 base32 chars = 80 bits
    assert service.normalise_code(code.lower().replace("-", " ")) == code


@pytest.mark.parametrize("lang, valid, module", [("en", "Valid certificate", "A sample module"),
                                                 ("ar", "شهادة سارية", "وحدة تجريبية")])
def test_verify_valid_without_sign_in(app, certified, lang, valid, module):
    anonymous = app.test_client()
    response = anonymous.get(f"/{lang}/verify/{certified}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert valid in html and module in html and "أمل الخطيب" in html
    assert "amal" not in html  # nothing more about the person than the chosen name


def test_verify_expired_and_revoked(app, certified):
    anonymous = app.test_client()
    with app.app_context():
        cert = service.find(db.session, certified)
        cert.expires_on = dt.date.today() - dt.timedelta(days=1)
        db.session.commit()
    assert "Expired certificate" in anonymous.get(f"/en/verify/{certified}").get_data(as_text=True)
    with app.app_context():
        service.revoke(db.session, service.find(db.session, certified), "issued by mistake")
    html = anonymous.get(f"/en/verify/{certified}").get_data(as_text=True)
    assert "Revoked certificate" in html and "issued by mistake" not in html


@pytest.mark.parametrize("lang, text", [("en", "Certificate not found"), ("ar", "لم يُعثر على الشهادة")])
def test_verify_unknown_code_is_a_clear_404(client, lang, text):
    response = client.get(f"/{lang}/verify/AAAA-BBBB-CCCC-DDDD")
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_printed_verify_url_redirects_to_a_language(app, certified):
    response = app.test_client().get(f"/verify/{certified}", headers={"Accept-Language": "ar"})
    assert response.status_code == 302 and response.headers["Location"] == f"/ar/verify/{certified}"
    typed = app.test_client().get(f"/en/verify/?code={certified.lower().replace('-', '')}")
    assert typed.headers["Location"] == f"/en/verify/{certified}"


def test_download_serves_the_stored_pdf_to_its_owner_only(app, client, certified, login):
    response = client.get(f"/en/me/certificates/{certified}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    with app.app_context():
        assert response.data == service.find(db.session, certified).pdf
    stranger = login("stranger")
    assert stranger.get(f"/en/me/certificates/{certified}.pdf").status_code == 404


def test_admin_revokes_with_a_reason(app, certified, login):
    admin = login("boss", role="admin")
    url = f"/en/admin/certificates/{certified}"
    empty = admin.post(url, data={"csrf_token": csrf_token(admin, url), "reason": ""})
    assert empty.status_code == 400 and "This field is required." in empty.get_data(as_text=True)
    response = admin.post(url, data={"csrf_token": csrf_token(admin, url), "reason": "duplicate account", "confirm": "yes"})
    assert response.status_code == 302
    with app.app_context():
        cert = service.find(db.session, certified)
        assert service.status_of(cert, 30) == "revoked" and cert.revoked_reason == "duplicate account"


def test_only_admins_can_revoke(app, client, certified):
    assert client.get(f"/en/admin/certificates/{certified}").status_code == 403
    assert app.test_client().get(f"/en/admin/certificates/{certified}").status_code == 302


def test_revoke_command(app, runner, certified):
    result = runner.invoke(args=["certificates", "revoke", certified, "--reason", "test"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert service.status_of(service.find(db.session, certified), 30) == "revoked"


def test_verification_is_rate_limited(app, tmp_path):
    from conftest import base_config
    from elearn import create_app

    limited = create_app({**base_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"]), "RATELIMIT_ENABLED": True})
    client = limited.test_client()
    codes = [client.get("/en/verify/AAAA-BBBB-CCCC-DDDD").status_code for _ in range(31)]
    assert codes[:30] == [404] * 30 and codes[30] == 429


@pytest.mark.parametrize("day, months, expected", [
    (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)), (dt.date(2026, 11, 22), 12, dt.date(2027, 11, 22)),
    (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)), (dt.date(2026, 12, 1), 1, dt.date(2027, 1, 1)),
])
def test_add_months(day, months, expected):
    assert service.add_months(day, months) == expected
