"""Destructive actions ask first, without JavaScript: the first request (a GET of the action's
address, or a POST without `confirm`) only shows what would happen; the form on that page posts
again with `confirm=yes` and the CSRF token, and only that request changes anything."""
from __future__ import annotations

from flask import render_template, request
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField


class ConfirmForm(FlaskForm):
    confirm = HiddenField(default="yes")


def isolate(text: str) -> Markup:
    """A user-written name inside a sentence, escaped and isolated (`<bdi>`): an Arabic group name
    in an English question (or the reverse) keeps its own direction and the question mark its place."""
    return Markup("<bdi>{}</bdi>").format(text)


def confirmed() -> bool:
    """Whether this request is the confirmation: a POST from the confirmation page, CSRF valid."""
    return request.method == "POST" and request.form.get("confirm") == "yes" and ConfirmForm().validate_on_submit()


def confirm_page(*, title: str, consequences: list[str], action: str, cancel_url: str, danger: bool = True,
                 hidden: dict[str, str] | None = None, status: int = 200):
    """The page that asks: `title` as a question (Markup when it holds `isolate`d names), what
    happens (`consequences`), a button
    labelled `action` that confirms, and a link back to `cancel_url`. `hidden` fields are posted
    with the confirmation (a revocation's reason)."""
    return render_template("confirm.html", title=title, consequences=consequences, action=action,
                           cancel_url=cancel_url, danger=danger, hidden=hidden or {},
                           form=ConfirmForm(formdata=None)), status
