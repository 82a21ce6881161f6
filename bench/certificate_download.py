"""Time downloading a stored certificate (GET /<lang>/me/certificates/<code>.pdf): the PDF is
made once at issue, so a download only reads it back. Prints median and p95.

    python bench/certificate_download.py [--n 200]
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()

    import datetime as dt

    from elearn import create_app
    from elearn.auth.models import User
    from elearn.certificates import service
    from elearn.certificates.models import Certificate
    from elearn.certificates.pdf import CertificateContent, render_certificate_pdf
    from elearn.db import db, upgrade_database

    tmp = tempfile.mkdtemp()
    app = create_app({"INSTANCE_PATH": tmp, "LOG_LEVEL": "WARNING", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                      "RATELIMIT_ENABLED": False})
    client = app.test_client()
    with app.app_context():
        upgrade_database()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/en/register").get_data(as_text=True)).group(1)
    client.post("/en/register", data={"username": "bench", "password": "bench password", "confirm": "bench password",
                                      "locale": "en", "csrf_token": token})
    with app.app_context(), app.test_request_context():
        user = db.session.query(User).one()
        module = app.extensions["catalog"].modules[0]
        # Issue directly: the bench measures downloads, not the learning path.
        code = service.new_code()
        pdf = render_certificate_pdf(CertificateContent(user.display_name, module.title.ar, module.title.en,
                                                        dt.date.today(), None, code, service.verify_url("https://elearn.example", code)))
        db.session.add(Certificate(user_id=user.id, module_id=module.id, code=code, name=user.display_name,
                                   title_ar=module.title.ar, title_en=module.title.en,
                                   content_version=module.version, pdf=pdf))
        db.session.commit()
    times = []
    for _ in range(args.n):
        start = time.perf_counter()
        response = client.get(f"/en/me/certificates/{code}.pdf")
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
    times.sort()
    print(f"stored certificate download (n={args.n}, {len(response.data) / 1024:.1f} KB): "
          f"median {statistics.median(times):.2f} ms, p95 {times[int(0.95 * (len(times) - 1))]:.2f} ms")


if __name__ == "__main__":
    main()
