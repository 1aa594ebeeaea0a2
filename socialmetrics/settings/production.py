"""Production: every secret comes from the environment, and HTTPS hardening is on."""

import os

from django.core.exceptions import ImproperlyConfigured

for required in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "FIELD_ENCRYPTION_KEY"):
    if not os.environ.get(required):
        raise ImproperlyConfigured(f"{required} must be set in production")

os.environ.setdefault("DEBUG", "false")

from .base import *  # noqa: E402,F401,F403
from .base import env  # noqa: E402

if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure"):  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
