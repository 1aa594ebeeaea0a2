"""`Authorization: Api-Key <key>`: an agency key that acts for exactly one organization.

A key has analyst rights in its organization: it reads everything, imports files and
triggers syncs, but cannot manage accounts or keys (that takes a signed-in owner).
"""

from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import OrganizationAPIKey, Role

KEYWORD = "Api-Key"


class APIKeyPrincipal:
    """Stands in for `request.user` when a request is made with an API key."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False

    role = Role.ANALYST

    def __init__(self, api_key: OrganizationAPIKey):
        self.api_key = api_key
        self.organization = api_key.organization
        self.pk = None
        self.id = None

    def __str__(self):
        return f"api-key:{self.api_key.prefix}"


class OrganizationAPIKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        if not header.startswith(f"{KEYWORD} "):
            return None
        key = header[len(KEYWORD) + 1 :].strip()
        try:
            api_key = OrganizationAPIKey.objects.get_from_key(key)
        except OrganizationAPIKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid API key.") from None
        if api_key.revoked or api_key.has_expired:
            raise exceptions.AuthenticationFailed("This API key is revoked or expired.")
        now = timezone.now()
        # One write a minute at most: last-used is for humans, not an audit log.
        if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
            OrganizationAPIKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        return APIKeyPrincipal(api_key), api_key

    def authenticate_header(self, request):
        return KEYWORD
