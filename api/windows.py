"""Date windows in query strings and bodies: the same rules everywhere."""

import datetime

from rest_framework import serializers

from analytics.selectors import MAX_WINDOW_DAYS


def window_errors(start: datetime.date | None, end: datetime.date | None) -> dict:
    if start and end and end < start:
        return {"end": f"end {end} is before start {start}."}
    if start and end and (end - start).days + 1 > MAX_WINDOW_DAYS:
        return {"end": f"The window {start}..{end} is longer than 3 years ({MAX_WINDOW_DAYS} days)."}
    return {}


class WindowSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="first local day, YYYY-MM-DD")
    end = serializers.DateField(help_text="last local day (inclusive), YYYY-MM-DD")

    def validate(self, attrs):
        errors = window_errors(attrs.get("start"), attrs.get("end"))
        if errors:
            raise serializers.ValidationError(errors, code="invalid_window")
        return attrs


class OptionalWindowSerializer(WindowSerializer):
    start = serializers.DateField(required=False, help_text="first local day, YYYY-MM-DD")
    end = serializers.DateField(required=False, help_text="last local day (inclusive), YYYY-MM-DD")
