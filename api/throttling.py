from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from accounts.authentication import APIKeyPrincipal


class TenantRateThrottle(ScopedRateThrottle):
    """Counts per API key or per user (not per IP: agencies share NAT gateways), in the Redis cache."""

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
