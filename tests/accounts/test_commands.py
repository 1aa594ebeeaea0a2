import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Organization, OrganizationAPIKey, SocialAccount

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_org_then_duplicate_fails():
    out, _ = run("create_org", "acme", "--name", "Acme 品牌")
    assert "acme" in out
    assert Organization.objects.get(slug="acme").name == "Acme 品牌"
    with pytest.raises(CommandError, match="already exists"):
        run("create_org", "acme", "--name", "again")


def test_create_org_rejects_bad_slug():
    with pytest.raises(CommandError, match="invalid slug"):
        run("create_org", "Not A Slug", "--name", "x")


def test_create_account_prints_id_and_encrypts_credentials():
    run("create_org", "acme", "--name", "Acme")
    creds = {"appid": "wx1", "secret": "s3cret"}
    out, _ = run(
        "create_account", "--org", "acme", "--platform", "wechat", "--external-id", "gh_1",
        "--name", "公众号", "--credentials-json", json.dumps(creds),
    )
    account = SocialAccount.objects.get(pk=int(out.strip()))
    assert account.credentials == creds


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "missing", "--platform", "weibo"], "no organization"),
        (["--org", "acme", "--platform", "weibo", "--credentials-json", "{bad"], "not valid JSON"),
        (["--org", "acme", "--platform", "weibo", "--credentials-json", '{"uid": "1"}'], "access_token"),
    ],
)
def test_create_account_failures(args, message):
    run("create_org", "acme", "--name", "Acme")
    with pytest.raises(CommandError, match=message):
        run("create_account", *args, "--external-id", "1", "--name", "n")
    assert not SocialAccount.objects.exists()


def test_create_api_key_prints_key_once_on_its_own_line():
    run("create_org", "acme", "--name", "Acme")
    out, err = run("create_api_key", "--org", "acme", "--name", "agency")
    key = out.strip()
    assert "\n" not in key
    assert "." in key
    assert key not in err
    stored = OrganizationAPIKey.objects.get()
    assert stored.organization.slug == "acme"
    assert stored.is_valid(key)
    assert key not in stored.hashed_key
