import datetime as dt
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
AS_OF = dt.date(2026, 10, 2)


@pytest.fixture
def make_account(db):
    from tests.factories import SocialAccountFactory

    return lambda platform="douyin": SocialAccountFactory(platform=platform)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
