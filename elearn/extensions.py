"""Extensions shared by several blueprints."""
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

# Limits live in ELEARN_RATELIMIT_STORAGE_URI (Redis or Memcached when several processes serve).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
csrf = CSRFProtect()
# Pages, CSS, SVG and CSV go out compressed (brotli or gzip, as the browser accepts): learners on
# slow or metered connections pay for every byte.
compress = Compress()
