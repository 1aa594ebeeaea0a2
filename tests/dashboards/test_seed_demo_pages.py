"""The pages with the workspace `make run` shows: seed_demo through the real connectors and importers."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import Organization

PAGES = ["/", "/platforms/", "/content/", "/campaigns/", "/data/"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_page_renders_the_seeded_demo(client):
    call_command("seed_demo", days=40, stdout=io.StringIO())
    user = get_user_model().objects.get(username="demo")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    organization = Organization.objects.get(slug="demo")
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.context["organization"] == organization
    overview = client.get("/")
    assert all(overview.context["figures"].values()), "every overview chart has data"
    assert client.get("/content/").context["figures"]["heatmap"]
    assert client.get("/campaigns/").context["tables"][0].rows
    # Kuaishou and 视频号 fill their drill-downs too, through the sandbox connector and the 下载表格 import.
    for platform in ("kuaishou", "wechat_channels"):
        page = client.get(f"/platforms/?platform={platform}&preset=30d")
        assert page.context["platform"] == platform
        assert page.context["figures"]["trend"] and page.context["tables"][0].rows, platform
        assert any(card["value"] is not None for card in page.context["cards"]), platform
    channels = client.get("/platforms/?platform=wechat_channels&preset=30d").context["tables"]
    assert channels[1].key == "oa_followers_from_channels"
    assert channels[1].rows  # OA followers from 视频号
    content = client.get("/content/?platform=kuaishou&preset=30d")
    assert content.status_code == 200
