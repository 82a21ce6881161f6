"""`elearn badges keygen|rotate|retire|keys|credential`: the Open Badges signing keys (kept in
BADGE_KEY_DIR, never in the repository) and a certificate's credential on standard output."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from ..badges import keys, service
from ..certificates import service as certificates
from ..clock import utcnow
from ..db import db

badges = AppGroup("badges", help="Open Badges 3.0: signing keys and credentials.")


def _folder() -> str:
    return current_app.config["BADGE_KEY_DIR"]


@badges.command("keygen")
def keygen() -> None:
    """Make the first Ed25519 signing key (refuses if there is one: use `rotate`)."""
    if keys.load(_folder()).keys:
        raise click.ClickException("a signing key exists already; `elearn badges rotate` makes a new one")
    kid = keys.generate(_folder(), utcnow())
    click.echo(f"signing key {kid} made in {_folder()}; back this folder up (and keep it out of the repository)")


@badges.command("rotate")
def rotate() -> None:
    """Make a new signing key and make it the active one. Earlier keys stay published, so
    credentials they signed still verify (retire a leaked one with `retire`)."""
    kid = keys.generate(_folder(), utcnow())
    click.echo(f"active signing key: {kid}")


@badges.command("retire")
@click.argument("kid")
def retire(kid: str) -> None:
    """Retire key KID (it leaked): it is published as revoked and what it signed stops verifying."""
    try:
        keys.retire(_folder(), kid, utcnow())
    except (keys.NoKey, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"retired {kid}")


@badges.command("keys")
def list_keys() -> None:
    """List the signing keys (public halves)."""
    ring = keys.load(_folder())
    if not ring.keys:
        click.echo("no signing key: run `elearn badges keygen`")
    for key in ring.keys:
        state = "active" if key.kid == ring.active_kid else ("retired" if key.retired else "published")
        click.echo(f"{key.kid}\t{state}\t{service.key_document(ring, key.kid, current_app.config['BASE_URL'])['id']}")


@badges.command("credential")
@click.argument("code")
def credential(code: str) -> None:
    """Print the signed Open Badges credential of the certificate with verification code CODE."""
    certificate = certificates.find(db.session, code)
    if certificate is None:
        raise click.ClickException(f"no certificate with code {code}")
    module = current_app.extensions["catalog"].module(certificate.module_id)
    try:
        document = service.credential_for(certificate, module, keys.load(_folder()),
                                          current_app.config["BASE_URL"], utcnow())
    except keys.NoKey as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(document, ensure_ascii=False, indent=1))
