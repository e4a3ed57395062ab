"""The production shape stays valid: no Docker engine runs here, so the files are checked."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_service_of_the_production_shape():
    services = compose()["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    assert services["worker"]["command"].startswith("celery -A portal worker")
    assert services["beat"]["command"].startswith("celery -A portal beat")
    for name in ("worker", "db", "redis"):
        assert "healthcheck" in services[name], name
    assert set(compose()["volumes"]) >= {"pgdata", "media"}


def test_the_services_get_their_configuration_only_from_the_environment():
    web = compose()["services"]["web"]
    env = web["environment"]
    assert env["DEBUG"] == "false"
    for key in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"):
        assert key in env
    assert "SECRET_KEY" in env["SECRET_KEY"]  # "${SECRET_KEY:?…}": required, no default


def test_the_image_checks_its_health_and_runs_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert 'CMD ["gunicorn", "portal.wsgi:application"' in dockerfile
    assert "--require-hashes -r requirements/lock.txt" in dockerfile


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0,
    reason="the docker compose client is not installed here",
)
def test_docker_compose_config_accepts_the_file():
    result = subprocess.run(
        ["docker", "compose", "config", "--quiet"],
        cwd=ROOT,
        env={
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "x",
            "POSTGRES_PASSWORD": "x",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_healthz_answers_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_livez_answers_without_the_database(client):
    response = client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
