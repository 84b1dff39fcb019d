"""The deals list written from the deal rows (`Deal.objects.for_list()`): the same JSON as
`DealSerializer`, a search that reads the same deals whichever way it is run, and the fast JSON
renderer."""

import json

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from api.renderers import FastJSONRenderer
from api.serializers import DealSerializer
from partnerships import filters
from partnerships import search as word_search
from partnerships.models import Deal
from tests.factories import CompanyAliasFactory, CompanyFactory, supply_deal

pytestmark = pytest.mark.django_db


def serializer_output(path, language="en"):
    """What `DealSerializer` gives for every deal, in the list's order, as JSON would carry it."""
    request = Request(RequestFactory().get(path))
    fmt = "json" if ".json" in path else None
    serializer = DealSerializer(
        Deal.objects.for_detail().ordered(), many=True, context={"request": request, "format": fmt}
    )
    with translation.override(language):
        return json.loads(JSONRenderer().render(serializer.data))


@pytest.mark.parametrize("language", ["en", "ko"])
def test_list_rows_equal_the_serializer_for_the_article(api, article, language):
    """Every deal of the founding article reads in the list exactly as DealSerializer writes it."""
    body = api.get("/api/v1/deals/?limit=500", HTTP_ACCEPT_LANGUAGE=language).json()
    expected = serializer_output("/api/v1/deals/", language)
    assert len(body["results"]) == Deal.objects.count() == len(expected) > 10
    assert body["results"] == expected
    # Nothing is missing from what the list shows: parties, vehicles, quotes with sources.
    assert any(deal["vehicle_models"] for deal in body["results"])
    assert all(deal["parties"] and deal["citations"] for deal in body["results"])


def test_list_rows_equal_the_serializer_with_a_format_suffix(api, article):
    """Asked as /deals.json, each deal's `api_url` keeps the suffix, as the serializer's does."""
    body = api.get("/api/v1/deals.json?limit=500").json()
    assert body["results"] == serializer_output("/api/v1/deals.json")
    assert body["results"][0]["api_url"].endswith(".json")


def test_list_url_of_an_unusual_slug_is_percent_encoded(api):
    """A slug outside ASCII gets the same encoded address as DRF's hyperlink would give it."""
    supply_deal(slug="배터리-공급")
    body = api.get("/api/v1/deals/").json()
    assert body["results"] == serializer_output("/api/v1/deals/")
    encoded = "%EB%B0%B0%ED%84%B0%EB%A6%AC-%EA%B3%B5%EA%B8%89"
    assert body["results"][0]["api_url"].endswith(f"/api/v1/deals/{encoded}/")


def test_list_without_filters_and_with_a_bad_one(api, article):
    """No filter parameter lists every deal; an unknown parameter or a bad filter value is a
    400 naming it."""
    assert len(api.get("/api/v1/deals/?limit=500").json()["results"]) > 10
    assert "unknown" in api.get("/api/v1/deals/?limit=500&unknown=1").json()
    response = api.get("/api/v1/deals/?status=nonsense")
    assert response.status_code == 400 and "status" in response.json()


def test_indented_json_on_request(api, article):
    """`Accept: application/json; indent=2` still gets indented JSON with the same content."""
    plain = api.get("/api/v1/deals/")
    indented = api.get("/api/v1/deals/", HTTP_ACCEPT="application/json; indent=2")
    assert b'\n  "limit": 50' in indented.content
    assert json.loads(indented.content) == plain.json()


def test_fast_renderer_writes_what_drf_writes(article):
    """The orjson renderer gives DRF's bytes, JavaScript line separators escaped included."""
    data = serializer_output("/api/v1/deals/")
    data[0]["title"] = "line\u2028separator\u2029paragraph"
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)
    assert b"\\u2028" in FastJSONRenderer().render(data)


@pytest.fixture
def named_world():
    lges = CompanyFactory(slug="lges", name="LG Energy Solution", name_ko="LG에너지솔루션")
    CompanyAliasFactory(company=lges, name="엘지엔솔")
    catl = CompanyFactory(slug="catl", name="CATL", name_zh="宁德时代", country="CN")
    kia = CompanyFactory(slug="kia", name="Kia", name_ko="기아")
    return {
        "lges-kia": supply_deal(
            slug="lges-kia", title="Cells for EVs", supplier=lges, customer=kia
        ),
        "catl-kia": supply_deal(slug="catl-kia", title="Packs", supplier=catl, customer=kia),
        "energy-pact": supply_deal(slug="energy-pact", title="An energy pact", supplier=catl),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("엘지엔솔", {"lges-kia"}),  # an alias
        ("에너지", {"lges-kia"}),  # a Korean name
        ("宁德", {"catl-kia", "energy-pact"}),  # a Chinese name
        ("kia", {"lges-kia", "catl-kia"}),  # a name and the slugs
        ("energy", {"lges-kia", "energy-pact"}),  # an English name, a title
        ("nothing like it", set()),
    ],
)
def test_search_reads_the_same_deals_both_ways(named_world, monkeypatch, text, expected):
    """A search finds the same deals whether the parties' deals are few (named by id) or many
    (tested deal by deal)."""

    def search():
        query = QueryDict(mutable=True)
        query["q"] = text
        filterset = filters.DealFilter(query, queryset=Deal.objects.all())
        assert filterset.is_valid(), filterset.errors
        return set(filterset.qs.values_list("slug", flat=True))

    assert search() == expected
    monkeypatch.setattr(word_search, "SEARCH_DEAL_IDS_MAX", 0)
    assert search() == expected


def test_search_costs_two_queries_more_whatever_it_matches(api, named_world, monkeypatch):
    """The list with a one-word search runs two queries more than without (the parties the word
    names, the matches to rank), for few or many matches."""

    def count(path):
        with CaptureQueriesContext(connection) as captured:
            assert api.get(path).status_code == 200
        return len(captured)

    plain = count("/api/v1/deals/")
    assert count("/api/v1/deals/?q=kia") == plain + 2
    monkeypatch.setattr(word_search, "SEARCH_DEAL_IDS_MAX", 0)  # as for a common name
    assert count("/api/v1/deals/?q=kia") == plain + 2
    monkeypatch.setattr(word_search, "RANK_MAX", 0)  # too many matches to rank
    assert count("/api/v1/deals/?q=kia") == plain + 2
