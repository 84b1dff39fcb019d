"""Production settings: `check --deploy` is clean, and every response carries the security
headers, a Content-Security-Policy that forbids inline scripts among them."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def production_env(**overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "TESTING", "SECURE_SSL_REDIRECT", "SECURE_COOKIES"}
        and not key.startswith("SECURE_HSTS")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/partnerships",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="partnerships.example.org",
    )
    env.update(overrides)
    return env


def test_check_deploy_has_no_warnings():
    """`manage.py check --deploy` on production settings reports no issue at all."""
    result = subprocess.run(  # noqa: S603 - a fixed script, not outside input
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    """With a database configured but no SECRET_KEY, the site refuses to start."""
    env = production_env()
    del env["SECRET_KEY"]
    result = subprocess.run(  # noqa: S603 - a fixed script, not outside input
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_are_hardened():
    """In production: debug off, HTTPS redirect, HSTS for a year, secure cookies, proxy header."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, s.ALLOWED_HOSTS, "
        "s.DATABASES['default']['OPTIONS']['connect_timeout'])"
    )
    result = subprocess.run(  # noqa: S603 - a fixed script, not outside input
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "31536000",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "['partnerships.example.org']",
        "3",
    ]


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/deals/", "/companies/", "/api/v1/deals/", "/api/docs/", "/admin/login/"]
)
def test_every_response_forbids_inline_scripts(client, path):
    """Pages, the API and the admin send a CSP: scripts from this site only, nothing inline,
    no plugins, no framing, forms posting only here."""
    response = client.get(path)
    assert response.status_code == 200
    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_swagger_ui_start_script_is_a_file(client):
    """The API docs page loads its start-up script from this site instead of inlining it."""
    html = client.get("/api/docs/").content.decode()
    assert "<script>" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
