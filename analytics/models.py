"""The stored raw metrics of KPIS.md. Every metric is nullable: NULL = not reported, 0 = zero."""

from django.db import models
from django.db.models.functions import Now

from accounts.models import Organization, Platform, SocialAccount

# The column tuples are read from here by every writer, beside the models.
from .metrics import ACCOUNT_METRICS, POST_COUNTERS, RAW_METRICS  # noqa: F401

# Counters an account reports per local calendar day and lifetime counters a post reports as of
# each day come from analytics/metrics.py (KPIS.md, "Raw metrics"); a post also has its rates.
POST_RATES = ("completion_rate", "avg_watch_seconds")
CAMPAIGN_COUNTERS = ("impressions", "clicks", "engagements", "conversions", "followers_gained")
CAMPAIGN_MONEY = ("spend", "revenue")


def _counter(label: str):
    return models.BigIntegerField(null=True, blank=True, verbose_name=label)


def _money(label: str):
    return models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True, verbose_name=label)


class Provenance(models.Model):
    """Who last wrote a daily row (KPIS.md readers ask "where does this number come from?"): the
    source (ingestion.RunSource: api / file / sandbox) and the ingestion run. The run is a plain id
    (no constraint): runs are pruned while the rows they wrote stay. Rows written before sources
    were recorded have no source (NULL)."""

    source = models.CharField(max_length=16, null=True, blank=True, verbose_name="来源")
    run = models.ForeignKey("ingestion.IngestionRun", null=True, blank=True, on_delete=models.DO_NOTHING,
                            db_constraint=False, db_index=False, related_name="+", verbose_name="导入批次")

    class Meta:
        abstract = True


PROVENANCE_COLUMNS = ("source", "run_id")


# The foreign keys below carry db_index=False: each table's unique (or named) index leads with
# the same column and serves joins and cascades, and a second index only slows every write.


class AccountDailyMetric(Provenance):
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="daily_metrics", db_index=False)
    date = models.DateField()
    # One nullable counter per account metric of analytics/metrics.py (added below the class).
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "date"], name="uniq_account_day")]
        indexes = [models.Index(fields=["date", "account"], name="acct_metric_date_idx")]

    def __str__(self):
        return f"{self.account_id} {self.date}"


for _metric in RAW_METRICS:
    if _metric.account:
        AccountDailyMetric.add_to_class(_metric.name, _counter(_metric.zh))


class Post(models.Model):
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="posts", db_index=False)
    external_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=32, blank=True)
    title = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # False when the source gives the publish day only (WeChat articles): published_at is then that
    # day's local midnight, which best-time-to-post must not read as 00:00.
    published_time_known = models.BooleanField(default=True, db_default=True)
    # First and last day with a snapshot, kept by database triggers on PostDailyMetric (migration
    # 0002) whoever writes: reads of a window visit only the posts whose snapshots can fall in it,
    # instead of every post in the account's history. Never narrowed (deletes leave a superset).
    first_snapshot_on = models.DateField(null=True, editable=False)
    last_snapshot_on = models.DateField(null=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "external_id"], name="uniq_post")]
        indexes = [
            models.Index(fields=["account", "published_at"], name="post_published_idx"),
            models.Index(fields=["account", "last_snapshot_on"], name="post_last_snapshot_idx"),
        ]

    def __str__(self):
        return self.title[:40] or self.external_id


class PostDailyMetric(Provenance):
    """Lifetime totals of a post as of `date` (what every platform's post API returns)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="daily_metrics", db_index=False)
    date = models.DateField()
    # One nullable lifetime counter per post metric of analytics/metrics.py (added below the class).
    completion_rate = models.FloatField(null=True, blank=True, verbose_name="完播率")
    avg_watch_seconds = models.FloatField(null=True, blank=True, verbose_name="平均观看时长")
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        # Reads go post by post (the post's snapshot range, then its unique index): no date index,
        # which was the largest on the largest table and made every insert a random B-tree write.
        constraints = [models.UniqueConstraint(fields=["post", "date"], name="uniq_post_day")]

    def __str__(self):
        return f"{self.post_id} {self.date}"


for _metric in RAW_METRICS:
    if _metric.post:
        PostDailyMetric.add_to_class(_metric.name, _counter(_metric.post_zh or _metric.zh))


class Campaign(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=200)
    platform = models.CharField(max_length=16, choices=Platform.choices)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    budget = _money("预算")

    class Meta:
        ordering = ["organization", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "platform", "name"], name="uniq_campaign")
        ]

    def __str__(self):
        return self.name


class CampaignDailyMetric(Provenance):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="daily_metrics", db_index=False)
    account = models.ForeignKey(
        SocialAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="campaign_metrics", db_index=False
    )
    date = models.DateField()
    spend = _money("花费")
    impressions = _counter("曝光")
    clicks = _counter("点击")
    engagements = _counter("互动")
    conversions = _counter("转化")
    revenue = _money("收入")
    followers_gained = _counter("涨粉")
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        constraints = [
            # NULLS NOT DISTINCT: one row per campaign and day when no account is attached.
            models.UniqueConstraint(
                fields=["campaign", "account", "date"], name="uniq_campaign_day", nulls_distinct=False
            )
        ]
        indexes = [
            models.Index(fields=["date", "campaign"], name="camp_metric_date_idx"),
            models.Index(fields=["account", "date"], name="camp_metric_acct_idx"),
        ]

    def __str__(self):
        return f"{self.campaign_id} {self.account_id} {self.date}"


class FollowerSourceDay(models.Model):
    """An Official Account's new and lost followers per day and `user_source` (datacube getusersummary).

    AccountDailyMetric holds the day's sum over sources; this keeps the split, e.g. the followers
    WeChat Channels brought (sources 200 and 201), shown on the 视频号 page.
    """

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="follower_sources",
                                db_index=False)
    date = models.DateField()
    source = models.IntegerField()
    followers_gained = _counter("新增粉丝")
    followers_lost = _counter("取关")
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "date", "source"], name="uniq_follower_source_day")
        ]

    def __str__(self):
        return f"{self.account_id} {self.date} source {self.source}"
