"""The commands as a shell script sees them: exit codes and streams."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def env(settings, django_db_blocker):
    import os

    from django.db import connection

    params = connection.settings_dict
    url = f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "REDIS_URL": settings.REDIS_URL}


def test_success_and_failure_exit_codes(env):
    ok = manage("create_org", "exit-codes", "--name", "Exit", env=env)
    assert ok.returncode == 0, ok.stderr
    assert "exit-codes" in ok.stdout
    dup = manage("create_org", "exit-codes", "--name", "Exit", env=env)
    assert dup.returncode != 0
    assert "already exists" in dup.stderr
    bad = manage("create_account", "--org", "nope", "--platform", "douyin", "--external-id", "1", "--name", "n", env=env)
    assert bad.returncode != 0
    assert "no organization" in bad.stderr
