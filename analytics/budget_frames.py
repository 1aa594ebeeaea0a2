"""The budget planner's reads: the paid daily series (database → DataFrame, summed in PostgreSQL) and the
plan built from it by the pure `analytics.budget` (what the API and the budget page both call)."""

from datetime import date

import pandas as pd

from analytics import budget
from analytics.frames import _partial_frame
from analytics.models import Campaign

PAID_DAILY_COLUMNS = ["date", "platform", "campaign", "spend", "revenue", "paired_spend", "paired_revenue"]


def paid_daily(
    *, organization, start: date, end: date, platforms: list[str] | None = None, account: int | None = None
) -> pd.DataFrame:
    """One row per (date, platform, campaign) of the window, in no particular order: Σ spend, Σ revenue, and the paired sums
    (spend of the rows that report revenue, revenue of the rows that report spend: KPIS.md, "Paired
    rows"), over the campaign's accounts. NaN = no row reported it."""
    params = {
        "org": getattr(organization, "pk", organization),
        "start": start,
        "end": end,
        "platforms": platforms,
        "account": account,
    }
    narrowed = " AND k.platform = ANY(%(platforms)s)" if platforms else ""
    of_account = " AND m.account_id = %(account)s" if account else ""
    # The campaigns as an array: one (campaign, date range) index scan each (as analytics.frames does). Sums
    # run in float8, which the planner computes in anyway: numeric additions cost more than the scan.
    sql = f"""
        SELECT d.date, c.platform, d.campaign, d.spend, d.revenue, d.paired_spend, d.paired_revenue
        FROM (
            SELECT m.campaign_id AS campaign, m.date,
                SUM(m.spend::float8) AS spend,
                SUM(m.revenue::float8) AS revenue,
                SUM(m.spend::float8) FILTER (WHERE m.revenue IS NOT NULL) AS paired_spend,
                SUM(m.revenue::float8) FILTER (WHERE m.spend IS NOT NULL) AS paired_revenue
            FROM analytics_campaigndailymetric m
            WHERE m.campaign_id = ANY(ARRAY(
                    SELECT k.id FROM analytics_campaign k WHERE k.organization_id = %(org)s{narrowed}))
              AND m.date BETWEEN %(start)s AND %(end)s{of_account}
            GROUP BY m.campaign_id, m.date
        ) d
        JOIN analytics_campaign c ON c.id = d.campaign
    """
    frame = _partial_frame(sql, params)
    if frame.empty:
        return pd.DataFrame(columns=PAID_DAILY_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    return frame[PAID_DAILY_COLUMNS]


def budget_plan(
    *, organization, start: date, end: date, platforms: list[str] | None = None, account: int | None = None, **options
) -> budget.Plan:
    """The plan of `analytics.budget.plan` over the organization's paid rows of the window; campaign
    names are added to its campaign table. Raises budget.PlanError for a request it cannot meet."""
    daily = paid_daily(organization=organization, start=start, end=end, platforms=platforms, account=account)
    result = budget.plan(daily, start=start, end=end, **options)
    if not result.campaigns.empty:
        names = dict(Campaign.objects.filter(pk__in=result.campaigns.index.tolist()).values_list("pk", "name"))
        result.campaigns["name"] = [names.get(pk, str(pk)) for pk in result.campaigns.index]
    return result
