"""Writes that race: two clients holding the same ETag, the same article submitted twice at
once. Each runs against a live server (Django's, threaded, or the production gunicorn command
in its own processes), so the requests really overlap."""

import contextlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from ingest.models import IngestionRun
from partnerships import services
from partnerships.models import Company, ContextEvent, Deal, Source
from tests.factories import supply_deal
from tests.ingest.test_worker import worker_database_env

from .conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _send(url, method, body, headers):
    request = urllib.request.Request(  # noqa: S310 - the test server's http address
        url,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - test server
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()[:500]


def _together(count, call):
    """Run `call(n)` in `count` threads at once; their results in thread order."""
    results = [None] * count

    def run(n):
        results[n] = call(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def token():
    return Token.objects.create(user=make_user("superuser")).key


def test_two_patches_with_the_same_if_match_let_exactly_one_through(
    live_server, token, monkeypatch
):
    """Two PATCHes carrying the same If-Match, both past reading the deal before either saves:
    one 200, one 412, and the deal's version raised once (the header is compared under the
    row lock, not with the row read before it)."""
    deal = supply_deal()
    etag = f'"deal-{deal.pk}-v{deal.version}"'
    # Both requests reach the write only once both have read the deal: the race, every time.
    both_read = threading.Barrier(2, timeout=20)
    real_update = services.deal_update

    def update_after_both_read(**kwargs):
        both_read.wait()
        return real_update(**kwargs)

    monkeypatch.setattr(services, "deal_update", update_after_both_read)
    url = f"{live_server.url}/api/v1/deals/{deal.slug}/"
    headers = {"Authorization": f"Token {token}", "If-Match": etag}
    results = _together(2, lambda n: _send(url, "PATCH", {"notes": f"writer {n}"}, headers))
    statuses = sorted(status for status, _body in results)
    assert statuses == [200, 412], results
    assert Deal.objects.get(pk=deal.pk).version == deal.version + 1


@pytest.mark.parametrize("same", ["title", "text", "url"])
def test_one_article_submitted_at_once_is_stored_once(live_server, token, monkeypatch, same):
    """The same article (same text), two texts under one URL, or two articles with the same
    title, sent at the same moment: never a 500. One text is one source, read once, and both
    answers name it; of two texts under one URL the second is refused naming the address (it
    is not silently dropped); two texts with one title are two sources with two slugs."""
    both_checked, raced = threading.Barrier(2, timeout=10), threading.Event()
    real_create = services.source_create

    def create_after_both_checked(**kwargs):
        # Both submissions have looked for a duplicate and found none: the race, every time.
        # SQLite runs one write transaction at a time (IMMEDIATE), so there is no race there
        # to force, and the second would wait for the first's lock at the barrier. A retry
        # after losing the race passes alone (without waiting out the barrier's timeout).
        if connection.vendor == "postgresql" and not raced.is_set():
            with contextlib.suppress(threading.BrokenBarrierError):
                both_checked.wait()
            raced.set()
        return real_create(**kwargs)

    monkeypatch.setattr(services, "source_create", create_after_both_checked)

    def article(n):
        return {
            "title": "Seoul Cells wins an order" if same == "title" else f"Order {n}",
            "url": "https://news.example.org/order" if same == "url" else "",
            "text": "Seoul Cells will supply batteries." + ("" if same != "title" else f" {n}")
            if same != "url"
            else f"Text {n}.",
        }

    url = f"{live_server.url}/api/v1/sources/"
    headers = {"Authorization": f"Token {token}"}
    results = _together(2, lambda n: _send(url, "POST", article(n), headers))
    statuses = sorted(status for status, _body in results)
    assert 500 not in statuses, results
    if same == "url":
        assert statuses == [201, 400], results
        refused = next(body for status, body in results if status == 400)
        assert '"url"' in refused and "stored already" in refused
        assert Source.objects.count() == 1 and IngestionRun.objects.count() == 1
        return
    # The same text twice: one created, the other answered with it (nothing created).
    assert statuses == ([201, 201] if same == "title" else [200, 201]), results
    slugs = {body["slug"] for _status, body in results}
    if same == "title":
        assert len(slugs) == 2 and Source.objects.count() == 2
    else:
        assert len(slugs) == 1 and Source.objects.count() == 1
        assert IngestionRun.objects.count() == 1


def production_gunicorn_command(port: int, workers: int) -> str:
    """The gunicorn line of `scripts/web` (compose's `web` command), bound to loopback."""
    script = (Path(settings.BASE_DIR) / "scripts" / "web").read_text().replace("\\\n", " ")
    line = next(line for line in script.splitlines() if line.startswith("exec gunicorn "))
    assert '"0.0.0.0:${PORT:-8000}"' in line, line
    return (
        line.replace("0.0.0.0:", "127.0.0.1:")
        .replace("${PORT:-8000}", str(port))
        .replace("${WEB_CONCURRENCY:-3}", str(workers))
    )


@pytest.fixture
def gunicorn(tmp_path):
    """The site under the production gunicorn command (two sync workers, so two requests are
    served at once, each in its own process and database connection), on this test's database
    (on SQLite the test database is a file, `settings.DATABASES`, so the workers see it too),
    with production settings: DEBUG off, a secret key, plain HTTP."""
    port = _free_port()
    env = {
        **{key: value for key, value in os.environ.items() if key not in {"DEBUG", "SQLITE_PATH"}},
        **worker_database_env(),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(settings.BASE_DIR),
        "SECRET_KEY": "gunicorn-race-test-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        # Static files from the finders: the test collects none (the API needs none).
        "TESTING": "1",
        "LOG_LEVEL": "WARNING",
    }
    log_path = tmp_path / "gunicorn.log"
    log = log_path.open("w")
    process = subprocess.Popen(  # noqa: S603 - the project's own command
        ["sh", "-c", production_gunicorn_command(port, workers=2)],  # noqa: S607
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{base}/api/v1/", timeout=5):  # noqa: S310 - local
                    break
            except OSError:
                assert time.monotonic() < deadline, log_path.read_text()[-3000:]
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    assert "Traceback" not in log_path.read_text(), log_path.read_text()[-3000:]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _patch_at_once(base, path, bodies, headers):
    """Send one PATCH per body, each on a connection opened (and taken by a gunicorn worker)
    beforehand, all released at the same instant; their (status, body) in order."""
    port = int(base.rsplit(":", 1)[1])
    ready = threading.Barrier(len(bodies), timeout=20)

    def send(n):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.connect()
            payload = json.dumps(bodies[n]).encode()
            ready.wait()
            conn.request(
                "PATCH", path, body=payload, headers={"Content-Type": "application/json", **headers}
            )
            response = conn.getresponse()
            return response.status, response.read().decode()
        finally:
            conn.close()

    return _together(len(bodies), send)


RACING_PAIRS = 12


def test_if_match_races_against_the_production_gunicorn(gunicorn, token):
    """The production gunicorn command, two worker processes: pairs of PATCHes carrying the same
    If-Match, released at the same instant. Every pair: exactly one 200 and one 412, the deal's
    version raised once, and what is stored is the write that was told 200 (no lost write)."""
    deal = supply_deal()
    path = f"/api/v1/deals/{deal.slug}/"
    warm = [{"notes": "warm-up"}] * 4  # both workers load the URLs and views before the race
    _patch_at_once(gunicorn, path, warm, {"Authorization": f"Token {token}"})
    deal.refresh_from_db()
    for pair in range(RACING_PAIRS):
        etag = f'"deal-{deal.pk}-v{deal.version}"'
        headers = {"Authorization": f"Token {token}", "If-Match": etag}
        bodies = [{"notes": f"pair {pair} writer {n}"} for n in range(2)]
        results = _patch_at_once(gunicorn, path, bodies, headers)
        assert sorted(status for status, _ in results) == [200, 412], (pair, results)
        winner = next(n for n, (status, _) in enumerate(results) if status == 200)
        stored = Deal.objects.get(pk=deal.pk)
        assert stored.version == deal.version + 1, (pair, results)
        assert stored.notes == bodies[winner]["notes"], (pair, results)
        deal = stored


@pytest.mark.parametrize("same", ["title", "text", "url"])
def test_two_editors_adding_one_source_at_once_get_a_form_error_not_a_500(monkeypatch, same):
    """Two editors submit the admin's "add source" form at the same moment with the same title
    (the slug the form fills in from it), the same text or the same URL, both forms validated
    before either is saved: one source is added; the other editor sees the form again with
    the message they would have got a second later (never a 500, never "added")."""
    from django.test import Client

    both_validated, raced = threading.Barrier(2, timeout=10), threading.Event()
    real_create = services.source_create

    def create_after_both_validated(**kwargs):
        # On SQLite the admin's transaction takes the write lock before the form is validated,
        # so the second editor's form sees the first's source: nothing to force there.
        if connection.vendor == "postgresql" and not raced.is_set():
            with contextlib.suppress(threading.BrokenBarrierError):
                both_validated.wait()
            raced.set()
        return real_create(**kwargs)

    monkeypatch.setattr(services, "source_create", create_after_both_validated)
    editor = make_user("editor")

    def form(n):
        return {
            "slug": "seoul-cells-order" if same == "title" else f"order-{n}",
            "title": "Seoul Cells order" if same == "title" else f"Order {n}",
            "kind": "article",
            "language": "en",
            "url": "https://news.example.org/order" if same == "url" else "",
            "text": "Seoul Cells will supply batteries." + ("" if same == "text" else f" {n}"),
            "published_on": "2025-07-01",
            "published_precision": "day",
            "ingestion_runs-TOTAL_FORMS": "0",
            "ingestion_runs-INITIAL_FORMS": "0",
        }

    def submit(n):
        client = Client(raise_request_exception=False)
        client.force_login(editor)
        try:
            response = client.post("/admin/partnerships/source/add/", form(n))
        finally:
            connection.close()  # this thread's connection, before the test database goes
        errors = response.context["adminform"].form.errors if response.status_code == 200 else {}
        return response.status_code, dict(errors)

    results = _together(2, submit)
    assert sorted(status for status, _ in results) == [200, 302], results
    assert Source.objects.count() == 1
    errors = next(errors for status, errors in results if status == 200)
    field, message = {
        "title": ("slug", "already exists"),
        "text": ("__all__", "This article is here already"),
        "url": ("__all__", "This article is here already"),
    }[same]
    assert message in " ".join(errors.get(field, [])), errors


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/api/v1/companies/",
            {"name": "Seoul Cells", "country": "KR", "chain_role": "battery_cells"},
        ),
        (
            "/api/v1/context-events/",
            {
                "title": "Subsidy rules",
                "kind": "policy",
                "occurred_on": "2025-07-01",
                "occurred_precision": "day",
            },
        ),
    ],
)
def test_two_clients_adding_one_slug_at_once_get_a_400_not_a_500(
    live_server, token, monkeypatch, path, body
):
    """Two API clients create rows with the same slug at the same moment, both validated before
    either is saved: one 201, one 400 naming the slug (the unique index's refusal validated
    again once the winner's row is visible), one row."""
    model, service = {
        "companies": (Company, "company_create"),
        "context-events": (ContextEvent, "context_event_create"),
    }[path.split("/")[3]]
    both_called, raced = threading.Barrier(2, timeout=10), threading.Event()
    real_create = getattr(services, service)

    def create_after_both_called(**kwargs):
        if connection.vendor == "postgresql" and not raced.is_set():
            with contextlib.suppress(threading.BrokenBarrierError):
                both_called.wait()
            raced.set()
        return real_create(**kwargs)

    monkeypatch.setattr(services, service, create_after_both_called)
    headers = {"Authorization": f"Token {token}"}
    results = _together(
        2, lambda n: _send(f"{live_server.url}{path}", "POST", {**body, "slug": "race"}, headers)
    )
    assert sorted(status for status, _ in results) == [201, 400], results
    refusal = next(answer for status, answer in results if status == 400)
    assert "slug" in json.loads(refusal), refusal
    assert model.objects.count() == 1


def test_an_article_that_loses_the_race_for_its_slug_again_and_again_is_still_stored(
    monkeypatch,
):
    """Ten submissions with one title at once (found live: two of ten refused with "Source with
    this Slug already exists", a slug their senders never sent): a submission whose chosen slug
    is taken again by the time it saves, every time, is still stored, under its title's slug
    with a random ending."""
    from ingest import services as ingest_services

    services.source_create(fields={"slug": "order", "title": "Order", "text": "Taken."})
    # Every "next free slug" is the one a concurrent submission has just taken.
    monkeypatch.setattr(ingest_services, "source_slug", lambda title: "order")
    source, created = services.source_submit(
        fields={"title": "Order", "text": "Seoul Cells will supply batteries.", "language": "en"}
    )
    assert created
    assert re.fullmatch(r"order-[0-9a-f]{6}", source.slug), source.slug
