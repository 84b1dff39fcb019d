"""Aggregates computed by the database with bounded output, and their precomputed snapshots:
served while current, never when stale, rebuilt after writes in the background."""

import datetime
import json
from collections import Counter
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import override_settings

from dashboard import aggregates, graph, stats
from partnerships import edges, freshness
from partnerships.models import AggregateSnapshot, Deal, DealParty
from tests.factories import CompanyFactory, DealPartyFactory, supply_deal
from tests.web.reading import csv_rows

pytestmark = pytest.mark.django_db


def reference_edges(deals):
    """Every deal's edges by the one-deal Python rule (`edges.deal_edges`), counted per pair
    of companies, status and roles: what the SQL must agree with."""
    counts = Counter()
    for deal in deals:
        parties = [
            {"company_id": p.company_id, "role": p.role}
            for p in DealParty.objects.filter(deal=deal).order_by("id")
        ]
        for source, target in edges.deal_edges(parties):
            key = (source["company_id"], target["company_id"], deal.status)
            counts[key + (source["role"], target["role"])] += 1
    return counts


def test_supply_graph_sql_draws_the_same_edges_as_the_one_deal_rule(article):
    """Supplier → customer edges, and hub edges for partners and investors, agree with
    `deal_edges` for every deal of the founding article."""
    drawn_graph = graph.supply_graph(Deal.objects.all(), limit=None)
    drawn = Counter()
    for edge in drawn_graph["edges"]:
        key = (edge["source"], edge["target"], edge["status"])
        drawn[key + (edge["source_role"], edge["target_role"])] += edge["deal_count"]
    assert drawn == reference_edges(Deal.objects.all())
    assert all(not node["merged"] for node in drawn_graph["nodes"])


def test_supply_graph_output_is_bounded(monkeypatch):
    """Beyond GRAPH_MAX_EDGES the weakest edges are counted, not listed."""
    monkeypatch.setattr(graph, "GRAPH_MAX_EDGES", 2)
    hub = CompanyFactory(country="KR")
    for _ in range(4):
        supply_deal(supplier=hub, customer=CompanyFactory(country="CN"))
    drawn_graph = graph.supply_graph(Deal.objects.all(), limit=None)
    assert len(drawn_graph["edges"]) == 2
    assert drawn_graph["edges_omitted"] == {"edges": 2, "deals": 2}


def test_the_overview_map_csv_lists_the_edges_the_chart_leaves_out(client, monkeypatch):
    """The chart draws GRAPH_MAX_EDGES edges and says so; its CSV lists all four."""
    monkeypatch.setattr(graph, "GRAPH_MAX_EDGES", 2)
    hub = CompanyFactory(country="KR")
    for _ in range(4):
        supply_deal(supplier=hub, customer=CompanyFactory(country="CN"))
    cache.clear()
    html = client.get("/").content.decode()
    assert "Not drawn: the weakest 2 partnership line(s), 2 deal(s) in all" in html
    rows = csv_rows(client.get("/charts/flows.csv"))
    assert len(rows) - 1 == 4


def test_timeline_lists_the_most_recent_and_counts_all_per_year(api):
    """`limit` keeps the newest deals; `buckets` count every dated deal per year and status."""
    for year in (2021, 2022, 2023, 2024):
        supply_deal(announced_on=datetime.date(year, 5, 1), volume_gwh=Decimal("10"))
    supply_deal(announced_on=None, announced_precision="")
    body = api.get("/api/v1/timeline/?limit=2&include_events=false").json()
    assert [item["date"][:4] for item in body["items"]] == ["2023", "2024"]
    assert body["truncated"] is True and body["total"] == 4 and body["undated"] == 1
    assert [(b["year"], b["deals"], b["volume_gwh"]) for b in body["buckets"]] == [
        (2021, 1, 10.0),
        (2022, 1, 10.0),
        (2023, 1, 10.0),
        (2024, 1, 10.0),
    ]
    everything = api.get("/api/v1/timeline/?include_events=false").json()
    assert everything["truncated"] is False and len(everything["items"]) == 4


def test_a_current_snapshot_is_served_and_a_stale_one_never(api, monkeypatch):
    """The second read of an unchanged dataset comes from the snapshot; after a write the
    aggregate is computed afresh and shows the change at once."""
    supply_deal(volume_gwh=Decimal("5"), status="signed")
    first = api.get("/api/v1/stats/").json()
    assert AggregateSnapshot.objects.filter(key="stats:en").exists()

    calls = []
    original = stats.stats
    monkeypatch.setattr(stats, "stats", lambda deals: calls.append(1) or original(deals))
    cache.clear()
    assert api.get("/api/v1/stats/").json() == first
    assert calls == []  # read from the snapshot

    supply_deal(volume_gwh=Decimal("7"), status="signed")
    after = api.get("/api/v1/stats/").json()
    assert calls == [1]
    assert after["headline"]["deals"] == first["headline"]["deals"] + 1
    assert after["headline"]["volume_gwh_agreed"] == first["headline"]["volume_gwh_agreed"] + 7


def test_filtered_aggregates_are_not_snapshotted(api):
    """Only the whole dataset is precomputed: a filter is answered by its own query."""
    supply_deal(status="signed")
    api.get("/api/v1/supply-graph/?status=signed")
    assert not AggregateSnapshot.objects.exists()
    api.get("/api/v1/supply-graph/")
    assert list(AggregateSnapshot.objects.values_list("key", flat=True)) == ["supply-graph:50"]


def test_unusual_parameters_add_no_snapshot_rows(api, monkeypatch):
    """Only the precomputed keys are stored as snapshots: any other `limit` or language goes
    through the cache, so requests cannot fill the table."""
    supply_deal()
    for limit in (1, 2, 3):
        assert api.get(f"/api/v1/supply-graph/?limit={limit}").status_code == 200
        assert api.get(f"/api/v1/timeline/?limit={limit}").status_code == 200
    assert not AggregateSnapshot.objects.exists()
    calls = []
    original = graph.supply_graph
    monkeypatch.setattr(graph, "supply_graph", lambda *a, **k: calls.append(1) or original(*a, **k))
    api.get("/api/v1/supply-graph/?limit=1")
    assert calls == []  # from the cache


def test_refresh_rebuilds_only_what_changed_and_drops_the_rest():
    """A second refresh with no write in between rebuilds nothing; unknown keys are dropped."""
    supply_deal()
    AggregateSnapshot.objects.create(key="stats", payload={})
    # The deals' columns are read first, for the aggregates and the web processes.
    rebuilt = {"deal-columns", *aggregates.builders()}
    assert set(aggregates.refresh()) == rebuilt
    assert not AggregateSnapshot.objects.filter(key="stats").exists()
    assert aggregates.refresh() == {}
    supply_deal()
    assert set(aggregates.refresh()) == rebuilt


def test_a_slow_reader_does_not_replace_a_newer_snapshot():
    """A snapshot computed from an older version is not stored over a newer one."""
    newer, older = freshness.Version(8, None), freshness.Version(7, None)
    aggregates.store("stats:en", newer, {"fresh": True}, 0.1)
    aggregates.store("stats:en", older, {"fresh": False}, 0.1)
    assert AggregateSnapshot.objects.get(key="stats:en").payload == {"fresh": True}


def test_snapshots_equal_what_the_request_would_compute(article, api):
    """The precomputed answers are exactly the live ones."""
    aggregates.refresh()
    cache.clear()
    for url, compute in (
        ("/api/v1/stats/", lambda: aggregates.stats_payload(Deal.objects.all())),
        ("/api/v1/supply-graph/", lambda: graph.supply_graph(Deal.objects.all())),
        ("/api/v1/timeline/", lambda: aggregates.timeline_payload(Deal.objects.all())),
    ):
        live = json.loads(json.dumps(compute(), default=str))
        assert api.get(url).json() == live, url


def test_snapshots_keep_each_language_s_labels(api):
    """Precomputed in one language, the stats are not served to a reader of the other: each
    reads its own labels."""
    supply_deal(status="signed")
    aggregates.refresh()
    cache.clear()
    english = api.get("/api/v1/stats/", HTTP_ACCEPT_LANGUAGE="en").json()
    korean = api.get("/api/v1/stats/", HTTP_ACCEPT_LANGUAGE="ko").json()
    assert english["by_status"][0]["label"] == "signed"
    assert korean["by_status"][0]["label"] == "체결"
    timeline = api.get("/api/v1/timeline/?language=ko", HTTP_ACCEPT_LANGUAGE="ko").json()
    assert timeline["buckets"][0]["status_label"] == "체결"


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_writes_queue_one_refresh_after_commit(monkeypatch, django_capture_on_commit_callbacks):
    """With a worker, a burst of writes queues a single rebuild, only once committed."""
    from dashboard import tasks

    queued = []
    monkeypatch.setattr(
        tasks.refresh_aggregates, "apply_async", lambda **kwargs: queued.append(kwargs)
    )
    cache.delete(aggregates.PENDING_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        deal = supply_deal()
        DealPartyFactory(deal=deal, company=CompanyFactory(), role="partner")
        assert queued == []  # nothing before the commit
    assert queued == [{"countdown": aggregates.REFRESH_DELAY_SECONDS}]
    aggregates.refresh()  # the task clears the pending mark: the next write queues again
    with django_capture_on_commit_callbacks(execute=True):
        supply_deal()
    assert len(queued) == 2


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_a_rolled_back_write_does_not_hold_off_the_next(
    monkeypatch, django_capture_on_commit_callbacks
):
    """A write that rolls back queues nothing and leaves the next committed write free to."""
    from django.db import transaction

    from dashboard import tasks

    queued = []
    monkeypatch.setattr(
        tasks.refresh_aggregates, "apply_async", lambda **kwargs: queued.append(kwargs)
    )
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        supply_deal()
        raise RuntimeError("the write fails after saving")
    assert queued == [] and cache.get(aggregates.PENDING_KEY) is None
    with django_capture_on_commit_callbacks(execute=True):
        supply_deal()
    assert len(queued) == 1


def test_a_broker_outage_loses_no_write(monkeypatch, django_capture_on_commit_callbacks):
    """If the rebuild cannot be queued, the write stands and the next write tries again."""
    from dashboard import tasks

    def down(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.refresh_aggregates, "apply_async", down)
    with (
        override_settings(CELERY_TASK_ALWAYS_EAGER=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        deal = supply_deal()
    assert Deal.objects.filter(pk=deal.pk).exists()
    assert cache.get(aggregates.PENDING_KEY) is None


def test_overview_draws_deals_per_year_when_too_many_to_draw_each(client, article, monkeypatch):
    """Past the overview's limit the timeline becomes yearly bars by status, and says so."""
    monkeypatch.setattr(aggregates, "OVERVIEW_TIMELINE_LIMIT", 3)
    page = client.get("/")
    figure = page.context["overview"]["timeline_figure"]
    # Bars of deals, and the context events as stars over their years.
    assert {trace["type"] for trace in figure["data"]} == {"bar", "scatter"}
    assert figure["layout"]["barmode"] == "stack"
    bars = [trace for trace in figure["data"] if trace["type"] == "bar"]
    # Undated deals have a column of their own, so the bars count every deal.
    assert sum(sum(y or 0 for y in trace["y"]) for trace in bars) == Deal.objects.count()
    assert "Too many deals match to draw each one" in page.content.decode()
    response = client.get("/charts/timeline.csv")
    assert 'filename="timeline-by-year.csv"' in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    csv = [line for line in lines if not line.startswith("# ")]  # title, filter, licence
    assert csv[0].startswith("year,status,confirmed,deals")
