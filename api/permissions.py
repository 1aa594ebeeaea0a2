"""Roles: a viewer reads, an analyst also imports and syncs, an owner also manages accounts and keys."""

from rest_framework import exceptions, permissions

from accounts.models import Role

from .tenancy import request_tenant


class TenantRolePermission(permissions.BasePermission):
    """Reads need any membership; writes need the view's `write_role`, or `action_roles[action]`."""

    def has_permission(self, request, view):
        method = request.method.lower()
        if method not in view.http_method_names or not hasattr(view, method):
            return True  # let the view answer 405 rather than a misleading 403
        tenant = request_tenant(request)
        needed = view.action_roles.get(getattr(view, "action", None))
        if needed is None:
            needed = Role.VIEWER if request.method in permissions.SAFE_METHODS else view.write_role
        if not tenant.allows(needed):
            raise exceptions.PermissionDenied(
                f"This needs the {needed} role in {tenant.organization.slug}; you are {tenant.role}."
            )
        return True
