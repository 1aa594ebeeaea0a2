"""What the audience says under each post, with its offline sentiment and topics (docs/COMMENTS.md)."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, SocialAccount
from analytics.models import Post


class SentimentLabel(models.TextChoices):
    POSITIVE = "positive", _("正面")
    NEUTRAL = "neutral", _("中性")
    NEGATIVE = "negative", _("负面")


class Comment(models.Model):
    """One comment as the platform (or the comments_csv file) gave it; keyed on the platform's comment id."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="comments", db_index=False)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="audience_comments")
    external_id = models.CharField(max_length=128)
    # Empty when the account stores no author names (CommentPolicy, PIPL: keep the minimum).
    author = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    commented_at = models.DateTimeField()
    date = models.DateField()  # the account's local calendar day of commented_at
    likes = models.BigIntegerField(null=True, blank=True)
    reply_to = models.CharField(max_length=128, blank=True)  # the external id of the comment answered
    # Filled off the request path by comments.tasks.score_comments; NULL = not scored yet.
    sentiment = models.FloatField(null=True, blank=True)
    label = models.CharField(max_length=8, choices=SentimentLabel.choices, blank=True)
    topics = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "external_id"], name="uniq_comment")]
        indexes = [
            models.Index(fields=["account", "date"], name="comment_account_date_idx"),
            models.Index(fields=["account"], condition=models.Q(scored_at__isnull=True), name="comment_unscored_idx"),
            GinIndex(fields=["topics"], name="comment_topics_idx"),
        ]

    def __str__(self):
        return self.text[:40]


class CommentPolicy(models.Model):
    """Per account: whether comment author names are kept. Switching it off also erases the stored ones."""

    account = models.OneToOneField(SocialAccount, on_delete=models.CASCADE, related_name="comment_policy")
    store_author_names = models.BooleanField(default=True, verbose_name=_("保存评论者昵称"))

    def __str__(self):
        return f"{self.account_id} names={'kept' if self.store_author_names else 'not kept'}"


class TopicWord(models.Model):
    """An organisation's own topic (beside the built-in list in comments.scoring.DEFAULT_TOPICS)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="topic_words")
    keyword = models.CharField(max_length=64)
    synonyms = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["keyword"]
        constraints = [models.UniqueConstraint(fields=["organization", "keyword"], name="uniq_topic_word")]

    def __str__(self):
        return self.keyword
