"""Answers too big to be useful: refused with a 400 that says how to narrow the question."""

from django.conf import settings
from rest_framework import exceptions


def kpi_rows_check(report: dict) -> None:
    """Three years by day by account is tens of thousands of rows (~12 MB): ask for fewer instead."""
    rows, limit = len(report["results"]), settings.KPI_MAX_ROWS
    if rows > limit:
        raise exceptions.ValidationError(
            exceptions.ErrorDetail(
                f"The answer has {rows} rows; the limit is {limit}. Narrow it: a shorter window, a coarser "
                "granularity (week, month, total), a platform/account/campaign filter, or no group_by.",
                code="too_many_rows",
            )
        )
