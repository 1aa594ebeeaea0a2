"""Which organization a request acts for, and with which role.

An API key acts for its own organization (as an analyst). A signed-in user acts for one of
their memberships: the one named by `?org=<slug>` or the `X-Organization` header, else
their first (usually only) one.
"""

from rest_framework import exceptions

from accounts.authentication import APIKeyPrincipal
from accounts.tenancy import Tenant, user_tenant

ORG_QUERY_PARAM = "org"
ORG_HEADER = "X-Organization"


def _resolve(request) -> Tenant:
    user = request.user
    if isinstance(user, APIKeyPrincipal):
        return Tenant(user.organization, user.role)
    if not user.is_authenticated:
        raise exceptions.NotAuthenticated()
    slug = request.query_params.get(ORG_QUERY_PARAM) or request.headers.get(ORG_HEADER)
    tenant = user_tenant(user, slug=slug)
    if tenant is None:
        detail = f"You are not a member of organization {slug!r}." if slug else "You are not a member of any organization."
        raise exceptions.PermissionDenied(detail)
    return tenant


def request_tenant(request) -> Tenant:
    """The request's tenant, resolved once per request."""
    if not hasattr(request, "_tenant"):
        request._tenant = _resolve(request)
    return request._tenant
