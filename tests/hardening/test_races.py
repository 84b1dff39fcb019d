"""Writes that race: two clients holding the same ETag, the same article submitted twice at
once. Each runs against a live server (Django's, threaded), so the requests really overlap."""

import contextlib
import json
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from ingest.models import IngestionRun
from partnerships import services
from partnerships.models import Deal, Source
from tests.factories import supply_deal

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
    """The same article (same text, or same URL), or two articles with the same title, sent at
    the same moment: never a 500. One text or URL is one source, read once, and every answer
    names it; two texts with one title are two sources with two slugs."""
    both_checked = threading.Barrier(2, timeout=10)
    real_create = services.source_create

    def create_after_both_checked(**kwargs):
        # Both submissions have looked for a duplicate and found none: the race, every time.
        # SQLite runs one write transaction at a time (IMMEDIATE), so there is no race there
        # to force, and the second would wait for the first's lock at the barrier.
        if connection.vendor == "postgresql":
            # A retry after losing the race passes alone.
            with contextlib.suppress(threading.BrokenBarrierError):
                both_checked.wait()
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
    assert all(status in {200, 201} for status in statuses), results
    slugs = {body["slug"] for _status, body in results}
    if same == "title":
        assert len(slugs) == 2 and Source.objects.count() == 2
    else:
        assert len(slugs) == 1 and Source.objects.count() == 1
        assert IngestionRun.objects.count() == 1
