"""Reads for the alerts page."""

from django.db.models import Count, Q

from .models import Alert, AlertRule, State


def alert_rules(*, organization):
    """The organization's rules, each with `triggered`: how many of its scopes are in alert now."""
    return (
        AlertRule.objects.filter(organization=organization)
        .select_related("account", "campaign")
        .annotate(triggered=Count("states", filter=Q(states__state=State.TRIGGERED)))
        .order_by("builtin", "name", "pk")
    )


def recent_alerts(*, organization, limit: int = 50):
    return (
        Alert.objects.filter(organization=organization)
        .select_related("rule")
        .prefetch_related("deliveries")
        .order_by("-date", "-pk")[:limit]
    )
