"""No Docker engine here: the compose file is checked by reading it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def load():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_and_commands():
    services = load()["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    assert services["web"]["command"][0] == "gunicorn"
    assert services["worker"]["command"][:4] == ["celery", "-A", "socialmetrics", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "socialmetrics", "beat"]
    for name in ("postgres", "redis", "web"):
        assert "healthcheck" in services[name], name


def test_app_services_use_production_settings_and_real_services():
    services = load()["services"]
    for name in ("web", "worker", "beat", "migrate"):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "socialmetrics.settings.production"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_data_lives_in_volumes():
    compose = load()
    assert "postgres-data" in compose["volumes"]
    assert "redis-data" in compose["volumes"]
    assert any(v.startswith("postgres-data:") for v in compose["services"]["postgres"]["volumes"])


def test_dockerfile_runs_gunicorn_as_non_root():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER app" in dockerfile
    assert "gunicorn" in dockerfile


def test_a_streaming_replica_serves_the_web_and_a_second_worker_shares_the_queues():
    compose = load()
    services = compose["services"]
    replica = services["postgres-replica"]
    script = "\n".join(replica["command"])
    assert "pg_basebackup -h postgres" in script
    assert " -R " in script
    assert "hot_standby=on" in script
    assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert any(v.startswith("postgres-replica-data:") for v in replica["volumes"])
    assert "postgres-replica-data" in compose["volumes"]
    # The primary accepts replication connections (its init script adds the pg_hba line).
    [init] = [v for v in services["postgres"]["volumes"] if "docker-entrypoint-initdb.d" in v]
    assert "host replication" in (ROOT / init.split(":")[0]).read_text()
    web = services["web"]
    replica_url = web["environment"]["DATABASE_REPLICA_URL"]
    assert replica_url.startswith("postgres://")
    assert "@postgres-replica:5432/" in replica_url
    assert web["depends_on"]["postgres-replica"]["condition"] == "service_healthy"
    # Two workers, both on every queue (no -Q): the default one and one per platform.
    assert services["worker-2"]["command"] == services["worker"]["command"]
    assert "-Q" not in services["worker"]["command"]
    assert services["worker-2"]["environment"]["REDIS_URL"] == services["worker"]["environment"]["REDIS_URL"]
