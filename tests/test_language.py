import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, "en-US,en;q=0.9", "zh-hans"),
        (None, "", "zh-hans"),
        ("en", "zh-CN", "en"),
        ("zh-hans", "en-US", "zh-hans"),
        ("xx", "en-US", "zh-hans"),
    ],
)
def test_chinese_unless_the_user_chose_english(client, cookie, accept, expected):
    if cookie:
        client.cookies["django_language"] = cookie
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert f'lang="{expected}"' in response.content.decode()
