"""Settings behaviour, each case in a fresh interpreter so module-level logic really runs."""

import os
import subprocess
import sys

from socialmetrics import embedded

PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; from socialmetrics import embedded; "
    "print(settings.DATABASES['default']['HOST'], settings.DATABASES['default']['PORT'], settings.REDIS_URL, "
    "settings.TIME_ZONE, settings.LANGUAGE_CODE, sorted(embedded.STARTED))"
)


def python(code, **env):
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    base.setdefault("DJANGO_SETTINGS_MODULE", "socialmetrics.settings.base")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**base, **env}, timeout=120)


def test_urls_set_means_nothing_embedded_starts():
    result = python(PRINT_SETTINGS, DATABASE_URL="postgres://u@db.example:6543/x", REDIS_URL="redis://cache:6379/1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["db.example", "6543", "redis://cache:6379/1", "Asia/Shanghai", "zh-hans", "[]"]


def test_without_urls_the_embedded_servers_are_used(settings):
    result = python(PRINT_SETTINGS)
    assert result.returncode == 0, result.stderr
    host, port, redis_url, *_ = result.stdout.split()
    assert host == "127.0.0.1"
    # The child reuses the embedded servers: the ones this run uses, unless it was given REDIS_URL.
    expected = embedded.redis_url() if os.environ.get("REDIS_URL") else settings.REDIS_URL
    assert redis_url == expected


def test_production_refuses_to_start_without_secret_key():
    result = python(PRINT_SETTINGS, DJANGO_SETTINGS_MODULE="socialmetrics.settings.production",
                    DATABASE_URL="postgres://u@h/x", REDIS_URL="redis://h", FIELD_ENCRYPTION_KEY="k")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_passes_check_deploy():
    from cryptography.fernet import Fernet

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "socialmetrics.settings.production",
           "SECRET_KEY": "x7" * 30 + "-not-a-real-secret-but-long-and-random-enough",
           "DATABASE_URL": "postgres://u@localhost:1/x", "REDIS_URL": "redis://localhost:1/0",
           "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(), "ALLOWED_HOSTS": "metrics.example.com"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
