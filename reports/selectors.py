"""Reads for reports: what a report says (every KPI through analytics.selectors, the same numbers as
the KPI API), and the schedules and history the reports page lists."""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Count, Q

from accounts.models import AccountStatus, Platform, SocialAccount
from alerts.models import Alert
from analytics import selectors as kpi_selectors
from analytics.kpis import window_days
from analytics.models import AccountDailyMetric, Campaign
from dashboards.catalog import METRICS
from ingestion.models import IngestionRun, RunStatus

from .models import FAILED_STATUSES, Report, ReportSchedule
from .periods import period_label

HEADLINE = ("views", "interactions", "engagement_rate", "followers", "net_followers", "spend", "revenue", "roas", "cpa")
PLATFORM_COLUMNS = ("views", "interactions", "engagement_rate", "followers", "net_followers", "spend", "revenue", "roas")
CAMPAIGN_COLUMNS = ("spend", "clicks", "conversions", "revenue", "cpa", "roas", "roi")
POST_COLUMNS = ("views", "interactions", "engagement_rate", "completion_rate")
POSTS_SHOWN = 5
# "What changed" looks at these; ratio KPIs are explained by the platforms' rates, sums by accounts' shares.
MOVER_CANDIDATES = ("views", "interactions", "engagement_rate", "net_followers", "spend", "revenue", "roas", "cpa")
MOVERS_SHOWN = 3
DRIVERS_SHOWN = 3


def _number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _label(name: str) -> str:
    metric = METRICS.get(name)
    return str(metric.label) if metric else name


def _platform_label(code) -> str:
    try:
        return str(Platform(code).label)
    except ValueError:
        return str(code)


def _kpi_row(result: dict, names) -> list[dict]:
    coverage = result.get("coverage") or {}
    return [
        {
            "name": name,
            "label": _label(name),
            "kind": METRICS[name].kind if name in METRICS else "number",
            "value": result["kpis"].get(name),
            "previous": (result.get("previous") or {}).get(name),
            "change": (result.get("change") or {}).get(name),
            "coverage": coverage.get(name),
        }
        for name in names
    ]


def _headline(organization, start, end) -> tuple[dict, list[dict]]:
    report = kpi_selectors.kpi_report(organization=organization, start=start, end=end, compare="previous")
    result = report["results"][0]
    return result, _kpi_row(result, HEADLINE)


def _grouped(organization, start, end, group_by: str) -> list[dict]:
    return kpi_selectors.kpi_report(organization=organization, start=start, end=end, group_by=group_by, compare="previous")[
        "results"
    ]


def _what_changed(headline: list[dict], by_account: list[dict], by_platform: list[dict], accounts: dict) -> list[dict]:
    """The largest relative movers of the headline and, for each, what drove it: for sums the accounts
    with the largest absolute change (and their share of the total change); for ratios the platforms
    whose rate moved most, weighted by their size. Computed from the numbers only."""
    movers = [row for row in headline if row["name"] in MOVER_CANDIDATES and row["change"] is not None]
    movers.sort(key=lambda row: abs(row["change"]), reverse=True)
    changes = []
    for row in movers[:MOVERS_SHOWN]:
        name = row["name"]
        total_delta = (row["value"] or 0) - (row["previous"] or 0)
        drivers = []
        if row["kind"] == "rate" or row["kind"] == "ratio" or name in ("cpa",):
            for group in by_platform:
                now, before = group["kpis"].get(name), (group.get("previous") or {}).get(name)
                if now is not None and before is not None:
                    drivers.append(
                        {
                            "label": _platform_label(group["platform"]),
                            "value": now,
                            "previous": before,
                            "delta": now - before,
                            "share": None,
                        }
                    )
        else:
            for group in by_account:
                now = group["kpis"].get(name) or 0
                before = (group.get("previous") or {}).get(name) or 0
                if now != before:
                    share = (now - before) / total_delta if total_delta else None
                    drivers.append(
                        {
                            "label": accounts.get(group["account"], str(group["account"])),
                            "value": now,
                            "previous": before,
                            "delta": now - before,
                            "share": share,
                        }
                    )
        drivers.sort(key=lambda d: abs(d["delta"]), reverse=True)
        changes.append({**row, "delta": total_delta, "drivers": drivers[:DRIVERS_SHOWN]})
    return changes


def _post_rows(posts) -> list[dict]:
    return [
        {
            "title": row["title"] or row["external_id"],
            "url": row["url"],
            "account": row["account_name"],
            "platform": _platform_label(row["platform"]),
            "published_at": row["published_at"],
            **{name: _number(row[name]) for name in POST_COLUMNS},
        }
        for row in posts.to_dict("records")
    ]


def _top_and_bottom_posts(organization, start, end) -> tuple[list[dict], list[dict]]:
    """The best and the weakest posts by engagement rate; a post is never in both lists."""
    posts = kpi_selectors.post_performance(organization=organization, start=start, end=end, ordering="-engagement_rate")
    rated = posts[posts["engagement_rate"].notna()]
    top = rated.head(POSTS_SHOWN)
    bottom = rated.iloc[len(top) :].tail(POSTS_SHOWN).iloc[::-1]
    return _post_rows(top), _post_rows(bottom)


def _data_health(organization, start, end) -> list[dict]:
    """Accounts needing re-authorisation, with days missing in the window, or with failed runs in it."""
    days = window_days(start, end)
    reported = dict(
        AccountDailyMetric.objects.filter(account__organization=organization, date__range=(start, end))
        .values_list("account")
        .annotate(days=Count("date"))
    )
    failed = dict(
        IngestionRun.objects.filter(
            account__organization=organization, status=RunStatus.FAILED, created_at__date__range=(start, end)
        )
        .values_list("account")
        .annotate(n=Count("pk"))
    )
    rows = []
    for account in SocialAccount.objects.filter(organization=organization).order_by("platform", "name"):
        missing = days - reported.get(account.pk, 0)
        reauth = account.status == AccountStatus.NEEDS_REAUTH
        if missing or reauth or failed.get(account.pk):
            rows.append(
                {
                    "account": account.name,
                    "platform": _platform_label(account.platform),
                    "status": str(account.get_status_display()),
                    "needs_reauth": reauth,
                    "days_reported": days - missing,
                    "days_missing": missing,
                    "failed_runs": failed.get(account.pk, 0),
                    "detail": account.status_detail if reauth else "",
                }
            )
    return rows


def report_content(*, organization, start: dt.date, end: dt.date) -> dict:
    """Everything a report shows, as plain numbers (None = not reported); the page, the PDF and the
    XLSX all render this one dict."""
    headline_result, headline = _headline(organization, start, end)
    accounts = dict(SocialAccount.objects.filter(organization=organization).values_list("pk", "name"))
    by_platform = _grouped(organization, start, end, "platform")
    by_account = _grouped(organization, start, end, "account")
    campaigns_names = dict(Campaign.objects.filter(organization=organization).values_list("pk", "name"))
    campaigns = [
        {"name": campaigns_names.get(row["campaign"], str(row["campaign"])), "kpis": _kpi_row(row, CAMPAIGN_COLUMNS)}
        for row in _grouped(organization, start, end, "campaign")
        if row["kpis"].get("spend") is not None or row["kpis"].get("revenue") is not None
    ]
    followers = kpi_selectors.daily_series(organization=organization, start=start, end=end, metrics=("followers",))
    top_posts, bottom_posts = _top_and_bottom_posts(organization, start, end)
    alerts = Alert.objects.filter(organization=organization, date__range=(start, end)).order_by("date", "pk")
    return {
        "organization": organization.name,
        "start": start,
        "end": end,
        "period_label": period_label(start, end),
        "headline": headline,
        "headline_raw": headline_result,
        "platforms": [
            {"platform": row["platform"], "label": _platform_label(row["platform"]), "kpis": _kpi_row(row, PLATFORM_COLUMNS)}
            for row in by_platform
            if any(v is not None for v in row["kpis"].values())
        ],
        "followers": followers.rename(columns={"date": "period"}),
        "top_posts": top_posts,
        "bottom_posts": bottom_posts,
        "campaigns": campaigns,
        "alerts": [
            {
                "date": a.date,
                "scope": a.scope_label,
                "metric": _label(a.metric),
                "value": a.value,
                "change": a.change,
                "summary": a.summary,
            }
            for a in alerts
        ],
        "health": _data_health(organization, start, end),
        "changes": _what_changed(headline, by_account, by_platform, accounts),
    }


def schedules(*, organization):
    return ReportSchedule.objects.filter(organization=organization).annotate(
        failures=Count("reports", filter=Q(reports__status__in=FAILED_STATUSES))
    )


def report_history(*, organization, schedule: int | None = None, limit: int | None = 50):
    """Reports newest first, without their file bytes (only sizes)."""
    reports = Report.objects.filter(organization=organization).select_related("schedule").defer("pdf", "xlsx")
    if schedule is not None:
        reports = reports.filter(schedule_id=schedule)
    return reports[:limit] if limit else reports
