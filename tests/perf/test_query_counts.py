import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from partnerships import columns
from partnerships.models import AggregateSnapshot, Company, Deal
from tests.budgets import BUDGETS, EXPORT_QUERIES

pytestmark = pytest.mark.django_db

ENDPOINTS = list(BUDGETS)
COLD = {url: cold for url, (cold, _stored) in BUDGETS.items()}
STORED = {url: stored for url, (_cold, stored) in BUDGETS.items()}
# Exports stream one query through a server-side cursor, so that memory stays flat.
EXPORT = "/api/v1/deals/?format=csv"
# Above the timeline's and the supply graph's bounds (500 deals, 1,000 edges), so that a query
# or a row per deal would show.
LARGE = 2100


def queries_per_endpoint(client, patterns, cold=True):
    """The number of queries each endpoint runs on the current data: `cold`, with nothing
    stored (no cached answer, no snapshot), else with the answers the warm-up stored."""
    deal = (
        Deal.objects.annotate(n=Count("parties")).order_by("-n", "slug").values_list("slug")[0][0]
    )
    company = (
        Company.objects.annotate(n=Count("deal_parties"))
        .order_by("-n", "slug")
        .values_list("slug")[0][0]
    )
    counts = {}
    for pattern in patterns:
        url = pattern.format(deal=deal, company=company)
        # Once before counting: the first query of a connection may probe the database's
        # features (SQLite's JSON support), once per process, whatever the data.
        warm_up = client.get(url)
        if warm_up.streaming:
            b"".join(warm_up.streaming_content)
        if cold:  # nothing the warm-up stored may answer: cache, snapshot, the deals' columns
            cache.clear()
            columns.forget()
            AggregateSnapshot.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, url
        counts[pattern] = len(captured)
    return counts


def counts_at(client, patterns, sizes, cold=True):
    results = []
    for index, deals in enumerate(sizes):
        call_command("generate_synthetic", deals=deals, seed=3, replace=index > 0, verbosity=0)
        results.append(queries_per_endpoint(client, patterns, cold))
    return results


def test_query_counts_do_not_grow_with_the_data(client):
    """Pages and API endpoints, the overview and the aggregates included, run the queries the
    README's budget states on a cold cache (nothing stored), on 2,100 deals as on 40."""
    small, large = counts_at(client, ENDPOINTS, [40, LARGE])
    assert small == COLD
    assert large == COLD


def test_stored_answers_cost_the_queries_the_readme_states(client):
    """With the answers of the current data version stored (snapshot or cache), a repeat visit
    costs what the README's budget states."""
    (counts,) = counts_at(client, ENDPOINTS, [LARGE], cold=False)
    assert counts == STORED


def test_export_queries_do_not_grow(client):
    """A CSV export of 2,100 deals runs as many queries as one of 40: one streamed query."""
    small, large = counts_at(client, [EXPORT], [40, LARGE])
    assert small == large == {EXPORT: EXPORT_QUERIES}
