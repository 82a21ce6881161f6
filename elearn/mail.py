"""Plain-text e-mail through the SMTP server in the settings (ELEARN_SMTP_*, ELEARN_MAIL_FROM).

One connection per message keeps failures independent: a refused recipient or a dropped
connection fails that message only, and the caller decides what to retry.
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import Flask

TIMEOUT_SECONDS = 30


def mail_configured(app: Flask) -> bool:
    """True when an SMTP host is set."""
    return bool(app.config.get("SMTP_HOST"))


def build_message(app: Flask, to: str, subject: str, body_text: str, message_id: str | None = None) -> EmailMessage:
    """A UTF-8 text/plain message (Arabic included) from ELEARN_MAIL_FROM."""
    message = EmailMessage()
    message["From"] = app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or make_msgid(domain=app.config["MAIL_FROM"].rpartition("@")[2] or None)
    message.set_content(body_text)
    return message


def send_mail(app: Flask, to: str, subject: str, body_text: str, message_id: str | None = None) -> None:
    """Send one message; raises (smtplib.SMTPException, OSError) when it was not accepted.

    `message_id`, when given, is stable across retries so a receiving system can drop a
    duplicate.
    """
    if not mail_configured(app):
        raise RuntimeError("e-mail is not configured: set ELEARN_SMTP_HOST")
    message = build_message(app, to, subject, body_text, message_id)
    with smtplib.SMTP(app.config["SMTP_HOST"], app.config["SMTP_PORT"], timeout=TIMEOUT_SECONDS) as smtp:
        if app.config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if app.config.get("SMTP_USERNAME"):
            smtp.login(app.config["SMTP_USERNAME"], app.config.get("SMTP_PASSWORD") or "")
        smtp.send_message(message)
