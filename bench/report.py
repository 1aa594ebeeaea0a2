"""Result files and the closing table with the targets of the performance issue."""

from __future__ import annotations

import json
import os
from pathlib import Path

import psycopg2

RESULTS = Path(__file__).resolve().parent / "results"
KEYS = (
    "scale", "ingest_new_rows_per_s", "copy_rows_per_s", "ingest_new_ratio", "ingest_reingest_ratio",
    "kpi_api_p50_ms", "kpi_api_p95_ms", "raw_sql_ms", "kpi_vs_sql_ratio", "growth_p95_ratio_s_to_l",
    "overview_page_ms", "nightly_accounts_per_min", "nightly_two_worker_speedup",
    "import_rows", "import_seconds", "import_peak_rss_mb", "import_failing_rows_left",
)


def machine(database_url: str) -> dict:
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
    finally:
        connection.close()
    return {"cpu_count": os.cpu_count(), "postgresql_version": version}


def previous_result(scale: str) -> dict | None:
    """The newest stored result of `scale` (file names start with a sortable timestamp)."""
    files = sorted(RESULTS.glob(f"*-{scale}.json"))
    return json.loads(files[-1].read_text()) if files else None


def growth(results: dict[str, dict], small: str, large: str) -> float | None:
    """KPI API p95 at `large` over `small`, from this run or the newest stored runs."""
    a, b = (results.get(s) or previous_result(s) for s in (small, large))
    if not (a and b and a.get("kpi_api_p95_ms") and b.get("kpi_api_p95_ms")):
        return None
    return round(b["kpi_api_p95_ms"] / a["kpi_api_p95_ms"], 2)


def results_write(results: dict[str, dict], stamp: str) -> dict:
    """Write one file per scale and latest.json (the last scale run, with all of this run's scales)."""
    RESULTS.mkdir(exist_ok=True)
    for scale, result in results.items():
        (RESULTS / f"{stamp}-{scale}.json").write_text(json.dumps(result, indent=2, default=str))
    latest = dict.fromkeys(KEYS) | list(results.values())[-1] | {"runs": results}
    (RESULTS / "latest.json").write_text(json.dumps(latest, indent=2, default=str))
    return latest


def _verdict(value, limit, *, at_least: bool) -> str:
    if value is None:
        return "not measured"
    return "met" if (value >= limit if at_least else value <= limit) else "MISSED"


def _worst(runs: dict[str, dict], key: str, *, at_least: bool) -> tuple[object, str]:
    """The worst value of `key` over this run's scales, labelled with its scale: a target holds at every size."""
    values = [(run[key], scale) for scale, run in runs.items() if run.get(key) is not None]
    if not values:
        return None, ""
    value, scale = (min if at_least else max)(values)
    return value, f" ({scale})" if len(runs) > 1 else ""


def targets(result: dict) -> list[tuple[str, object, str]]:
    m = result["runs"].get("m") or previous_result("m") or {}
    rows = []
    for name, key, limit, at_least in (
        ("ingest new ≥ 80% of COPY", "ingest_new_ratio", 0.8, True),
        ("re-ingest ≥ 80% of COPY", "ingest_reingest_ratio", 0.8, True),
        ("KPI API p95 ≤ 1.5× raw SQL", "kpi_vs_sql_ratio", 1.5, False),  # the same paired sums and coverage
        ("two workers ≥ 1.6× one", "nightly_two_worker_speedup", 1.6, True),
    ):
        value, label = _worst(result["runs"], key, at_least=at_least)
        rows.append((name, value if value is None else f"{value}{label}", _verdict(value, limit, at_least=at_least)))
    large = result["runs"].get("l") or previous_result("l") or {}
    imported = result.get("import_rows") == 1_000_000  # the import targets are for a million rows
    rows += [
        ("import 1M rows ≤ 90 s", result.get("import_seconds"),
         _verdict(result.get("import_seconds") if imported else None, 90, at_least=False)),
        ("import peak RSS ≤ 300 MB", result.get("import_peak_rss_mb"),
         _verdict(result.get("import_peak_rss_mb") if imported else None, 300, at_least=False)),
        ("failing import leaves 0 rows", result.get("import_failing_rows_left"),
         _verdict(result.get("import_failing_rows_left"), 0, at_least=False)),
    ]
    return rows + [
        ("overview page p50 ≤ 150 ms at l", large.get("overview_page_ms"),
         _verdict(large.get("overview_page_ms"), 150, at_least=False)),
        ("KPI API p95 ≤ 150 ms at m", m.get("kpi_api_p95_ms"), _verdict(m.get("kpi_api_p95_ms"), 150, at_least=False)),
        ("growth p95 s→l ≤ 3×", result["growth_p95_ratio_s_to_l"],
         _verdict(result["growth_p95_ratio_s_to_l"], 3, at_least=False)),
    ]


def table(latest: dict) -> str:
    lines = [f"cpu_count={latest['cpu_count']}  PostgreSQL {latest['postgresql_version']}", ""]
    columns = ("scale", "rows", "ingest_new_rows_per_s", "copy_rows_per_s", "ingest_new_ratio", "ingest_reingest_ratio",
               "kpi_api_p50_ms", "kpi_api_p95_ms", "raw_sql_ms", "kpi_vs_sql_ratio", "overview_page_ms",
               "nightly_accounts_per_min", "nightly_two_worker_speedup")
    header = ("scale", "rows", "ingest/s", "COPY/s", "new÷COPY", "re÷COPY", "API p50", "API p95", "SQL p95",
              "API÷SQL", "overview", "nightly/min", "2 workers")
    lines.append("  ".join(f"{h:>9}" for h in header))
    for result in latest["runs"].values():
        cells = [result.get("rows", {}).get("total") if c == "rows" else result.get(c) for c in columns]
        lines.append("  ".join(f"{'—' if v is None else v:>9}" for v in cells))
    lines += ["", "target (worst scale)            value          verdict"]
    lines += [f"{name:30}  {'—' if value is None else value!s:>13}  {verdict}" for name, value, verdict in targets(latest)]
    errors = {f"{s}.{k}": v for s, r in latest["runs"].items() for k, v in r.get("errors", {}).items()}
    lines += [f"not measured: {k}: {v[:160]}" for k, v in errors.items()]
    return "\n".join(lines)
