"""Invitations to a group by e-mail (only when SMTP is configured), at most INVITATIONS_PER_DAY
a day per trainer (trainer/invitations.py)."""
from __future__ import annotations

import smtplib

from flask import current_app, flash, g, redirect, url_for
from flask_babel import force_locale, gettext as _, ngettext

from ..clock import today
from ..db import db
from ..mail import mail_configured, send_mail
from ..trainer import invitations
from .access import trainer_required
from .forms import InviteForm
from .groups import bp, get_group, render_group


def invitation_text(group, trainer_name: str) -> tuple[str, str]:
    """Subject and body in Arabic, then English: the recipient's language is not known yet."""
    link = current_app.config["BASE_URL"]
    parts, subjects = [], []
    for lang in ("ar", "en"):
        with force_locale(lang):
            subjects.append(_("Invitation to the group %(group)s", group=group.name))
            parts.append(_("%(trainer)s invites you to join the group %(group)s on elearn, a course on sanctions on "
                           "Syria and the debates around them.\n\nOpen this link, create an account (a pseudonym is "
                           "enough) or sign in, then confirm:\n%(url)s\n\nOr type the code %(code)s on the page "
                           "\"Join a group\".",
                           trainer=trainer_name, group=group.name, code=group.invite_code,
                           url=link + url_for("trainer.join", lang=lang, code=group.invite_code)))
    return " / ".join(subjects), "\n\n———\n\n".join(parts)


@bp.route("/trainer/groups/<int:group_id>/invite", methods=["POST"])
@trainer_required
def invite(lang, group_id):
    group = get_group(group_id)
    if not mail_configured(current_app):
        flash(_("E-mail is not set up on this server. Share the invitation link instead."), "error")
        return redirect(url_for("trainer.group", group_id=group.id))
    form = InviteForm()
    if not form.validate_on_submit():
        return render_group(group, invite_form=form), 400
    addresses, cap = form.addresses.addresses, int(current_app.config["INVITATIONS_PER_DAY"])
    if not invitations.reserve(db.session, g.user.id, len(addresses), today(), cap):
        left = invitations.left_today(db.session, g.user.id, today(), cap)
        form.addresses.errors.append(_("At most %(max)s invitation e-mails a day can be sent. Left for today: "
                                       "%(left)s.", max=cap, left=left))
        return render_group(group, invite_form=form), 429
    subject, body = invitation_text(group, g.user.display_name)
    failed = []
    for address in form.addresses.addresses:
        try:
            send_mail(current_app, address, subject, body)
        except (OSError, smtplib.SMTPException) as error:
            current_app.logger.warning("invitation to a group member not delivered: %s", type(error).__name__)
            failed.append(address)
    if failed:
        invitations.give_back(db.session, g.user.id, len(failed), today())
    sent = len(form.addresses.addresses) - len(failed)
    if sent:
        flash(ngettext("%(num)s invitation sent.", "%(num)s invitations sent.", sent), "success")
    if failed:
        flash(_("Not delivered, please check and try again: %(list)s", list=", ".join(failed)), "error")
    return redirect(url_for("trainer.group", group_id=group.id))
