"""Thin API views: parse, call one selector or service, return. Scoping lives in `base`."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts import services as account_services
from accounts.models import OrganizationAPIKey, Role, SocialAccount
from analytics import selectors
from analytics.models import AccountDailyMetric, Campaign, Post
from ingestion import services as ingestion_services
from ingestion.importers import TEMPLATE_KINDS, template_csv
from ingestion.models import IngestionRun

from . import imports
from . import serializers as s
from .base import TenantAPIView, TenantViewSet
from .filters import AccountMetricFilter, CampaignFilter, IngestionRunFilter
from .limits import kpi_rows_check
from .pagination import FrameRows
from .windows import WindowSerializer


class AccountViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, mixins.DestroyModelMixin, TenantViewSet,
):
    """Platform accounts. Owners create, edit and delete them; credentials are write-only."""

    queryset = SocialAccount.objects.all()
    serializer_class = s.AccountSerializer
    filterset_fields = ["platform", "status"]
    ordering_fields = ["name", "platform", "created_at", "last_synced_at"]
    ordering = ["platform", "name", "pk"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    action_roles = {"imports": Role.ANALYST, "sync": Role.ANALYST}

    def perform_create(self, serializer):
        serializer.save(organization=self.tenant.organization)

    @extend_schema(
        request={"multipart/form-data": s.ImportRequestSerializer}, parameters=[imports.ImportQuerySerializer],
        responses={202: imports.ImportAcceptedSerializer, 201: s.ImportResultSerializer},
        description=imports.__doc__,
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def imports(self, request, pk=None):
        return imports.import_accept(request, self.get_object())

    @extend_schema(request=WindowSerializer, responses={202: s.SyncAcceptedSerializer})
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        """Queue a sync of this account's window from its platform API; poll the returned run."""
        account = self.get_object()
        body = WindowSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = ingestion_services.sync_request(account=account, **body.validated_data)
        return Response(
            {"run": run.pk, "status": run.status, "window_start": run.window_start, "window_end": run.window_end},
            status=status.HTTP_202_ACCEPTED,
        )


class AccountMetricViewSet(mixins.ListModelMixin, TenantViewSet):
    """An account's raw daily rows as stored: `null` = not reported by the platform."""

    queryset = AccountDailyMetric.objects.order_by("date")
    serializer_class = s.AccountDailyMetricSerializer
    organization_path = "account__organization"
    filterset_class = AccountMetricFilter
    ordering_fields = ["date"]
    ordering = ["date"]

    def get_queryset(self):
        account = self.scoped(SocialAccount.objects.all(), "organization").filter(pk=self.kwargs["account_pk"]).first()
        if account is None:
            raise exceptions.NotFound("No such account.")
        return super().get_queryset().filter(account=account)


class PostViewSet(TenantViewSet):
    """Posts of a window with their numbers, read by analytics.selectors.post_performance (see `POST_RULE`)."""

    queryset = Post.objects.all()
    serializer_class = s.PostSerializer
    organization_path = "account__organization"
    filter_backends = []

    def _performance(self, **query):
        return selectors.post_performance(organization=self.tenant.organization, **query)

    @extend_schema(parameters=[s.PostQuerySerializer], description=s.POST_RULE,
                   responses=s.PostActivitySerializer(many=True))
    def list(self, request):
        query = s.PostQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        window = {"start": None, "end": None, **query.validated_data}
        page = self.paginate_queryset(FrameRows(self._performance(**window)))
        serializer = s.PostActivitySerializer if window["view"] == "activity" else s.PostSerializer
        return self.get_paginated_response(serializer(page, many=True, context=self.get_serializer_context()).data)

    @extend_schema(description=s.POST_RULE)
    def retrieve(self, request, pk=None):
        post = self.get_object()
        (row,) = FrameRows(self._performance(start=None, end=None, post=post.pk))
        return Response(self.get_serializer(row).data)


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet):
    queryset = Campaign.objects.all()
    serializer_class = s.CampaignSerializer
    filterset_class = CampaignFilter
    ordering_fields = ["name", "start", "end"]
    ordering = ["name", "pk"]
    write_role = Role.ANALYST

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "organization": self.tenant.organization}

    def perform_create(self, serializer):
        serializer.save(organization=self.tenant.organization)


class IngestionRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    queryset = IngestionRun.objects.all()
    serializer_class = s.IngestionRunSerializer
    organization_path = "account__organization"
    filterset_class = IngestionRunFilter
    ordering_fields = ["created_at", "finished_at"]
    ordering = ["-created_at", "-pk"]


class APIKeyViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, TenantViewSet):
    """The organization's API keys (owners only). DELETE revokes a key; it stops working at once."""

    queryset = OrganizationAPIKey.objects.all()
    serializer_class = s.APIKeySerializer
    lookup_field = "prefix"
    ordering = ["-created"]
    ordering_fields = ["created", "name"]
    action_roles = {"list": Role.OWNER}

    @extend_schema(responses={201: s.APIKeyCreatedSerializer})
    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        api_key, key = account_services.api_key_create(
            organization=self.tenant.organization, name=body.validated_data["name"]
        )
        return Response({**s.APIKeySerializer(api_key).data, "key": key}, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        account_services.api_key_revoke(api_key=instance)


class KpiView(TenantAPIView):
    """KPIs of KPIS.md over a window, per bucket and group; `?format=csv` flattens the rows."""

    @extend_schema(parameters=[s.KpiQuerySerializer], responses=s.KpiReportSerializer)
    def get(self, request):
        query = s.KpiQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        args = dict(query.validated_data)
        # Ids from another organization are as unknown as ids that do not exist.
        if "account" in args and not self.scoped(SocialAccount.objects.filter(pk=args["account"])).exists():
            raise exceptions.NotFound(f"No account {args['account']}.")
        if "campaign" in args and not self.scoped(Campaign.objects.filter(pk=args["campaign"])).exists():
            raise exceptions.NotFound(f"No campaign {args['campaign']}.")
        report = selectors.kpi_report(organization=self.tenant.organization, **args)
        kpi_rows_check(report)
        return Response(report)


class ImportTemplateView(TenantAPIView):
    """A blank CSV template to fill in and upload to `accounts/{id}/imports/`."""

    @extend_schema(
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=TEMPLATE_KINDS)],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)},
    )
    def get(self, request, kind):
        try:
            content = template_csv(kind)
        except ValueError as error:
            raise exceptions.NotFound(str(error)) from None
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
        return response


class NotFoundView(TenantAPIView):
    """Unknown paths under /api/v1/ answer the JSON error body too."""

    permission_classes = []
    schema = None

    def initial(self, request, *args, **kwargs):
        raise exceptions.NotFound()
