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
