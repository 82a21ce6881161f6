"""Links point where the app is served (issue 15): `elearn serve` takes its own address as the
public one unless ELEARN_BASE_URL says otherwise, and `elearn demo` issues its certificates for
the port it will be served on."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from elearn import cli, config
from elearn.certificates.models import Certificate
from elearn.db import db


@pytest.mark.parametrize("host, port, url", [
    ("127.0.0.1", 8000, "http://127.0.0.1:8000"), ("0.0.0.0", 5001, "http://127.0.0.1:5001"),
    ("localhost", 80, "http://localhost:80"), ("::", 8080, "http://[::1]:8080"), ("::1", 8080, "http://[::1]:8080"),
])
def test_the_local_address_of_a_server(host, port, url):
    assert config.local_base_url(host, port) == url


def test_serve_points_links_at_its_own_port_unless_told(monkeypatch, app):
    served = {}
    monkeypatch.setattr(cli, "_make_app", lambda: app)
    monkeypatch.setattr(cli, "upgrade_database", lambda: None)
    monkeypatch.setattr(cli, "run_simple", lambda host, port, application, **kw: served.update(
        base=application.config["BASE_URL"]))
    monkeypatch.delenv("ELEARN_BASE_URL", raising=False)
    result = cli.main.main(["serve", "--port", "8123"], standalone_mode=False)
    assert result is None and served["base"] == "http://127.0.0.1:8123"
    monkeypatch.setenv("ELEARN_BASE_URL", "https://learn.example.org")
    app.config["BASE_URL"] = "https://learn.example.org"
    cli.main.main(["serve", "--port", "8124"], standalone_mode=False)
    assert served["base"] == "https://learn.example.org"


def test_demo_certificates_point_at_the_port_it_will_be_served_on(app, runner, monkeypatch):
    monkeypatch.delenv("ELEARN_BASE_URL", raising=False)
    result = runner.invoke(args=["demo", "--password", "demo password 123", "--port", "8000"])
    assert result.exit_code == 0, result.output
    assert "certificates and links point to http://127.0.0.1:8000" in result.output
    with app.app_context():
        certificate = db.session.scalars(select(Certificate).where(Certificate.pdf != b"")).first()
        assert certificate is not None
        text = "".join(PdfReader(io.BytesIO(certificate.pdf)).pages[0].extract_text().split())
    assert f"http://127.0.0.1:8000/verify/{certificate.code}" in text
