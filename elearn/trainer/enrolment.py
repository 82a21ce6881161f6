"""Bulk enrolment: a trainer pastes (or uploads as CSV) the pseudonyms of a workshop's learners.

Each line becomes one of:
- CREATE: a new account, put in the group, with a one-time sign-in code (a reset code of
  elearn.auth.recovery, issued by the trainer) printed on a slip: no e-mail needed;
- INVITE: the pseudonym is an existing account. It is invited, not added: the person sees the
  invitation on their home page and joins with one click. Adding an existing account directly
  would let any trainer who guesses a pseudonym follow that person's progress in their reports;
- MEMBER / INVITED: already in the group, or already invited: nothing to do;
- REFUSE, with a reason: not a valid pseudonym, a repeat of an earlier line, a look-alike of an
  earlier line or of an existing account (auth/names.py).

The plan is a pure function of the list and of what the database holds, so a dry run shows
exactly what confirming will do; confirming plans again and goes ahead only if the plan is
unchanged (`fingerprint`), since an account may have been made in between.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field

from sqlalchemy import ForeignKey, UniqueConstraint, delete, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..auth import recovery
from ..auth.models import User
from ..auth.names import skeleton_key
from ..auth.service import NO_PASSWORD, UsernameTaken, create_user, username_key
from ..clock import utcnow
from ..db import db, insert_once
from .models import Group, Membership
from .service import join

MAX_BATCH = 200
MAX_FILE_BYTES = 64 * 1024
CREATE, INVITE, MEMBER, INVITED, REFUSE = "create", "invite", "member", "invited", "refuse"
INVALID, REPEATED, LOOKS_LIKE_LINE, LOOKS_LIKE_ACCOUNT = "invalid", "repeated", "looks_like_line", "looks_like_account"
# A first CSV row naming its columns; the pseudonyms are then read from that column.
HEADERS = {"pseudonym", "pseudonyms", "username", "user", "name", "الاسم المستعار", "اسم مستعار", "الاسم"}


class GroupInvitation(db.Model):
    """An existing account invited into a group by bulk enrolment, until it accepts or declines."""

    __tablename__ = "group_invitations"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invited_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# -- reading the list (pure) -----------------------------------------------------------------------

class UnreadableFile(ValueError):
    pass


def parse_text(text: str) -> list[str]:
    """One pseudonym per line; blank lines are skipped, spaces around a name are not part of it."""
    return [line.strip() for line in (text or "").lstrip("\ufeff").splitlines() if line.strip()]


def decode(data: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without a byte-order mark), else Windows Arabic (cp1256),
    which spreadsheet programs on Arabic Windows still save. A spreadsheet (.xlsx is a zip) or any
    file with NUL bytes is not text: every byte decodes in cp1256, so this is checked first."""
    if b"\x00" in data or data.startswith(b"PK\x03\x04"):
        raise UnreadableFile("format")
    for encoding in ("utf-8-sig", "cp1256"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("encoding")


def parse_csv(data: bytes) -> list[str]:
    """The pseudonyms in a CSV file: the column headed "pseudonym" (or "username", "name", or the
    same in Arabic) when the first row names one, else the first column."""
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile("size")
    text = decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]
    column = 0
    if rows:
        names = [cell.strip().casefold() for cell in rows[0]]
        found = next((i for i, cell in enumerate(names) if cell in HEADERS), None)
        if found is not None:
            column, rows = found, rows[1:]
    return [row[column].strip() for row in rows if len(row) > column and row[column].strip()]


# -- the plan (pure) -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Account:
    """An existing account a line may name, and where it stands with the group."""

    user_id: int
    key: str
    skeleton: str | None
    member: bool = False
    invited: bool = False


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, in the order given
    name: str
    action: str
    reason: str | None = None
    detail: str | None = None  # the validation message (INVALID) or the earlier line's number


def plan(names: list[str], invalid: dict[int, str], accounts: list[Account]) -> list[Line]:
    """What each name would become. `invalid` maps a 1-based line number to the reason its name
    is not a valid pseudonym (the sign-up form's rules, checked by the caller)."""
    by_key = {a.key: a for a in accounts}
    by_skeleton = {a.skeleton: a for a in accounts if a.skeleton}
    seen_keys: dict[str, int] = {}
    seen_skeletons: dict[str, int] = {}
    lines = []
    for number, name in enumerate(names, start=1):
        if number in invalid:
            lines.append(Line(number, name, REFUSE, INVALID, invalid[number]))
            continue
        key, look = username_key(name), skeleton_key(name)
        if key in seen_keys:
            lines.append(Line(number, name, REFUSE, REPEATED, str(seen_keys[key])))
            continue
        if look in seen_skeletons:
            lines.append(Line(number, name, REFUSE, LOOKS_LIKE_LINE, str(seen_skeletons[look])))
            continue
        seen_keys[key], seen_skeletons[look] = number, number
        account = by_key.get(key)
        if account is None and look in by_skeleton:
            lines.append(Line(number, name, REFUSE, LOOKS_LIKE_ACCOUNT))
        elif account is None:
            lines.append(Line(number, name, CREATE))
        elif account.member:
            lines.append(Line(number, name, MEMBER))
        elif account.invited:
            lines.append(Line(number, name, INVITED))
        else:
            lines.append(Line(number, name, INVITE))
    return lines


def fingerprint(lines: list[Line]) -> str:
    """A digest of a plan: confirming goes ahead only when the plan is still the one shown."""
    text = "\n".join(f"{line.number}\t{line.name}\t{line.action}\t{line.reason or ''}" for line in lines)
    return hashlib.sha256(text.encode()).hexdigest()


def counts(lines: list[Line]) -> dict[str, int]:
    found = dict.fromkeys((CREATE, INVITE, MEMBER, INVITED, REFUSE), 0)
    for line in lines:
        found[line.action] += 1
    return found


# -- the database -------------------------------------------------------------------------------------

def accounts_named(session: Session, group_id: int, names: list[str]) -> list[Account]:
    """The existing accounts the names name or look like, with their standing in the group (two
    queries, whatever the length of the list)."""
    keys = {username_key(n) for n in names}
    looks = {skeleton_key(n) for n in names}
    if not keys:
        return []
    users = session.execute(select(User.id, User.username_key, User.name_skeleton).where(
        or_(User.username_key.in_(keys), User.name_skeleton.in_(looks)))).all()
    ids = [u.id for u in users]
    members = set(session.scalars(select(Membership.user_id).where(Membership.group_id == group_id,
                                                                   Membership.user_id.in_(ids))))
    invited = set(session.scalars(select(GroupInvitation.user_id).where(GroupInvitation.group_id == group_id,
                                                                        GroupInvitation.user_id.in_(ids))))
    return [Account(u.id, u.username_key, u.name_skeleton, u.id in members, u.id in invited) for u in users]


@dataclass(frozen=True)
class Slip:
    """What goes on one printed slip (the code exists in clear only here, in this one response)."""

    name: str
    code: str
    expires_at: dt.datetime


@dataclass
class Outcome:
    slips: list[Slip] = field(default_factory=list)
    invited: int = 0
    failed: list[str] = field(default_factory=list)  # names taken by someone else meanwhile


def carry_out(session: Session, group: Group, trainer: User, lines: list[Line], locale: str,
              now: dt.datetime) -> Outcome:
    """Do what the plan says: make the new accounts (in the group, each with a one-time code) and
    invite the existing ones. Commits as it goes: each account is complete on its own."""
    outcome = Outcome()
    for line in lines:
        if line.action == CREATE:
            try:
                user = create_user(session, line.name, None, locale=locale)
            except UsernameTaken:
                outcome.failed.append(line.name)
                continue
            join(session, user, group)
            code, expires = recovery.issue_reset_code(session, user, trainer, now)
            outcome.slips.append(Slip(user.username, code, expires))
        elif line.action == INVITE:
            user = session.scalar(select(User).where(User.username_key == username_key(line.name)))
            if user is not None and insert_once(session, GroupInvitation(
                    group_id=group.id, user_id=user.id, invited_by_id=trainer.id, invited_at=now)):
                outcome.invited += 1
    return outcome


def awaiting_password(session: Session, group_id: int) -> list[User]:
    """Members who have not chosen a password yet (accounts made here whose code is unused)."""
    return list(session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.group_id == group_id, User.password_hash.startswith(NO_PASSWORD)).order_by(User.username_key)))


def new_codes(session: Session, users: list[User], trainer: User, now: dt.datetime) -> list[Slip]:
    """Fresh one-time codes for `users` (each cancels that account's earlier unused code)."""
    slips = []
    for user in users:
        code, expires = recovery.issue_reset_code(session, user, trainer, now)
        slips.append(Slip(user.username, code, expires))
    return slips


# -- invitations, seen by the invited person ----------------------------------------------------------

def invitations_for(session: Session, user_id: int) -> list[tuple[Group, str]]:
    """(group, its trainer's display name) for each invitation the person has not answered."""
    return [(g, name) for g, name in session.execute(
        select(Group, User.display_name).join(GroupInvitation, GroupInvitation.group_id == Group.id)
        .join(User, User.id == Group.trainer_id)
        .where(GroupInvitation.user_id == user_id).order_by(GroupInvitation.invited_at.desc())).all()]


def answer_invitation(session: Session, user: User, group_id: int, accept: bool) -> Group | None:
    """Accept (join the group) or decline an invitation; the group, or None when there was none."""
    invitation = session.scalar(select(GroupInvitation).filter_by(group_id=group_id, user_id=user.id))
    if invitation is None:
        return None
    group = session.get(Group, group_id)
    session.execute(delete(GroupInvitation).where(GroupInvitation.id == invitation.id))
    session.commit()
    if accept:
        join(session, user, group)
    return group
