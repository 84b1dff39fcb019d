"""Reading the REST API: contents, lookups, pages, filters, errors, freshness, query counts."""

import datetime
from decimal import Decimal

import pytest

from partnerships import freshness
from partnerships.models import Company, Deal
from tests.factories import (
    CitationFactory,
    CompanyAliasFactory,
    CompanyFactory,
    ContextEventFactory,
    SourceFactory,
    StatusChangeFactory,
    VehicleModelFactory,
    supply_deal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catl_deal():
    catl = CompanyFactory(slug="catl", name="CATL", name_zh="宁德时代", country="CN")
    kia = CompanyFactory(slug="kia", name="Kia", name_ko="기아", chain_role="automaker")
    deal = supply_deal(
        slug="catl-kia-pv5",
        title="CATL supplies Kia PV5 batteries",
        supplier=catl,
        customer=kia,
        volume_gwh=Decimal("8.5"),
        status="active",
    )
    deal.vehicle_models.add(VehicleModelFactory(slug="kia-pv5", name="PV5", maker=kia))
    CitationFactory(deal=deal, field="volume_gwh")
    StatusChangeFactory(deal=deal, status="active")
    return deal


def many_deals(n, supplier=None):
    source = SourceFactory()
    for _ in range(n):
        deal = supply_deal(supplier=supplier)
        deal.vehicle_models.add(VehicleModelFactory())
        CitationFactory(deal=deal, source=source)


def test_deal_list_carries_parties_vehicles_and_citations(api, catl_deal):
    """A deal in the list shows its parties with native names, volume, vehicles and quotes."""
    body = api.get("/api/v1/deals/").json()
    deal = body["results"][0]
    assert deal["slug"] == "catl-kia-pv5"
    assert deal["volume_gwh"] == 8.5
    assert deal["status"] == "active"
    assert deal["announced_on"] == "2025-07-01" and deal["announced_precision"] == "month"
    assert deal["announced_display"] == "Jul 2025"
    parties = {p["slug"]: p for p in deal["parties"]}
    assert parties["catl"] == {
        "id": parties["catl"]["id"],
        "slug": "catl",
        "name": "CATL",
        "name_ko": "",
        "name_zh": "宁德时代",
        "country": "CN",
        "role": "supplier",
        "equity_share": None,
        "note": "",
    }
    assert parties["kia"]["name_ko"] == "기아" and parties["kia"]["role"] == "customer"
    assert deal["vehicle_models"][0]["slug"] == "kia-pv5"
    assert deal["citations"][0]["quote"].startswith("Alpha Cells")
    assert deal["citations"][0]["source"]["slug"]
    assert deal["api_url"].endswith("/api/v1/deals/catl-kia-pv5/")


def test_deal_detail_has_status_history_by_slug_or_id(api, catl_deal):
    """A deal's record includes its status history with the source and quote of each step."""
    by_slug = api.get("/api/v1/deals/catl-kia-pv5/").json()
    by_id = api.get(f"/api/v1/deals/{catl_deal.pk}/").json()
    assert by_slug == by_id
    step = by_slug["status_history"][0]
    assert step["status"] == "active" and step["effective_display"] == "Jul 2025"
    assert step["quote"] and step["source"]["title"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/deals/no-such-deal/",
        "/api/v1/deals/999999/",
        "/api/v1/deals/99999999999999999999999999/",
        "/api/v1/deals/%C2%B2/",
        "/api/v1/companies/nobody/",
        "/api/v1/vehicle-models/nothing/",
        "/api/v1/sources/nowhere/",
        "/api/v1/context-events/never/",
    ],
)
def test_unknown_ids_are_404(api, url):
    """An unknown slug or id is a 404, not an empty record."""
    assert api.get(url).status_code == 404


def test_company_has_parent_chain_subsidiaries_and_deal_counts(api, catl_deal):
    """A company shows its ownership chain, subsidiaries, aliases and how many deals it has."""
    geely = CompanyFactory(slug="geely", name="Geely", country="CN")
    volvo = CompanyFactory(slug="volvo", name="Volvo Cars", parent=geely, parent_tie="subsidiary")
    CompanyFactory(slug="polestar", name="Polestar", parent=volvo, parent_tie="brand")
    CompanyAliasFactory(company=geely, name="吉利")
    polestar = api.get("/api/v1/companies/polestar/").json()
    assert [c["slug"] for c in polestar["parent_chain"]] == ["volvo", "geely"]
    assert polestar["parent"]["slug"] == "volvo"
    geely_row = api.get("/api/v1/companies/geely/").json()
    assert [c["slug"] for c in geely_row["subsidiaries"]] == ["volvo"]
    assert geely_row["aliases"] == ["吉利"]
    catl = api.get("/api/v1/companies/catl/").json()
    assert (catl["deal_count"], catl["deals_agreed"], catl["deals_under_discussion"]) == (1, 1, 0)
    assert catl["deals_url"].endswith("/api/v1/deals/?company=catl")
    listed = {c["slug"]: c for c in api.get("/api/v1/companies/?limit=500").json()["results"]}
    assert [c["slug"] for c in listed["polestar"]["parent_chain"]] == ["volvo", "geely"]


def test_vehicle_models_sources_and_events(api, catl_deal):
    """Vehicle models, sources with their citations and context events are listed and shown."""
    vehicle = api.get("/api/v1/vehicle-models/kia-pv5/").json()
    assert vehicle["maker"]["slug"] == "kia" and vehicle["deal_count"] == 1
    source_slug = catl_deal.citations.get().source.slug
    source = api.get(f"/api/v1/sources/{source_slug}/").json()
    assert source["citations"][0]["target_kind"] == "deal"
    assert source["citations"][0]["target_id"] == catl_deal.pk
    assert "Alpha Cells" in source["text"]
    assert "text" not in api.get("/api/v1/sources/").json()["results"][0]
    ContextEventFactory(slug="tariffs", title="US tariffs", country="US")
    event = api.get("/api/v1/context-events/tariffs/").json()
    assert event["country"] == "US" and event["occurred_display"] == "Apr 2025"


def test_pages_are_stable_and_uncounted(api):
    """Pages follow one another without repeats, and a page says if there is a next one."""
    for _ in range(5):
        supply_deal(announced_on=datetime.date(2025, 1, 1), title="Same")
    first = api.get("/api/v1/deals/?limit=2").json()
    assert "count" not in first and first["next"] and first["previous"] is None
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()
    slugs = [d["slug"] for page in (first, second, third) for d in page["results"]]
    assert len(slugs) == len(set(slugs)) == 5
    assert third["next"] is None and third["previous"]


@pytest.mark.parametrize(
    "query", ["limit=abc", "limit=0", "limit=100000", "offset=-1", "offset=1" + "0" * 20]
)
def test_bad_page_parameters_are_400(api, query):
    """A page size or offset that is not a sensible number is a 400 with a field error."""
    response = api.get(f"/api/v1/deals/?{query}")
    assert response.status_code == 400
    assert set(response.json()) & {"limit", "offset"}


@pytest.fixture
def filter_world(catl_deal):
    lges = CompanyFactory(slug="lges", name="LG Energy Solution", name_ko="LG에너지솔루션")
    chery = CompanyFactory(slug="chery", name="Chery", country="CN", chain_role="automaker")
    CompanyAliasFactory(company=lges, name="LGES")
    supply_deal(
        slug="lges-chery",
        supplier=lges,
        customer=chery,
        volume_gwh=Decimal("8"),
        status="signed",
        announced_on=datetime.date(2025, 6, 1),
    )
    supply_deal(
        slug="lges-kia-talks",
        supplier=lges,
        customer=catl_deal.companies.get(slug="kia"),
        volume_gwh=None,
        status="in_talks",
        kind="joint_development",
        product="battery_packs",
        announced_on=datetime.date(2024, 1, 1),
        announced_precision="year",
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("company=lges", {"lges-chery", "lges-kia-talks"}),
        ("company=kia&role=customer", {"catl-kia-pv5", "lges-kia-talks"}),
        ("country_pair=CN-KR", {"catl-kia-pv5", "lges-chery"}),
        ("country_pair=KR-KR", {"lges-kia-talks"}),
        ("role=supplier&country=CN", {"catl-kia-pv5", "lges-chery"}),
        ("kind=joint_development", {"lges-kia-talks"}),
        ("status=active,signed", {"catl-kia-pv5", "lges-chery"}),
        ("status_group=discussion", {"lges-kia-talks"}),
        ("product=battery_packs", {"lges-kia-talks"}),
        ("min_volume_gwh=8.2", {"catl-kia-pv5"}),
        ("max_volume_gwh=8", {"lges-chery"}),
        ("min_gwh=8.2", {"catl-kia-pv5"}),  # the deprecated name still works
        ("announced_after=2025-06-15", {"catl-kia-pv5", "lges-chery"}),
        ("announced_after=2025-07-02&announced_before=2025-12-31", {"catl-kia-pv5"}),
        ("announced_before=2024-12-31", {"lges-kia-talks"}),
        ("year=2024", {"lges-kia-talks"}),
        ("vehicle_model=kia-pv5", {"catl-kia-pv5"}),
        ("q=LGES", {"lges-chery", "lges-kia-talks"}),
        ("q=기아", {"catl-kia-pv5", "lges-kia-talks"}),
        ("q=宁德时代", {"catl-kia-pv5"}),
    ],
)
def test_every_deal_filter(api, filter_world, query, expected):
    """Each filter of the shared vocabulary narrows the deal list as documented."""
    response = api.get(f"/api/v1/deals/?{query}")
    assert response.status_code == 200, response.json()
    assert {d["slug"] for d in response.json()["results"]} == expected


def test_ordering(api, filter_world):
    """`ordering=-gwh` sorts by volume, largest first, unknown volumes last."""
    slugs = [d["slug"] for d in api.get("/api/v1/deals/?ordering=-gwh").json()["results"]]
    assert slugs == ["catl-kia-pv5", "lges-chery", "lges-kia-talks"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("min_gwh=-5", "min_gwh"),
        ("min_gwh=abc", "min_gwh"),
        ("company=nobody", "company"),
        ("company=99999999999999999999999999", "company"),
        ("min_gwh=1e400", "min_gwh"),
        ("max_gwh=NaN", "max_gwh"),
        ("max_volume_gwh=NaN", "max_volume_gwh"),
        ("announced_after=2025-05-01&announced_before=2025-01-01", "announced_before"),
        ("status=unknown", "status"),
        ("country_pair=KRCN", "country_pair"),
    ],
)
@pytest.mark.parametrize(
    "path", ["deals/", "stats/", "supply-graph/", "timeline/", "deals/?format=csv"]
)
def test_bad_filters_are_400_with_field_errors(api, path, query, field):
    """A bad filter value is a 400 naming the field, on lists, exports and aggregates alike."""
    separator = "&" if "?" in path else "?"
    response = api.get(f"/api/v1/{path}{separator}{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert field in response.json()


def test_company_vehicle_source_event_filters(api, filter_world):
    """The other lists take their own filters: search, country, maker, kind."""
    companies = api.get("/api/v1/companies/?q=LGES").json()["results"]
    assert [c["slug"] for c in companies] == ["lges"]
    assert {c["slug"] for c in api.get("/api/v1/companies/?country=CN").json()["results"]} == {
        "catl",
        "chery",
    }
    vehicles = api.get("/api/v1/vehicle-models/?maker=kia").json()["results"]
    assert [v["slug"] for v in vehicles] == ["kia-pv5"]
    assert api.get("/api/v1/vehicle-models/?maker=nobody").status_code == 400
    assert api.get("/api/v1/sources/?kind=article").json()["results"]
    assert api.get("/api/v1/sources/?kind=gossip").status_code == 400
    ContextEventFactory(kind="political")
    events = api.get("/api/v1/context-events/?kind=political").json()["results"]
    assert len(events) == 1
    assert (
        api.get(
            "/api/v1/context-events/?occurred_after=2025-05-01&occurred_before=2025-01-01"
        ).status_code
        == 400
    )


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/deals/", 5),
        # The search reads the matching parties first, to choose how to find their deals, and
        # the matching ids (up to 1,000) to rank them.
        ("/api/v1/deals/?company=company-1&country_pair=KR-CN&q=Deal", 8),
        ("/api/v1/companies/", 4),
        ("/api/v1/vehicle-models/", 2),
        ("/api/v1/sources/", 3),
        ("/api/v1/context-events/", 3),
        ("/api/v1/stats/", 8),
        # The aggregates read the deals' columns first (five queries, once per data version).
        ("/api/v1/supply-graph/", 12),
        ("/api/v1/timeline/", 10),
    ],
)
def test_query_count_does_not_grow_with_rows(api, django_assert_num_queries, url, queries):
    """A list or aggregate costs the same number of queries for 2 rows as for 20."""
    hub = CompanyFactory(slug="company-1")
    for n in (2, 20):
        Deal.objects.all().delete()
        many_deals(n, supplier=hub)
        ContextEventFactory()
        # Stats take no `limit` (an unknown parameter is a 400).
        address = url if "stats" in url else url + ("&" if "?" in url else "?") + "limit=50"
        with django_assert_num_queries(queries):
            response = api.get(address)
        assert response.status_code == 200, response.content


def test_etag_and_last_modified_give_304_until_data_changes(api, catl_deal):
    """Asking again with the ETag gets a 304 until a deal changes; Last-Modified works too."""
    for url in ("/api/v1/deals/?status=active", "/api/v1/stats/", "/api/v1/timeline/"):
        first = api.get(url)
        assert first["ETag"] and first["Last-Modified"]
        again = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        since = api.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304
    etag = api.get("/api/v1/deals/").json() and api.get("/api/v1/deals/")["ETag"]
    assert api.get("/api/v1/deals/?status=signed")["ETag"] != etag
    catl_deal.title = "Renamed"
    catl_deal.save()
    assert api.get("/api/v1/deals/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_deal_detail_etag_follows_version(api, catl_deal):
    """A deal's ETag names its version, and an unchanged deal answers 304."""
    response = api.get("/api/v1/deals/catl-kia-pv5/")
    assert response["ETag"].startswith(f'"deal-{catl_deal.pk}-v{catl_deal.version}-d')
    assert (
        api.get("/api/v1/deals/catl-kia-pv5/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code
        == 304
    )


def test_deal_detail_etag_changes_with_what_the_detail_shows_beside_the_deal(api, catl_deal):
    """The detail shows its parties' names and labels in the reader's language: renaming a
    party (the deal's own version unchanged) or asking in Korean is another ETag, so a 304
    never stands for a stale name or another language."""
    url = "/api/v1/deals/catl-kia-pv5/"
    first = api.get(url)["ETag"]
    assert api.get(url, HTTP_ACCEPT_LANGUAGE="ko")["ETag"] != first
    party = catl_deal.parties.first().company
    # A rename as the write path commits it: the company row and one more data version (the
    # service would also unpublish this uncited test company).
    Company.objects.filter(pk=party.pk).update(name=party.name + " Ltd")
    freshness.bump()
    catl_deal.refresh_from_db()
    assert catl_deal.version == int(first.split("-v")[1].split("-")[0])
    again = api.get(url, HTTP_IF_NONE_MATCH=first)
    assert again.status_code == 200 and party.name + " Ltd" in str(again.json()["parties"])


def test_deal_detail_answers_conditional_requests_as_http_defines_them(api, catl_deal):
    """Django's conditional GET, not a substring test: a list of tags, a weak tag and `*` match
    an unchanged deal (the 304 still names its ETag); an old version does not; an If-Match that
    names an old version is a 412."""
    url = "/api/v1/deals/catl-kia-pv5/"
    current = api.get(url)["ETag"]
    stale = current.replace(f"-v{catl_deal.version}-", f"-v{catl_deal.version - 1}-")
    for header in (f'"other", {current}', f"W/{current}", "*"):
        response = api.get(url, HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304, header
        assert response["ETag"] == current
    assert api.get(url, HTTP_IF_NONE_MATCH=stale).status_code == 200
    refused = api.get(url, HTTP_IF_MATCH=stale)
    assert refused.status_code == 412 and refused.json()["detail"]
    assert api.get(url, HTTP_IF_MATCH=current).status_code == 200
