"""`elearn certificates revoke CODE --reason ...`."""
import click
from flask.cli import AppGroup

from ..db import db
from . import service

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
