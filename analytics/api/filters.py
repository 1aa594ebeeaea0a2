import django_filters
from django import forms
from django.db.models import F
from rest_framework.filters import OrderingFilter

from accounts.models import Platform
from analytics.models import AccountDailyMetric, Campaign, Post
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


class PostFilter(django_filters.FilterSet):
    """Posts published between `start` and `end` (local days); their numbers are as of `end`."""

    account = django_filters.NumberFilter(field_name="account_id")
    platform = django_filters.ChoiceFilter(field_name="account__platform", choices=Platform.choices)
    start = django_filters.DateFilter(field_name="published_at", lookup_expr="date__gte")
    end = django_filters.DateFilter(field_name="published_at", lookup_expr="date__lte")

    class Meta:
        model = Post
        form = WindowForm
        fields = ["account", "platform", "start", "end"]


class CampaignFilter(django_filters.FilterSet):
    platform = django_filters.ChoiceFilter(choices=Platform.choices)

    class Meta:
        model = Campaign
        fields = ["platform"]


class NullsLastOrderingFilter(OrderingFilter):
    """Posts without the numbers (NULL rates) sort last whichever way the list is ordered."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        expressions = [
            F(name[1:]).desc(nulls_last=True) if name.startswith("-") else F(name).asc(nulls_last=True)
            for name in ordering
        ]
        return queryset.order_by(*expressions, "pk")  # a stable order keeps pages from overlapping
