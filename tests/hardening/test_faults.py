"""Failing parts: with the database unreachable the site answers a fast 503 and recovers by
itself; with Redis down, pages and the API keep serving from the database."""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import OperationalError, connection
from django.test import Client

from config import middleware
from config.cache import FailSafeRedisCache

from .test_deploy import production_env

BASE_DIR = Path(settings.BASE_DIR)


def closed_port():
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Runs in a fresh interpreter whose settings point at a database nobody listens on.
REQUESTS_WITHOUT_DATABASE = """
import json, time, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
paths = ["/", "/deals/", "/companies/catl/", "/api/v1/deals/", "/api/v1/stats/",
         "/deals/export.csv", "/charts/timeline.csv", "/api/v1/deals/?format=csv"]
for path in paths:  # the first round pays for imports and URL compilation
    client.get(path)
out = []
for path in paths:
    started = time.monotonic()
    response = client.get(path)
    out.append({
        "path": path,
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "type": response["Content-Type"],
        "seconds": time.monotonic() - started,
        "body": response.content.decode()[:300],
    })
print(json.dumps(out))
"""


def test_database_down_gives_fast_503_with_retry_after():
    """With PostgreSQL unreachable every page and API call answers 503 with Retry-After within
    two seconds, as JSON for the API and as a short page for people."""
    env = production_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/partnerships",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="testserver",
        TESTING="1",
    )
    result = subprocess.run(  # noqa: S603 - a fixed script, not outside input
        [sys.executable, "-c", REQUESTS_WITHOUT_DATABASE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    for answer in answers:
        assert answer["status"] == 503, answer
        assert answer["retry_after"] == "5", answer
        assert answer["seconds"] < 2, answer
        if answer["path"].startswith("/api/"):
            assert answer["type"] == "application/json"
            assert "database is unavailable" in json.loads(answer["body"])["detail"]
        else:
            assert answer["type"].startswith("text/html")
            assert "Temporarily unavailable" in answer["body"]


@pytest.mark.django_db
def test_site_recovers_by_itself_after_a_database_error(article):
    """A request that meets a lost connection gets 503; the next one, with the database back,
    is served normally, with no restart."""
    failures = {"left": 1}

    def lose_connection_once(execute, sql, params, many, context):
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(lose_connection_once):
        first = client.get("/deals/")
        second = client.get("/deals/")
    assert first.status_code == 503 and first["Retry-After"] == "5"
    assert second.status_code == 200


def test_server_error_handler_answers_503_for_database_errors(rf):
    """A database error raised outside a view (a middleware) also becomes a 503, while any
    other error keeps the ordinary 500 page."""
    request = rf.get("/api/v1/deals/")
    try:
        raise OperationalError("the database system is starting up")
    except OperationalError:
        response = middleware.server_error(request)
    assert response.status_code == 503
    try:
        raise ValueError("a bug")
    except ValueError:
        response = middleware.server_error(rf.get("/"))
    assert response.status_code == 500


REDIS_DOWN = {
    "default": {
        "BACKEND": "config.cache.FailSafeRedisCache",
        "LOCATION": "redis://127.0.0.1:{port}/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
    }
}


@pytest.fixture
def redis_down(settings):
    """The cache pointed at a closed port, as when Redis has stopped."""
    port = closed_port()
    FailSafeRedisCache._last_warning = 0.0  # the once-per-30-s warning is due again
    settings.CACHES = {
        "default": {**REDIS_DOWN["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"}
    }
    yield port
    caches["default"].close()


def test_plain_redis_cache_would_fail(redis_down):
    """Django's own RedisCache raises when Redis is down: why the fail-safe backend exists."""
    plain = RedisCache(f"redis://127.0.0.1:{redis_down}/0", {})
    with pytest.raises(Exception, match="Connection refused|Error"):
        plain.get("anything")


@pytest.mark.django_db
def test_redis_down_pages_and_api_keep_serving(article, redis_down, caplog):
    """With Redis down, every page and the API (throttled anonymous reads included) still
    answer 200 from the database, quickly, and the outage is logged."""
    client = Client(raise_request_exception=False)
    started = time.monotonic()
    paths = [
        "/",
        "/deals/",
        "/deals/lges-chery-46-series-cells/",
        "/companies/catl/",
        "/api/v1/deals/",
        "/api/v1/stats/",
        "/api/v1/timeline/",
        "/api/v1/supply-graph/",
    ]
    for path in paths:
        assert client.get(path).status_code == 200, path
    assert time.monotonic() - started < 20
    assert "Cache unavailable" in caplog.text


def test_fail_safe_cache_answers_from_process_memory(redis_down):
    """Every cache operation with Redis down is served by the process's own memory: nothing
    raises, and counters (the throttles') keep counting."""
    cache = caches["default"]
    assert cache.get("k", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("k", 1) is True
    assert cache.incr("k") == 2
    cache.set_many({"a": 1})
    assert cache.get_many(["a", "k"]) == {"a": 1, "k": 2}
    cache.delete("k")
    cache.delete_many(["a"])
    assert cache.has_key("k") is False
    assert cache.get_or_set("k", 7) == 7


@pytest.mark.django_db
def test_redis_up_cache_is_used(settings):
    """With Redis running, the fail-safe backend caches as usual."""
    settings.CACHES = {
        "default": {
            **REDIS_DOWN["default"],
            "LOCATION": "redis://127.0.0.1:6379/9",
        }
    }
    cache = caches["default"]
    try:
        cache.set("hardening-probe", "here", 30)
        if cache.get("hardening-probe") is None:
            pytest.skip("no Redis on 127.0.0.1:6379")
        assert cache.get("hardening-probe") == "here"
    finally:
        cache.delete("hardening-probe")
        cache.close()


@pytest.fixture
def broker_down():
    """Celery sending to a Redis broker that is not there, instead of running in-process."""
    from config.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=f"redis://127.0.0.1:{closed_port()}/0", task_always_eager=False)
    app._pool = None
    app.__dict__.pop("amqp", None)
    yield
    app.conf.update(saved)
    app._pool = None
    app.__dict__.pop("amqp", None)


@pytest.mark.django_db
def test_redis_down_ingestion_says_failed_and_keeps_the_article(
    article, broker_down, django_capture_on_commit_callbacks
):
    """With the broker down, an article posted to the API is stored (201) within seconds; its
    reading is marked failed with the reason in the admin; once Redis is back an editor runs
    it again from the admin and drafts appear: the article is not lost."""
    from rest_framework.test import APIClient

    from config.celery import app
    from ingest.models import Draft, IngestionRun
    from partnerships.models import Source

    from .conftest import make_user

    api = APIClient()
    api.force_authenticate(make_user("editor"))
    text = (Path(settings.BASE_DIR) / "fixtures/sources/000_e2c2a161a104c2fc.txt").read_text()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/sources/",
            {"title": "Broker down", "slug": "broker-down", "text": "New. " + text},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert time.monotonic() - started < 15
    source = Source.objects.get(slug="broker-down")
    run = IngestionRun.objects.get(source=source)
    assert run.status == IngestionRun.Status.FAILED
    assert "Could not queue" in run.error

    boss = Client()
    boss.force_login(make_user("superuser"))
    listing = boss.get("/admin/partnerships/source/").content.decode()
    assert "Broker down" in listing and "failed" in listing
    page = boss.get(f"/admin/partnerships/source/{source.pk}/change/").content.decode()
    assert "Could not queue the task" in page
    assert boss.get("/deals/").status_code == 200

    app.conf.update(task_always_eager=True)  # Redis is back (tasks run here, as with no broker)
    with django_capture_on_commit_callbacks(execute=True):
        response = boss.post(
            "/admin/ingest/ingestionrun/",
            {"action": "run_again", "_selected_action": [run.pk]},
        )
    assert response.status_code == 302
    latest = IngestionRun.objects.filter(source=source).latest()
    assert latest.status == IngestionRun.Status.DONE, latest.error
    assert Draft.objects.filter(source=source).exists()
