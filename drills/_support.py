"""Shared set-up of the fault drills and the load test: a throw-away PostgreSQL database, the
site under gunicorn on 127.0.0.1, an editor's API token, and a bounded HTTP client.

Everything stays on this machine: the only addresses used are 127.0.0.1 (the app, PostgreSQL and
Redis). Every loop is bounded in time and count.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "var" / "drills"
PG_ADMIN_URL = os.environ.get("DRILL_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DRILL_DB = os.environ.get("DRILL_DB", "partnerships_drill")
PYTHON = sys.executable


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def drill_env(**extra):
    """Production settings (DEBUG off, PostgreSQL) over plain HTTP on loopback."""
    base_url = PG_ADMIN_URL.rsplit("/", 1)[0]
    env = {k: v for k, v in os.environ.items() if k not in {"TESTING", "DEBUG", "SQLITE_PATH"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"{base_url}/{DRILL_DB}",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        STATIC_ROOT=str(OUT_DIR / "static"),
        PYTHONPATH=str(BASE_DIR),
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def run(args, env, timeout=300):
    """Run a command of the project and fail loudly if it fails."""
    result = subprocess.run(  # noqa: S603 - fixed commands of this project
        args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def fresh_database(env):
    """Drop and re-create the drill database, migrate it, load the article, collect static."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DRILL_DB}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DRILL_DB}"')
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([PYTHON, "manage.py", "load_fixtures", "-v0"], env)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)


EDITOR_SCRIPT = """
import django; django.setup()
from django.contrib.auth.models import Permission, User
from rest_framework.authtoken.models import Token
user, _ = User.objects.get_or_create(username="drill-editor", defaults={"is_staff": True})
user.user_permissions.set(Permission.objects.filter(
    content_type__app_label__in=["partnerships", "ingest"], codename__regex=r"^(view|add|change)_"))
print(Token.objects.get_or_create(user=user)[0].key)
"""


def editor_token(env):
    return run([PYTHON, "-c", EDITOR_SCRIPT], env).strip().splitlines()[-1]


def start_gunicorn(env, port, log_path, workers=4):
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process by stop()
    process = subprocess.Popen(  # noqa: S603 - fixed command
        [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "30",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{Path(log_path).read_text()[-3000:]}")
        if request(f"http://127.0.0.1:{port}/api/v1/", timeout=2)["status"] == 200:
            return process
        time.sleep(0.3)
    stop(process)
    raise SystemExit("gunicorn did not start within 60 s")


def stop(process, timeout=20):
    """Stop a process this drill started, with its children, by its own process group."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def request(url, method="GET", body=None, token=None, timeout=10):
    """One HTTP request; returns status (0 on a connection error), seconds and the body."""
    headers = {"Accept": "application/json, text/html"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Token {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310
            payload = response.read()
            status, retry_after = response.status, response.headers.get("Retry-After")
    except urllib.error.HTTPError as error:
        payload = error.read()
        status, retry_after = error.code, error.headers.get("Retry-After")
    except OSError as error:
        return {"status": 0, "seconds": time.monotonic() - started, "error": str(error)}
    return {
        "status": status,
        "seconds": time.monotonic() - started,
        "retry_after": retry_after,
        "body": payload[:500].decode("utf-8", "replace"),
    }


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def write_report(name, report):
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return path
