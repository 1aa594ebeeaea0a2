"""The single hand-written SQL statement that computes the KPI API's numbers (KPIS.md) for one
organization: organic, paid and post aggregates per bucket, with the ratios derived in SQL. The
yardstick for the API's overhead (same rules: per-account partials for the follower figures,
the latest snapshot per post and bucket for the view-weighted completion rate; same access
paths: the organization's accounts and campaigns as arrays, posts by their snapshot range)."""

from __future__ import annotations

import time

import psycopg2

BUCKETS = {"day": "{alias}.date", "total": "%(start)s::date"}

QUERY = """
WITH per_account AS (
    SELECT {day_bucket} AS period, m.account_id,
           sum(m.views) AS views, sum(m.impressions) AS impressions, sum(m.likes) AS likes,
           sum(m.comments) AS comments, sum(m.shares) AS shares, sum(m.saves) AS saves,
           sum(m.followers_gained) AS followers_gained, sum(m.followers_lost) AS followers_lost,
           sum(m.coins) AS coins, sum(m.danmaku) AS danmaku,
           sum(m.followers)::numeric / NULLIF(count(m.followers), 0) AS avg_followers,
           ((array_agg(m.followers ORDER BY m.date DESC) FILTER (WHERE m.followers IS NOT NULL))[1]) AS followers
    FROM analytics_accountdailymetric m
    WHERE m.account_id = ANY(ARRAY(SELECT id FROM accounts_socialaccount WHERE organization_id = %(org)s))
      AND m.date BETWEEN %(start)s AND %(end)s
    GROUP BY 1, 2
), organic AS (
    SELECT p.period, sum(p.views) AS views, sum(p.impressions) AS impressions, sum(p.likes) AS likes,
           sum(p.comments) AS comments, sum(p.shares) AS shares, sum(p.saves) AS saves,
           sum(p.followers_gained) AS followers_gained, sum(p.followers_lost) AS followers_lost,
           sum(p.coins) AS coins, sum(p.danmaku) AS danmaku, sum(p.avg_followers) AS avg_followers,
           sum(p.followers) AS followers, sum(b.followers) AS followers_before
    FROM per_account p
    -- One (account, date) index probe per row, not a hash of the whole table (LIMIT keeps the
    -- planner from flattening the LATERAL back into a hash join).
    LEFT JOIN LATERAL (
        SELECT b.followers FROM analytics_accountdailymetric b
        WHERE b.account_id = p.account_id AND b.date = p.period - 1 LIMIT 1
    ) b ON true
    GROUP BY 1
), paid AS (
    SELECT {paid_bucket} AS period, sum(c.spend) AS spend, sum(c.impressions) AS paid_impressions,
           sum(c.clicks) AS clicks, sum(c.engagements) AS engagements, sum(c.conversions) AS conversions,
           sum(c.revenue) AS revenue, sum(c.followers_gained) AS paid_followers_gained
    FROM analytics_campaigndailymetric c
    WHERE c.campaign_id = ANY(ARRAY(SELECT id FROM analytics_campaign WHERE organization_id = %(org)s))
      AND c.date BETWEEN %(start)s AND %(end)s
    GROUP BY 1
), snapshots AS (
    SELECT DISTINCT ON (s.post_id, {post_bucket}) {post_bucket} AS period, s.completion_rate, s.views
    FROM analytics_post p JOIN analytics_postdailymetric s ON s.post_id = p.id
    WHERE p.account_id = ANY(ARRAY(SELECT id FROM accounts_socialaccount WHERE organization_id = %(org)s))
      AND p.last_snapshot_on >= %(start)s AND p.first_snapshot_on <= %(end)s
      AND s.date BETWEEN %(start)s AND %(end)s AND s.completion_rate IS NOT NULL AND s.views IS NOT NULL
    ORDER BY s.post_id, {post_bucket}, s.date DESC
), posts AS (
    SELECT period, sum(completion_rate * views) / NULLIF(sum(views), 0) AS completion_rate
    FROM snapshots GROUP BY 1
), sums AS (
    SELECT *,
           CASE WHEN num_nulls(likes, comments, shares, saves) < 4
                THEN coalesce(likes, 0) + coalesce(comments, 0) + coalesce(shares, 0) + coalesce(saves, 0) END
               AS interactions,
           followers_gained - followers_lost AS net_followers
    FROM organic FULL JOIN paid USING (period) LEFT JOIN posts USING (period)
)
SELECT period, views, impressions, likes, comments, shares, saves, followers, followers_gained, followers_lost,
       interactions, interactions::numeric / NULLIF(views, 0) AS engagement_rate,
       interactions / NULLIF(avg_followers, 0) AS engagement_rate_by_followers,
       net_followers, net_followers::numeric / NULLIF(followers_before, 0) AS follower_growth_rate,
       views / NULLIF(avg_followers, 0) AS read_rate, completion_rate,
       likes + saves + 4 * comments + 4 * shares + 8 * followers_gained AS ces,
       likes + coalesce(coins, 0) + saves + shares + comments + coalesce(danmaku, 0) AS bilibili_interactions,
       spend, clicks, conversions, revenue,
       clicks::numeric / NULLIF(paid_impressions, 0) AS ctr, conversions::numeric / NULLIF(clicks, 0) AS cvr,
       spend / NULLIF(paid_impressions, 0) * 1000 AS cpm, spend / NULLIF(clicks, 0) AS cpc,
       spend / NULLIF(engagements, 0) AS cpe, spend / NULLIF(conversions, 0) AS cpa,
       spend / NULLIF(paid_followers_gained, 0) AS cpf, revenue / NULLIF(spend, 0) AS roas,
       (revenue - spend) / NULLIF(spend, 0) AS roi
FROM sums ORDER BY period
"""


def kpi_query(granularity: str) -> str:
    bucket = BUCKETS[granularity]
    return QUERY.format(
        day_bucket=bucket.format(alias="m"), paid_bucket=bucket.format(alias="c"), post_bucket=bucket.format(alias="s")
    )


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
