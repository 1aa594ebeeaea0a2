"""The single hand-written aggregate query that computes the KPI API's numbers (KPIS.md):
organic sums and paid sums per bucket for one organization, with the ratios derived in SQL."""

from __future__ import annotations

import time

import psycopg2

BUCKETS = {"day": "date", "total": "%(start)s::date"}

QUERY = """
WITH organic AS (
    SELECT {bucket} AS period,
           sum(m.views) AS views, sum(m.impressions) AS impressions, sum(m.likes) AS likes,
           sum(m.comments) AS comments, sum(m.shares) AS shares, sum(m.saves) AS saves,
           sum(m.followers_gained) AS followers_gained, sum(m.followers_lost) AS followers_lost,
           sum(m.followers)::numeric / NULLIF(count(DISTINCT m.date), 0) AS avg_followers,
           sum(m.posts_published) AS posts_published, sum(m.profile_visits) AS profile_visits,
           sum(m.coins) AS coins, sum(m.danmaku) AS danmaku, sum(m.recommends) AS recommends
    FROM analytics_accountdailymetric m JOIN accounts_socialaccount a ON a.id = m.account_id
    WHERE a.organization_id = %(org)s AND m.date BETWEEN %(start)s AND %(end)s
    GROUP BY 1
), paid AS (
    SELECT {bucket} AS period, sum(c.spend) AS spend, sum(c.impressions) AS paid_impressions,
           sum(c.clicks) AS clicks, sum(c.engagements) AS engagements, sum(c.conversions) AS conversions,
           sum(c.revenue) AS revenue, sum(c.followers_gained) AS paid_followers_gained
    FROM analytics_campaigndailymetric c JOIN analytics_campaign k ON k.id = c.campaign_id
    WHERE k.organization_id = %(org)s AND c.date BETWEEN %(start)s AND %(end)s
    GROUP BY 1
), sums AS (
    SELECT *,
           CASE WHEN num_nulls(likes, comments, shares, saves) < 4
                THEN coalesce(likes, 0) + coalesce(comments, 0) + coalesce(shares, 0) + coalesce(saves, 0) END
               AS interactions
    FROM organic o FULL JOIN paid p USING (period)
)
SELECT period, views, impressions, interactions,
       interactions::numeric / NULLIF(views, 0) AS engagement_rate,
       interactions / NULLIF(avg_followers, 0) AS engagement_rate_by_followers,
       followers_gained - followers_lost AS net_followers,
       views / NULLIF(avg_followers, 0) AS read_rate,
       spend, clicks, conversions, revenue,
       clicks::numeric / NULLIF(paid_impressions, 0) AS ctr, conversions::numeric / NULLIF(clicks, 0) AS cvr,
       spend / NULLIF(paid_impressions, 0) * 1000 AS cpm, spend / NULLIF(clicks, 0) AS cpc,
       spend / NULLIF(engagements, 0) AS cpe, spend / NULLIF(conversions, 0) AS cpa,
       spend / NULLIF(paid_followers_gained, 0) AS cpf, revenue / NULLIF(spend, 0) AS roas,
       (revenue - spend) / NULLIF(spend, 0) AS roi
FROM sums ORDER BY period
"""


def kpi_query(granularity: str) -> str:
    return QUERY.format(bucket=BUCKETS[granularity])


def raw_sql_times(*, url: str, organization_id: int, windows, granularity: str) -> tuple[list[float], list[dict]]:
    """Milliseconds per window (one warm-up first), and the first window's rows for cross-checks."""
    query = kpi_query(granularity)
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            first = None
            times = []
            for n, (start, end) in enumerate([windows[0], *windows]):
                started = time.perf_counter()
                cursor.execute(query, {"org": organization_id, "start": start, "end": end})
                rows = cursor.fetchall()
                if n:
                    times.append((time.perf_counter() - started) * 1000)
                if first is None:
                    first = [dict(zip([c.name for c in cursor.description], row, strict=True)) for row in rows]
    finally:
        connection.close()
    return times, first
