"""What every dashboard page shares: the current organization, the filters, the navigation."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.models import Membership, Organization, Platform, Role, SocialAccount
from accounts.platforms import PLATFORM_COLORS
from accounts.tenancy import Tenant, scoped, user_tenant
from ingestion.selectors import data_freshness

from .forms import FilterForm, Preset

SESSION_ORG_KEY = "dashboards_organization_id"

def user_organizations(user):
    return Organization.objects.filter(memberships__user=user).order_by("name")


def current_tenant(request) -> Tenant | None:
    """The organization chosen in this session, else the user's first membership (as the API does)."""
    return user_tenant(request.user, preferred=request.session.get(SESSION_ORG_KEY))


def organization_switch(request, organization_id: str) -> bool:
    if not str(organization_id).isdigit():
        return False
    if not Membership.objects.filter(user=request.user, organization_id=organization_id).exists():
        return False
    request.session[SESSION_ORG_KEY] = int(organization_id)
    return True


def organization_required(view):
    """Logs in, resolves the organization and hands it to the view; members of none get a clear page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        tenant = current_tenant(request)
        if tenant is None:
            return render(request, "dashboards/no_organization.html", status=403)
        request.organization, request.role = tenant.organization, tenant.role
        return view(request, *args, **kwargs)

    return wrapper


def can_change_data(request) -> bool:
    """Syncing and importing need an analyst or owner, as in the API; viewers only read."""
    return Role.allows(request.role, Role.ANALYST)


def filter_form(request) -> FilterForm:
    return FilterForm(request.GET, organization=request.organization)


def query_string(filters, **overrides) -> str:
    """The filters as a query string, so links between pages keep them."""
    params = {"preset": filters.preset}
    if filters.preset == Preset.CUSTOM:
        params |= {"start": filters.start.isoformat(), "end": filters.end.isoformat()}
    if filters.platform:
        params["platform"] = filters.platform
    if filters.account:
        params["account"] = filters.account.pk
    params |= overrides
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def page_context(request, form: FilterForm, *, page: str) -> dict:
    filters = form.filters()
    accounts = scoped(SocialAccount.objects.all(), request.organization)
    if filters.platform:
        accounts = accounts.filter(platform=filters.platform)
    return {
        "page": page,
        "organization": request.organization,
        "organizations": user_organizations(request.user),
        "form": form,
        "filters": filters,
        "presets": Preset.CHOICES,
        "platforms": Platform.choices,
        "platform_colors": PLATFORM_COLORS,
        "accounts": accounts.order_by("platform", "name"),
        "qs": query_string(filters),
        "can_change_data": can_change_data(request),
        "freshness": data_freshness(
            accounts=accounts.filter(pk=filters.account.pk) if filters.account else accounts,
            start=filters.start,
            end=filters.end,
        ),
    }
