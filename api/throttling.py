import logging
from functools import cache

import redis
from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from accounts.authentication import APIKeyPrincipal

logger = logging.getLogger(__name__)

# One round trip, atomic: concurrent requests each see their own count, so none slips past the limit.
COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


@cache
def _redis(url: str) -> redis.Redis:
    # Short timeouts: with Redis gone a request waits a fraction of a second, not the kernel's minutes.
    timeout = settings.REDIS_SOCKET_TIMEOUT
    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)


class TenantRateThrottle(ScopedRateThrottle):
    """Counts per API key or per user (not per IP: agencies share NAT gateways), in Redis.

    Fixed windows of the rate's duration, counted with INCR. Without Redis the request is let
    through (and logged): losing the rate limit for a while beats losing the API.
    """

    def get_rate(self):
        # Read the setting at request time so a changed rate (tests, reloads) applies at once.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        user = request.user
        if isinstance(user, APIKeyPrincipal):
            ident = f"key-{user.api_key.pk}"
        elif user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        self.rate = self.get_rate() if self.scope else None
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        now = self.timer()
        window = int(now // self.duration)
        self.retry_after = self.duration - (now - window * self.duration)
        key = f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:{self.get_cache_key(request, view)}:{window}"
        try:
            count = _redis(settings.REDIS_URL).eval(COUNT_SCRIPT, 1, key, self.duration + 1)
        except redis.RedisError as exc:
            logger.warning("throttle: Redis unavailable, request let through: %s", exc)
            return True
        return count <= self.num_requests

    def wait(self):
        return self.retry_after
