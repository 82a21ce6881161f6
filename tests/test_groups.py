"""Trainer groups: create, invite by link or code, join after sign-up, remove, leave, access."""
import pytest
from sqlalchemy import func, select

from conftest import csrf_token
from elearn.auth.models import User
from elearn.db import db
from elearn.trainer import service
from elearn.trainer.models import Group, Membership


def create_group(client, name="Beirut workshop", lang="en"):
    url = f"/{lang}/trainer/"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "name": name})
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_trainer_creates_a_group_with_an_invitation(app, trainer):
    group_id = create_group(trainer, "ورشة بيروت")
    html = trainer.get(f"/ar/trainer/groups/{group_id}/").get_data(as_text=True)
    with app.app_context():
        group = db.session.get(Group, group_id)
        assert group.name == "ورشة بيروت" and len(group.invite_code) == service.CODE_LENGTH
    assert f"https://elearn.example/ar/join/{group.invite_code}" in html
    assert "ورشة بيروت" in trainer.get("/en/trainer/").get_data(as_text=True)


@pytest.mark.parametrize("lang, text", [("en", "This field is required."), ("ar", "هذا الحقل مطلوب.")])
def test_group_name_is_required(trainer, lang, text):
    url = f"/{lang}/trainer/"
    response = trainer.post(url, data={"csrf_token": csrf_token(trainer, url), "name": ""})
    assert response.status_code == 400 and text in response.get_data(as_text=True)


def test_new_learner_joins_through_the_invitation_link(app, trainer, client):
    group_id = create_group(trainer)
    with app.app_context():
        code = db.session.get(Group, group_id).invite_code
    page = client.get(f"/en/join/{code}")
    assert page.status_code == 200 and "Beirut workshop" in page.get_data(as_text=True)
    # sign up from the invitation, come back, join
    token = csrf_token(client, f"/en/register?next=/en/join/{code}")
    response = client.post(f"/en/register?next=/en/join/{code}", data={
        "csrf_token": token, "username": "newcomer", "password": "a long password", "confirm": "a long password",
        "locale": "en"})
    # the recovery codes are shown once, with a link on to the invitation
    assert response.status_code == 200 and f'<a class="button" href="/en/join/{code}">' in response.get_data(as_text=True)
    response = client.post(f"/en/join/{code}", data={"csrf_token": csrf_token(client, f"/en/join/{code}")})
    assert response.status_code == 302 and response.headers["Location"] == "/en/me/"
    assert "Beirut workshop" in client.get("/en/me/").get_data(as_text=True)
    assert "newcomer" in trainer.get(f"/en/trainer/groups/{group_id}/").get_data(as_text=True)
    # joining twice keeps one membership
    client.post(f"/en/join/{code}", data={"csrf_token": csrf_token(client, f"/en/join/{code}")})
    with app.app_context():
        assert db.session.scalar(select(func.count(Membership.id))) == 1


def test_join_by_typed_code_and_unknown_code(app, trainer, client):
    group_id = create_group(trainer)
    with app.app_context():
        code = db.session.get(Group, group_id).invite_code
    assert client.get(f"/en/join/?code={code.lower()}").headers["Location"] == f"/en/join/{code}"
    unknown = client.get("/ar/join/ZZZZZZZZ")
    assert unknown.status_code == 404 and "لم يُعثر على الدعوة" in unknown.get_data(as_text=True)


def test_learner_leaves_and_trainer_removes(app, trainer, client, login):
    group_id = create_group(trainer)
    login("member", client)
    with app.app_context():
        group = db.session.get(Group, group_id)
        user = db.session.scalar(select(User).where(User.username_key == "member"))
        service.join(db.session, user, group)
        user_id = user.id
    token = csrf_token(client, "/en/me/")
    assert client.post(f"/en/groups/{group_id}/leave", data={"csrf_token": token, "confirm": "yes"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Membership.id))) == 0
        service.join(db.session, db.session.get(User, user_id), db.session.get(Group, group_id))
    url = f"/en/trainer/groups/{group_id}/"
    trainer.post(f"{url}members/{user_id}/remove", data={"csrf_token": csrf_token(trainer, url), "confirm": "yes"})
    with app.app_context():
        assert db.session.scalar(select(func.count(Membership.id))) == 0


def test_access_to_trainer_routes(app, trainer, login):
    """Every trainer route as anonymous, learner, another trainer and admin."""
    group_id = create_group(trainer)
    clients = {"learner1": login("learner1"), "coach2": login("coach2", role="trainer"),
               "boss": login("boss", role="admin"), "anonymous": app.test_client()}
    routes = ["/en/trainer/", f"/en/trainer/groups/{group_id}/"]
    expected = {
        "anonymous": [302, 302],
        "learner1": [403, 403],
        "coach2": [200, 403],   # their own dashboard, not another trainer's group
        "boss": [200, 200],
    }
    for who, codes in expected.items():
        got = [clients[who].get(route).status_code for route in routes]
        assert got == codes, who
    # posting to remove a member of someone else's group is refused too
    url = f"/en/trainer/groups/{group_id}/members/1/remove"
    token = csrf_token(clients["coach2"], "/en/trainer/")
    assert clients["coach2"].post(url, data={"csrf_token": token}).status_code == 403
    assert clients["anonymous"].post(url, data={"csrf_token": csrf_token(clients["anonymous"], "/en/login")}).status_code == 302
