"""The aggregate endpoints: stats, supply graph and timeline, filtered like the deal list."""

import datetime
from decimal import Decimal

import pytest

from tests.factories import CitationFactory, CompanyFactory, ContextEventFactory, supply_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals():
    catl = CompanyFactory(slug="catl", name="CATL", country="CN")
    kia = CompanyFactory(slug="kia", name="Kia", chain_role="automaker")
    lges = CompanyFactory(slug="lges", name="LG Energy Solution")
    first = supply_deal(
        slug="catl-kia",
        supplier=catl,
        customer=kia,
        volume_gwh=Decimal("8"),
        status="active",
        announced_on=datetime.date(2025, 7, 1),
    )
    CitationFactory(deal=first)
    supply_deal(
        slug="lges-kia",
        supplier=lges,
        customer=kia,
        volume_gwh=Decimal("30"),
        status="in_talks",
        announced_on=datetime.date(2024, 1, 1),
        announced_precision="year",
    )
    supply_deal(slug="undated", supplier=lges, announced_on=None, announced_precision="")
    ContextEventFactory(slug="tariffs", title="Tariffs", occurred_on=datetime.date(2025, 4, 1))


def test_stats(api, deals):
    """Stats give deals and GWh by status, year, country pair and product, and headlines."""
    body = api.get("/api/v1/stats/").json()
    by_status = {item["key"]: item for item in body["by_status"]}
    assert by_status["active"] == {
        "key": "active",
        "label": "active",
        "deals": 1,
        "volume_gwh": 8.0,
        "deals_without_volume": 0,
    }
    assert by_status["in_talks"]["volume_gwh"] == 30.0
    assert [item["key"] for item in body["by_year"]] == [2024, 2025, None]
    pairs = {item["key"]: item["deals"] for item in body["by_country_pair"]}
    assert pairs == {"KR-KR": 1, "KR-CN": 2}
    assert body["by_product"][0]["key"] == "battery_cells"
    assert body["headline"]["volume_gwh_agreed"] == 13.0
    assert body["headline"]["volume_gwh_under_discussion"] == 30.0


def test_stats_follow_filters(api, deals):
    """Stats count only the deals that match the filters."""
    body = api.get("/api/v1/stats/?company=catl").json()
    assert [(item["key"], item["deals"]) for item in body["by_status"]] == [("active", 1)]


def test_supply_graph(api, deals):
    """The graph has companies as nodes and supplier → customer edges with volume and status."""
    body = api.get("/api/v1/supply-graph/?status=active,in_talks").json()
    names = {node["slug"]: node for node in body["nodes"]}
    assert set(names) == {"catl", "kia", "lges"}
    assert names["kia"]["deal_count"] == 2 and names["kia"]["volume_gwh"] == 38.0
    edges = {(e["deal_slug"], e["source_role"], e["target_role"]) for e in body["edges"]}
    assert edges == {("catl-kia", "supplier", "customer"), ("lges-kia", "supplier", "customer")}
    edge = next(e for e in body["edges"] if e["deal_slug"] == "lges-kia")
    assert edge["status"] == "in_talks" and edge["volume_gwh"] == 30.0
    assert edge["source"] == names["lges"]["id"] and edge["target"] == names["kia"]["id"]


def test_supply_graph_limit_merges_others(api, deals):
    """With `limit`, companies beyond the top ones are merged into one node per country."""
    body = api.get("/api/v1/supply-graph/?limit=1").json()
    ids = [node["id"] for node in body["nodes"]]
    assert ids[0] in {n["id"] for n in body["nodes"] if not n["merged"]}
    assert {"others-CN", "others-KR"} <= set(ids)
    assert api.get("/api/v1/supply-graph/?limit=0").status_code == 400
    assert "limit" in api.get("/api/v1/supply-graph/?limit=many").json()


def test_timeline(api, deals):
    """The timeline lists dated deals and context events with their precision; undated counted."""
    body = api.get("/api/v1/timeline/").json()
    assert [(item["kind"], item["slug"]) for item in body["items"]] == [
        ("deal", "lges-kia"),
        ("event", "tariffs"),
        ("deal", "catl-kia"),
    ]
    assert body["undated"] == 1
    first = body["items"][0]
    assert first["precision"] == "year" and first["date_end"] == "2024-12-31"
    assert body["items"][2]["quote"].startswith("Alpha Cells")


def test_timeline_filters_and_options(api, deals):
    """Timeline filters apply to deals; events can be left out; labels can be Korean."""
    body = api.get("/api/v1/timeline/?company=catl&include_events=false&language=ko").json()
    assert [item["slug"] for item in body["items"]] == ["catl-kia"]
    assert body["items"][0]["label"] == "2025년 7월"
    assert api.get("/api/v1/timeline/?include_events=perhaps").status_code == 400


def test_aggregates_as_csv_and_xlsx(api, deals):
    """Stats, graph edges and timeline download as tables, with the filters applied."""
    stats = b"".join(api.get("/api/v1/stats/?format=csv").streaming_content).decode()
    assert stats.splitlines()[0] == "group,key,label,deals,volume_gwh,deals_without_volume"
    assert "country_pair,KR-CN,South Korea – China,2,13.0" in stats
    edges = b"".join(
        api.get("/api/v1/supply-graph/?company=catl", HTTP_ACCEPT="text/csv").streaming_content
    ).decode()
    assert len(edges.splitlines()) == 2 and "catl-kia" in edges
    timeline = api.get("/api/v1/timeline/?format=xlsx")
    assert timeline["Content-Type"].startswith("application/vnd.openxmlformats")
    assert api.get("/api/v1/timeline/?format=csv&min_gwh=abc").status_code == 400


def test_api_root_lists_resources_and_aggregates(api):
    """The API root links every resource and aggregate."""
    body = api.get("/api/v1/").json()
    assert set(body) == {
        "companies",
        "deals",
        "stakes",
        "vehicle-models",
        "sources",
        "context-events",
        "stats",
        "supply-graph",
        "timeline",
        "releases",
    }
    assert body["supply-graph"].endswith("/api/v1/supply-graph/")
