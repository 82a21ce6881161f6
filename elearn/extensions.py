"""Extensions shared by several blueprints."""
from flask import g
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

# Limits live in ELEARN_RATELIMIT_STORAGE_URI (Redis or Memcached when several processes serve).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
csrf = CSRFProtect()


class _Compress(Compress):
    """Compression, except for responses that carry a secret (web.carries_secrets): compressed
    beside text an attacker can choose, a secret's guesses show in the response size (BREACH)."""

    def after_request(self, response):
        if g.get("carries_secrets"):
            return response
        return super().after_request(response)


# Pages, CSS, SVG and CSV go out compressed (brotli or gzip, as the browser accepts): learners on
# slow or metered connections pay for every byte.
compress = _Compress()
