"""The trainer's field kit: bulk enrolment (list, dry run, confirm, slips, one-time codes),
invitations of existing accounts, group announcements, anonymous end-of-module feedback."""
import datetime as dt
import hashlib
import io
import re

import pytest
from sqlalchemy import func, inspect as inspect_db, select

from conftest import csrf_token
from elearn.auth.models import AccountCode, User
from elearn.auth.service import authenticate, has_password
from elearn.db import db
from elearn.trainer import announcements, enrolment, feedback
from elearn.trainer.enrolment import CREATE, INVITE, INVITED, MEMBER, REFUSE, Account, GroupInvitation
from elearn.trainer.feedback import FeedbackReceipt, FeedbackResponse
from elearn.trainer.models import Membership
from elearn.views import fieldkit
from factories import finish_module, make_group, make_membership, make_user, user

PASSWORD = "a long enough password"


# -- reading the list ------------------------------------------------------------------------------

def test_a_pasted_list_is_one_name_per_line_without_blanks_or_spaces():
    assert enrolment.parse_text("\ufeff rami \n\n  سلمى\r\nlina\n   \n") == ["rami", "سلمى", "lina"]


@pytest.mark.parametrize("data, expected", [
    (b"rami\nlina\n", ["rami", "lina"]),
    ("\ufeffpseudonym,city\nrami,Homs\nسلمى,حلب\n".encode(), ["rami", "سلمى"]),
    (b"city;Username\nHoms;rami\n;\nAleppo;lina\n", ["rami", "lina"]),
    ("الاسم المستعار\nسلمى\n".encode("cp1256"), ["سلمى"]),  # Excel on Arabic Windows
    (b"", []),
])
def test_a_csv_gives_the_pseudonym_column_or_else_the_first(data, expected):
    assert enrolment.parse_csv(data) == expected


def test_a_csv_over_the_size_limit_is_refused():
    with pytest.raises(enrolment.UnreadableFile):
        enrolment.parse_csv(b"x\n" * enrolment.MAX_FILE_BYTES)


# -- the plan --------------------------------------------------------------------------------------

def test_the_plan_says_what_each_line_becomes():
    accounts = [Account(1, "amal", "s-amal", member=True), Account(2, "omar", "s-omar"),
                Account(3, "nour", "s-nour", invited=True)]
    lines = enrolment.plan(["rami", "Amal", "omar", "nour", "RAMI", "bad name"], {6: "No spaces"}, accounts)
    assert [(l.action, l.reason, l.detail) for l in lines] == [
        (CREATE, None, None), (MEMBER, None, None), (INVITE, None, None), (INVITED, None, None),
        (REFUSE, enrolment.REPEATED, "1"), (REFUSE, enrolment.INVALID, "No spaces")]
    assert enrolment.counts(lines) == {CREATE: 1, INVITE: 1, MEMBER: 1, INVITED: 1, REFUSE: 2}


def test_look_alikes_are_refused_against_earlier_lines_and_existing_accounts():
    from elearn.auth.names import skeleton_key

    cyrillic_a = "r\u0430mi"  # "rami" with a Cyrillic а
    taken = [Account(9, "omar", skeleton_key("omar"))]
    lines = enrolment.plan(["rami", cyrillic_a, "\u043emar"], {}, taken)  # Cyrillic о in "omar"
    assert [(l.action, l.reason) for l in lines] == [
        (CREATE, None), (REFUSE, enrolment.LOOKS_LIKE_LINE), (REFUSE, enrolment.LOOKS_LIKE_ACCOUNT)]


def test_the_fingerprint_follows_the_plan():
    before = enrolment.plan(["rami", "lina"], {}, [])
    after = enrolment.plan(["rami", "lina"], {}, [Account(1, "lina", None)])
    assert enrolment.fingerprint(before) == enrolment.fingerprint(enrolment.plan(["rami", "lina"], {}, []))
    assert enrolment.fingerprint(before) != enrolment.fingerprint(after)


# -- bulk enrolment pages ----------------------------------------------------------------------------

@pytest.fixture
def group_id(app):
    with app.app_context():
        make_user(username="omar")  # an existing account, not in the group
        return make_group("coach", ["amal"], name="ورشة حمص").id


def dry_run(client, group_id, names, lang="en", **extra):
    url = f"/{lang}/trainer/groups/{group_id}/enrol"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "names": names, "locale": "ar", **extra},
                       content_type="multipart/form-data")


def confirm_form(html):
    fields = dict(re.findall(r'name="(names|locale|plan|csrf_token)" type="hidden" value="([^"]*)"', html))
    fields["names"] = fields["names"].replace("&#10;", "\n")
    return fields


def unescape(text):
    return text.replace("&#10;", "\n").replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")


def counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(Membership.id))),
                db.session.scalar(select(func.count(AccountCode.id))),
                db.session.scalar(select(func.count(GroupInvitation.id))))


def test_the_group_page_leads_to_the_enrolment_page(trainer, group_id):
    html = trainer.get(f"/en/trainer/groups/{group_id}/").get_data(as_text=True)
    assert f'href="/en/trainer/groups/{group_id}/enrol"' in html
    page = trainer.get(f"/ar/trainer/groups/{group_id}/enrol")
    assert page.status_code == 200 and "أسماء مستعارة، واحد في كل سطر" in page.get_data(as_text=True)


@pytest.mark.parametrize("lang, words", [
    ("en", ["New account", "Already in the group", "Existing account", "The same as line 1.", "Refused",
            "No spaces and none of these characters"]),
    ("ar", ["حساب جديد", "في المجموعة من قبل", "حساب موجود", "مثل السطر 1.", "مرفوض", "بلا مسافات"]),
])
def test_the_dry_run_shows_each_line_and_changes_nothing(app, trainer, group_id, lang, words):
    before = counts(app)
    response = dry_run(trainer, group_id, "rami\namal\nomar\nRami\nbad name\n", lang)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for word in words:
        assert word in html, word
    assert counts(app) == before


def enrol(trainer, group_id, names="rami\nسلمى\nomar\namal"):
    """Dry run then confirm; the response (the slips) and the codes on it."""
    html = dry_run(trainer, group_id, names).get_data(as_text=True)
    response = trainer.post(f"/en/trainer/groups/{group_id}/enrol/confirm", data=confirm_form(html))
    return response, re.findall(r'class="code"><span dir="ltr">([A-Z0-9-]+)<', response.get_data(as_text=True))


def test_confirm_makes_accounts_in_the_group_with_codes_and_invites_existing_ones(app, trainer, group_id):
    response, codes = enrol(trainer, group_id)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    slips = response.get_data(as_text=True)
    assert len(codes) == 2 and len(set(codes)) == 2
    assert "https://elearn.example/ar/recover" in slips and '<symbol id="qr"' in slips and "<path" in slips
    assert "الاسم المستعار" in slips and "Pseudonym" in slips and "shown only now" in slips
    with app.app_context():
        rami = db.session.scalar(select(User).where(User.username == "rami"))
        assert rami.locale == "ar" and not has_password(rami)
        assert authenticate(db.session, "rami", "") is None
        members = set(db.session.scalars(select(User.username).join(Membership, Membership.user_id == User.id)))
        assert members == {"amal", "rami", "سلمى"}  # omar is invited, not added
        invited = db.session.scalar(select(GroupInvitation))
        assert invited.user_id == db.session.scalar(select(User.id).where(User.username == "omar"))
        stored = set(db.session.scalars(select(AccountCode.code_hash)))
        assert not any(code.replace("-", "") in hashed for code in codes for hashed in stored)


def recover(client, name, code, password=PASSWORD):
    url = "/en/recover"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "username": name, "code": code,
                                  "password": password, "confirm": password})


def test_a_slip_code_signs_in_once_and_sets_the_password(app, trainer, group_id, client):
    _slips, codes = enrol(trainer, group_id, "rami")
    response = recover(client, "rami", codes[0])
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "ورشة حمص" in client.get("/en/me/").get_data(as_text=True)
    with app.app_context():
        assert authenticate(db.session, "rami", PASSWORD) is not None
    again = recover(app.test_client(), "rami", codes[0], "another long password")
    assert again.status_code == 400
    with app.app_context():
        assert authenticate(db.session, "rami", "another long password") is None


def test_the_sign_in_page_leads_to_the_one_time_code_page(client):
    html = client.get("/en/login").get_data(as_text=True)
    assert 'href="/en/recover"' in html


def test_confirm_does_nothing_when_the_plan_changed_since_the_dry_run(app, trainer, group_id):
    html = dry_run(trainer, group_id, "rami\nlina").get_data(as_text=True)
    with app.app_context():
        make_user(username="lina")  # someone registers "lina" in between
    before = counts(app)
    response = trainer.post(f"/en/trainer/groups/{group_id}/enrol/confirm", data=confirm_form(html))
    assert response.status_code == 409
    assert "Something changed since you checked the list" in response.get_data(as_text=True)
    assert counts(app) == before


def test_confirming_twice_makes_no_second_account(app, trainer, group_id):
    html = dry_run(trainer, group_id, "rami").get_data(as_text=True)
    form = confirm_form(html)
    assert trainer.post(f"/en/trainer/groups/{group_id}/enrol/confirm", data=form).status_code == 200
    assert trainer.post(f"/en/trainer/groups/{group_id}/enrol/confirm", data=form).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id)).where(User.username == "rami")) == 1


@pytest.mark.parametrize("lang, text", [("en", "At most 200 pseudonyms at a time: this list has 201."),
                                        ("ar", "200 اسمًا مستعارًا على الأكثر في المرة الواحدة، وفي هذه القائمة 201.")])
def test_a_list_over_the_limit_is_refused(app, trainer, group_id, lang, text):
    before = counts(app)
    response = dry_run(trainer, group_id, "\n".join(f"person{i}" for i in range(201)), lang)
    assert response.status_code == 400 and text in unescape(response.get_data(as_text=True))
    assert counts(app) == before


@pytest.mark.parametrize("lang, text", [("en", "Paste at least one pseudonym, or choose a CSV file."),
                                        ("ar", "الصق اسمًا مستعارًا واحدًا على الأقل، أو اختر ملف CSV.")])
def test_an_empty_list_is_refused(trainer, group_id, lang, text):
    response = dry_run(trainer, group_id, "\n \n", lang)
    assert response.status_code == 400 and text in response.get_data(as_text=True)


def test_a_csv_upload_is_planned_like_a_pasted_list(trainer, group_id):
    upload = (io.BytesIO("pseudonym,city\nrami,Homs\nomar,Hama\n".encode()), "list.csv")
    html = dry_run(trainer, group_id, "", upload=upload).get_data(as_text=True)
    assert "rami" in html and "omar" in html and "New account" in html and "Existing account" in html


def test_an_unreadable_file_is_refused_with_a_reason(trainer, group_id):
    for data in (b"PK\x03\x04\x14\x00\x06\x00", "rami\n".encode("utf-16")):  # a spreadsheet, UTF-16
        response = dry_run(trainer, group_id, "", upload=(io.BytesIO(data), "list.csv"))
        assert response.status_code == 400 and "could not be read" in response.get_data(as_text=True)


def test_new_codes_replace_the_old_ones_for_members_without_a_password(app, trainer, group_id, client):
    _slips, old = enrol(trainer, group_id)
    page = trainer.get(f"/en/trainer/groups/{group_id}/enrol").get_data(as_text=True)
    assert "2 members have not chosen a password yet" in page
    url = f"/en/trainer/groups/{group_id}/codes"
    response = trainer.post(url, data={"csrf_token": csrf_token(trainer, f"/en/trainer/groups/{group_id}/enrol")})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    new = re.findall(r'class="code"><span dir="ltr">([A-Z0-9-]+)<', response.get_data(as_text=True))
    assert len(new) == 2 and not set(new) & set(old)
    assert recover(client, "rami", old[0]).status_code == 400
    names = re.findall(r'class="name"><bdi>([^<]+)<', response.get_data(as_text=True))
    assert recover(client, "rami", new[names.index("rami")]).status_code == 302


def test_a_trainer_of_another_group_gets_403(app, login, group_id):
    with app.app_context():
        make_group("rival", name="Other")
    rival = login("rival")
    token = csrf_token(rival, "/en/trainer/")
    assert rival.get(f"/en/trainer/groups/{group_id}/enrol").status_code == 403
    for path in ("enrol", "enrol/confirm", "codes", "announcement", "announcement/clear"):
        response = rival.post(f"/en/trainer/groups/{group_id}/{path}", data={"csrf_token": token, "names": "x"})
        assert response.status_code == 403, path
    assert rival.get(f"/en/trainer/groups/{group_id}/feedback/").status_code == 403


# -- invitations ----------------------------------------------------------------------------------------

def test_an_invited_account_joins_or_declines_from_its_home_page(app, trainer, group_id, login):
    html = dry_run(trainer, group_id, "omar").get_data(as_text=True)
    trainer.post(f"/en/trainer/groups/{group_id}/enrol/confirm", data=confirm_form(html))
    with app.app_context():
        user("coach").display_name = "<i>Coach</i>"
        db.session.commit()
    omar = login("omar")
    home = omar.get("/ar/").get_data(as_text=True)
    assert "دعوة إلى مجموعة" in home and "ورشة حمص" in home
    assert "أضاف <bdi>&lt;i&gt;Coach&lt;/i&gt;</bdi>، مدرّب هذه المجموعة" in home
    response = omar.post(f"/en/groups/{group_id}/invitation/accept", data={"csrf_token": csrf_token(omar, "/en/")})
    assert response.status_code == 302
    with app.app_context():
        person = user("omar")
        assert db.session.scalar(select(Membership).filter_by(group_id=group_id, user_id=person.id)) is not None
        assert db.session.scalar(select(func.count(GroupInvitation.id))) == 0
    assert "Invitation to a group" not in omar.get("/en/").get_data(as_text=True)


def test_a_declined_invitation_adds_nothing(app, trainer, group_id, login):
    html = dry_run(trainer, group_id, "omar").get_data(as_text=True)
    trainer.post(f"/en/trainer/groups/{group_id}/enrol/confirm", data=confirm_form(html))
    omar = login("omar")
    omar.post(f"/en/groups/{group_id}/invitation/decline", data={"csrf_token": csrf_token(omar, "/en/")})
    # someone else cannot accept an invitation that is not theirs
    other = login("lina")
    other.post(f"/en/groups/{group_id}/invitation/accept", data={"csrf_token": csrf_token(other, "/en/")})
    with app.app_context():
        assert db.session.scalar(select(func.count(Membership.id))) == 1  # amal only
        assert db.session.scalar(select(func.count(GroupInvitation.id))) == 0


# -- announcements ---------------------------------------------------------------------------------------

def test_an_announcement_reaches_members_home_pages_escaped_and_can_be_cleared(app, trainer, group_id, login):
    url = f"/en/trainer/groups/{group_id}/announcement"
    text = "Room 4 <b>tomorrow</b>\nالساعة العاشرة"
    response = trainer.post(url, data={"csrf_token": csrf_token(trainer, f"/en/trainer/groups/{group_id}/"),
                                       "text": text})
    assert response.status_code == 302
    amal = login("amal")
    home = amal.get("/ar/").get_data(as_text=True)
    assert '<p dir="auto">Room 4 &lt;b&gt;tomorrow&lt;/b&gt;</p>' in home
    assert '<p dir="auto">الساعة العاشرة</p>' in home and "ورشة حمص" in home
    assert "Room 4" not in login("omar").get("/en/").get_data(as_text=True)  # not a member
    assert "Room 4" in trainer.get(f"/en/trainer/groups/{group_id}/").get_data(as_text=True)
    trainer.post(url + "/clear", data={"csrf_token": csrf_token(trainer, f"/en/trainer/groups/{group_id}/")})
    assert "Room 4" not in amal.get("/en/").get_data(as_text=True)


def test_a_new_announcement_replaces_the_old_one(app):
    with app.app_context():
        group = make_group("coach", ["amal"])
        coach = user("coach")
        announcements.post(db.session, group.id, "first", coach.id, dt.datetime(2026, 1, 1))
        announcements.post(db.session, group.id, "second", coach.id, dt.datetime(2026, 1, 2))
        assert [a.text for _name, a in announcements.for_member(db.session, user("amal").id)] == ["second"]


@pytest.mark.parametrize("lang, text", [("en", "Use at most 500 characters."), ("ar", "استخدم 500 حرفًا على الأكثر.")])
def test_a_long_announcement_is_refused(app, trainer, group_id, lang, text):
    url = f"/{lang}/trainer/groups/{group_id}/announcement"
    response = trainer.post(url, data={"csrf_token": csrf_token(trainer, f"/{lang}/trainer/groups/{group_id}/"),
                                       "text": "x" * 501}, follow_redirects=True)
    assert text in response.get_data(as_text=True)
    with app.app_context():
        assert announcements.current(db.session, group_id) is None


# -- feedback --------------------------------------------------------------------------------------------

def test_summaries_hide_small_counts_and_compute_means():
    few = feedback.summarise("m", {"clarity": {5: 2}, "usefulness": {4: 2}, "difficulty": {3: 2}}, ["a", "b"])
    assert not few.shown and few.ratings == () and few.comments == () and few.responses == 2
    counts = {"clarity": {5: 2, 3: 1}, "usefulness": {1: 3}, "difficulty": {2: 1, 4: 2}}
    enough = feedback.summarise("m", counts, [" zeta ", "Alpha", "  "])
    assert enough.shown and enough.responses == 3
    clarity = enough.ratings[0]
    assert clarity.counts == (0, 0, 1, 0, 2) and clarity.mean == pytest.approx(13 / 3)
    assert enough.ratings[2].mean == pytest.approx(10 / 3)
    assert enough.comments == ("Alpha", "zeta")


@pytest.mark.parametrize("bad", [0, 6, None])
def test_answers_are_from_one_to_five(bad):
    with pytest.raises(ValueError):
        feedback.Answers(bad, 3, 3)


def give_feedback(client, lang="en", module="sample", **answers):
    url = f"/{lang}/modules/{module}/feedback"
    data = {"clarity": "4", "usefulness": "5", "difficulty": "3", "comment": "", **answers}
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


@pytest.fixture
def graduates(app, group_id):
    """Four members of the group who completed the sample module."""
    names = ["amal", "hadi", "dana", "yara"]
    with app.app_context():
        group = db.session.get(enrolment.Group, group_id)
        for name in names:
            make_membership(name, group)
            finish_module(name)
    return names


def test_feedback_needs_a_completed_module(login, group_id):
    learner = login("omar")
    assert learner.get("/en/modules/sample/feedback").status_code == 403
    assert "What did you think" not in learner.get("/en/modules/sample/").get_data(as_text=True)


def test_feedback_is_stored_without_the_learner_and_only_once(app, login, graduates):
    amal = login("amal")
    assert "You completed this module. What did you think?" in amal.get("/en/modules/sample/").get_data(as_text=True)
    assert 'href="/en/modules/sample/feedback"' in amal.get("/en/me/").get_data(as_text=True)
    response = give_feedback(amal, comment="Clear, but <i>long</i>")
    assert response.status_code == 302
    assert give_feedback(amal, clarity="1").status_code == 200  # "already answered" page, nothing stored
    with app.app_context():
        rows = db.session.execute(select(FeedbackResponse)).scalars().all()
        assert [(r.clarity, r.comment) for r in rows] == [(4, "Clear, but <i>long</i>")]
        columns = {c["name"] for c in inspect_db(db.engine).get_columns("feedback_responses")}
        assert not columns & {"user_id", "created_at", "submitted_at"}
        assert rows[0].day == dt.datetime.now(dt.timezone.utc).date() and len(rows[0].id) == 32
        amal_id = user("amal").id
        receipt = db.session.scalar(select(FeedbackReceipt.key))
        # keyed: not a digest anyone could compute from the ids alone
        assert receipt != hashlib.sha256(f"{amal_id}:sample".encode()).hexdigest()
        assert receipt == feedback.receipt_key(fieldkit._feedback_secret(), amal_id, "sample")
        assert {c["name"] for c in inspect_db(db.engine).get_columns("feedback_receipts")} == {"key"}
    assert "What did you think" not in amal.get("/en/modules/sample/").get_data(as_text=True)


def test_feedback_of_a_learner_in_two_groups_counts_in_each_without_linking_them(app, login, graduates):
    with app.app_context():
        second = make_group("coach2", ["amal"], name="Second")
    give_feedback(login("amal"))
    with app.app_context():
        groups = sorted(db.session.scalars(select(FeedbackResponse.group_id)))
        assert groups == sorted([second.id, db.session.scalar(select(Membership.group_id).limit(1))])


@pytest.mark.parametrize("lang, hidden, shown", [
    ("en", "Fewer than 3 answers so far", "3 answers."),
    ("ar", "أقل من 3 إجابات حتى الآن", "3 إجابات."),
])
def test_the_trainer_sees_results_only_from_three_answers(app, trainer, login, graduates, group_id, lang, hidden, shown):
    url = f"/{lang}/trainer/groups/{group_id}/feedback/"
    give_feedback(login("amal"), comment="zeta comment")
    give_feedback(login("hadi"), clarity="2", comment="Alpha comment")
    page = trainer.get(url).get_data(as_text=True)
    assert hidden in page and "zeta comment" not in page
    give_feedback(login("dana"), clarity="3")
    page = trainer.get(url).get_data(as_text=True)
    assert shown in page and hidden not in page
    assert page.index("Alpha comment") < page.index("zeta comment")
    assert '<p dir="auto">Alpha comment</p>' in page
    assert re.search(r"<td>3[.٫]0</td>", page)  # clarity: (4 + 2 + 3) / 3


@pytest.mark.parametrize("lang, text", [("en", "Choose a number from 1 to 5."), ("ar", "اختر رقمًا من 1 إلى 5.")])
def test_a_missing_rating_is_refused_in_both_languages(app, login, graduates, lang, text):
    response = give_feedback(login("amal"), lang, clarity="")
    assert response.status_code == 400 and text in response.get_data(as_text=True)


@pytest.mark.parametrize("answers", [{"clarity": "9"}, {"difficulty": "0"}, {"comment": "x" * 1001}])
def test_out_of_range_feedback_stores_nothing(app, login, graduates, answers):
    assert give_feedback(login("amal"), **answers).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FeedbackResponse)) == 0
        assert db.session.scalar(select(func.count()).select_from(FeedbackReceipt)) == 0
