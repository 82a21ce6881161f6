"""Error pages in the visitor's language. Bad input never becomes a 500."""
from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .db import db


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_template("errors/error.html", code=400, title=_("This form has expired"),
                               message=_("The page was open too long or came from another site. "
                                         "Go back, reload the page and send the form again. "
                                         "Nothing you saved before is lost.")), 400

    @app.errorhandler(HTTPException)
    def http_error(exc):
        titles = {
            404: (_("Page not found"), _("There is no page at this address. It may have moved.")),
            405: (_("Not allowed"), _("This address does not accept that kind of request.")),
            413: (_("Too much data"), _("The form sent more data than we accept.")),
            429: (_("Too many attempts"), _("Please wait a minute and try again.")),
            403: (_("Not allowed"), _("You do not have access to this page.")),
            400: (_("Bad request"), _("The request could not be understood.")),
        }
        title, message = titles.get(exc.code, (exc.name, exc.description))
        return render_template("errors/error.html", code=exc.code, title=title, message=message), exc.code

    @app.errorhandler(500)
    def server_error(exc):
        # The failed request's transaction may be half done (or the connection in a failed
        # state): end it before rendering, so this page and the next request start clean.
        db.session.rollback()
        return render_template("errors/error.html", code=500, title=_("Something went wrong"),
                               message=_("An error on our side stopped this page. Your saved work "
                                         "is safe. Please try again in a moment.")), 500
