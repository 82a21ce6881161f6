"""Account forms. Every validation message is a translatable string (both languages)."""
from __future__ import annotations

import datetime as dt
import re

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..auth import passwords
from ..auth.service import username_key
from ..clock import today
from ..trainer import assignments as rules
from .context import catalog

# No spaces, no markup or path characters, nothing invisible (control and bidi override characters).
_HIDDEN = r"\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
USERNAME = rf"^[^\s@<>/\\{_HIDDEN}]+$"
EMAIL = rf"^[^@\s<>{_HIDDEN}]+@[^@\s<>{_HIDDEN}]+\.[^@\s<>{_HIDDEN}]+$"
LOCALE_CHOICES = [SelectChoice("ar", "العربية"), SelectChoice("en", "English")]


# Control characters and the bidi embedding/override/isolate controls: invisible, and in a
# name they can reorder the text around it on every page that shows it. Marks such as RLM,
# ZWJ and ZWNJ, which Arabic text uses, stay.
_INVISIBLE = {cp: None for cp in [*range(0x00, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F),
                                  *range(0x2066, 0x206A)]} | {0x09: " ", 0x0A: " ", 0x0D: " "}


def clean_name(value: str | None) -> str | None:
    """A name as one line of visible text: no control characters, no surrounding spaces."""
    return value.translate(_INVISIBLE).strip() if isinstance(value, str) else value


def _required():
    return InputRequired(message=_l("This field is required."))


class NotGuessable:
    """Refuse common and easily guessed passwords. The pseudonym on the form, and any words in
    `form.user_inputs` (set by the view: the signed-in person's names), count as guessable."""

    message = _l("This password is too common or too easy to guess. A few unrelated words make a strong one.")

    def __call__(self, form, field) -> None:
        words = list(getattr(form, "user_inputs", ()))
        if "username" in form:
            words.append(form.username.data or "")
        if field.data and passwords.is_guessable(field.data, words):
            raise ValidationError(self.message)


def _key_fits(form, field) -> None:
    # Case folding can lengthen a name ("ß" -> "ss"); the folded form must fit its column too.
    if field.data and len(username_key(field.data)) > 40:
        raise ValidationError(_l("Use between %(min)d and %(max)d characters.", min=3, max=40))


def _password_rules():
    return [_required(), Length(min=passwords.MIN_LENGTH, max=passwords.MAX_LENGTH,
                                message=_l("Use between %(min)d and %(max)d characters.")), NotGuessable()]


class RegisterForm(FlaskForm):
    username = StringField(_l("Pseudonym"), validators=[
        _required(), Length(min=3, max=40, message=_l("Use between %(min)d and %(max)d characters.")),
        Regexp(USERNAME, message=_l("No spaces and none of these characters: @ < > / \\")), _key_fits,
    ], description=_l("You sign in with this. It need not be your real name."))
    email = StringField(_l("E-mail (optional)"), validators=[
        Optional(), Length(max=254), Regexp(EMAIL, message=_l("This does not look like an e-mail address.")),
    ], description=_l("Not needed: a forgotten password is reset with one of the recovery codes you get next, "
                      "or by your trainer or an administrator. With an address it can also be reset by e-mail. "
                      "We never show it to anyone."))
    password = PasswordField(_l("Password"), validators=_password_rules(),
                             description=_l("At least 10 characters. A few unrelated words are easy to remember."))
    confirm = PasswordField(_l("Repeat the password"), validators=[
        _required(), EqualTo("password", message=_l("The two passwords do not match."))])
    locale = RadioField(_l("Language"), choices=LOCALE_CHOICES, default="ar",
                        validators=[_required()])


class LoginForm(FlaskForm):
    username = StringField(_l("Pseudonym"), validators=[_required(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[_required(), Length(max=200)])


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), filters=[clean_name], validators=[
        _required(), Length(min=1, max=80, message=_l("Use between %(min)d and %(max)d characters."))])
    certificate_name = StringField(_l("Name on certificates"), filters=[clean_name], validators=[
        Optional(), Length(max=120, message=_l("Use at most %(max)d characters."))],
        description=_l("Printed on your certificates. Leave empty to use your display name."))
    email = StringField(_l("E-mail (optional)"), validators=[
        Optional(), Length(max=254), Regexp(EMAIL, message=_l("This does not look like an e-mail address."))])
    locale = RadioField(_l("Language"), choices=LOCALE_CHOICES, validators=[_required()])

    def validate(self, extra_validators=None) -> bool:
        """Also: the name certificates will print (this one, or the display name when it is
        empty) must fit the certificate's frame and its font."""
        if not super().validate(extra_validators):
            return False
        error = certificate_name_error(self.certificate_name.data, self.display_name.data)
        if error:
            self.certificate_name.errors = [*self.certificate_name.errors, error]
        return not error


def certificate_name_error(certificate_name: str | None, display_name: str | None) -> str | None:
    """Why certificates could not print this name whole, in words naming the characters; None if they can."""
    # Why here: the check measures with the certificate font (fontTools, HarfBuzz), loaded only
    # by the processes that check or draw a certificate.
    from ..certificates import printable

    own = bool(certificate_name)
    name = certificate_name or display_name or ""
    missing = printable.unprintable(name)
    if missing:
        chars = " ".join(printable.shown(c) for c in missing)
        if own:
            return _("Certificates cannot print these characters: %(chars)s. Write the name without them.",
                     chars=chars)
        return _("Your display name has characters certificates cannot print: %(chars)s. "
                 "Enter a name for certificates without them.", chars=chars)
    if printable.name_layout(name) is None:
        if own:
            return _("This name is too long to fit on a certificate. Shorten it, for example with initials.")
        return _("Your display name is too long to fit on a certificate. Enter a shorter name for certificates.")
    return None


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[_required(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=_password_rules())
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        _required(), EqualTo("password", message=_l("The two passwords do not match."))])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token: sign out, mark as complete."""


# -- trainers and admins ----------------------------------------------------------------------

class IsoDateField(DateField):
    """A date typed as YYYY-MM-DD (what a date input sends), with our own message when it is not."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_("Enter a date, for example 2027-03-31.")) from error


class AssignmentForm(FlaskForm):
    module = SelectField(_l("Module"), validators=[InputRequired(message=_l("Choose a module."))])
    who = SelectField(_l("Assign to"), default="")
    due_on = IsoDateField(_l("Due date"), validators=[InputRequired(message=_l("Enter a date, for example 2027-03-31."))],
                       render_kw={"type": "date"})
    recur_months = IntegerField(_l("Repeat every … months (optional)"), validators=[
        Optional(), NumberRange(min=1, max=rules.MAX_RECUR_MONTHS,
                                message=_l("Enter a number of months from %(min)s to %(max)s."))],
        description=_l("For compliance staff: the module falls due again this many months after each due date."))

    def fill_choices(self, lang: str, members) -> None:
        self.module.choices = [SelectChoice(m.id, m.title.get(lang)) for m in catalog().modules]
        self.who.choices = [SelectChoice("", _("Everyone in the group"))] + [
            SelectChoice(str(u.id), u.display_name) for u, _m in members]

    def validate_due_on(self, field):
        if field.data and self.recur_months.data is None and field.data < today() - dt.timedelta(days=366):
            raise ValidationError(_("This date is more than a year ago."))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice("learner", _l("Learner")), SelectChoice("trainer", _l("Trainer")),
                                            SelectChoice("admin", _l("Administrator"))])


MAX_INVITES = 50


class InviteForm(FlaskForm):
    addresses = TextAreaField(_l("E-mail addresses"), validators=[InputRequired(message=_l("This field is required."))],
                              description=_l("One per line, up to 50. The addresses are used to send this one "
                                             "message and are not stored."))

    def validate_addresses(self, field):
        addresses = [a.strip() for a in re.split(r"[\s,;]+", field.data or "") if a.strip()]
        bad = [a for a in addresses if not re.fullmatch(EMAIL, a) or len(a) > 254]
        if bad:
            raise ValidationError(_("These are not e-mail addresses: %(list)s", list=", ".join(bad[:5])))
        if len(addresses) > MAX_INVITES:
            raise ValidationError(_("Send at most %(max)s invitations at a time.", max=MAX_INVITES))
        field.addresses = list(dict.fromkeys(addresses))


# -- recovery, sessions, privacy (docs/privacy.md) ---------------------------------------------

class CurrentPasswordForm(FlaskForm):
    """Asks for the current password before something a stolen session must not do alone."""

    current = PasswordField(_l("Current password"), validators=[_required(), Length(max=200)])


CERTIFICATE_CHOICES = [SelectChoice("keep", _l("Keep them verifiable under the name printed on them")),
                       SelectChoice("revoke", _l("Revoke them: the verification page will say they were withdrawn"))]


class DeleteAccountForm(CurrentPasswordForm):
    certificates = RadioField(_l("Your certificates"), choices=CERTIFICATE_CHOICES, default="keep",
                              validators=[_required()])


class AdminDeleteForm(FlaskForm):
    certificates = RadioField(_l("Their certificates"), choices=CERTIFICATE_CHOICES, default="keep",
                              validators=[_required()])


class RecoverForm(FlaskForm):
    username = StringField(_l("Pseudonym"), validators=[_required(), Length(max=40)])
    code = StringField(_l("Recovery code or reset code"), validators=[_required(), Length(max=40)],
                       description=_l("One of the recovery codes you saved, or a code your trainer or an "
                                      "administrator gave you. Dashes and spaces do not matter."))
    password = PasswordField(_l("New password"), validators=_password_rules())
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        _required(), EqualTo("password", message=_l("The two passwords do not match."))])


class EmailLinkForm(FlaskForm):
    username = StringField(_l("Pseudonym"), validators=[_required(), Length(max=40)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=_password_rules())
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        _required(), EqualTo("password", message=_l("The two passwords do not match."))])
