import zoneinfo

from rest_framework import serializers

from accounts import services as account_services
from accounts.models import OrganizationAPIKey, Platform, SocialAccount
from analytics import kpis
from analytics.frames import POST_VIEWS
from analytics.models import ACCOUNT_METRICS, AccountDailyMetric, Campaign
from analytics.selectors import COMPARES, GROWTH_ORDERINGS, POST_ORDERINGS
from ingestion.importers import KINDS
from ingestion.models import IngestionRun

from .windows import OptionalWindowSerializer, window_errors

IMPORT_KINDS = ("auto", *KINDS)


class AccountSerializer(serializers.ModelSerializer):
    credentials = serializers.JSONField(
        write_only=True, required=False, help_text="platform credentials (CONTRACT.md); stored encrypted, never returned"
    )
    has_credentials = serializers.SerializerMethodField()

    class Meta:
        model = SocialAccount
        fields = [
            "id", "platform", "external_id", "name", "status", "status_detail", "timezone",
            "last_synced_at", "created_at", "credentials", "has_credentials",
        ]
        read_only_fields = ["status_detail", "last_synced_at", "created_at"]

    def get_has_credentials(self, account) -> bool:
        return bool(account.credentials)

    def validate_timezone(self, value):
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise serializers.ValidationError(f"unknown time zone {value!r}") from None
        return value

    def validate_credentials(self, value):
        # On create the service checks them; an update merges them into the stored ones first.
        if self.instance is not None:
            account_services.validate_credentials(self.instance.platform, {**self.instance.credentials, **value})
        return value

    def validate(self, attrs):
        if self.instance is not None:
            for field in ("platform", "external_id"):
                if field in attrs and attrs[field] != getattr(self.instance, field):
                    raise serializers.ValidationError({field: "cannot be changed; create a new account instead."})
        return attrs

    def create(self, validated_data):
        return account_services.account_create(
            organization=validated_data["organization"], platform=validated_data["platform"],
            external_id=validated_data["external_id"], name=validated_data["name"],
            credentials=validated_data.get("credentials"),
        )

    def update(self, instance, validated_data):
        credentials = validated_data.pop("credentials", None)
        if credentials is not None:
            account_services.account_credentials_update(account=instance, credentials=credentials)
        return super().update(instance, validated_data)


class AccountDailyMetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccountDailyMetric
        fields = ["date", *ACCOUNT_METRICS]


POST_RULE = (
    "Lists the posts **published** in the window (the account's local day), with their lifetime counters as of their "
    "latest snapshot on or before `end` (`as_of`). `view=activity` lists instead the posts whose counters grew in the "
    "window, with the growth (`*_growth`: latest snapshot in the window − latest snapshot before it). The dashboards' "
    "Content page uses the same rule (analytics.selectors.post_performance; KPIS.md, \"Posts in a window\"). "
    "Without `start`/`end` that side of the window is open."
)


class PostQuerySerializer(OptionalWindowSerializer):
    account = serializers.IntegerField(required=False, min_value=1)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False)
    ordering = serializers.ChoiceField(
        choices=[f"{sign}{name}" for name in (*POST_ORDERINGS, *GROWTH_ORDERINGS) for sign in ("", "-")],
        default="-published_at",
        help_text="a column, '-' for descending (growth columns with view=activity); posts without the number sort last",
    )
    view = serializers.ChoiceField(choices=list(POST_VIEWS), default="published",
                                   help_text="published: posts published in the window; activity: posts that grew in it")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs["ordering"].removeprefix("-") in GROWTH_ORDERINGS and attrs["view"] != "activity":
            raise serializers.ValidationError({"ordering": "growth columns need view=activity."})
        return attrs


class PostSerializer(serializers.Serializer):
    """One row of analytics.selectors.post_performance."""

    id = serializers.IntegerField(source="post")
    account = serializers.IntegerField()
    platform = serializers.CharField()
    external_id = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    published_time_known = serializers.BooleanField(help_text="false: the platform gives the publish day only")
    as_of = serializers.DateField(source="snapshot_date", allow_null=True, help_text="the day the numbers are from")
    impressions = serializers.IntegerField(allow_null=True)
    views = serializers.IntegerField(allow_null=True)
    likes = serializers.IntegerField(allow_null=True)
    comments = serializers.IntegerField(allow_null=True)
    shares = serializers.IntegerField(allow_null=True)
    saves = serializers.IntegerField(allow_null=True)
    completion_rate = serializers.FloatField(allow_null=True)
    interactions = serializers.IntegerField(allow_null=True)
    engagement_rate = serializers.FloatField(allow_null=True)


class PostActivitySerializer(PostSerializer):
    """A post of the list; with view=activity also its growth in the window (latest snapshot in it −
    latest before it; null when unknown: an older post without an earlier snapshot)."""

    views_growth = serializers.IntegerField(allow_null=True, required=False)
    likes_growth = serializers.IntegerField(allow_null=True, required=False)
    comments_growth = serializers.IntegerField(allow_null=True, required=False)
    shares_growth = serializers.IntegerField(allow_null=True, required=False)
    saves_growth = serializers.IntegerField(allow_null=True, required=False)
    interactions_growth = serializers.IntegerField(allow_null=True, required=False)


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "platform", "start", "end", "budget"]
        # The (organization, platform, name) uniqueness is checked in validate(): the
        # organization is not a field of the body.
        validators = []

    def validate(self, attrs):
        errors = window_errors(attrs.get("start"), attrs.get("end"))
        if errors:
            raise serializers.ValidationError(errors)
        organization = self.context["organization"]
        if Campaign.objects.filter(organization=organization, platform=attrs["platform"], name=attrs["name"]).exists():
            raise serializers.ValidationError({"name": f"a {attrs['platform']} campaign named {attrs['name']!r} exists."})
        return attrs


class IngestionRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = IngestionRun
        fields = [
            "id", "account", "source", "kind", "file_name", "window_start", "window_end", "status",
            "rows_written", "error", "replaced", "created_at", "started_at", "finished_at",
            "attempt", "next_attempt_at", "requests_made", "rows_by_table", "error_detail",
            "rows_read", "import_report",
        ]
        read_only_fields = fields


class SyncAcceptedSerializer(serializers.Serializer):
    run = serializers.IntegerField(help_text="the IngestionRun id; poll /api/v1/ingestion-runs/{run}/")
    status = serializers.CharField()
    window_start = serializers.DateField()
    window_end = serializers.DateField()


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="a platform export (.csv/.xlsx/.xls) or one of the CSV templates")
    kind = serializers.ChoiceField(choices=IMPORT_KINDS, default="auto", required=False)


class ImportResultSerializer(serializers.Serializer):
    run = serializers.IntegerField(help_text="the IngestionRun id")
    kind = serializers.CharField()
    layout = serializers.CharField(help_text="the exact export layout recognised")
    file_name = serializers.CharField()
    rows = serializers.DictField(child=serializers.IntegerField(), help_text="rows read per table")
    date_start = serializers.DateField(allow_null=True)
    date_end = serializers.DateField(allow_null=True)
    changed = serializers.IntegerField(help_text="rows inserted or modified; 0 when the same file comes again")
    run_id = serializers.IntegerField()
    replaced = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="rows changed that another source had written, per table and source: {\"account_days\": {\"api\": 3}}",
    )
    notice = serializers.CharField(help_text="what the import replaced, e.g. 替换了 3 天 API 数据 (empty when nothing)")


class APIKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = OrganizationAPIKey
        fields = ["prefix", "name", "created", "expiry_date", "revoked", "last_used_at"]
        read_only_fields = ["prefix", "created", "expiry_date", "revoked", "last_used_at"]


class APIKeyCreatedSerializer(APIKeySerializer):
    key = serializers.CharField(read_only=True, help_text="shown once; only its hash is stored")

    class Meta(APIKeySerializer.Meta):
        fields = [*APIKeySerializer.Meta.fields, "key"]


class KpiQuerySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    platform = serializers.ChoiceField(choices=Platform.choices, required=False)
    account = serializers.IntegerField(required=False, min_value=1)
    campaign = serializers.IntegerField(required=False, min_value=1)
    granularity = serializers.ChoiceField(choices=kpis.GRANULARITIES, default="total", required=False)
    group_by = serializers.ChoiceField(choices=kpis.GROUP_KEYS, required=False)
    compare = serializers.ChoiceField(choices=COMPARES, required=False)

    def validate(self, attrs):
        errors = window_errors(attrs["start"], attrs["end"])
        if errors:
            raise serializers.ValidationError(errors, code="invalid_window")
        return attrs



def _typed_object(name: str, fields: dict, doc: str) -> type[serializers.Serializer]:
    """A serializer class with one field per name, so the OpenAPI schema names every KPI."""
    return type(name, (serializers.Serializer,), {"__doc__": doc, **fields})


def _kpi_field(name: str, integers: bool = True):
    if integers and name in kpis.INTEGER_KPIS:
        return serializers.IntegerField(allow_null=True)
    return serializers.FloatField(allow_null=True)


KpisSerializer = _typed_object(
    "KpisSerializer", {name: _kpi_field(name) for name in kpis.KPI_NAMES},
    "Every KPI of KPIS.md and the raw sums it is built from; null = undefined (not reported, or a 0 denominator).",
)
KpiChangeSerializer = _typed_object(
    "KpiChangeSerializer", {name: _kpi_field(name, integers=False) for name in kpis.KPI_NAMES},
    "(current − previous) / |previous| per KPI; null when previous is null or 0.",
)
CoverageSerializer = _typed_object(
    "CoverageSerializer", {name: serializers.FloatField(allow_null=True, min_value=0, max_value=1)
                           for name in kpis.COVERAGE_KPIS},
    "Per ratio KPI: rows reporting both its numerator and denominator / rows reporting either (KPIS.md, "
    "\"Coverage\"); null when no row reports either.",
)


class KpiRowSerializer(serializers.Serializer):
    period = serializers.CharField(allow_null=True, help_text="first day of the bucket")
    platform = serializers.CharField(required=False, allow_null=True)
    account = serializers.IntegerField(required=False, allow_null=True)
    campaign = serializers.IntegerField(required=False, allow_null=True)
    kpis = KpisSerializer()
    coverage = CoverageSerializer()
    previous = KpisSerializer(required=False)
    previous_coverage = CoverageSerializer(required=False)
    change = KpiChangeSerializer(required=False)


class KpiReportSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    granularity = serializers.CharField()
    results = KpiRowSerializer(many=True)
