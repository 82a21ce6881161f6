"""`elearn certificates revoke CODE --reason ...` and `elearn certificates repair`."""
import click
from flask.cli import AppGroup

from flask import current_app

from .. import steps
from ..certificates import service
from ..db import db

certificates = AppGroup("certificates", help="Manage certificates.")


@certificates.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Why the certificate is revoked (shown to no one but admins).")
def revoke(code: str, reason: str) -> None:
    """Revoke the certificate with verification code CODE."""
    certificate = service.find(db.session, code)
    if certificate is None:
        raise click.ClickException(f"no certificate with code {code}")
    service.revoke(db.session, certificate, reason)
    click.echo(f"revoked {certificate.code}")


@certificates.command("repair")
def repair() -> None:
    """Issue the certificates of completed modules that lack one (after a crash between a
    step's commit and its certificate's)."""
    issued = steps.repair_certificates(db.session, current_app.extensions["catalog"],
                                       service.Policy.from_config(current_app.config))
    click.echo(f"certificates issued: {issued}")
