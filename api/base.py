"""The one place that scopes API data to the request's organization."""

from rest_framework import viewsets
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.views import APIView

from accounts.models import Role
from accounts.tenancy import scoped

from .pagination import Pagination
from .permissions import TenantRolePermission
from .renderers import CSVRenderer
from .schema import ApiAutoSchema
from .tenancy import request_tenant
from .throttling import TenantRateThrottle


class TenantViewMixin:
    """Auth, roles, throttling, CSV and error rendering shared by every API view.

    Querysets are narrowed to the tenant through `organization_path` (the ORM path from the
    model to its Organization), so no view ever filters by organization itself.
    """

    permission_classes = [TenantRolePermission]
    throttle_classes = [TenantRateThrottle]
    throttle_scope = "api"
    pagination_class = Pagination
    renderer_classes = [JSONRenderer, CSVRenderer, BrowsableAPIRenderer]
    schema = ApiAutoSchema()
    write_role = Role.OWNER
    action_roles: dict = {}
    organization_path = "organization"

    @property
    def tenant(self):
        return request_tenant(self.request)

    def scoped(self, queryset, organization_path=None):
        return scoped(queryset, self.tenant.organization, organization_path or self.organization_path)

    def get_queryset(self):
        return self.scoped(super().get_queryset())

    def handle_exception(self, exc):
        # Errors are always JSON, even when `?format=csv` was asked for.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


class TenantViewSet(TenantViewMixin, viewsets.GenericViewSet):
    pass


class TenantAPIView(TenantViewMixin, APIView):
    pass
