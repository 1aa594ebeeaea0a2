"""`python -m bench.reports [--scale s|m] [--runs 3]`: a monthly report of a 50-account organization.

Uses the scale's cached database (`python -m bench` generates it; this generates it too when missing),
takes its first organization (50 accounts: every scale groups accounts 50 to an organization, so the
report reads the same amount of data while the tables grow around it) and the last complete month of
the dataset. Timed, as the Celery task does it: the content (every KPI through analytics.selectors),
the XLSX and the PDF (Chromium, after the charts drew). Target: ≤ 15 s; the files' sizes are reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time

from .database import ROOT, database_ensure

TARGET_SECONDS = 15.0


def measure(scale_name: str, runs: int, log) -> dict:
    from accounts.models import Organization  # noqa: PLC0415 - needs Django set up
    from reports import builder, selectors
    from reports.periods import report_window

    from .generate import dataset_generate, organization_slug
    from .scales import SCALES

    dataset = dataset_generate(SCALES[scale_name], log=log)
    organization = Organization.objects.get(slug=organization_slug(0))
    start, end = report_window("month", dataset.last_day + dt.timedelta(days=1))
    if start < dataset.first_day:
        raise RuntimeError(f"the dataset ({dataset.first_day}..{dataset.last_day}) holds no complete month")
    timings = []
    for run in range(runs):
        began = time.perf_counter()
        content = selectors.report_content(organization=organization, start=start, end=end)
        content_seconds = time.perf_counter() - began
        xlsx = builder.report_xlsx(content)
        xlsx_seconds = time.perf_counter() - began - content_seconds
        pdf = builder.report_pdf(content)
        total = time.perf_counter() - began
        timings.append(
            {"content": content_seconds, "xlsx": xlsx_seconds, "pdf": total - content_seconds - xlsx_seconds, "total": total}
        )
        log(
            f"[reports {scale_name}] run {run + 1}: {total:.2f} s (content {content_seconds:.2f}, "
            f"xlsx {xlsx_seconds:.2f}, pdf {timings[-1]['pdf']:.2f}); pdf {len(pdf):,} B, xlsx {len(xlsx):,} B"
        )
    median = statistics.median(t["total"] for t in timings)
    return {
        "scale": scale_name,
        "organization": organization.slug,
        "accounts": organization.accounts.count(),
        "window": f"{start}..{end}",
        "runs": runs,
        "seconds_median": round(median, 2),
        "seconds_max": round(max(t["total"] for t in timings), 2),
        "content_seconds_median": round(statistics.median(t["content"] for t in timings), 2),
        "xlsx_seconds_median": round(statistics.median(t["xlsx"] for t in timings), 2),
        "pdf_seconds_median": round(statistics.median(t["pdf"] for t in timings), 2),
        "pdf_bytes": len(pdf),
        "xlsx_bytes": len(xlsx),
        "platform_rows": len(content["platforms"]),
        "load_average": os.getloadavg()[0],
        "cpu_count": os.cpu_count(),
        "target_seconds": TARGET_SECONDS,
        "verdict": "met" if median <= TARGET_SECONDS else "MISSED",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__)
    parser.add_argument("--scale", choices=["quick", "s", "m", "l"], default="m")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        import django  # noqa: PLC0415

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialmetrics.settings.base")
        django.setup()
        result = measure(args.scale, args.runs, log=lambda m: print(m, file=sys.stderr, flush=True))
        print(json.dumps(result))
        return 0
    from .scales import SCALES  # noqa: PLC0415

    url = database_ensure(SCALES[args.scale].database)
    out = subprocess.run(
        [sys.executable, "-m", "bench.reports", "--inner", "--scale", args.scale, "--runs", str(args.runs)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DEBUG": "false"},
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"reports-{args.scale}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"monthly report, {result['accounts']} accounts, scale {args.scale} ({result['window']}): "
        f"{result['seconds_median']} s median of {args.runs} (target ≤ {TARGET_SECONDS:.0f} s: {result['verdict']}); "
        f"PDF {result['pdf_bytes'] / 1024:,.0f} KB, XLSX {result['xlsx_bytes'] / 1024:,.0f} KB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
