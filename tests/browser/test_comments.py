"""Comments as a marketer meets them: upload a comments_csv on the data page, then read the comments page."""

import pytest
from django.utils import timezone

from comments.models import Comment
from comments.services import comments_score
from tests.dashboards.demo import PASSWORD
from tests.factories import MembershipFactory, PostFactory, SocialAccountFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = [
    ("v1", "小王", "物流太慢了，等了一周才到，差评"),
    ("v1", "", "质量很好，非常满意，会回购"),
    ("v1", "阿花", "客服态度很差，问什么都不回"),
    ("v1", "", "颜色好看，推荐购买！"),
    ("秋季新品开箱", "小李", "价格有点贵，不过做工不错"),
    ("v2", "", "快递很快，包装也很用心，好评"),
    ("v2", "老张", "收到就破损了，申请退货"),
    ("v2", "", "主播讲得很清楚，感谢分享"),
]


def test_upload_comments_then_filter_them(live_server, page, screenshot, imports_inline):
    membership = MembershipFactory()
    membership.user.save()
    account = SocialAccountFactory(organization=membership.organization, platform="douyin", name="官方抖音号")
    PostFactory(account=account, external_id="v1", title="秋季新品开箱")
    PostFactory(account=account, external_id="v2", title="直播回放：双十一清单")
    yesterday = (timezone.localdate() - timezone.timedelta(days=1)).isoformat()
    rows = [f"{yesterday} {10 + i}:00,{post},{author},{text}" for i, (post, author, text) in enumerate(TEXTS)]
    csv = ("date,post,author,text\n" + "\n".join(rows) + "\n").encode("utf-8-sig")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", membership.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/data/")
    page.select_option("select[name=account]", str(account.pk))
    page.set_input_files("input[name=file]", files=[{"name": "评论.csv", "mimeType": "text/csv", "buffer": csv}])
    page.click("[data-section=import] button[type=submit]")
    page.locator("[data-import-result=ok]").wait_for()
    comments_score(account=account)  # what the queued score_comments task does (nothing left if it ran)
    assert Comment.objects.filter(account=account).exclude(label="").count() == len(TEXTS)

    page.click("nav a:has-text('评论')")
    page.locator("[data-table=comments]").wait_for()
    assert page.locator("[data-table=comments] tbody tr").count() == len(TEXTS)
    assert page.locator("[data-topic=物流]").count() == 1
    assert float(page.locator(".kpi[data-kpi=negative_share]").get_attribute("data-value")) > 0
    screenshot("comments")

    page.select_option("select[name=label]", "negative")
    page.click("[data-comment-filters] button[type=submit]")
    page.wait_for_load_state()
    labels = {row.get_attribute("data-label") for row in page.locator("[data-table=comments] tbody tr").element_handles()}
    assert labels == {"negative"}
    page.click("[data-topic=物流] a")
    page.wait_for_load_state()
    assert "物流太慢" in page.locator("[data-table=comments]").inner_text()
    page.click("[data-table=comments] tbody tr >> nth=0 >> td:nth-child(2) a")
    page.wait_for_load_state()
    assert "的话题" in page.locator("[data-table=topics] h2").inner_text()
    screenshot("comments_post")
    assert page.watch.console_errors == []
    assert page.watch.foreign_requests() == []
