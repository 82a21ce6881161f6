"""Who may open what: every route of the app, as anonymous, a learner, the trainer who leads the
group, another trainer and an admin.

The table below must name every endpoint the app has (a test checks it), so a new route cannot
be added without deciding who may use it.

Answers: "ok" (2xx, or a redirect that is not to sign-in), "login" (redirect to sign-in), 403, 404.
"""
import datetime as dt
import re

import pytest
from sqlalchemy import select

from elearn.badges import keys
from elearn.auth import recovery
from elearn.clock import utcnow
from elearn.db import db
from elearn.quiz.models import QuizAttempt
from factories import finish_module, make_assignment, make_group, make_user, user

ROLES = ("anonymous", "learner", "trainer", "other_trainer", "admin")
PUBLIC = dict.fromkeys(ROLES, "ok")
SIGNED_IN = {"anonymous": "login", "learner": "ok", "trainer": "ok", "other_trainer": "ok", "admin": "ok"}
OWNER = {"anonymous": "login", "learner": "ok", "trainer": 404, "other_trainer": 404, "admin": 404}
OWNER_OR_ADMIN = {**OWNER, "admin": "ok"}
GROUP = {"anonymous": "login", "learner": 403, "trainer": "ok", "other_trainer": 403, "admin": "ok"}
TRAINERS = {"anonymous": "login", "learner": 403, "trainer": "ok", "other_trainer": "ok", "admin": "ok"}
ADMIN = {"anonymous": "login", "learner": 403, "trainer": 403, "other_trainer": 403, "admin": "ok"}
# Only the learner completed the sample module: feedback is for those who did.
COMPLETED_IT = {"anonymous": "login", "learner": "ok", "trainer": 403, "other_trainer": 403, "admin": 403}

G = "/{lang}/trainer/groups/{group}"
# endpoint -> (method, url template, {role: expected answer})
MATRIX = {
    "learning.root": ("GET", "/", PUBLIC),
    "healthz": ("GET", "/healthz", PUBLIC),
    "offline.worker": ("GET", "/sw.js", PUBLIC),
    "offline.manifest": ("GET", "/{lang}/manifest.webmanifest", PUBLIC),
    "offline.page": ("GET", "/{lang}/offline", PUBLIC),
    "offline.queued": ("GET", "/{lang}/offline/queued", PUBLIC),
    "static": ("GET", "/static/css/app.css", PUBLIC),
    "learning.home": ("GET", "/{lang}/", PUBLIC),
    "learning.module": ("GET", "/{lang}/modules/sample/", PUBLIC),
    "learning.lesson": ("GET", "/{lang}/modules/sample/first-lesson/", PUBLIC),
    "quiz.quiz": ("GET", "/{lang}/modules/sample/quizzes/final/", PUBLIC),
    "auth.login": ("GET", "/{lang}/login", PUBLIC),
    "auth.register": ("GET", "/{lang}/register", PUBLIC),
    "trainer.join_form": ("GET", "/{lang}/join/", PUBLIC),
    "trainer.join": ("GET", "/{lang}/join/{other_code}", PUBLIC),
    "certificates.verify_form": ("GET", "/{lang}/verify/", PUBLIC),
    "certificates.verify": ("GET", "/{lang}/verify/{cert}", PUBLIC),
    "verify_redirect": ("GET", "/verify/{cert}", PUBLIC),
    "refresher.intro": ("GET", "/{lang}/modules/sample/refresher/", PUBLIC),
    "auth.account": ("GET", "/{lang}/account", SIGNED_IN),
    "auth.logout": ("POST", "/{lang}/logout", PUBLIC),
    "learning.me": ("GET", "/{lang}/me/", SIGNED_IN),
    "certificates.mine": ("GET", "/{lang}/me/certificates/", SIGNED_IN),
    "learning.complete": ("POST", "/{lang}/modules/sample/first-lesson/complete", SIGNED_IN),
    "quiz.start": ("POST", "/{lang}/modules/sample/quizzes/check-first-lesson/start", SIGNED_IN),
    "refresher.start": ("POST", "/{lang}/modules/sample/refresher/start", SIGNED_IN),
    "trainer.leave": ("POST", "/{lang}/groups/{other_group}/leave", SIGNED_IN),
    "quiz.question": ("GET", "/{lang}/attempts/{attempt}/1", OWNER),
    "quiz.review": ("GET", "/{lang}/attempts/{attempt}/review", OWNER),
    "quiz.submit": ("POST", "/{lang}/attempts/{attempt}/submit", OWNER),
    "quiz.result": ("GET", "/{lang}/attempts/{attempt}/result", OWNER),
    "refresher.result": ("GET", "/{lang}/refresher/attempts/{attempt}/", OWNER),
    "certificates.download": ("GET", "/{lang}/me/certificates/{cert}.pdf", OWNER_OR_ADMIN),
    "trainer.dashboard": ("GET", "/{lang}/trainer/", TRAINERS),
    "trainer.group": ("GET", G + "/", GROUP),
    "trainer.group_report": ("GET", G + "/report", GROUP),
    "trainer.group_report_csv": ("GET", G + "/report.csv", GROUP),
    "trainer.learner": ("GET", G + "/learners/{member}/", GROUP),
    "trainer.module_report": ("GET", G + "/modules/sample/", GROUP),
    "trainer.item_analysis": ("GET", G + "/modules/sample/quizzes/final/", GROUP),
    "trainer.item_analysis_csv": ("GET", G + "/modules/sample/quizzes/final.csv", GROUP),
    "trainer.assign": ("POST", G + "/assignments", GROUP),
    "trainer.unassign": ("POST", G + "/assignments/{spare_assignment}/delete", GROUP),
    "trainer.remove_member": ("POST", G + "/members/{spare_member}/remove", GROUP),
    "trainer.invite": ("POST", G + "/invite", GROUP),
    "trainer.users": ("GET", "/{lang}/admin/users/", ADMIN),
    "trainer.set_role": ("POST", "/{lang}/admin/users/{spare_member}/role", ADMIN),
    "certificates.manage": ("GET", "/{lang}/admin/certificates/{cert}", ADMIN),
    # Open Badges: the issuer's public documents, the learner's credential, the credential check
    "badges.issuer": ("GET", "/badges/issuer", PUBLIC),
    "badges.key": ("GET", "/badges/keys/{kid}", PUBLIC),
    "badges.status_list": ("GET", "/badges/status/revocation/0", PUBLIC),
    "badges.achievement": ("GET", "/badges/achievements/sample", PUBLIC),
    "credentials.download": ("GET", "/{lang}/me/certificates/{cert}.credential.json", OWNER_OR_ADMIN),
    "credentials.verify": ("GET", "/{lang}/verify/credential", PUBLIC),
    # accounts for people at risk (issue 13): recovery, sessions, the person's data
    "auth.recover": ("GET", "/{lang}/recover", PUBLIC),
    "auth.recover_email": ("POST", "/{lang}/recover/email", PUBLIC),
    "auth.email_reset": ("GET", "/{lang}/recover/email/{email_token}", PUBLIC),
    "auth.recovery_codes": ("POST", "/{lang}/account/recovery-codes", SIGNED_IN),
    "auth.sign_out_everywhere": ("POST", "/{lang}/account/sign-out-everywhere", SIGNED_IN),
    "auth.my_data_json": ("GET", "/{lang}/account/my-data.json", SIGNED_IN),
    "auth.my_data_csv": ("GET", "/{lang}/account/my-data.csv", SIGNED_IN),
    "auth.delete_account": ("GET", "/{lang}/account/delete", SIGNED_IN),
    "trainer.member_reset_code": ("POST", G + "/members/{member}/reset-code", GROUP),
    "trainer.user_reset_code": ("POST", "/{lang}/admin/users/{spare_member}/reset-code", ADMIN),
    "trainer.delete_user": ("GET", "/{lang}/admin/users/{spare_member}/delete", ADMIN),
    # the trainer's field kit (issue 15): bulk enrolment and slips, invitations, announcements, feedback
    "trainer.enrol": ("GET", G + "/enrol", GROUP),
    "trainer.enrol_confirm": ("POST", G + "/enrol/confirm", GROUP),
    "trainer.new_codes": ("POST", G + "/codes", GROUP),
    "trainer.announce": ("POST", G + "/announcement", GROUP),
    "trainer.clear_announcement": ("POST", G + "/announcement/clear", GROUP),
    "trainer.feedback_results": ("GET", G + "/feedback/", GROUP),
    "trainer.accept_invitation": ("POST", "/{lang}/groups/{group}/invitation/accept", SIGNED_IN),
    "trainer.decline_invitation": ("POST", "/{lang}/groups/{group}/invitation/decline", SIGNED_IN),
    "trainer.give_feedback": ("GET", "/{lang}/modules/sample/feedback", COMPLETED_IT),
}
SIGNING_OUT = ("auth.sign_out_everywhere", "auth.logout")  # last: they end the clients' sessions
POST_DATA = {
    "trainer.assign": {"module": "sample", "who": "", "due_on": "2031-01-31", "recur_months": ""},
    "trainer.set_role": {"role": "learner"},
    "trainer.invite": {"addresses": "someone@example.org"},
    "auth.recovery_codes": {"codes-current": "correct horse battery"},
    "trainer.announce": {"text": "Room 4"},
}


def test_the_matrix_names_every_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(MATRIX), (
        f"routes without an access rule: {sorted(endpoints - set(MATRIX))}; "
        f"rules for routes that do not exist: {sorted(set(MATRIX) - endpoints)}")


@pytest.fixture
def world(app, login):
    """The learner (with a graded attempt and a certificate) in the trainer's group, a second
    trainer with a group of their own, and an admin; a signed-in client for each role."""
    with app.app_context():
        group = make_group("coach", ["lena", "spare"], name="Coached")
        other = make_group("rival", name="Other")
        make_user(username="boss", role="admin")
        make_assignment(group, due_on=dt.date(2030, 1, 31))
        spare_assignment = make_assignment(group, due_on=dt.date(2030, 1, 31), who="spare")
        certificate = finish_module("lena")
        ids = dict(group=group.id, other_group=other.id, other_code=other.invite_code, member=user("lena").id,
                   spare_member=user("spare").id, spare_assignment=spare_assignment.id, cert=certificate.code,
                   attempt=db.session.scalar(select(QuizAttempt.id).where(QuizAttempt.quiz_id == "final")))
    ids["kid"] = keys.generate(app.config["BADGE_KEY_DIR"], dt.datetime(2030, 1, 1))  # Open Badges signing key
    with app.app_context():
        ids["email_token"] = recovery.email_token(db.session, user("lena"), utcnow())
    clients = {"anonymous": app.test_client()}
    for role, username in (("learner", "lena"), ("trainer", "coach"), ("other_trainer", "rival"), ("admin", "boss")):
        clients[role] = login(username)
    return clients, ids


def token(client) -> str:
    html = client.get("/en/login").get_data(as_text=True)
    if 'name="csrf_token"' not in html:  # signed in: the sign-in page redirects
        html = client.get("/en/").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def answer(response) -> object:
    if response.status_code in (301, 302, 303):
        return "login" if "/login" in response.headers["Location"] else "ok"
    if response.status_code < 400:
        return "ok"
    return response.status_code


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_route_answers_each_role_as_the_matrix_says(app, world, lang):
    clients, ids = world
    tokens = {role: token(client) for role, client in clients.items()}  # one per session
    wrong = []
    # GETs first, then POSTs (some change state), signing out last
    ordered = sorted(MATRIX.items(), key=lambda item: (item[1][0] == "POST", (item[0], *SIGNING_OUT).index(item[0], 1) if item[0] in SIGNING_OUT else 0))
    for endpoint, (method, template, expected) in ordered:
        url = template.format(lang=lang, **ids)
        for role in ROLES:
            client = clients[role]
            if method == "GET":
                response = client.get(url)
            else:
                csrf = token(client) if endpoint in SIGNING_OUT else tokens[role]  # signing out ends the session
                response = client.post(url, data={"csrf_token": csrf, **POST_DATA.get(endpoint, {})})
            got = answer(response)
            if got != expected[role]:
                wrong.append(f"{method} {url} as {role}: {got}, expected {expected[role]}")
    assert not wrong, "\n".join(wrong)
