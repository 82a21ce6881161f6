"""Cross-cutting: health, static caching, no third-party requests, security headers, JS-free pages."""
import re

import pytest


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "modules": 1}


def test_static_files_are_fingerprinted_and_cached_long(client):
    html = client.get("/en/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{10})"', html)
    assert css, "stylesheet URL is not fingerprinted"
    response = client.get(css.group(1))
    assert response.status_code == 200
    assert response.cache_control.max_age == 365 * 24 * 3600


@pytest.mark.parametrize("path", ["/", "/modules/sample/", "/modules/sample/first-lesson/", "/login", "/register"])
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_pages_load_nothing_from_other_hosts_and_need_no_javascript(client, lang, path):
    response = client.get(f"/{lang}{path}")
    html = response.get_data(as_text=True)
    # Anything the browser fetches by itself: src=, <link href=>, CSS url(). Links (<a href>) are not fetched.
    fetched = re.findall(r'src="([^"]+)"', html) + re.findall(r'<link[^>]+href="([^"]+)"', html)
    assert all(url.startswith("/") and not url.startswith("//") for url in fetched), fetched
    assert "<script" not in html
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_stylesheet_uses_logical_properties_only(app):
    from pathlib import Path

    css = Path(app.static_folder, "css", "app.css").read_text()
    physical = re.findall(r"(?<![-\w])(margin|padding|border)-(left|right)\b|(?<![-\w])(left|right)\s*:|text-align:\s*(left|right)", css)
    assert physical == []


def test_static_files_stay_cached_for_signed_in_learners(app, client, login):
    """No session cookie and no Vary: Cookie on a static file, so the browser's cached copy is
    reused across pages instead of revalidated (one request per page on a slow link)."""
    login("reader", client)
    html = client.get("/en/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=[^"]+)"', html).group(1)
    response = client.get(css, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "") and "max-age=31536000" in response.headers["Cache-Control"]
    assert response.headers.get("Content-Encoding") in ("br", "gzip")


def test_pages_are_compressed(client):
    response = client.get("/en/modules/sample/first-lesson/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in response.headers["Vary"]
    import gzip

    assert b"<html" in gzip.decompress(response.get_data())
