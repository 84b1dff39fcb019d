"""Work a request can cause is bounded: a long source's page, junk query parameters, password
guessing and throttles that a header cannot reset."""

import time

import pytest
from django.test import Client

from dashboard import marking
from tests.factories import CitationFactory, CompanyFactory, SourceFactory

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
