"""Certificate validity: statuses, one current certificate per learner and module, renewals that
keep history, and where the status shows (My learning, verification page, PDF)."""
import datetime as dt
import io

import pytest
from freezegun import freeze_time
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from elearn.auth.models import User
from elearn.certificates import service
from elearn.certificates.models import Certificate
from elearn.db import db
from factories import finish_module, make_certificate, make_user
from quizhelpers import take

TODAY = dt.date(2027, 3, 1)


@pytest.mark.parametrize("expires_on, revoked, superseded, expected", [
    (None, False, False, "current"),
    (TODAY + dt.timedelta(days=31), False, False, "current"),
    (TODAY + dt.timedelta(days=30), False, False, "due_soon"),  # the window's first day
    (TODAY, False, False, "due_soon"),  # the last valid day
    (TODAY - dt.timedelta(days=1), False, False, "expired"),
    (TODAY - dt.timedelta(days=1), True, False, "revoked"),  # revocation wins
    (TODAY + dt.timedelta(days=100), False, True, "superseded"),
    (TODAY - dt.timedelta(days=100), True, True, "revoked"),
])
def test_validity_status(expires_on, revoked, superseded, expected):
    revoked_at = dt.datetime(2027, 1, 1) if revoked else None
    assert service.validity_status(expires_on, revoked_at, superseded, TODAY, 30) == expected
    assert expected in service.STATUSES


def test_due_soon_window_comes_from_config(app):
    from elearn.views.certificates import certificate_status

    with app.app_context():
        user = make_user()
        cert = make_certificate(user.id, expires_on=TODAY + dt.timedelta(days=10))
        assert certificate_status(cert, TODAY) == "due_soon"
        app.config["CERTIFICATE_DUE_SOON_DAYS"] = 7
        assert certificate_status(cert, TODAY) == "current"


def test_one_current_certificate_per_learner_and_module(app):
    with app.app_context():
        user = make_user()
        first = make_certificate(user.id)
        with pytest.raises(IntegrityError):
            make_certificate(user.id)
        db.session.rollback()
        first.superseded_at = dt.datetime(2027, 1, 1)
        db.session.commit()
        make_certificate(user.id, renewed_from_id=first.id)  # a superseded one leaves room for the next
        make_certificate(user.id, module_id="other")


def test_current_certificates_in_one_query_from_a_subquery(app):
    with app.app_context():
        users = [make_user() for _ in range(3)]
        old = make_certificate(users[0].id, superseded_at=dt.datetime(2026, 1, 1))
        new = make_certificate(users[0].id, renewed_from_id=old.id)
        other = make_certificate(users[1].id)
        make_certificate(users[2].id, module_id="elsewhere")
        ids = [u.id for u in users]
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            subquery = select(User.id).where(User.id.in_(ids[:2]))
            found = service.current_certificates(db.session, subquery, ["sample"])
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(statements) == 1
        assert {k: c.id for k, c in found.items()} == {(ids[0], "sample"): new.id, (ids[1], "sample"): other.id}
        assert not hasattr(found[(ids[0], "sample")], "pdf")
        assert service.status_of(found[(ids[0], "sample")], 30) == "current"
        assert list(service.current_certificates(db.session, [ids[2]])) == [(ids[2], "elsewhere")]


def test_renewal_keeps_history_and_happens_once(app):
    catalog = app.extensions["catalog"]
    module = catalog.module("sample")
    with app.app_context(), freeze_time("2027-03-01 10:00:00"):
        user = make_user()
        previous = make_certificate(user.id, expires_on=dt.date(2027, 3, 20))
        renewed = service.renew(db.session, user, module, previous, service.Policy.from_config(app.config))
        assert renewed is not None and renewed.code != previous.code
        assert renewed.expires_on == dt.date(2028, 3, 1) and renewed.renewed_from_id == previous.id
        assert previous.superseded_at == dt.datetime(2027, 3, 1, 10)
        assert service.renew(db.session, user, module, previous, service.Policy.from_config(app.config)) is None  # a second renewal of the same one
        assert [c.id for c in service.history(db.session, user.id)] == [renewed.id, previous.id]
        assert [c.id for c in service.for_user(db.session, user.id)] == [renewed.id]
        assert service.renewal_of(db.session, previous).id == renewed.id
        assert service.status_of(previous, 30) == "superseded" and service.status_of(renewed, 30) == "current"


def test_renewed_pdf_shows_the_new_code_and_expiry(app):
    from pypdf import PdfReader

    module = app.extensions["catalog"].module("sample")
    with app.app_context(), freeze_time("2027-03-01"):
        user = make_user()
        previous = make_certificate(user.id, expires_on=dt.date(2027, 3, 20))
        renewed = service.renew(db.session, user, module, previous, service.Policy.from_config(app.config))
        text = PdfReader(io.BytesIO(renewed.pdf)).pages[0].extract_text()
        assert renewed.code in text and "1 March 2028" in text


def test_revoked_certificate_is_not_renewed(app):
    module = app.extensions["catalog"].module("sample")
    with app.app_context():
        user = make_user()
        previous = make_certificate(user.id, revoked_at=dt.datetime(2027, 1, 1))
        assert service.renew(db.session, user, module, previous, service.Policy.from_config(app.config)) is None


@pytest.mark.parametrize("lang, expected", [
    ("en", ["Superseded certificate", "Check the newer certificate"]),
    ("ar", ["شهادة مستبدلة", "تحقّق من الشهادة الأحدث"]),
])
def test_verify_page_reports_superseded_with_a_link_to_the_renewal(app, lang, expected):
    module = app.extensions["catalog"].module("sample")
    with app.app_context():
        user = make_user()
        previous = make_certificate(user.id, expires_on=dt.date.today() + dt.timedelta(days=5))
        renewed = service.renew(db.session, user, module, previous, service.Policy.from_config(app.config))
        old_code, new_code = previous.code, renewed.code
    html = app.test_client().get(f"/{lang}/verify/{old_code}").get_data(as_text=True)
    assert all(text in html for text in expected)
    assert f"/{lang}/verify/{new_code}" in html


@pytest.mark.parametrize("lang, due_soon", [("en", "It expires soon"), ("ar", "تنتهي صلاحيتها قريبًا")])
def test_verify_page_reports_due_soon_as_valid(app, lang, due_soon):
    with app.app_context():
        code = make_certificate(make_user().id, expires_on=dt.date.today() + dt.timedelta(days=3)).code
    html = app.test_client().get(f"/{lang}/verify/{code}").get_data(as_text=True)
    assert due_soon in html and "verdict-box valid" in html


@pytest.mark.parametrize("lang, labels", [
    ("en", ["Due for renewal soon", "Take the refresher", "expires on"]),
    ("ar", ["تقترب من موعد التجديد", "أدِّ الاختبار التنشيطي", "تنتهي صلاحية شهادتك"]),
])
def test_my_learning_shows_status_notice_and_refresher(app, client, login, lang, labels):
    login("huda", client, locale=lang)
    with app.app_context():
        make_certificate("huda", expires_on=dt.date.today() + dt.timedelta(days=12))
    html = client.get(f"/{lang}/me/").get_data(as_text=True)
    assert all(label in html for label in labels), html
    assert "/modules/sample/refresher/" in html


def test_history_page_lists_superseded_certificates(app, client, login):
    login("huda", client)
    module = app.extensions["catalog"].module("sample")
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username="huda"))
        previous = make_certificate(user.id, expires_on=dt.date.today() + dt.timedelta(days=12))
        renewed = service.renew(db.session, user, module, previous, service.Policy.from_config(app.config))
        codes = previous.code, renewed.code
    html = client.get("/en/me/certificates/").get_data(as_text=True)
    assert codes[0] in html and codes[1] in html and "Superseded by a renewal" in html and "Current" in html


def test_retaking_the_final_quiz_renews_an_expired_certificate(app, client, login):
    with freeze_time("2026-12-10"), app.app_context():
        first = finish_module(make_user(username="amal"))
        assert first.expires_on == dt.date(2027, 12, 10)
    with freeze_time("2028-01-05"):
        login("amal", client)
        take(app, client, "final")
    with app.app_context():
        rows = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        assert len(rows) == 2 and rows[0].superseded_at is not None
        assert rows[1].expires_on == dt.date(2029, 1, 5) and rows[1].renewed_from_id == rows[0].id
