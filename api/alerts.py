"""Alert rules and what fired: `/api/v1/alert-rules/`, `/api/v1/alerts/` (CONTRACT.md, second round)."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Platform, Role, SocialAccount
from alerts import channels as alert_channels
from alerts import services
from alerts.models import Alert, AlertDelivery, AlertRule, Condition, HealthCheck
from analytics.models import Campaign

from .base import TenantViewSet
from .filters import WindowForm


class ChannelSerializer(serializers.Serializer):
    """A delivery channel. `url` (robots, webhook) or `address` (email); `secret` is write-only and
    stored encrypted; reads show the URL masked and `has_secret`."""

    kind = serializers.ChoiceField(choices=alert_channels.KINDS)
    url = serializers.CharField(required=False, max_length=1000)
    address = serializers.CharField(required=False, max_length=254)
    secret = serializers.CharField(required=False, write_only=True, max_length=500)
    has_secret = serializers.BooleanField(read_only=True)

    def to_representation(self, channel):
        shown = {"kind": channel["kind"], "has_secret": bool(channel.get("secret"))}
        field = "address" if channel["kind"] == "email" else "url"
        shown[field] = alert_channels.mask(channel.get(field))
        return shown

    def validate(self, attrs):
        problems = alert_channels.channel_errors(attrs)
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


class ChannelOwnerSerializer(serializers.ModelSerializer):
    """A rule or schedule with delivery channels, written through its app's services (whose validation
    errors the API's one handler answers): the fields in `required_on_create`, channels shown with secrets hidden."""

    required_on_create: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["channels"] = [ChannelSerializer().to_representation(c) for c in instance.channels]
        return data

    def validate(self, attrs):
        if self.instance is None:
            missing = [name for name in self.required_on_create if name not in attrs]
            if missing:
                raise serializers.ValidationError(dict.fromkeys(missing, "This field is required."))
        return attrs


class _TenantRelated(serializers.PrimaryKeyRelatedField):
    """An id of the request's organization; other organizations' ids are as unknown as missing ones."""

    def get_queryset(self):
        return self.queryset.filter(organization=self.context["organization"])


class AlertRuleSerializer(ChannelOwnerSerializer):
    required_on_create = ("name", "metric", "condition", "threshold")

    metric = serializers.ChoiceField(
        choices=[*services.KPI_METRICS, *HealthCheck.values],
        required=False,
        help_text="any KPI name of KPIS.md; built-in data-health rules show their check",
    )
    platform = serializers.ChoiceField(choices=Platform.choices, required=False, allow_blank=True)
    account = _TenantRelated(queryset=SocialAccount.objects.all(), required=False, allow_null=True)
    campaign = _TenantRelated(queryset=Campaign.objects.all(), required=False, allow_null=True)
    condition = serializers.ChoiceField(
        choices=Condition.choices, required=False, allow_blank=True, help_text="empty for built-in rules"
    )
    threshold = serializers.FloatField(
        required=False, allow_null=True, help_text="a fraction for drop/rise (0.2 = 20 %), a value otherwise"
    )
    channels = ChannelSerializer(many=True, required=False)

    class Meta:
        model = AlertRule
        fields = [
            "id",
            "name",
            "metric",
            "platform",
            "account",
            "campaign",
            "condition",
            "threshold",
            "channels",
            "grace_days",
            "enabled",
            "builtin",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["builtin", "created_at", "updated_at"]

    def create(self, validated_data):
        return services.alert_rule_create(organization=self.context["organization"], **validated_data)

    def update(self, instance, validated_data):
        return services.alert_rule_update(rule=instance, **validated_data)


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertDelivery
        fields = ["kind", "target", "status", "code", "detail", "attempts", "digest_size", "sent_at"]


class ContributorSerializer(serializers.Serializer):
    scope = serializers.CharField(help_text="account:ID, campaign:ID or post:ID")
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    baseline = serializers.FloatField(allow_null=True)
    effect = serializers.FloatField(help_text="its part of the change (ratio KPIs: weighted by its denominator)")


class AlertSerializer(serializers.ModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    contributors = serializers.SerializerMethodField()
    deliveries = DeliverySerializer(many=True, read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "rule_name",
            "scope",
            "scope_label",
            "date",
            "metric",
            "condition",
            "threshold",
            "value",
            "baseline",
            "change",
            "z_score",
            "coverage",
            "summary",
            "contributors",
            "link",
            "deliveries",
            "created_at",
        ]

    @extend_schema_field(ContributorSerializer(many=True))
    def get_contributors(self, alert):
        return alert.contributors


class TestResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    target = serializers.CharField(help_text="masked")
    ok = serializers.BooleanField()
    code = serializers.CharField(allow_null=True, help_text="the platform's error code; 0 = accepted")
    detail = serializers.CharField()
    transient = serializers.BooleanField()


class TestResultsSerializer(serializers.Serializer):
    results = TestResultSerializer(many=True)


class AlertRuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    TenantViewSet,
):
    """Alert rules (analysts manage them, viewers read). The data-health rules are built in: they can
    be given channels or disabled, not deleted. See docs/ALERTS.md for the baseline rule."""

    queryset = AlertRule.objects.select_related("account", "campaign")
    serializer_class = AlertRuleSerializer
    filterset_fields = ["enabled", "metric"]
    ordering_fields = ["name", "created_at"]
    ordering = ["builtin", "name", "pk"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    write_role = Role.ANALYST

    def get_queryset(self):
        services.builtin_rules_ensure(organization=self.tenant.organization)
        return super().get_queryset()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "organization": self.tenant.organization}

    def perform_destroy(self, instance):
        if instance.builtin:
            raise exceptions.ValidationError({"builtin": "a built-in data-health rule can be disabled, not deleted."})
        instance.delete()

    @extend_schema(request=None, responses={200: TestResultsSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send a test message on each of the rule's channels now and answer each channel's result."""
        rule = self.get_object()
        if not rule.channels:
            raise exceptions.ValidationError({"channels": "this rule has no channel to test."})
        results = [
            {
                "kind": channel["kind"],
                "target": alert_channels.channel_target(channel),
                "ok": result.ok,
                "code": result.code,
                "detail": result.detail,
                "transient": result.transient,
            }
            for channel, result in services.alert_rule_test(rule=rule)
        ]
        return Response({"results": results}, status=status.HTTP_200_OK)


class AlertFilter(django_filters.FilterSet):
    rule = django_filters.NumberFilter(field_name="rule_id")
    start = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    end = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Alert
        form = WindowForm
        fields = ["rule", "start", "end"]


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """What fired: the numbers, what drove it, and each delivery's status and platform error code."""

    queryset = Alert.objects.select_related("rule").prefetch_related("deliveries")
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ["date", "created_at"]
    ordering = ["-date", "-pk"]
