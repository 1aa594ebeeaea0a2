"""Same seed, same bytes; plausible data: seasonality, growth, virality, counters that only grow."""

import datetime as dt
import statistics

import requests

from ingestion.sandbox import Sandbox, world

from .conftest import Client

DAY = dt.timedelta(days=1)


def transcript(sandbox: Sandbox) -> list[bytes]:
    client = Client(sandbox)
    y = dt.date(2026, 6, 30)
    client.control("clock", today=(y + DAY).isoformat())
    answers = [
        client.wechat("getusersummary", y - 6 * DAY, y), client.wechat("getarticletotaldetail", y - DAY, y - DAY),
        client.douyin("/data/external/user/item/", date_type=30), client.douyin("/video/list/", count=20),
        client.bilibili("/arcopen/fn/archive/viewlist", pn=2, ps=20), client.bilibili("/arcopen/fn/data/user/stat"),
        client.weibo("/2/statuses/user_timeline.json", count=100), client.xhs(y - 29 * DAY, y),
    ]
    return [a.content for a in answers]


def test_same_seed_same_bytes_other_seed_other_data():
    with Sandbox(seed=5) as a, Sandbox(seed=5) as b, Sandbox(seed=6) as c:
        first, second, other = transcript(a), transcript(b), transcript(c)
    assert first == second
    assert all(len(answer) > 90 for answer in first)
    assert sum(x != y for x, y in zip(first, other, strict=True)) == len(first)


def test_lifetime_counters_only_grow_and_account_days_add_up():
    account = world.account(3, "douyin", "growth")
    days = [dt.date(2026, 5, 1) + n * DAY for n in range(60)]
    for post in account.posts_until(days[-1])[-20:]:
        totals = [post.totals(d) for d in days]
        for before, after in zip(totals, totals[1:], strict=False):
            assert all(after[k] >= before[k] for k in before)
    sims = [account.day(d) for d in days]
    for before, after in zip(sims, sims[1:], strict=False):
        assert after.followers - before.followers == after.followers_gained - after.followers_lost
    assert sims[-1].followers > sims[0].followers  # a growing brand


def test_weekly_seasonality_and_viral_posts():
    account = world.account(3, "douyin", "season")
    days = [dt.date(2026, 2, 2) + n * DAY for n in range(280)]  # 40 whole weeks from a Monday
    gained = {wd: statistics.mean(account.day(d).followers_gained for d in days if d.weekday() == wd) for wd in range(7)}
    assert min(gained[5], gained[6]) > max(gained[0], gained[1])  # weekends beat Monday and Tuesday
    posts = account.posts_until(days[-1])
    viral = [p for p in posts if p.viral]
    assert 0 < len(viral) < len(posts) * 0.15
    assert statistics.median(p.finals["views"] for p in viral) > 4 * statistics.median(
        p.finals["views"] for p in posts if not p.viral)


def test_the_clock_moves_snapshots():
    with Sandbox(seed=2) as sandbox:
        client = Client(sandbox)
        client.control("clock", today="2026-04-01")
        april = client.weibo("/2/users/show.json").json()
        client.control("clock", today="2026-09-01")
        september = client.weibo("/2/users/show.json").json()
        assert september["followers_count"] > april["followers_count"]
        assert september["statuses_count"] > april["statuses_count"]
        client.control("clock", today=None)
        assert client.control("state", method="GET")["today"] > "2026-09-01"
        assert requests.post(f"{sandbox.url}/_sandbox/clock", json={"today": "soon"}).status_code == 400
