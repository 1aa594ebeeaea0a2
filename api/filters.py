import django_filters
from django import forms

from accounts.models import Platform
from analytics.models import AccountDailyMetric, Campaign
from ingestion.models import IngestionRun, RunStatus

from .windows import window_errors


class WindowForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        for field, message in window_errors(cleaned.get("start"), cleaned.get("end")).items():
            self.add_error(field, forms.ValidationError(message, code="invalid_window"))
        return cleaned


class IngestionRunFilter(django_filters.FilterSet):
    account = django_filters.NumberFilter(field_name="account_id")
    status = django_filters.ChoiceFilter(choices=RunStatus.choices)

    class Meta:
        model = IngestionRun
        fields = ["account", "status", "source"]


class AccountMetricFilter(django_filters.FilterSet):
    start = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    end = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = AccountDailyMetric
        form = WindowForm
        fields = ["start", "end"]


class CampaignFilter(django_filters.FilterSet):
    platform = django_filters.ChoiceFilter(choices=Platform.choices)

    class Meta:
        model = Campaign
        fields = ["platform"]
