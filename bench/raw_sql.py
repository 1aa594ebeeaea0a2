"""The single hand-written SQL statement that computes the KPI API's numbers (KPIS.md) for one
organization: organic, paid and post aggregates per bucket, with the ratios derived in SQL over
paired rows and the coverage of every ratio. The
yardstick for the API's overhead (same rules: per-account partials for the follower figures,
the latest snapshot per post and bucket for the view-weighted completion rate; same access
paths: the organization's accounts and campaigns as arrays, posts by their snapshot range)."""

from __future__ import annotations

import time

import psycopg2

BUCKETS = {"day": "{alias}.date", "total": "%(start)s::date"}
DAYS = {"day": "1", "total": "(%(end)s::date - %(start)s::date + 1)"}

# (pair, numerator, denominator) of every ratio, over the rows reporting both (KPIS.md, "Paired rows").
ORGANIC_PAIRS = (("engagement", "{inter}", "m.views"), ("by_followers", "{inter}", "m.followers"),
                 ("read", "m.views", "m.followers"))
PAID_PAIRS = (("ctr", "c.clicks", "c.impressions"), ("cvr", "c.conversions", "c.clicks"),
              ("cpm", "c.spend", "c.impressions"), ("cpc", "c.spend", "c.clicks"), ("cpe", "c.spend", "c.engagements"),
              ("cpa", "c.spend", "c.conversions"), ("cpf", "c.spend", "c.followers_gained"),
              ("roas", "c.revenue", "c.spend"))
INTERACTIONS = ("CASE WHEN num_nulls(m.likes, m.comments, m.shares, m.saves) < 4 THEN coalesce(m.likes, 0) "
                "+ coalesce(m.comments, 0) + coalesce(m.shares, 0) + coalesce(m.saves, 0) END")


def _paired(pairs) -> str:
    items = []
    for name, num, den in pairs:
        num, den = num.format(inter=INTERACTIONS), den.format(inter=INTERACTIONS)
        both, either = f"{num} IS NOT NULL AND {den} IS NOT NULL", f"{num} IS NOT NULL OR {den} IS NOT NULL"
        items.append(f"sum({num}) FILTER (WHERE {both}) AS {name}_num, sum({den}) FILTER (WHERE {both}) AS {name}_den, "
                     f"count(*) FILTER (WHERE {both}) AS {name}_rows, count(*) FILTER (WHERE {either}) AS {name}_any")
    return ",\n           ".join(items)


def _coverage(pair: str, kpi: str) -> str:
    return f"{pair}_rows::numeric / NULLIF({pair}_any, 0) AS coverage_{kpi}"


QUERY = """
WITH per_account AS (
    SELECT {day_bucket} AS period, m.account_id, {n_days} AS n_days,
           sum(m.views) AS views, sum(m.impressions) AS impressions, sum(m.likes) AS likes,
           sum(m.comments) AS comments, sum(m.shares) AS shares, sum(m.saves) AS saves,
           sum(m.followers_gained) AS followers_gained, sum(m.followers_lost) AS followers_lost,
           sum(m.coins) AS coins, sum(m.danmaku) AS danmaku,
           count(*) FILTER (WHERE m.followers_gained IS NOT NULL AND m.followers_lost IS NOT NULL) AS gl_days,
           ((array_agg(m.followers ORDER BY m.date DESC) FILTER (WHERE m.followers IS NOT NULL))[1]) AS followers,
           """ + _paired(ORGANIC_PAIRS) + """
    FROM analytics_accountdailymetric m
    WHERE m.account_id = ANY(ARRAY(SELECT id FROM accounts_socialaccount WHERE organization_id = %(org)s))
      AND m.date BETWEEN %(start)s AND %(end)s
    GROUP BY 1, 2
), per_account_rules AS (
    SELECT p.*, b.followers AS followers_before,
           CASE WHEN p.gl_days >= p.n_days THEN p.followers_gained - p.followers_lost
                ELSE p.followers - b.followers END AS net_followers
    FROM per_account p
    -- One (account, date) index probe per row, not a hash of the whole table (LIMIT keeps the
    -- planner from flattening the LATERAL back into a hash join).
    LEFT JOIN LATERAL (
        SELECT b.followers FROM analytics_accountdailymetric b
        WHERE b.account_id = p.account_id AND b.date = p.period - 1 LIMIT 1
    ) b ON true
), organic AS (
    SELECT p.period, sum(p.views) AS views, sum(p.impressions) AS impressions, sum(p.likes) AS likes,
           sum(p.comments) AS comments, sum(p.shares) AS shares, sum(p.saves) AS saves,
           sum(p.followers_gained) AS followers_gained, sum(p.followers_lost) AS followers_lost,
           sum(p.coins) AS coins, sum(p.danmaku) AS danmaku, sum(p.followers) AS followers,
           sum(p.net_followers) AS net_followers,
           sum(p.engagement_num) AS engagement_num, sum(p.engagement_den) AS engagement_den,
           sum(p.engagement_rows) AS engagement_rows, sum(p.engagement_any) AS engagement_any,
           sum(p.by_followers_num) AS by_followers_num,
           sum(p.by_followers_den::numeric / NULLIF(p.by_followers_rows, 0)) AS by_followers_den,
           sum(p.by_followers_rows) AS by_followers_rows, sum(p.by_followers_any) AS by_followers_any,
           sum(p.read_num) AS read_num, sum(p.read_den) AS read_den, sum(p.read_rows) AS read_rows,
           sum(p.read_any) AS read_any,
           sum(p.net_followers) FILTER (WHERE p.net_followers IS NOT NULL AND p.followers_before IS NOT NULL)
               AS growth_num,
           sum(p.followers_before) FILTER (WHERE p.net_followers IS NOT NULL AND p.followers_before IS NOT NULL)
               AS growth_den,
           count(*) FILTER (WHERE p.net_followers IS NOT NULL AND p.followers_before IS NOT NULL) AS growth_rows,
           count(*) FILTER (WHERE p.net_followers IS NOT NULL OR p.followers_before IS NOT NULL) AS growth_any
    FROM per_account_rules p
    GROUP BY 1
), paid AS (
    SELECT {paid_bucket} AS period, sum(c.spend) AS spend, sum(c.impressions) AS paid_impressions,
           sum(c.clicks) AS clicks, sum(c.engagements) AS engagements, sum(c.conversions) AS conversions,
           sum(c.revenue) AS revenue, sum(c.followers_gained) AS paid_followers_gained,
           """ + _paired(PAID_PAIRS) + """
    FROM analytics_campaigndailymetric c
    WHERE c.campaign_id = ANY(ARRAY(SELECT id FROM analytics_campaign WHERE organization_id = %(org)s))
      AND c.date BETWEEN %(start)s AND %(end)s
    GROUP BY 1
), snapshots AS (
    -- Per post and bucket: the latest snapshot reporting both, else the latest reporting either.
    SELECT DISTINCT ON (s.post_id, {post_bucket}) {post_bucket} AS period, s.completion_rate, s.views,
           (s.completion_rate IS NOT NULL AND s.views IS NOT NULL) AS both_sides
    FROM analytics_post p JOIN analytics_postdailymetric s ON s.post_id = p.id
    WHERE p.account_id = ANY(ARRAY(SELECT id FROM accounts_socialaccount WHERE organization_id = %(org)s))
      AND p.last_snapshot_on >= %(start)s AND p.first_snapshot_on <= %(end)s
      AND s.date BETWEEN %(start)s AND %(end)s AND (s.completion_rate IS NOT NULL OR s.views IS NOT NULL)
    ORDER BY s.post_id, {post_bucket}, (s.completion_rate IS NOT NULL AND s.views IS NOT NULL) DESC, s.date DESC
), posts AS (
    SELECT period, sum(completion_rate * views) FILTER (WHERE both_sides)
               / NULLIF(sum(views) FILTER (WHERE both_sides), 0) AS completion_rate,
           count(*) FILTER (WHERE both_sides) AS completion_rows, count(*) AS completion_any
    FROM snapshots GROUP BY 1
), sums AS (
    SELECT *,
           CASE WHEN num_nulls(likes, comments, shares, saves) < 4
                THEN coalesce(likes, 0) + coalesce(comments, 0) + coalesce(shares, 0) + coalesce(saves, 0) END
               AS interactions
    FROM organic FULL JOIN paid USING (period) LEFT JOIN posts USING (period)
)
SELECT period, views, impressions, likes, comments, shares, saves, followers, followers_gained, followers_lost,
       interactions, engagement_num::numeric / NULLIF(engagement_den, 0) AS engagement_rate,
       1000 * engagement_num::numeric / NULLIF(engagement_den, 0) AS interactions_per_mille,
       by_followers_num / NULLIF(by_followers_den, 0) AS engagement_rate_by_followers,
       net_followers, growth_num::numeric / NULLIF(growth_den, 0) AS follower_growth_rate,
       read_num::numeric / NULLIF(read_den, 0) AS read_rate, completion_rate,
       likes + saves + 4 * comments + 4 * shares + 8 * followers_gained AS ces,
       likes + coalesce(coins, 0) + saves + shares + comments + coalesce(danmaku, 0) AS bilibili_interactions,
       spend, clicks, conversions, revenue,
       ctr_num::numeric / NULLIF(ctr_den, 0) AS ctr, cvr_num::numeric / NULLIF(cvr_den, 0) AS cvr,
       cpm_num / NULLIF(cpm_den, 0) * 1000 AS cpm, cpc_num / NULLIF(cpc_den, 0) AS cpc,
       cpe_num / NULLIF(cpe_den, 0) AS cpe, cpa_num / NULLIF(cpa_den, 0) AS cpa,
       cpf_num / NULLIF(cpf_den, 0) AS cpf, roas_num / NULLIF(roas_den, 0) AS roas,
       (roas_num - roas_den) / NULLIF(roas_den, 0) AS roi,
       """ + ", ".join(_coverage(pair, kpi) for kpi, pair in (
           ("engagement_rate", "engagement"), ("interactions_per_mille", "engagement"),
           ("engagement_rate_by_followers", "by_followers"), ("read_rate", "read"),
           ("follower_growth_rate", "growth"), ("completion_rate", "completion"),
           *((name, name) for name, *_ in PAID_PAIRS), ("roi", "roas"))) + """
FROM sums ORDER BY period
"""


def kpi_query(granularity: str) -> str:
    bucket = BUCKETS[granularity]
    return QUERY.format(
        day_bucket=bucket.format(alias="m"), paid_bucket=bucket.format(alias="c"), post_bucket=bucket.format(alias="s"),
        n_days=DAYS[granularity],
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
