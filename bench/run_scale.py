"""`python -m bench.run_scale --scale s --out result.json`: one scale inside Django, against
that scale's database (DATABASE_URL points at it). Started by `python -m bench`."""

from __future__ import annotations

import argparse
import json
import os
import sys

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--page-requests", type=int, default=30)
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--ingest-accounts", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialmetrics.settings.base")
    django.setup()

    from .generate import dataset_generate  # noqa: PLC0415 - needs the app registry
    from .measure import scale_run
    from .scales import SCALES

    def log(message):
        print(message, file=sys.stderr, flush=True)

    if args.generate_only:
        dataset = dataset_generate(SCALES[args.scale], log=log)
        result = {"scale": args.scale, "rows": dataset.counts.total, "generate_seconds": round(dataset.seconds, 1),
                  "reused": dataset.reused}
    else:
        result = scale_run(
            SCALES[args.scale], database_url=os.environ["DATABASE_URL"], requests_count=args.requests,
            page_requests=args.page_requests, ingest_accounts=args.ingest_accounts, log=log,
        )
    with open(args.out, "w") as out:
        json.dump(result, out, indent=2, default=str)


if __name__ == "__main__":
    main()
