"""From the measured scales to 20,000 accounts × 3 years: nightly duration with N workers and the
KPI API p95 with the dashboards' and the API's reads on one replica.

- Nightly: one worker's accounts per minute (the sandbox with its per-call delay) and the measured
  two-worker speedup give Amdahl's parallel fraction p (S₂ = 1 / ((1 − p) + p / 2)); N workers sync
  at S_N = 1 / ((1 − p) + p / N) times one worker's rate. Each account is one task on its
  platform's queue, so the work splits per account; the database writes of a night (≈ 30 rows an
  account) are far below the write path's rows/s and do not bound it.
- KPI p95: fitted as p95 = c · rows^k (least squares in log–log) over the scales measured (this
  run's, else the newest stored result of each), extrapolated to the projected rows. A query of
  one organization reads the same 50 accounts' window at every size (monthly partitions, index
  paths), hence the small exponent. On one replica the reads keep this latency while leaving the
  primary to the nightly writes; more replicas add read capacity, not speed.
"""

from __future__ import annotations

import math

from .generate import expected_counts
from .report import previous_result

TARGET_ACCOUNTS, TARGET_DAYS = 20_000, 1095
WORKERS = (1, 2, 4, 8, 16, 32)


def parallel_fraction(speedup_two: float) -> float:
    return min(1.0, max(0.0, 2 * (1 - 1 / speedup_two)))


def speedup(workers: int, fraction: float) -> float:
    return 1 / ((1 - fraction) + fraction / workers)


def power_fit(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """(c, k) of y = c · x^k through ≥ 2 points (least squares on logarithms)."""
    if len({x for x, _ in points}) < 2:
        return None
    logs = [(math.log(x), math.log(y)) for x, y in points]
    mean_x = sum(x for x, _ in logs) / len(logs)
    mean_y = sum(y for _, y in logs) / len(logs)
    k = sum((x - mean_x) * (y - mean_y) for x, y in logs) / sum((x - mean_x) ** 2 for x, _ in logs)
    return math.exp(mean_y - k * mean_x), k


def _measured(runs: dict[str, dict]) -> dict[str, dict]:
    return {s: r for s in ("s", "m", "l") if (r := runs.get(s) or previous_result(s))}


def projection(runs: dict[str, dict]) -> dict:
    measured = _measured(runs)
    rows = expected_counts(TARGET_ACCOUNTS, TARGET_DAYS).total
    nightly = next((r for r in measured.values() if r.get("nightly_accounts_per_min")), None)
    result = {"accounts": TARGET_ACCOUNTS, "days": TARGET_DAYS, "rows": rows, "workers": []}
    if nightly:
        fraction = parallel_fraction(nightly["nightly_two_worker_speedup"])
        result |= {
            "nightly_accounts_per_min": nightly["nightly_accounts_per_min"],
            "parallel_fraction": round(fraction, 3),
            "nightly_from_scale": nightly["scale"],
        }
        result["workers"] = [
            {
                "workers": n,
                "speedup": round(speedup(n, fraction), 2),
                "nightly_minutes": round(TARGET_ACCOUNTS / nightly["nightly_accounts_per_min"] / speedup(n, fraction), 1),
            }
            for n in WORKERS
        ]
    points = [
        (r["rows"]["total"], r["kpi_api_p95_ms"])
        for r in measured.values()
        if r.get("kpi_api_p95_ms") and isinstance(r.get("rows"), dict)
    ]
    fit = power_fit(points)
    result["kpi_points"] = points
    if fit:
        c, k = fit
        result |= {"kpi_p95_exponent": round(k, 3), "kpi_api_p95_ms": round(c * rows**k)}
    return result


def projection_table(result: dict) -> str:
    lines = [f"projection: {result['accounts']:,} accounts × {result['days']} days ({result['rows'] / 1e6:.0f} M rows)"]
    if result["workers"]:
        lines.append(
            f"  nightly, from {result['nightly_accounts_per_min']} accounts/min with one worker at "
            f"{result['nightly_from_scale']} (parallel fraction {result['parallel_fraction']}):"
        )
        lines += [
            f"    {w['workers']:>3} workers  ×{w['speedup']:<5}  {w['nightly_minutes']:>7} min" for w in result["workers"]
        ]
    else:
        lines.append("  nightly: not measured")
    if "kpi_api_p95_ms" in result:
        lines.append(
            f"  KPI API p95 on one replica: {result['kpi_api_p95_ms']} ms "
            f"(fit over {len(result['kpi_points'])} scales, rows^{result['kpi_p95_exponent']})"
        )
    else:
        lines.append("  KPI API p95: needs two measured scales")
    return "\n".join(lines)
