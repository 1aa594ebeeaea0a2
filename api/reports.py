"""Report schedules and built reports: `/api/v1/report-schedules/`, `/api/v1/reports/` (CONTRACT.md, second round)."""

import django_filters
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.calendar import local_today
from accounts.models import Role
from reports import services
from reports.models import FORMATS, Period, Report, ReportSchedule
from reports.views import file_response

from .alerts import ChannelOwnerSerializer, ChannelSerializer
from .base import TenantViewSet


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "example": "09:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time without offset (OpenAPI's `time` format demands one): HH:MM."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


class ReportScheduleSerializer(ChannelOwnerSerializer):
    required_on_create = ("name", "period")

    period = serializers.ChoiceField(
        choices=Period.choices,
        required=False,
        help_text="week: Mondays, the previous ISO week; month: the 1st, the previous month",
    )
    formats = serializers.ListField(child=serializers.ChoiceField(choices=FORMATS), required=False, allow_empty=False)
    recipients = serializers.ListField(child=serializers.EmailField(), required=False)
    channels = ChannelSerializer(many=True, required=False)
    send_at = LocalTimeField(required=False, help_text="local time (Asia/Shanghai) on the due day, HH:MM")

    class Meta:
        model = ReportSchedule
        fields = [
            "id",
            "name",
            "period",
            "formats",
            "recipients",
            "channels",
            "send_at",
            "enabled",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def create(self, validated_data):
        return services.schedule_create(organization=self.context["organization"], **validated_data)

    def update(self, instance, validated_data):
        return services.schedule_update(schedule=instance, **validated_data)


class ReportDeliverySerializer(serializers.Serializer):
    kind = serializers.CharField()
    target = serializers.CharField(help_text="masked")
    ok = serializers.BooleanField()
    code = serializers.CharField(allow_null=True, help_text="SMTP or platform code; 0/250 = accepted")
    detail = serializers.CharField()


class ReportSerializer(serializers.ModelSerializer):
    pdf = serializers.SerializerMethodField(help_text="download URL, null until built")
    xlsx = serializers.SerializerMethodField(help_text="download URL, null until built")
    deliveries = ReportDeliverySerializer(many=True, read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "schedule",
            "start",
            "end",
            "status",
            "error",
            "created_at",
            "finished_at",
            "build_seconds",
            "pdf",
            "pdf_size",
            "xlsx",
            "xlsx_size",
            "deliveries",
        ]

    def _url(self, report, fmt):
        if not getattr(report, f"{fmt}_size"):
            return None
        return self.context["request"].build_absolute_uri(reverse(f"api:report-{fmt}", args=[report.pk]))

    def get_pdf(self, report) -> str | None:
        return self._url(report, "pdf")

    def get_xlsx(self, report) -> str | None:
        return self._url(report, "xlsx")


class SendResultSerializer(serializers.Serializer):
    report = serializers.IntegerField(help_text="the queued report's id")
    start = serializers.DateField()
    end = serializers.DateField()
    status = serializers.CharField()


class ReportScheduleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    TenantViewSet,
):
    """Scheduled reports (analysts manage them, viewers read). `send` queues the report of the period that
    ended before today; building and delivery run in Celery."""

    queryset = ReportSchedule.objects.all()
    serializer_class = ReportScheduleSerializer
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "pk"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    write_role = Role.ANALYST

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "organization": self.tenant.organization}

    @extend_schema(request=None, responses={202: SendResultSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        report = services.schedule_report_request(schedule=self.get_object(), day=local_today())
        return Response(
            {"report": report.pk, "start": report.start, "end": report.end, "status": report.status},
            status=status.HTTP_202_ACCEPTED,
        )


class ReportFilter(django_filters.FilterSet):
    schedule = django_filters.NumberFilter(field_name="schedule_id")

    class Meta:
        model = Report
        fields = ["schedule"]


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Every report built (kept REPORT_RETENTION_DAYS), newest first, with download URLs and deliveries."""

    queryset = Report.objects.select_related("organization").defer("pdf", "xlsx")
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    ordering_fields = ["created_at", "start"]
    ordering = ["-created_at", "-pk"]

    def _file(self, fmt):
        report = self.get_object()
        return file_response(Report.objects.select_related("organization").get(pk=report.pk), fmt)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return self._file("pdf")

    @extend_schema(responses={(200, services.XLSX_MIMETYPE): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def xlsx(self, request, pk=None):
        return self._file("xlsx")
