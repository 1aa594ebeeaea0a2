"""`python -m bench [--quick] [--scale s|m|l ...]`: generate (or reuse) each scale's database,
measure it in a subprocess pointed at that database, write bench/results/ and print the table."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time

from .database import ROOT, database_ensure
from .report import growth, machine, results_write, table
from .scales import SCALES


def _projection(runs: dict) -> str:
    import django  # the projection counts rows with the generator's models: only now, at the end

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialmetrics.settings.base")
    django.setup()
    from .projection import projection, projection_table

    return projection_table(projection(runs))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one small database (50 accounts × 100 days), < 2 min")
    parser.add_argument("--scale", action="append", choices=["s", "m", "l"], help="repeatable; default: s and m")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per measurement (≥ 30)")
    parser.add_argument("--page-requests", type=int, default=None, help="timed overview page loads (default: --requests)")
    parser.add_argument("--ingest-accounts", type=int, default=None, help="fresh accounts written by the ingest test")
    parser.add_argument("--generate-only", action="store_true", help="prepare (cache) the scales' data, measure nothing")
    parser.add_argument("--import-rows", type=int, default=None,
                        help="rows of the big-export import test (default 1,000,000; --quick: 100,000; 0: skip)")
    args = parser.parse_args(argv)
    scales = ["quick"] if args.quick else (args.scale or ["s", "m"])
    ingest_accounts = args.ingest_accounts or (5 if args.quick else 20)
    page_requests = args.page_requests or (10 if args.quick else args.requests)

    results, url = {}, None
    for name in scales:
        scale = SCALES[name]
        started = time.perf_counter()
        url = database_ensure(scale.database)
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run(
                [sys.executable, "-m", "bench.run_scale", "--scale", name, "--out", out.name,
                 "--requests", str(args.requests), "--page-requests", str(page_requests),
                 "--ingest-accounts", str(ingest_accounts), *(["--generate-only"] if args.generate_only else [])],
                # DEBUG off as in production (Django's debug cursor records every query); a cache
                # prefix per database, because primary keys repeat across the scales' databases.
                cwd=ROOT, env={**os.environ, "DATABASE_URL": url, "DEBUG": "false", "CACHE_KEY_PREFIX": scale.database},
                check=True,
            )
            results[name] = json.loads(out.read().decode() or "{}")
        results[name]["seconds"] = round(time.perf_counter() - started, 1)
    if args.generate_only:
        print(json.dumps(results, indent=2))
        return 0
    facts = machine(url) | {"measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    import_rows = args.import_rows if args.import_rows is not None else 100_000 if args.quick else 1_000_000
    facts |= _import_measure(url, import_rows) if import_rows else {}
    for result in results.values():
        result |= facts | {
            "growth_p95_ratio_s_to_m": growth(results, "s", "m"),
            "growth_p95_ratio_s_to_l": growth(results, "s", "l"),
        }
    latest = results_write(results, dt.datetime.now().strftime("%Y%m%dT%H%M%S"))
    print(table(latest))
    print()
    print(_projection(latest["runs"]))
    return 0


def _import_measure(url: str, rows: int) -> dict:
    """The big-export import (bench.imports) in a Django process of its own, on the last scale's database."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, "-m", "bench.imports", "--rows", str(rows), "--out", out.name], cwd=ROOT,
                       env={**os.environ, "DATABASE_URL": url, "DEBUG": "false"}, check=True)
        return json.loads(out.read().decode())


if __name__ == "__main__":
    sys.exit(main())
