"""The aggregates of `dashboard/`: headline figures, stats, timeline and supply graph, computed by
the database in a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache

from dashboard import graph, stats, timeline
from partnerships import columns
from partnerships.models import Company, Deal
from tests.factories import (
    CitationFactory,
    CompanyFactory,
    ContextEventFactory,
    DealPartyFactory,
    StatusChangeFactory,
    VehicleModelFactory,
    supply_deal,
)

pytestmark = pytest.mark.django_db


def make_deals(n):
    supplier = CompanyFactory(country="KR")
    deals = []
    for i in range(n):
        deal = supply_deal(
            supplier=supplier,
            customer=CompanyFactory(country="CN", chain_role="automaker"),
            volume_gwh=Decimal("2.5"),
            status="signed" if i % 2 else "in_talks",
            announced_on=datetime.date(2024 + i % 2, 3, 1),
        )
        deal.vehicle_models.add(VehicleModelFactory())
        CitationFactory(deal=deal)
        StatusChangeFactory(deal=deal)
        deals.append(deal)
    return deals


def test_headline_figures_split_agreed_and_discussed():
    """Headline GWh counts signed deals as agreed and deals in talks as under discussion."""
    make_deals(4)
    figures = stats.headline_figures(Deal.objects.all())
    assert figures["deals"] == 4
    assert figures["volume_gwh_agreed"] == 5.0
    assert figures["volume_gwh_under_discussion"] == 5.0
    assert figures["companies"] == 5
    assert figures["companies_by_country"][0] == {"country": "CN", "name": "China", "count": 4}


def test_timeline_items_and_events(django_assert_max_num_queries):
    """The timeline lists dated deals and context events in date order, with term and quote."""
    deal = supply_deal(
        announced_on=datetime.date(2025, 7, 1),
        announced_precision="month",
        start_on=datetime.date(2026, 1, 1),
        start_precision="year",
        term_years=5,
    )
    CitationFactory(deal=deal)
    supply_deal(announced_on=None, announced_precision="")
    ContextEventFactory(title="Tariffs", occurred_on=datetime.date(2025, 4, 1))
    with django_assert_max_num_queries(12):
        items = timeline.timeline(Deal.objects.all())
    assert [i["kind"] for i in items] == ["event", "deal"]
    item = items[1]
    assert item["date"] == "2025-07-01" and item["date_end"] == "2025-07-31"
    assert item["label"] == "Jul 2025"
    assert item["term_end"] == "2031-01-01" and item["term_end_estimated"] is True
    assert item["quote"].startswith("Alpha Cells")
    assert item["parties"][0]["role"] in {"supplier", "customer"}
    assert timeline.timeline_undated_count(Deal.objects.all()) == 1
    assert [i["kind"] for i in timeline.timeline(Deal.objects.all(), include_events=False)] == [
        "deal"
    ]


def test_a_korean_timeline_names_events_in_korean_where_it_can():
    """An event's Korean title is the Korean reader's label; without one, the English title."""
    ContextEventFactory(title="Tariffs", title_ko="관세", occurred_on=datetime.date(2025, 4, 1))
    ContextEventFactory(title="Summit", occurred_on=datetime.date(2025, 5, 1))
    korean = timeline.timeline(Deal.objects.all(), language="ko")
    assert [i["title"] for i in korean] == ["관세", "Summit"]
    english = timeline.timeline(Deal.objects.all(), language="en")
    assert [i["title"] for i in english] == ["Tariffs", "Summit"]


def test_graph_nodes_never_count_an_unknown_volume_as_zero():
    """A node's volume is the sum of the known ones, null when none is known, with the deals
    of unknown volume counted beside it, for companies and for merged country nodes alike."""
    cells = CompanyFactory(country="CN", chain_role="battery_cells")
    unknown = CompanyFactory(country="KR", chain_role="automaker")
    known = CompanyFactory(country="KR", chain_role="automaker")
    supply_deal(supplier=cells, customer=unknown, volume_gwh=None)
    supply_deal(supplier=cells, customer=unknown, volume_gwh=None)
    supply_deal(supplier=cells, customer=known, volume_gwh=Decimal("5"))
    nodes = {n["id"]: n for n in graph.supply_graph(Deal.objects.all())["nodes"]}
    volumes = {
        pk: (nodes[pk]["volume_gwh"], nodes[pk]["deals_without_volume"])
        for pk in (cells.pk, unknown.pk, known.pk)
    }
    assert volumes == {cells.pk: (5.0, 2), unknown.pk: (None, 2), known.pk: (5.0, 0)}
    limited = graph.supply_graph(Deal.objects.all(), limit=1)
    others = next(n for n in limited["nodes"] if n["id"] == "others-KR")
    assert (others["deal_count"], others["volume_gwh"], others["deals_without_volume"]) == (
        3,
        5.0,
        2,
    )
    only_unknown = graph.supply_graph(Deal.objects.filter(volume_gwh__isnull=True), limit=1)
    others = next(n for n in only_unknown["nodes"] if n["id"] == "others-KR")
    assert (others["volume_gwh"], others["deals_without_volume"]) == (None, 2)


def test_supply_graph_nodes_edges_and_others():
    """The graph draws supplier → customer edges and merges companies beyond the limit."""
    deals = make_deals(3)
    drawn = graph.supply_graph(Deal.objects.all())
    assert len(drawn["nodes"]) == 4
    hub = drawn["nodes"][0]
    assert hub["deal_count"] == 3 and hub["volume_gwh"] == 7.5 and hub["country"] == "KR"
    assert hub["deals_without_volume"] == 0
    assert len(drawn["edges"]) == 3
    edge = drawn["edges"][0]
    assert edge["source"] == hub["id"] and edge["source_role"] == "supplier"
    assert edge["vehicle_models"] and edge["volume_gwh"] == 2.5
    limited = graph.supply_graph(Deal.objects.all(), limit=1)
    assert [n["id"] for n in limited["nodes"]] == [hub["id"], "others-CN"]
    assert limited["others"]["CN"]["companies"] == 3
    assert {e["target"] for e in limited["edges"]} == {"others-CN"}
    # Edges into the merged node are summed per status: 3 deals, 2 statuses, 2 edges.
    assert len(limited["edges"]) == 2
    assert sum(e["deal_count"] for e in limited["edges"]) == 3
    merged = next(e for e in limited["edges"] if e["deal_count"] == 2)
    assert merged["merged"] and merged["volume_gwh"] == 5.0 and merged["deal_slug"] == ""
    single = next(e for e in limited["edges"] if e["deal_count"] == 1)
    assert single["deal_slug"] in {deal.slug for deal in deals}


def test_a_merged_node_lists_its_companies_first_slugs_in_order(monkeypatch):
    """Each country's merged node counts its companies and names the first OTHERS_SLUGS of
    them by slug, whatever order they were created in; a company in two deals counts once."""
    monkeypatch.setattr(graph, "OTHERS_SLUGS", 2)
    hub = CompanyFactory(country="KR")
    for slug in ("cn-c", "cn-a", "cn-d", "cn-b"):
        supply_deal(supplier=hub, customer=CompanyFactory(slug=slug, country="CN"))
    supply_deal(supplier=CompanyFactory(slug="jp-z", country="JP"), customer=hub)
    supply_deal(supplier=hub, customer=Company.objects.get(slug="cn-a"))
    drawn = graph.supply_graph(Deal.objects.all(), limit=1)
    assert drawn["others"] == {
        "CN": {"companies": 4, "slugs": ["cn-a", "cn-b"]},
        "JP": {"companies": 1, "slugs": ["jp-z"]},
    }


def test_equal_edges_are_listed_by_their_nodes_names():
    """Two edges alike in deals, GWh, status and roles come in the order of the names the API
    gives their nodes: a company's id ("12") before "others-CN", as a string sorts."""
    hub = CompanyFactory(country="KR")
    kept = CompanyFactory(country="CN")
    merged = CompanyFactory(country="CN")
    for customer in (kept, merged):
        supply_deal(supplier=hub, customer=customer, volume_gwh=Decimal("1"), status="signed")
    drawn = graph.supply_graph(Deal.objects.all(), limit=2)
    assert [edge["target"] for edge in drawn["edges"]] == [kept.pk, "others-CN"]


def test_supply_graph_constant_queries(django_assert_num_queries):
    """The graph costs 4 queries for 2 deals and for 20, merged or not (the data version, the
    kept companies, the single deals and their parties); 9 when the deals' columns are read
    first, once per data version."""
    for n in (2, 20):
        Deal.objects.all().delete()
        make_deals(n)
        for limit in (None, 1, graph.GRAPH_LIMIT):
            columns.forget()
            cache.clear()
            with django_assert_num_queries(9):
                graph.supply_graph(Deal.objects.all(), limit=limit)
            with django_assert_num_queries(4):
                graph.supply_graph(Deal.objects.all(), limit=limit)


def test_stats_groups(django_assert_num_queries):
    """Stats give deals and GWh by status, year, country pair and product in 2 queries."""
    make_deals(4)
    third = CompanyFactory(country="JP")
    jv = supply_deal(volume_gwh=None, status="signed", announced_on=None, announced_precision="")
    DealPartyFactory(deal=jv, company=third, role="partner")
    with django_assert_num_queries(2):
        result = stats.stats(Deal.objects.all())
    assert result["by_status"] == [
        {
            "key": "in_talks",
            "label": "in talks / pursuing",
            "deals": 2,
            "volume_gwh": 5.0,
            "deals_without_volume": 0,
        },
        {
            "key": "signed",
            "label": "signed",
            "deals": 3,
            "volume_gwh": 5.0,
            "deals_without_volume": 1,
        },
    ]
    assert result["by_year"][-1]["key"] is None
    assert result["by_year"][0] == {
        "key": 2024,
        "label": "2024",
        "deals": 2,
        "volume_gwh": 5.0,
        "deals_without_volume": 0,
    }
    undated = result["by_year"][-1]
    assert undated["volume_gwh"] is None and undated["deals_without_volume"] == 1
    pairs = {item["key"]: item for item in result["by_country_pair"]}
    assert pairs["KR-CN"]["deals"] == 5
    assert pairs["KR-CN"]["label"] == "South Korea – China"
    assert pairs["KR-JP"]["deals"] == 1 and pairs["CN-JP"]["deals"] == 1
    assert pairs["KR-JP"]["volume_gwh"] is None and pairs["KR-JP"]["deals_without_volume"] == 1
    assert result["by_product"][0]["key"] == "battery_cells"
