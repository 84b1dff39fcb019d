"""Work a request can cause is bounded: a long source's page, junk query parameters, password
guessing and throttles that a header cannot reset."""

import time

import pytest
from django.core.cache import caches
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from config.throttling import client_address
from dashboard import marking
from tests.factories import CitationFactory, CompanyFactory, SourceFactory

from .conftest import make_user
from .test_faults import REDIS_DOWN, closed_port

pytestmark = pytest.mark.django_db

SENTENCE = "Seoul Cells will supply batteries to Dragon Motors. "


def test_a_long_source_page_is_marked_fast_and_once(monkeypatch):
    """A 1 MB source quoted once is marked in well under a second (a Python set per character
    before: 2.5–3.2 s and ~350 MB per view), and a second reader gets the cached text."""
    text = "Filler text without the quote. " * 33_000 + SENTENCE
    source = SourceFactory(slug="long", text=text)
    CitationFactory(source=source, deal=None, company=CompanyFactory(), quote=SENTENCE.strip())
    calls = []
    real = marking.mark_quotes

    def counting(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr("dashboard.selectors.mark_quotes", counting)
    client = Client()
    started = time.perf_counter()
    first = client.get("/sources/long/")
    elapsed = time.perf_counter() - started
    assert first.status_code == 200
    assert "<mark" in first.content.decode()
    assert elapsed < 2, elapsed
    second = client.get("/sources/long/")
    assert second.status_code == 200

    def article(response):
        page = response.content.decode()
        return page[page.index('<article class="source-text"') : page.index("</article>")]

    assert article(second) == article(first)
    assert len(calls) == 1


def test_marking_costs_the_places_quoted_not_the_characters():
    """Marking 1 MB with one quote takes milliseconds."""
    text = "x" * 1_000_000 + SENTENCE
    started = time.perf_counter()
    paragraphs = marking.mark_quotes(text, [(1, SENTENCE.strip())])
    assert time.perf_counter() - started < 0.5
    assert [segment["facts"] for segment in paragraphs[0]] == [[], [1], []]


# --- sign-in throttle, client address, throttles without Redis --------------------------------


@pytest.fixture
def limits(settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 20
    settings.SIGN_IN_FAILURES_PER_ACCOUNT = 10
    settings.TRUSTED_PROXIES = 0
    return settings


def _token(client, password, address="10.0.0.1", **headers):
    return client.post(
        "/api/v1/auth/token/",
        {"username": "editor", "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def test_wrong_passwords_for_a_token_reach_429(limits):
    """30 wrong passwords for one account: 400 until the limit, then 429 with Retry-After, and
    the right password is refused too until the window ends (the guess is never checked)."""
    make_user("editor")
    client = APIClient()
    statuses = [_token(client, f"guess {n}").status_code for n in range(30)]
    assert statuses[:10] == [400] * 10
    assert set(statuses[10:]) == {429}
    right = _token(client, "correct horse battery staple")
    assert right.status_code == 429 and int(right["Retry-After"]) > 0


def test_guessing_one_account_from_many_addresses_is_throttled_per_account(limits):
    """Each guess from another (trusted-proxy-reported) address still counts for the account."""
    limits.TRUSTED_PROXIES = 1
    make_user("editor")
    client = APIClient()
    statuses = [
        _token(client, "wrong", HTTP_X_FORWARDED_FOR=f"10.1.{n}.1").status_code for n in range(12)
    ]
    assert statuses[-1] == 429


def test_one_address_guessing_many_accounts_is_throttled_per_address(limits):
    """Different account names from one address: 429 past the address's limit."""
    client = APIClient()
    statuses = [
        client.post(
            "/api/v1/auth/token/", {"username": f"user{n}", "password": "x"}, REMOTE_ADDR="10.9.9.9"
        ).status_code
        for n in range(22)
    ]
    assert statuses[:20] == [400] * 20 and statuses[20:] == [429, 429]


def test_admin_sign_in_is_throttled(limits):
    """The admin's sign-in form: wrong passwords re-show the form, then 429; a correct one
    signs in while under the limit."""
    make_user("superuser")
    client = Client()
    ok = client.post(
        "/admin/login/", {"username": "superuser", "password": "correct horse battery staple"}
    )
    assert ok.status_code == 302
    client = Client()
    statuses = [
        client.post("/admin/login/", {"username": "superuser", "password": f"no {n}"}).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]


def test_a_random_x_forwarded_for_does_not_reset_the_anonymous_throttle(limits, monkeypatch):
    """Without trusted proxies the header is ignored: a new random address per request is still
    the same client, throttled after the rate."""
    monkeypatch.setattr(AnonRateThrottle, "rate", "5/minute", raising=False)
    client = APIClient()
    statuses = [
        client.get("/api/v1/deals/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(8)
    ]
    assert statuses == [200] * 5 + [429] * 3


def test_behind_a_trusted_proxy_the_address_it_saw_is_the_client(limits, rf):
    """With one trusted proxy, the last X-Forwarded-For entry (what the proxy saw) is the
    client; what the client itself put before it is not believed."""
    limits.TRUSTED_PROXIES = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7", REMOTE_ADDR="10.0.0.2")
    assert client_address(request) == "198.51.100.7"
    limits.TRUSTED_PROXIES = 0
    assert client_address(request) == "10.0.0.2"


def test_throttles_keep_counting_without_redis(limits, monkeypatch, settings):
    """With Redis down the anonymous throttle still answers 429 past its rate (counted in the
    process), instead of letting everything through."""
    port = closed_port()
    settings.CACHES = {
        "default": {**REDIS_DOWN["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"}
    }
    monkeypatch.setattr(AnonRateThrottle, "rate", "5/minute", raising=False)
    client = APIClient()
    try:
        statuses = [client.get("/api/v1/deals/").status_code for _ in range(7)]
    finally:
        caches["default"].close()
    assert statuses == [200] * 5 + [429, 429]


@pytest.mark.parametrize("path", ["/?status=signed", "/api/v1/supply-graph/?status=signed"])
def test_junk_query_parameters_add_no_cache_entries(article, path, settings):
    """Unknown parameters do not change the answer, so they make no new cache entry (each
    stored another ~41 KB fragment for 600 s before)."""
    # A local-memory cache of its own, whose entries can be counted (CI runs on Redis too).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache = caches["default"]
    client = Client()
    assert client.get(path).status_code == 200
    before = len(cache._cache)
    for n in range(20):
        # Answered (200) or refused as an unknown parameter (400): either way nothing stored.
        assert client.get(f"{path}&junk{n}={n}").status_code in {200, 400}
    assert len(cache._cache) == before


@pytest.mark.parametrize("path", ["/", "/api/v1/supply-graph/"])
def test_one_filter_spelt_many_ways_is_stored_once(article, path, settings):
    """`min_volume_gwh=1`, `1.0`, `1.00`, and a company by slug, name or alias: one filter, one
    cache entry (found live: each spelling stored another copy of the filtered overview)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache = caches["default"]
    client = Client()
    assert client.get(f"{path}?min_volume_gwh=1&company=catl").status_code == 200
    before = len(cache._cache)
    for spelling in ("min_volume_gwh=1.0&company=CATL", "min_volume_gwh=1.00&company=宁德时代"):
        assert client.get(f"{path}?{spelling}").status_code == 200
    assert len(cache._cache) == before
    assert client.get(f"{path}?min_volume_gwh=2&company=catl").status_code == 200
    assert len(cache._cache) > before  # another filter is another answer
