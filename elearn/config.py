"""Settings from ELEARN_* environment variables, with safe defaults.

| variable | default |
|---|---|
| ELEARN_INSTANCE_PATH | `instance/` beside the package's parent folder (the checkout) |
| ELEARN_DATABASE_URL | `sqlite:///<instance>/elearn.sqlite3` |
| ELEARN_SECRET_KEY | generated once and kept in `<instance>/secret_key` |
| ELEARN_BASE_URL | `http://127.0.0.1:5000`, or the address `elearn serve` listens on (public address for links in e-mails and certificates) |
| ELEARN_RATELIMIT_STORAGE_URI | `memory://` (use `redis://...` with several processes: memory is per process) |
| ELEARN_PROXY_FIX | `0`; the number of proxies in front whose X-Forwarded-For/-Proto/-Host to trust |
| ELEARN_LOG_LEVEL | `INFO` (JSON lines on standard error, one per request) |
| ELEARN_CONTENT_DIR | the checkout (holds `lessons/` and `quizzes/`) |
| ELEARN_CERTIFICATE_DUE_SOON_DAYS | `30` (a certificate is "due soon" this many days before it expires) |
| ELEARN_REFRESHER_QUESTIONS | `10` (questions in a refresher quiz) |
| ELEARN_SMTP_HOST | unset (no e-mail); ELEARN_SMTP_PORT `25`, ELEARN_SMTP_USERNAME, ELEARN_SMTP_PASSWORD |
| ELEARN_SMTP_STARTTLS | `false` (`true` to upgrade the connection with STARTTLS) |
| ELEARN_MAIL_FROM | `elearn@localhost` (sender of reminders and invitations) |
| ELEARN_BADGE_KEY_DIR | `<instance>/badge-keys` (Open Badges signing keys: `elearn badges keygen`) |
| ELEARN_XAPI_ENDPOINT | unset (no xAPI); the LRS's statements endpoint base, e.g. `https://lrs.example/xAPI/` |
| ELEARN_XAPI_USERNAME, ELEARN_XAPI_PASSWORD | unset; HTTP Basic credentials for the LRS |
| ELEARN_SESSION_IDLE_MINUTES | `120` (a session ends after this long without a request) |
| ELEARN_SESSION_MAX_HOURS | `12` (and this long after sign-in, however active) |
| ELEARN_INVITATIONS_PER_DAY | `100` (invitation e-mails one trainer may send per day, UTC) |
| ELEARN_SIGN_IN_FAILURES_KEEP_HOURS | `24` (failed sign-ins are purged after this; see docs/privacy.md) |
| ELEARN_REMINDERS_KEEP_DAYS | `400` (reminder records are purged after this, by `elearn privacy purge`) |
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(__file__).resolve().parent


def local_base_url(host: str, port: int) -> str:
    """The address a server listening on `host`:`port` answers at on this machine: what links
    point to when ELEARN_BASE_URL does not say (a wildcard host is reached as 127.0.0.1)."""
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    if ":" in host and not host.startswith("["):  # an IPv6 address in a URL is bracketed
        host = f"[{host}]"
    return f"http://{host}:{port}"


def instance_path() -> str:
    return os.path.abspath(os.environ.get("ELEARN_INSTANCE_PATH") or ROOT / "instance")


def from_env(instance: str) -> dict:
    """The app's settings, read from the environment."""
    content = Path(os.environ.get("ELEARN_CONTENT_DIR") or ROOT).resolve()
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get("ELEARN_DATABASE_URL")
        or "sqlite:///" + os.path.join(instance, "elearn.sqlite3"),
        "SECRET_KEY": os.environ.get("ELEARN_SECRET_KEY"),
        "BASE_URL": (os.environ.get("ELEARN_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "RATELIMIT_STORAGE_URI": os.environ.get("ELEARN_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_SWALLOW_ERRORS": True,  # a rate-limit store outage lets requests through, not 500s
        "PROXY_FIX": int(os.environ.get("ELEARN_PROXY_FIX") or 0),
        "LOG_LEVEL": os.environ.get("ELEARN_LOG_LEVEL") or "INFO",
        "LESSONS_DIR": str(content / "lessons"),
        "QUIZZES_DIR": str(content / "quizzes"),
        "TRANSLATIONS_DIR": str(ROOT / "translations"),
        "STATIC_DIR": str(ROOT / "static"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/csv", "text/plain", "image/svg+xml",
                               "application/json"],
        # Brotli quality 3 with a 256 KB window: a lesson page (18 KB of HTML) compresses in
        # 0.3 ms instead of 0.7 ms at flask-compress's default (4, 4 MB) for 4 % more bytes
        # (6.1 KB instead of 5.9 KB; bench/lesson.py, page_weight.py).
        "COMPRESS_BR_LEVEL": 3,
        "COMPRESS_BR_WINDOW": 18,
        "SESSION_COOKIE_SECURE": (os.environ.get("ELEARN_BASE_URL") or "").startswith("https://"),
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session: a slow reader keeps their form
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "CERTIFICATE_DUE_SOON_DAYS": int(os.environ.get("ELEARN_CERTIFICATE_DUE_SOON_DAYS") or 30),
        "REFRESHER_QUESTIONS": int(os.environ.get("ELEARN_REFRESHER_QUESTIONS") or 10),
        "SMTP_HOST": os.environ.get("ELEARN_SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("ELEARN_SMTP_PORT") or 25),
        "SMTP_USERNAME": os.environ.get("ELEARN_SMTP_USERNAME") or None,
        "SMTP_PASSWORD": os.environ.get("ELEARN_SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": (os.environ.get("ELEARN_SMTP_STARTTLS") or "").lower() in ("1", "true", "yes", "on"),
        "MAIL_FROM": os.environ.get("ELEARN_MAIL_FROM") or "elearn@localhost",
        "BADGE_KEY_DIR": os.environ.get("ELEARN_BADGE_KEY_DIR") or os.path.join(instance, "badge-keys"),
        # xAPI is opt-in: statements are queued only when an LRS endpoint is set.
        "XAPI_ENDPOINT": os.environ.get("ELEARN_XAPI_ENDPOINT") or None,
        "XAPI_USERNAME": os.environ.get("ELEARN_XAPI_USERNAME") or None,
        "XAPI_PASSWORD": os.environ.get("ELEARN_XAPI_PASSWORD") or None,
        "SESSION_IDLE_MINUTES": float(os.environ.get("ELEARN_SESSION_IDLE_MINUTES") or 120),
        "SESSION_MAX_HOURS": float(os.environ.get("ELEARN_SESSION_MAX_HOURS") or 12),
        "INVITATIONS_PER_DAY": int(os.environ.get("ELEARN_INVITATIONS_PER_DAY") or 100),
        "SIGN_IN_FAILURES_KEEP_HOURS": float(os.environ.get("ELEARN_SIGN_IN_FAILURES_KEEP_HOURS") or 24),
        "REMINDERS_KEEP_DAYS": int(os.environ.get("ELEARN_REMINDERS_KEEP_DAYS") or 400),
    }


def ensure_secret_key(instance: str) -> str:
    """Read the instance's secret key, creating it (once, readable by the owner only) if absent."""
    path = Path(instance) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key
