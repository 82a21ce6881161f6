"""Destructive actions ask first (issue 15): removing a member, leaving a group, removing an
assignment, revoking a certificate. The first request (the GET of the action's address, or a
POST without `confirm`) changes nothing and shows what would happen; the confirmation does it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from conftest import csrf_token
from elearn.certificates import service as certificates
from elearn.db import db
from elearn.trainer.models import Assignment, Membership
from factories import finish_module, make_assignment, make_group, user


def memberships() -> int:
    return db.session.scalar(select(func.count(Membership.id)))


def confirm_token(html: str) -> str:
    """The CSRF token of the confirmation form (it posts `confirm=yes`)."""
    form = re.search(r'<form method="post" class="actions confirm">(.*?)</form>', html, re.S)
    assert form and 'name="confirm"' in form.group(1) and 'value="yes"' in form.group(1), html
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.group(1)).group(1)


@pytest.fixture
def workshop(app):
    with app.app_context():
        group = make_group("coach", ["rana"], name="ورشة بيروت · Beirut workshop")
        assignment = make_assignment(group)
        return {"group": group.id, "rana": user("rana").id, "assignment": assignment.id}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_removing_a_member_asks_first(app, trainer, workshop, lang):
    url = f"/{lang}/trainer/groups/{workshop['group']}/members/{workshop['rana']}/remove"
    page = trainer.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<bdi>Rana</bdi>" in html and "<bdi>ورشة بيروت · Beirut workshop</bdi>" in html
    assert ("Remove from the group" if lang == "en" else "الإزالة من المجموعة") in html
    # a POST without the confirmation (the old one-click form) only asks again
    again = trainer.post(url, data={"csrf_token": csrf_token(trainer, f"/{lang}/trainer/")})
    assert again.status_code == 200
    with app.app_context():
        assert memberships() == 1
    done = trainer.post(url, data={"csrf_token": confirm_token(html), "confirm": "yes"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/trainer/groups/{workshop['group']}/")
    with app.app_context():
        assert memberships() == 0


def test_a_confirmation_without_a_valid_token_changes_nothing(app, trainer, workshop):
    url = f"/en/trainer/groups/{workshop['group']}/members/{workshop['rana']}/remove"
    assert trainer.post(url, data={"csrf_token": "forged", "confirm": "yes"}).status_code == 400
    with app.app_context():
        assert memberships() == 1


def test_leaving_a_group_asks_first(app, login, workshop):
    rana = login("rana")
    me = rana.get("/en/me/").get_data(as_text=True)
    url = f"/en/groups/{workshop['group']}/leave"
    assert f'href="{url}"' in me  # a link to the question, not a one-click form
    html = rana.get(url).get_data(as_text=True)
    assert "Leave <bdi>ورشة بيروت · Beirut workshop</bdi>?" in html and "Leave the group" in html
    with app.app_context():
        assert memberships() == 1
    assert rana.post(url, data={"csrf_token": confirm_token(html), "confirm": "yes"}).status_code == 302
    with app.app_context():
        assert memberships() == 0
    # someone not in the group is sent back to their page
    assert rana.get(url).status_code == 302


def test_removing_an_assignment_asks_first(app, trainer, workshop):
    url = f"/en/trainer/groups/{workshop['group']}/assignments/{workshop['assignment']}/delete"
    group_page = trainer.get(f"/en/trainer/groups/{workshop['group']}/").get_data(as_text=True)
    assert f'href="{url}"' in group_page
    html = trainer.get(url).get_data(as_text=True)
    assert "Remove the assignment of <bdi>" in html and "Assigned to everyone in the group, due " in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Assignment.id))) == 1
    trainer.post(url, data={"csrf_token": confirm_token(html), "confirm": "yes"})
    with app.app_context():
        assert db.session.scalar(select(func.count(Assignment.id))) == 0


def test_revoking_a_certificate_asks_first_and_keeps_the_reason(app, login):
    with app.app_context():
        code = finish_module("lena").code
    admin = login("boss", role="admin")
    url = f"/en/admin/certificates/{code}"
    asked = admin.post(url, data={"csrf_token": csrf_token(admin, url), "reason": "duplicate account"})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Revoke the certificate of <bdi>" in html and "duplicate account" in html
    assert '<input type="hidden" name="reason" value="duplicate account">' in html
    with app.app_context():
        assert certificates.find(db.session, code).revoked_at is None
    done = admin.post(url, data={"csrf_token": confirm_token(html), "confirm": "yes", "reason": "duplicate account"})
    assert done.status_code == 302
    with app.app_context():
        assert certificates.find(db.session, code).revoked_reason == "duplicate account"
