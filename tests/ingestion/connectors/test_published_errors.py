"""Every connector's error table agrees with the platform's published one (`published.py`).

A code gets the class its documentation implies (retry, defer, refresh, re-authorise, data error);
a code the connector names but the platform does not publish fails, so a wrong or invented class
cannot be added without a failing test.
"""

import pytest

from ingestion.connectors import bilibili, douyin, kuaishou, wechat, weibo, xiaohongshu
from ingestion.connectors.base import AuthError
from ingestion.connectors.http import ErrorCodes

from . import published

TABLES = {
    "douyin": (douyin.ERRORS, published.DOUYIN_ERRORS),
    "bilibili": (bilibili.ERRORS, published.BILIBILI_ERRORS),
    "kuaishou": (kuaishou.ERRORS, published.KUAISHOU_ERRORS),
    "wechat": (wechat.ERRORS, published.WECHAT_ERRORS),
    "weibo": (weibo.ERRORS, published.WEIBO_ERRORS),
    "xiaohongshu": (xiaohongshu.ERRORS, published.XHS_ERRORS),
}
CASES = [(platform, code, text, cls) for platform, (_, table) in TABLES.items() for code, (text, cls) in table.items()]


@pytest.mark.parametrize(("platform", "code", "text", "error_class"), CASES, ids=[f"{p}-{c}" for p, c, _, _ in CASES])
def test_a_published_code_is_raised_as_its_documented_class(platform, code, text, error_class):
    errors: ErrorCodes = TABLES[platform][0]
    assert errors.classify(code) is error_class
    with pytest.raises(error_class) as raised:
        errors.raise_for_code(code, text, f"{platform} /endpoint")
    assert type(raised.value) is error_class
    assert text in str(raised.value)


@pytest.mark.parametrize("platform", TABLES)
def test_the_connector_knows_no_code_the_platform_does_not_publish(platform):
    errors, table = TABLES[platform]
    assert errors.known_codes() <= set(table), sorted(errors.known_codes() - set(table))


@pytest.mark.parametrize("platform", TABLES)
def test_every_code_that_needs_the_owner_says_what_to_do(platform):
    """Auth errors other than a plain expired token flag the account: the message must tell the owner why."""
    errors, table = TABLES[platform]
    for code, (_, cls) in table.items():
        if cls is AuthError:
            assert errors.notes.get(code), f"{platform} {code}: no note telling the owner what to do"


def test_douyin_capability_codes_name_the_action():
    message = ""
    try:
        douyin.ERRORS.raise_for_code(28001018, "应用未获得该能力", "douyin /data/external/user/fans/")
    except AuthError as exc:
        message = str(exc)
    assert "apply for it in the Douyin developer console" in message
