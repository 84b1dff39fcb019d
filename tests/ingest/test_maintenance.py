"""The periodic tasks: stale talks flagged, completeness scored, overview cache warmed."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache

from config.celery import app
from dashboard import tasks as dashboard_tasks
from partnerships import maintenance, tasks
from partnerships.models import Deal
from tests.factories import (
    CitationFactory,
    DealFactory,
    SourceFactory,
    StatusChangeFactory,
    supply_deal,
)

pytestmark = pytest.mark.django_db


def test_talks_with_an_old_newest_source_are_flagged_for_review():
    """A deal in talks whose newest source is older than STALE_TALKS_MONTHS is flagged; a
    recent one and a signed one are not."""
    old = SourceFactory(published_on=datetime.date(2024, 1, 1))
    recent = SourceFactory(published_on=datetime.date(2025, 6, 1))
    stale = DealFactory(status="in_talks")
    StatusChangeFactory(deal=stale, status="in_talks", source=old, effective_on=old.published_on)
    fresh = DealFactory(status="in_talks")
    CitationFactory(deal=fresh, source=recent)
    signed = DealFactory(status="signed")
    CitationFactory(deal=signed, source=old)

    flagged = maintenance.deals_flag_stale_talks(months=6, today=datetime.date(2025, 7, 15))
    assert flagged == [stale.pk]
    stale.refresh_from_db()
    assert stale.needs_review and "Jan 2024" in stale.review_reason
    assert not Deal.objects.get(pk=fresh.pk).needs_review
    assert not Deal.objects.get(pk=signed.pk).needs_review
    # Running again changes nothing.
    assert maintenance.deals_flag_stale_talks(months=6, today=datetime.date(2025, 7, 15)) == []


def test_completeness_counts_sources_volume_term_parties_and_dates():
    """A deal with every expected fact scores 100; one with only its parties scores 20."""
    full = supply_deal(volume_gwh=Decimal("8"), term_years=6)
    CitationFactory(deal=full)
    bare = supply_deal(volume_gwh=None, announced_on=None, announced_precision="")
    version = full.version

    assert maintenance.deals_update_completeness() == 2
    full.refresh_from_db()
    bare.refresh_from_db()
    assert full.completeness == 100 and bare.completeness == 20
    assert full.version == version  # a computed score is no edit
    assert maintenance.deals_update_completeness() == 0


def test_the_periodic_tasks_run_and_are_scheduled():
    """Beat schedules the three tasks, and each runs (in-process here)."""
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(app.tasks)
    assert {
        "partnerships.tasks.flag_stale_talks",
        "partnerships.tasks.update_completeness",
        "dashboard.tasks.refresh_aggregates",
    } <= scheduled
    supply_deal()
    assert tasks.update_completeness.delay().get() == 1
    assert tasks.flag_stale_talks.delay().get() == 0


def test_refresh_aggregates_precomputes_what_every_visitor_reads(monkeypatch, client):
    """After the refresh task, the unfiltered overview, stats, supply graph and timeline are
    read from their snapshots (even with an empty cache): nothing is computed again."""
    from dashboard import aggregates, graph, stats, timeline
    from partnerships.models import AggregateSnapshot

    supply_deal()
    built = dashboard_tasks.refresh_aggregates.delay().get()
    # Every snapshot, and the deals' columns they are counted from.
    assert built == AggregateSnapshot.objects.count() + 1 == len(aggregates.builders()) + 1
    assert dashboard_tasks.refresh_aggregates.delay().get() == 0  # nothing changed: nothing rebuilt
    cache.clear()

    def not_again(*args, **kwargs):
        raise AssertionError("computed again instead of read from the snapshot")

    for module, name in (
        (stats, "headline_figures"),
        (stats, "stats"),
        (graph, "supply_graph"),
        (timeline, "timeline"),
        (timeline, "timeline_summary"),
    ):
        monkeypatch.setattr(module, name, not_again)
    assert client.get("/").status_code == 200
    for url in ("/api/v1/stats/", "/api/v1/supply-graph/", "/api/v1/timeline/"):
        assert client.get(url).status_code == 200, url


def test_months_before_clamps_the_day():
    """Six months before 31 August is the end of February."""
    assert maintenance.months_before(datetime.date(2025, 8, 31), 6) == datetime.date(2025, 2, 28)
