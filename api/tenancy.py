"""Which organization a request acts for, and with which role.

An API key acts for its own organization (as an analyst). A signed-in user acts for one of
their memberships: the one named by `?org=<slug>` or the `X-Organization` header, else
their first (usually only) one.
"""

from dataclasses import dataclass

from rest_framework import exceptions

from accounts.authentication import APIKeyPrincipal
from accounts.models import Membership, Organization, Role

ORG_QUERY_PARAM = "org"
ORG_HEADER = "X-Organization"


@dataclass(frozen=True)
class Tenant:
    organization: Organization
    role: str

    def allows(self, role: str) -> bool:
        return Role.allows(self.role, role)


def _resolve(request) -> Tenant:
    user = request.user
    if isinstance(user, APIKeyPrincipal):
        return Tenant(user.organization, user.role)
    if not user.is_authenticated:
        raise exceptions.NotAuthenticated()
    memberships = Membership.objects.filter(user=user).select_related("organization").order_by("pk")
    slug = request.query_params.get(ORG_QUERY_PARAM) or request.headers.get(ORG_HEADER)
    if slug:
        memberships = memberships.filter(organization__slug=slug)
    membership = memberships.first()
    if membership is None:
        detail = f"You are not a member of organization {slug!r}." if slug else "You are not a member of any organization."
        raise exceptions.PermissionDenied(detail)
    return Tenant(membership.organization, membership.role)


def request_tenant(request) -> Tenant:
    """The request's tenant, resolved once per request."""
    if not hasattr(request, "_tenant"):
        request._tenant = _resolve(request)
    return request._tenant
