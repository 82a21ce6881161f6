"""Account forms. Every validation message is a translatable string (both languages)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp

USERNAME = r"^[^\s@<>/\\]+$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
LOCALE_CHOICES = [SelectChoice("ar", "العربية"), SelectChoice("en", "English")]


def _required():
    return InputRequired(message=_l("This field is required."))


def _password_rules():
    return [_required(), Length(min=10, max=200, message=_l("Use between %(min)d and %(max)d characters."))]


class RegisterForm(FlaskForm):
    username = StringField(_l("Pseudonym"), validators=[
        _required(), Length(min=3, max=40, message=_l("Use between %(min)d and %(max)d characters.")),
        Regexp(USERNAME, message=_l("No spaces and none of these characters: @ < > / \\")),
    ], description=_l("You sign in with this. It need not be your real name."))
    email = StringField(_l("E-mail (optional)"), validators=[
        Optional(), Length(max=254), Regexp(EMAIL, message=_l("This does not look like an e-mail address.")),
    ], description=_l("Without an e-mail address a forgotten password cannot be reset by e-mail: "
                      "ask your trainer or an administrator. We never show it to anyone."))
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
    display_name = StringField(_l("Display name"), validators=[
        _required(), Length(min=1, max=80, message=_l("Use between %(min)d and %(max)d characters."))])
    certificate_name = StringField(_l("Name on certificates"), validators=[
        Optional(), Length(max=120, message=_l("Use at most %(max)d characters."))],
        description=_l("Printed on your certificates. Leave empty to use your display name."))
    email = StringField(_l("E-mail (optional)"), validators=[
        Optional(), Length(max=254), Regexp(EMAIL, message=_l("This does not look like an e-mail address."))])
    locale = RadioField(_l("Language"), choices=LOCALE_CHOICES, validators=[_required()])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[_required(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=_password_rules())
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        _required(), EqualTo("password", message=_l("The two passwords do not match."))])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token: sign out, mark as complete."""
