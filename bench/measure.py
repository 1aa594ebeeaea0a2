"""Every measurement of one scale, side by side on that scale's database."""

from __future__ import annotations

from accounts.models import Organization
from analytics.partitions import partitions_ensure

from .generate import dataset_generate, organization_slug
from .ingest import ingest_measure
from .latency import api_key_for, kpi_api_times, kpi_windows, login_cookie, page_times, summary
from .nightly import nightly_measure
from .raw_sql import raw_sql_times
from .server import gunicorn

GRANULARITIES = ("day", "total")
NIGHTLY_ACCOUNTS = 50  # scale s's accounts: one worker's night takes about a minute
CROSS_CHECKED = ("views", "impressions", "interactions", "followers", "spend", "clicks", "conversions", "completion_rate",
                 "engagement_rate", "read_rate", "net_followers", "cpa", "roas", "roi")


def _max(values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


def numbers_agree(api_response: dict, sql_rows: list[dict]) -> bool | None:
    """Whether the API's total for a window matches the raw query's on the raw sums both report."""
    if not api_response.get("results") or not sql_rows:
        return None
    api = {}
    for row in api_response["results"]:  # one row per group when grouped: add them up
        for key, value in (row.get("kpis") or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                api[key] = api.get(key, 0) + value
    shared = [k for k in CROSS_CHECKED if k in api]
    sql = sql_rows[0]
    # The ratios' coverage too (one ungrouped row: nothing to add up).
    coverage = {k: v for k, v in (api_response["results"][0].get("coverage") or {}).items() if v is not None}
    pairs = [(float(sql[k] or 0), api[k]) for k in shared]
    pairs += [(float(sql[f"coverage_{k}"] or 0), v) for k, v in coverage.items()]
    return bool(shared) and all(abs(s - a) <= 1e-6 + 1e-4 * abs(a) for s, a in pairs)


def kpi_measure(*, base_url: str | None, database_url: str, organization: Organization, windows, errors: dict) -> dict:
    """Raw SQL always; the API too when `base_url` is given (a failure is recorded in `errors`)."""
    kpi = {}
    api_key = api_key_for(organization) if base_url else None
    for granularity in GRANULARITIES:
        sql_times, sql_rows = raw_sql_times(
            url=database_url, organization_id=organization.pk, windows=windows, granularity=granularity
        )
        kpi[granularity] = {"raw_sql": summary(sql_times)}
        if base_url is None:
            continue
        try:
            api_times, api_response = kpi_api_times(
                base_url=base_url, api_key=api_key, windows=windows, granularity=granularity
            )
        except RuntimeError as exc:
            errors[f"kpi_api_{granularity}"] = str(exc)
            continue
        kpi[granularity]["api"] = summary(api_times)
        kpi[granularity]["api_vs_sql_p95_ratio"] = round(
            kpi[granularity]["api"]["p95_ms"] / kpi[granularity]["raw_sql"]["p95_ms"], 2
        )
        if granularity == "total":
            kpi["api_matches_sql"] = numbers_agree(api_response, sql_rows)
    return kpi


def overview_measure(*, base_url: str, organization: Organization, requests_count: int, errors: dict) -> dict | None:
    try:
        times = page_times(base_url=base_url, path="/", cookies=login_cookie(organization), requests_count=requests_count)
    except RuntimeError as exc:
        errors["overview_page"] = str(exc)
        return None
    return summary(times)


def scale_run(
    scale, *, database_url: str, requests_count: int, page_requests: int, ingest_accounts: int, log=print
) -> dict:
    dataset = dataset_generate(scale, log=log)
    result = {
        "scale": scale.name, "accounts": scale.accounts, "days": scale.days,
        "rows": {**vars(dataset.counts), "total": dataset.counts.total}, "dataset_reused": dataset.reused,
        "generate_seconds": None if dataset.reused else round(dataset.seconds, 1),
        "generate_rows_per_s": None if dataset.reused else round(dataset.counts.total / max(dataset.seconds, 1e-9)),
        "errors": {},
    }
    partitions_ensure(first=dataset.first_day)  # a dataset cached before its months existed
    log(f"[{scale.name}] ingest: {ingest_accounts} fresh accounts × {scale.days} days")
    result |= ingest_measure(accounts=ingest_accounts, days=scale.days, first_day=dataset.first_day)
    nightly_accounts = min(scale.accounts, NIGHTLY_ACCOUNTS)
    log(f"[{scale.name}] nightly: {nightly_accounts} accounts synced from the sandbox by one worker, then two")
    try:
        result |= nightly_measure(accounts=nightly_accounts)
    except RuntimeError as exc:
        result["errors"]["nightly"] = str(exc)

    organization = Organization.objects.get(slug=organization_slug(0))
    windows = kpi_windows(dataset.first_day, dataset.last_day, requests_count)
    log(f"[{scale.name}] HTTP: {requests_count} KPI requests per granularity, {page_requests} overview page loads")
    with gunicorn(database_url=database_url) as base_url:
        kpi = kpi_measure(
            base_url=base_url, database_url=database_url, organization=organization, windows=windows,
            errors=result["errors"],
        )
        overview = overview_measure(
            base_url=base_url, organization=organization, requests_count=page_requests, errors=result["errors"]
        )
    apis = [kpi[g]["api"] for g in GRANULARITIES if "api" in kpi[g]]
    return result | {
        "kpi": kpi,
        # Headline figures: the slower granularity of the two.
        "kpi_api_p50_ms": _max([a["p50_ms"] for a in apis]),
        "kpi_api_p95_ms": _max([a["p95_ms"] for a in apis]),
        "raw_sql_ms": _max([kpi[g]["raw_sql"]["p95_ms"] for g in GRANULARITIES]),
        "kpi_vs_sql_ratio": _max([kpi[g].get("api_vs_sql_p95_ratio") for g in GRANULARITIES]),
        "overview": overview,
        "overview_page_ms": overview and overview["p50_ms"],
    }
