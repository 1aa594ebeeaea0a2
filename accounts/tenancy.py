"""Which organization a user acts for, with which role, and the data that organization sees.

The API (api/tenancy.py: API keys, `?org=` / `X-Organization`) and the dashboards (the
organization chosen in the session) both resolve a user's tenant here and narrow every
queryset with `scoped`, so no view filters by organization by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Membership, Organization, Role


@dataclass(frozen=True)
class Tenant:
    organization: Organization
    role: str

    def allows(self, role: str) -> bool:
        return Role.allows(self.role, role)


def user_tenant(user, *, slug: str | None = None, preferred: int | None = None) -> Tenant | None:
    """The membership `user` acts through: the organization named by `slug` (None when they are not
    a member of it), else the `preferred` organization id if they are a member, else their first."""
    memberships = list(Membership.objects.filter(user=user).select_related("organization").order_by("pk"))
    if slug:
        memberships = [m for m in memberships if m.organization.slug == slug]
    chosen = next((m for m in memberships if m.organization_id == preferred), None) if preferred else None
    membership = chosen or (memberships[0] if memberships else None)
    return Tenant(membership.organization, membership.role) if membership else None


def scoped(queryset: QuerySet, organization: Organization, path: str = "organization") -> QuerySet:
    """`queryset` narrowed to one organization; `path` is the ORM path from the model to it."""
    return queryset.filter(**{path: organization})
