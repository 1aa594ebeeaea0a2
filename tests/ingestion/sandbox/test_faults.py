"""Every fault, on every platform, in that platform's documented error shape."""

import pytest
import requests

PLATFORMS = ("wechat", "douyin", "bilibili", "weibo", "xiaohongshu")


def code_of(platform: str, response: requests.Response):
    body = response.json()
    return {
        "wechat": lambda: body["errcode"],
        "douyin": lambda: (body["data"]["error_code"], body["extra"]["error_code"]),
        "bilibili": lambda: body["code"],
        "weibo": lambda: body["error_code"],
        "xiaohongshu": lambda: (body["success"], body["code"]),
    }[platform]()


ERROR_FAULTS = {  # fault -> platform -> (HTTP status, code as the platform sends it)
    "token_expired": {"wechat": (200, 42001), "douyin": (200, (28001008, 28001008)), "bilibili": (200, 127001),
                      "weibo": (403, "21327"), "xiaohongshu": (401, (False, 401))},
    "rate_limit": {"wechat": (200, 45009), "douyin": (200, (28003017, 28003017)), "bilibili": (200, 127009),
                   "weibo": (403, "10023"), "xiaohongshu": (429, (False, 429))},
    "busy": {"wechat": (200, -1), "douyin": (200, (28001005, 28001005)), "bilibili": (200, 127201),
             "weibo": (500, "10001"), "xiaohongshu": (503, (False, 500))},
}


@pytest.mark.parametrize("fault", sorted(ERROR_FAULTS))
@pytest.mark.parametrize("platform", PLATFORMS)
def test_error_faults_answer_in_the_platform_shape_for_count_requests(client, platform, fault):
    client.control("faults", platform=platform, fault=fault, count=2)
    status, code = ERROR_FAULTS[fault][platform]
    for _ in range(2):
        response = client.probe(platform)
        assert (response.status_code, code_of(platform, response)) == (status, code)
    assert client.probe(platform).status_code == 200  # used up
    assert client.control("state", method="GET")["faults"] == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_http_500(client, platform):
    client.control("faults", platform=platform, fault="http_500")
    assert client.probe(platform).status_code == 500
    assert client.probe(platform).status_code == 200


@pytest.mark.parametrize("platform", PLATFORMS)
def test_malformed_json(client, platform):
    response = client.probe(platform, _fault="malformed_json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError):
        response.json()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_strings_turns_every_number_into_text(client, platform):
    normal = client.probe(platform).json()
    stringly = client.probe(platform, _fault="strings").json()

    def numbers(value):
        if isinstance(value, dict):
            return [n for v in value.values() for n in numbers(v)]
        if isinstance(value, list):
            return [n for v in value for n in numbers(v)]
        return [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else []

    assert numbers(normal)
    assert numbers(stringly) == []
    assert str(stringly).count("'") >= str(normal).count("'")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_empty_answers_empty_lists(client, platform):
    client.control("faults", platform=platform, fault="empty")
    body = client.probe(platform).json()
    lists = {"wechat": lambda: body["list"], "douyin": lambda: body["data"]["result_list"],
             "bilibili": lambda: body["data"]["list"], "weibo": lambda: body["statuses"],
             "xiaohongshu": lambda: body["data"]["data_list"]}
    assert lists[platform]() == []


@pytest.mark.parametrize("platform", ["douyin", "weibo"])
def test_timeout_holds_the_connection(client, platform):
    client.control("faults", platform=platform, fault="timeout", delay=1.0)
    with pytest.raises((requests.Timeout, requests.ConnectionError)):
        client.probe(platform, timeout=0.3)
    assert client.probe(platform).status_code == 200


def test_faults_spare_token_endpoints_unless_asked_and_can_target_a_path(client):
    client.control("faults", platform="wechat", fault="token_expired", count=1)
    assert client.probe("wechat").json()["errcode"] == 42001  # the token call went through, the data call did not
    client.control("faults", platform="douyin", fault="rate_limit", path="/user/like/")
    assert client.probe("douyin").json()["data"]["error_code"] == 0
    assert client.douyin("/data/external/user/like/", date_type=7).json()["data"]["error_code"] == 28003017


def test_wildcard_faults_and_clearing(client):
    client.control("faults", platform="*", fault="http_500", count=10)
    assert client.probe("weibo").status_code == 500
    client.control("faults", method="DELETE")
    assert client.probe("weibo").status_code == 200


def test_bad_fault_requests_are_refused(client):
    for body in ({"platform": "myspace", "fault": "empty"}, {"platform": "douyin", "fault": "gremlins"}):
        response = client.session.post(f"{client.url}/_sandbox/faults", json=body)
        assert response.status_code == 400
        assert "must be" in response.json()["error"]
    assert client.session.get(f"{client.url}/nowhere").status_code == 404
