"""`python -m bench.comments [--count 100000] [--database]`: comment scoring throughput (target ≤ 60 s
for 100,000 comments). Pure scoring by default; `--database` also times the real path (upsert the
comments, then comments.services.comments_score in batches, as the Celery task runs it) against the
embedded PostgreSQL, in a throwaway organisation that is deleted afterwards."""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

TARGET_SECONDS = 60.0
_SUBJECTS = ["这件衣服", "快递", "客服", "口红", "面膜", "耳机", "这期视频", "主播", "包装", "价格", "质量", "味道",
             "尺码", "发货速度", "售后", "做工", "颜色", "鞋子", "手机壳", "零食"]
_VERDICTS = ["很好", "太差了", "一般般", "超出预期", "让人失望", "非常满意", "有点贵", "很划算", "太慢了", "很快",
             "和图片不一样", "质感不错", "态度很好", "不推荐", "还会回购", "有异味", "掉色严重", "很舒服", "很好用", "坏了"]
_ENDINGS = ["", "！", "，推荐给大家", "，再也不买了", "，给个好评", "，申请退货了", "，下次还来", "，差评", "，客服也不回复",
            "，朋友都说好看", "，物流也很快", "，等了一周"]


def corpus(count: int, seed: int = 17) -> list[str]:
    """`count` distinct, plausible comments built from fragments (seeded: every run scores the same texts)."""
    rng = random.Random(seed)
    return [f"{rng.choice(_SUBJECTS)}{rng.choice(_VERDICTS)}{rng.choice(_ENDINGS)} #{i}" for i in range(count)]


def _pure(texts: list[str]) -> dict:
    from comments import scoring

    started = time.perf_counter()
    scoring.sentiment("预热")  # model and dictionary loading, once per worker process
    loaded = time.perf_counter()
    results = scoring.score(texts)
    done = time.perf_counter()
    labels = {label: sum(r.label == label for r in results) for label in (scoring.POSITIVE, scoring.NEUTRAL,
                                                                           scoring.NEGATIVE)}
    return {"load_seconds": round(loaded - started, 2), "score_seconds": round(done - loaded, 2), "labels": labels}


def _database(texts: list[str]) -> dict:
    import datetime as dt

    import django

    django.setup()
    from django.utils import timezone

    from accounts.models import Organization, SocialAccount
    from comments.records import CommentRecord
    from comments.services import comments_score, comments_write

    org = Organization.objects.create(slug=f"bench-comments-{time.time_ns()}", name="bench comments")
    try:
        account = SocialAccount.objects.create(organization=org, platform="douyin", external_id="bench", name="bench")
        at = timezone.now() - dt.timedelta(days=1)
        records = [CommentRecord(f"c{i}", f"v{i % 500}", text, at) for i, text in enumerate(texts)]
        started = time.perf_counter()
        comments_write(account=account, comments=records)
        written = time.perf_counter()
        scored = comments_score(account=account)
        done = time.perf_counter()
        return {"write_seconds": round(written - started, 2), "db_score_seconds": round(done - written, 2),
                "scored": scored}
    finally:
        org.delete()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.comments", description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--database", action="store_true", help="also time upsert + comments_score in PostgreSQL")
    args = parser.parse_args(argv)
    texts = corpus(args.count)
    result = {"comments": args.count, **_pure(texts)}
    if args.database:
        import os

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialmetrics.settings.base")
        result |= _database(texts)
    seconds = result.get("db_score_seconds", result["score_seconds"])
    result["target_seconds"] = TARGET_SECONDS * args.count / 100_000
    result["ok"] = seconds <= result["target_seconds"]
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
