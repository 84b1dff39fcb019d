"""The image serves the Korean interface: its build compiles the translations, and the web
service's own command (compose's `web` command) serves them. Run without Docker: the build
context is copied as `.dockerignore` shapes it, the Dockerfile's `manage.py` build steps run in
it, then the compose command starts gunicorn there."""

import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml
from django.conf import settings

BASE = Path(settings.BASE_DIR)


def build_context(target: Path) -> Path:
    """The files `docker build .` sends, as `.dockerignore` names them."""
    patterns = []
    for line in (BASE / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append(line.removeprefix("**/").rstrip("/"))
    shutil.copytree(BASE, target, ignore=shutil.ignore_patterns(*patterns))
    return target


def dockerfile_build_steps() -> list[str]:
    """The Dockerfile's RUN steps that run the app's own commands (after the code is copied)."""
    steps, copied = [], False
    for line in (BASE / "Dockerfile").read_text().splitlines():
        copied = copied or line.startswith("COPY . .")
        if copied and line.startswith("RUN ") and "manage.py" in line:
            steps.append(line.removeprefix("RUN "))
    return steps


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url, language):
    request = urllib.request.Request(url, headers={"Accept-Language": language})  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - local server
        return response.read().decode()


def test_the_image_compiles_translations_and_its_web_command_serves_korean(tmp_path):
    """No .mo comes with the build context; the build step makes them, and the web command
    (migrate, collectstatic, gunicorn) answers a Korean reader in Korean."""
    app = build_context(tmp_path / "app")
    assert not list(app.glob("**/*.mo")), "compiled translations must come from the build"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "TESTING", "SECRET_KEY", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(app)
    steps = dockerfile_build_steps()
    assert any("compile_translations" in step for step in steps)
    for step in steps:
        subprocess.run(["sh", "-c", step], cwd=app, env=env, check=True, timeout=120)  # noqa: S603,S607
    assert list(app.glob("partnerships/locale/ko/LC_MESSAGES/*.mo"))

    compose = yaml.safe_load((BASE / "docker-compose.yml").read_text())
    command = compose["services"]["web"]["command"]
    command = shlex.split(command) if isinstance(command, str) else command
    port = _free_port()
    env.update(
        PORT=str(port),
        WEB_CONCURRENCY="1",
        STATIC_ROOT=str(app / "staticfiles"),
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
    )
    log = (tmp_path / "web.log").open("w")
    process = subprocess.Popen(command, cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline, html = time.monotonic() + 120, None
        while html is None and time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "web.log").read_text()[-3000:]
            try:
                html = _get(f"http://127.0.0.1:{port}/", "ko")
            except OSError:
                time.sleep(0.5)
        assert html is not None, (tmp_path / "web.log").read_text()[-3000:]
        assert '<html lang="ko">' in html and "개요" in html
        assert "개요" not in _get(f"http://127.0.0.1:{port}/", "en")
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
