"""Writes for comments: upserts on the platform comment id, the privacy switch, topic words, scoring."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.calendar import local_date
from accounts.models import Organization, SocialAccount
from analytics.models import Post
from ingestion.connectors.base import connector_for
from ingestion.models import IngestionRun
from ingestion.queueing import QUEUE_ERRORS
from ingestion.services import ingestion_run_succeed

from . import scoring
from .models import Comment, CommentPolicy, TopicWord
from .records import CommentRecord

logger = logging.getLogger(__name__)

WRITE_CHUNK = 5000
SCORE_BATCH = 5000


@dataclass(frozen=True)
class CommentWriteResult:
    received: int
    changed: int  # inserted or modified; 0 when the same comments come again
    posts_created: int


def _posts_for(account: SocialAccount, refs: set[str]) -> tuple[dict[str, int], int]:
    """Post ids for what the records name: an external id, else a title, else a new post of that title."""
    by_id = dict(Post.objects.filter(account=account, external_id__in=refs).values_list("external_id", "pk"))
    missing = refs - by_id.keys()
    if missing:
        for title, pk in Post.objects.filter(account=account, title__in=missing).order_by("-pk").values_list("title", "pk"):
            by_id[title] = pk  # the oldest post of that title wins (ordered last)
    missing = refs - by_id.keys()
    created = [
        Post(account=account, external_id="comments:" + hashlib.sha256(ref.encode()).hexdigest()[:24], title=ref)
        for ref in sorted(missing)
    ]
    Post.objects.bulk_create(
        created, update_conflicts=True, unique_fields=["account", "external_id"], update_fields=["title"]
    )
    for post in Post.objects.filter(account=account, external_id__in=[p.external_id for p in created]):
        by_id[post.title] = post.pk
    return by_id, len(created)


def _stores_names(account: SocialAccount) -> bool:
    return CommentPolicy.objects.filter(account=account).values_list("store_author_names", flat=True).first() is not False


_UPSERT = """
INSERT INTO comments_comment AS c (account_id, external_id, post_id, author, text, commented_at, date, likes,
                                   reply_to, label, topics, updated_at)
SELECT %(account)s, r.external_id, r.post_id, r.author, r.text, r.commented_at, r.date, r.likes, r.reply_to,
       '', '{}', now()
FROM unnest(%(external_id)s::varchar[], %(post_id)s::bigint[], %(author)s::varchar[], %(text)s::text[],
            %(commented_at)s::timestamptz[], %(date)s::date[], %(likes)s::bigint[], %(reply_to)s::varchar[])
     AS r(external_id, post_id, author, text, commented_at, date, likes, reply_to)
ON CONFLICT ON CONSTRAINT uniq_comment DO UPDATE SET
    post_id = EXCLUDED.post_id, author = EXCLUDED.author, text = EXCLUDED.text,
    commented_at = EXCLUDED.commented_at, date = EXCLUDED.date, likes = COALESCE(EXCLUDED.likes, c.likes),
    reply_to = EXCLUDED.reply_to, updated_at = now(),
    -- a changed text is scored again; new likes keep the score
    sentiment = CASE WHEN c.text = EXCLUDED.text THEN c.sentiment END,
    label = CASE WHEN c.text = EXCLUDED.text THEN c.label ELSE '' END,
    topics = CASE WHEN c.text = EXCLUDED.text THEN c.topics ELSE '{}' END,
    scored_at = CASE WHEN c.text = EXCLUDED.text THEN c.scored_at END
WHERE (c.post_id, c.author, c.text, c.commented_at, c.likes, c.reply_to)
      IS DISTINCT FROM (EXCLUDED.post_id, EXCLUDED.author, EXCLUDED.text, EXCLUDED.commented_at,
                        COALESCE(EXCLUDED.likes, c.likes), EXCLUDED.reply_to)
"""


def comments_write(*, account: SocialAccount, comments: list[CommentRecord]) -> CommentWriteResult:
    """Upsert `comments` of `account` (all or nothing) and queue their scoring once committed.

    Keyed on (account, platform comment id): reading the same comments again changes nothing.
    Author names are dropped when the account's CommentPolicy says so.
    """
    merged = list({c.external_id: c for c in comments}.values())
    keep_names = _stores_names(account)
    with transaction.atomic():
        post_ids, posts_created = _posts_for(account, {c.post for c in merged})
        changed = 0
        with connection.cursor() as cursor:
            for start in range(0, len(merged), WRITE_CHUNK):
                chunk = merged[start : start + WRITE_CHUNK]
                cursor.execute(
                    _UPSERT,
                    {
                        "account": account.pk,
                        "external_id": [c.external_id for c in chunk],
                        "post_id": [post_ids[c.post] for c in chunk],
                        "author": [c.author[:200] if keep_names else "" for c in chunk],
                        "text": [c.text for c in chunk],
                        "commented_at": [c.commented_at for c in chunk],
                        "date": [local_date(account, c.commented_at) for c in chunk],
                        "likes": [c.likes for c in chunk],
                        "reply_to": [c.reply_to[:128] for c in chunk],
                    },
                )
                changed += cursor.rowcount
        if changed:
            transaction.on_commit(lambda: comments_score_request(account_id=account.pk))
    return CommentWriteResult(received=len(merged), changed=changed, posts_created=posts_created)


def comments_import(*, run: IngestionRun, account: SocialAccount, comments: list[CommentRecord]) -> CommentWriteResult:
    """Write the comments an import or a sync read, and record the outcome on its run."""
    result = comments_write(account=account, comments=comments)
    ingestion_run_succeed(run=run, rows_written=result.received)
    return result


def comments_sync(*, account: SocialAccount) -> CommentWriteResult | None:
    """Read the comments of the account's recent posts through its platform's comment API (bounded per night).

    None when the platform has no comment API here (its comments come from comments_csv). Not an
    IngestionRun: runs describe the metric windows (gaps, staleness), which comments do not fill.
    """
    read = getattr(connector_for(account), "comments", None)
    if read is None:
        return None
    since = timezone.now() - dt.timedelta(days=settings.COMMENTS_SYNC_DAYS)
    posts = list(
        Post.objects.filter(account=account, published_at__gte=since)
        .order_by("-published_at")
        .values_list("external_id", flat=True)
    )
    result = comments_write(account=account, comments=read(posts, limit=settings.COMMENTS_SYNC_MAX_PER_ACCOUNT))
    logger.info("comments of account %s: %s read, %s changed", account.pk, result.received, result.changed)
    return result


def comments_score_request(*, account_id: int) -> None:
    """Queue the scoring of an account's unscored comments (off the request path)."""
    from .tasks import score_comments  # tasks import this module

    try:
        score_comments.delay(account_id)
    except QUEUE_ERRORS as exc:
        # The comments are stored; `manage.py score_comments` (or the next write) scores them later.
        logger.error("queue unavailable, comments of account %s not scored yet: %s", account_id, exc)


def comment_policy_set(*, account: SocialAccount, store_author_names: bool) -> CommentPolicy:
    """Switch author names on or off for `account`; off also erases every name already stored."""
    with transaction.atomic():
        policy, _ = CommentPolicy.objects.update_or_create(
            account=account, defaults={"store_author_names": store_author_names}
        )
        if not store_author_names:
            Comment.objects.filter(account=account).exclude(author="").update(author="")
    return policy


def _rescore_organization(organization: Organization) -> None:
    accounts = list(organization.accounts.values_list("pk", flat=True))
    Comment.objects.filter(account_id__in=accounts).update(scored_at=None)
    for account_id in accounts:
        transaction.on_commit(lambda account_id=account_id: comments_score_request(account_id=account_id))


def topic_word_add(*, organization: Organization, keyword: str, synonyms: list[str] = ()) -> TopicWord:
    """Add (or change the synonyms of) one of the organisation's topics; its comments get their topics again."""
    keyword = keyword.strip()
    if not keyword:
        raise ValueError("keyword must not be empty")
    with transaction.atomic():
        word, _ = TopicWord.objects.update_or_create(
            organization=organization,
            keyword=keyword,
            defaults={"synonyms": sorted({s.strip() for s in synonyms if s.strip() and s.strip() != keyword})},
        )
        _rescore_organization(organization)
    return word


def topic_word_delete(*, word: TopicWord) -> None:
    with transaction.atomic():
        organization = word.organization
        word.delete()
        _rescore_organization(organization)


def organization_topics(organization_id: int) -> dict[str, tuple[str, ...]]:
    """The built-in topic list with the organisation's own topics added (or their synonyms extended)."""
    topics = dict(scoring.DEFAULT_TOPICS)
    for keyword, synonyms in TopicWord.objects.filter(organization_id=organization_id).values_list("keyword", "synonyms"):
        topics[keyword] = tuple(dict.fromkeys((*topics.get(keyword, ()), *synonyms)))
    return topics


_SCORE_UPDATE = """
UPDATE comments_comment AS c
SET sentiment = r.sentiment, label = r.label, topics = string_to_array(r.topics, '|'), scored_at = now()
FROM unnest(%(id)s::bigint[], %(sentiment)s::float8[], %(label)s::varchar[], %(topics)s::text[])
     AS r(id, sentiment, label, topics)
WHERE c.id = r.id
"""


def comments_score(*, account: SocialAccount, limit: int | None = None) -> int:
    """Score the account's unscored comments in batches (sentiment, label, topics); returns how many."""
    topics = organization_topics(account.organization_id)
    done = 0
    while limit is None or done < limit:
        size = SCORE_BATCH if limit is None else min(SCORE_BATCH, limit - done)
        batch = list(
            Comment.objects.filter(account=account, scored_at__isnull=True).order_by("pk").values_list("pk", "text")[:size]
        )
        if not batch:
            break
        results = scoring.score([text for _, text in batch], topics)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                _SCORE_UPDATE,
                {
                    "id": [pk for pk, _ in batch],
                    "sentiment": [r.sentiment for r in results],
                    "label": [r.label for r in results],
                    "topics": ["|".join(r.topics) for r in results],
                },
            )
        done += len(batch)
    return done
