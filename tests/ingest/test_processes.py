"""The compose stack's other services as real processes: gunicorn answering its health check,
and Celery beat sending the periodic tasks to a worker through Redis."""

import os
import socket
import subprocess
import sys
import urllib.request

import pytest
from django.conf import settings

from .conftest import BROKER_URL
from .test_worker import _tail, _wait_until, worker_database_env

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(arguments, log, extra_env):
    env = {
        **os.environ,
        **worker_database_env(),
        "TESTING": "1",
        "PYTHONPATH": str(settings.BASE_DIR),
        **extra_env,
    }
    handle = log.open("w")
    return subprocess.Popen(  # noqa: S603 - fixed arguments
        arguments, cwd=settings.BASE_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT
    )


def _stop(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_gunicorn_serves_the_app_and_passes_the_health_check(tmp_path):
    """The web service's gunicorn command serves the site; the compose health check's request
    (the admin sign-in page, as if behind the TLS proxy) answers 200."""
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    gunicorn = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    process = _start([*gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "1"], log, {})
    try:

        def answers():
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/admin/login/",
                headers={"X-Forwarded-Proto": "https", "Host": "localhost"},
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    return response.status == 200
            except OSError:
                return False

        _wait_until(answers, process, log)
    finally:
        _stop(process)


def test_beat_sends_the_periodic_tasks_to_the_worker(broker, tmp_path):
    """Celery beat, with the schedule from settings, sends the aggregate refresh to a real
    worker through Redis, which runs it."""
    import redis

    redis.Redis.from_url(BROKER_URL).delete("celery")  # no leftovers from earlier runs
    env = {"CELERY_BROKER_URL": broker, "AGGREGATES_REFRESH_SECONDS": "1"}
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    worker = _start(
        [*celery, "worker", "--pool=solo", "--without-gossip", "--without-mingle", "-l", "INFO"],
        worker_log,
        env,
    )
    beat = _start(
        [*celery, "beat", "-l", "INFO", "--schedule", str(tmp_path / "celerybeat-schedule")],
        beat_log,
        env,
    )
    try:

        def refreshed():
            text = worker_log.read_text()
            return "refresh_aggregates" in text and "succeeded" in text

        _wait_until(refreshed, worker, worker_log)
        assert "Sending due task refresh-aggregates" in beat_log.read_text(), _tail(beat_log)
    finally:
        _stop(beat)
        _stop(worker)
