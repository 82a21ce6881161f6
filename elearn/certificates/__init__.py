"""Certificates: issued once on completion, PDF stored, verified publicly by code."""
from flask import Blueprint, Flask

bp = Blueprint("certificates", __name__, url_prefix="/<lang:lang>")


def init_app(app: Flask) -> None:
    from . import cli, views  # noqa: F401  (registers routes)

    app.register_blueprint(bp)
    app.cli.add_command(cli.certificates)
    from .service import status_of

    app.jinja_env.globals["certificate_status"] = status_of

    @app.get("/verify/<code>")
    def verify_redirect(code):
        """The address printed in certificates and QR codes: send it to the visitor's language."""
        from flask import redirect, url_for

        from ..i18n import preferred_lang

        return redirect(url_for("certificates.verify", lang=preferred_lang(), code=code))
