import pytest

from tests.factories import SocialAccountFactory
from tests.ingestion.http_platform import PLATFORM, FakePlatform


@pytest.fixture
def fake_platform():
    """A local fake platform server (see `tests.ingestion.http_platform`)."""
    with FakePlatform() as platform:
        yield platform


@pytest.fixture
def api_account(db, fake_platform):
    """An account of the fake platform, with credentials pointing at the local server."""
    return SocialAccountFactory(platform=PLATFORM, external_id="acct-a", credentials={"base_url": fake_platform.url})
