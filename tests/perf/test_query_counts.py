import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from partnerships.models import Company, Deal

pytestmark = pytest.mark.django_db

FILTERS = "country_pair=KR-CN&status_group=agreed&min_gwh=1"
ENDPOINTS = [
    "/",
    "/deals/",
    f"/deals/?{FILTERS}",
    "/deals/{deal}/",
    "/companies/{company}/",
    "/api/v1/deals/",
    f"/api/v1/deals/?{FILTERS}",
    "/api/v1/deals/?q=energy",
    "/api/v1/deals/{deal}/",
    "/api/v1/supply-graph/",
    "/api/v1/timeline/",
    "/api/v1/stats/",
    # Below one export chunk (500 rows); beyond it each chunk adds its own prefetch queries.
    "/api/v1/deals/?format=csv",
]


def queries_per_endpoint(client):
    """The number of queries each endpoint runs on the current data, from an empty cache."""
    deal = (
        Deal.objects.annotate(n=Count("parties")).order_by("-n", "slug").values_list("slug")[0][0]
    )
    company = (
        Company.objects.annotate(n=Count("deal_parties"))
        .order_by("-n", "slug")
        .values_list("slug")[0][0]
    )
    counts = {}
    for pattern in ENDPOINTS:
        url = pattern.format(deal=deal, company=company)
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, url
        counts[pattern] = len(captured)
    return counts


def test_query_counts_do_not_grow_with_the_data(client):
    """Every page and API endpoint runs as many queries on 400 deals as on 40."""
    call_command("generate_synthetic", deals=40, seed=3, verbosity=0)
    small = queries_per_endpoint(client)
    call_command("generate_synthetic", deals=400, seed=3, replace=True, verbosity=0)
    large = queries_per_endpoint(client)
    assert large == small
