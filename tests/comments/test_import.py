"""comments_csv: detected from its header, any platform, bad rows rejected whole with row and column."""

import pytest

from comments.models import Comment
from ingestion.importers import ImportFileError, file_import
from ingestion.importers.formats import KINDS
from ingestion.models import IngestionRun, RunStatus
from tests.factories import PostFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db

GOOD = "\n".join(
    [
        "date,post,author,text",
        "2026-10-01 20:15,v1,小王,物流太慢了，等了一周",
        "2026/10/02,新品开箱,,质量很好，会回购",
        '2026年10月03日 09:00,另一条视频,小李,"客服态度不错，价格也便宜"',
    ]
).encode("utf-8-sig")


@pytest.fixture
def account():
    account = SocialAccountFactory(platform="xiaohongshu")
    PostFactory(account=account, external_id="v1", title="新品开箱")
    return account


def test_comments_csv_is_a_kind():
    assert "comments_csv" in KINDS


def test_detected_and_imported_once(account):
    result = file_import(account=account, file=GOOD, file_name="评论.csv")
    assert (result.kind, result.rows["comments"], result.changed) == ("comments_csv", 3, 3)
    assert (str(result.date_start), str(result.date_end)) == ("2026-10-01", "2026-10-03")
    comments = {c.text: c for c in Comment.objects.filter(account=account).select_related("post")}
    assert comments["物流太慢了，等了一周"].post.external_id == "v1"
    assert comments["质量很好，会回购"].post.external_id == "v1" and comments["质量很好，会回购"].author == ""
    assert comments["客服态度不错，价格也便宜"].post.title == "另一条视频"
    assert IngestionRun.objects.get(pk=result.run_id).status == RunStatus.SUCCEEDED
    again = file_import(account=account, file=GOOD, file_name="评论.csv", kind="comments_csv")
    assert again.changed == 0 and Comment.objects.filter(account=account).count() == 3


def test_optional_columns(account):
    data = "date,post,author,text,comment_id,likes,reply_to\n2026-10-01,v1,a,好,c-1,5,\n2026-10-01,v1,b,谢谢,c-2,,c-1\n"
    file_import(account=account, file=data.encode(), file_name="c.csv")
    reply = Comment.objects.get(external_id="c-2")
    assert (reply.reply_to, reply.likes, Comment.objects.get(external_id="c-1").likes) == ("c-1", None, 5)


def test_bad_rows_reject_the_whole_file_with_row_and_column(account):
    data = "\n".join(
        [
            "date,post,author,text,likes",
            "2026-10-01,v1,小王,很好,1",
            "not a day,v1,小王,很好,1",
            "2026-10-02,,小王,还行,1",
            "2026-10-03,v1,小王,,1",
            "2026-10-04,v1,小王,不错,many",
            "2026-10-01,v1,小王,很好,1",
        ]
    ).encode()
    with pytest.raises(ImportFileError) as caught:
        file_import(account=account, file=data, file_name="bad.csv")
    problems = [(p.row, p.column) for p in caught.value.problems]
    assert problems == [(3, "date"), (4, "post"), (5, "text"), (6, "likes"), (7, "")]
    assert "第 7 行" in str(caught.value) and "与第 2 行重复" in str(caught.value)
    assert not Comment.objects.exists()
    assert IngestionRun.objects.get(pk=caught.value.run_id).status == RunStatus.FAILED


def test_an_unknown_column_is_a_typo(account):
    with pytest.raises(ImportFileError) as caught:
        file_import(account=account, file=b"date,post,author,text,sentimnet\n2026-10-01,v1,a,b,1\n", file_name="t.csv")
    assert [(p.row, p.column) for p in caught.value.problems] == [(1, "sentimnet")]
