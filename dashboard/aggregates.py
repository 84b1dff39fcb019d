"""Aggregates read through the one freshness rule: computed once per data version.

An aggregate (stats, supply graph, timeline, a page's figures) is stored under its name and the
data version it was computed at (`partnerships/freshness.py`): the precomputed aggregates of the
whole dataset (`builders()`, which every visitor asks for) in `AggregateSnapshot` rows, any other
(a filter, a company's page, an unusual `limit`) in Django's cache under `freshness.key`. A reader
takes a stored answer only when its version is the current one, so the first reader after a
committed write computes, and every reader after it shares that answer until the next write.

After a write commits, a Celery task rebuilds the snapshots in the background (debounced) and the
beat runs it every few minutes, so that readers find them ready. In the embedded default (tasks
run in-process) nothing is scheduled on writes: the first reader after a write recomputes.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

from dashboard import charts, graph, stats, timeline
from partnerships import columns, freshness
from partnerships.models import AggregateSnapshot, Deal

logger = logging.getLogger(__name__)

PENDING_KEY = "aggregates:refresh-pending"
REFRESH_DELAY_SECONDS = 2  # writes in a burst share one rebuild
PENDING_TIMEOUT_SECONDS = 120  # a lost task does not block the next schedule for longer
CACHE_SECONDS = 600  # how long an answer not precomputed stays, if no write comes first


def read(name: str, build, *, version: freshness.Version, parts=()) -> object:
    """The aggregate `name` (narrowed by `parts`: a filter, a language) at data `version`: the
    stored answer when there is one for this version, else `build()`, stored for the next reader.

    A precomputed one (`builders()`, never with `parts`) is an `AggregateSnapshot` row (one
    query on a hit); any other goes to the cache, so that no request adds rows to that table."""
    if not parts and name in builders():
        row = AggregateSnapshot.objects.filter(key=name).values_list("data_version", "payload")
        row = row.first()
        if row is not None and row[0] == version.number:
            return row[1]
        started = time.perf_counter()
        payload = build()
        store(name, version, payload, time.perf_counter() - started)
        return payload
    cache_key = freshness.key(name, *parts, version=version)
    payload = cache.get(cache_key)
    if payload is None:
        payload = build()
        cache.set(cache_key, payload, CACHE_SECONDS)
    return payload


def store(key: str, version: freshness.Version, payload, seconds: float) -> None:
    """Saves a snapshot in one upsert, so concurrent readers storing the same key never clash,
    unless a newer one is there already (a slow reader must not replace a fresh rebuild)."""
    if AggregateSnapshot.objects.filter(key=key, data_version__gt=version.number).exists():
        return
    AggregateSnapshot.objects.bulk_create(
        [
            AggregateSnapshot(
                key=key,
                data_version=version.number,
                payload=payload,
                built_at=timezone.now(),
                build_ms=round(seconds * 1000),
            )
        ],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["data_version", "payload", "built_at", "build_ms"],
    )


# --- what is precomputed -------------------------------------------------------------------------


# Labels (statuses, products, chart text) are translated when computed, so a snapshot holding
# them is kept per interface language (`ui`).


def stats_key(ui) -> str:
    return f"stats:{ui}"


def supply_graph_key(limit) -> str:
    return f"supply-graph:{limit}"


def timeline_key(language, include_events, limit, ui) -> str:
    return f"timeline:{language}:{int(bool(include_events))}:{limit}:{ui}"


def overview_key(language) -> str:
    return f"overview:{language}"


def stats_payload(deals):
    return {**stats.stats(deals), "headline": stats.headline_figures(deals)}


def timeline_payload(deals, include_events=True, language="en", limit=timeline.TIMELINE_LIMIT):
    items = timeline.timeline(deals, include_events=include_events, language=language, limit=limit)
    summary = timeline.timeline_summary(deals)
    shown = sum(1 for item in items if item["kind"] == "deal")
    return {**summary, "items": items, "truncated": summary["total"] > shown}


MAP_LIMIT = 40  # companies with their own node on the overview's maps; the rest merge per country
OVERVIEW_TIMELINE_LIMIT = 60  # deals drawn one by one on the overview; more are drawn per year


def timeline_chart(deals, language):
    """The overview's timeline: each deal at its date while they are few, else deals per year
    by status. Undated deals are counted either way: listed beside the chart (`undated_items`)
    or in a column of their own. Returns the figure, its CSV rows (so the chart and its
    download agree) and its text for screen readers."""
    summary = timeline.timeline_summary(deals)
    # Read either way, so the overview costs the same queries whatever the number of deals;
    # when every deal fits, the undated ones come last, read by the same queries.
    items = timeline.timeline(
        deals, language=language, limit=OVERVIEW_TIMELINE_LIMIT, include_undated=True
    )
    per_year = summary["total"] + summary["undated"] > OVERVIEW_TIMELINE_LIMIT
    if per_year:
        undated_items = []
        events = [item for item in items if item["kind"] == "event"]
        figure = charts.timeline_buckets_figure(
            summary["buckets"], language, summary["undated_by_status"], events
        )
        rows = charts.timeline_bucket_rows(summary["buckets"], summary["undated_by_status"])
        text = charts.timeline_buckets_text(
            summary["buckets"], summary["undated_by_status"], events
        )
    else:
        undated_items = [item for item in items if item["kind"] == "deal" and not item["date"]]
        figure = charts.timeline_figure(items, language)
        rows = charts.timeline_rows(items)
        text = charts.timeline_text(items, language)
    return {
        "figure": figure,
        "rows": rows,
        "text": text,
        "per_year": per_year,
        "dated": summary["total"],
        "undated": summary["undated"],
        "undated_items": undated_items,
    }


def overview_payload(deals, language):
    """Headline figures and the three charts of the overview, each with its text, for one
    filtered deal queryset: bounded in size and in queries however many deals match."""
    supply = graph.supply_graph(deals, limit=MAP_LIMIT)
    chart = timeline_chart(deals, language)
    return {
        "headline": stats.headline_figures(deals),
        "timeline_figure": chart["figure"],
        "timeline_text": chart["text"],
        "timeline_per_year": chart["per_year"],
        "undated_count": chart["undated"],
        "undated_items": chart["undated_items"],
        **charts.supplier_maps(supply, language),
        "merged": supply.get("others", {}),
    }


def builders(deals=None) -> dict:
    """What is precomputed: key → (interface language, function building it). The API's
    default aggregates in each interface language (and the timeline's date labels in each),
    and the overview in each language."""
    deals = Deal.objects.published() if deals is None else deals
    languages = [code for code, _name in settings.LANGUAGES]
    found = {supply_graph_key(graph.GRAPH_LIMIT): (None, lambda: graph.supply_graph(deals))}
    for ui in languages:
        found[stats_key(ui)] = (ui, lambda: stats_payload(deals))
        for dates in languages:
            found[timeline_key(dates, True, timeline.TIMELINE_LIMIT, ui)] = (
                ui,
                lambda dates=dates: timeline_payload(deals, language=dates),
            )
        found[overview_key(ui)] = (ui, lambda ui=ui: overview_payload(deals, ui))
    return found


def refresh() -> dict:
    """Rebuilds the precomputed aggregates that are not current, and drops snapshots nobody
    reads any more. Returns each rebuilt key's build time in ms: nothing when the data has not
    changed since the last rebuild."""
    cache.delete(PENDING_KEY)  # writes from now on schedule a rebuild of their own
    version = freshness.current()
    wanted = builders()
    AggregateSnapshot.objects.exclude(key__in=wanted).delete()
    current = set(
        AggregateSnapshot.objects.filter(data_version=version.number).values_list("key", flat=True)
    )
    timings = {}
    started = time.perf_counter()
    if columns.build(version):  # what the aggregates below and the web processes count on
        timings["deal-columns"] = round((time.perf_counter() - started) * 1000)
    for key, (language, build) in wanted.items():
        if key in current:
            continue
        started = time.perf_counter()
        with translation.override(language):
            payload = build()
        seconds = time.perf_counter() - started
        store(key, version, payload, seconds)
        timings[key] = round(seconds * 1000)
    return timings


# --- after writes --------------------------------------------------------------------------------


def schedule_refresh(**_kwargs) -> None:
    """Queues one rebuild after the current transaction commits, unless one is pending (a
    write's many bumps, or a burst of writes, share one)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # embedded: readers recompute on a miss; nothing runs in the background

    def enqueue():
        from dashboard.tasks import refresh_aggregates

        # Marked only once committed: a write that rolls back must not hold off the next one.
        if not cache.add(PENDING_KEY, 1, timeout=PENDING_TIMEOUT_SECONDS):
            return
        try:
            refresh_aggregates.apply_async(countdown=REFRESH_DELAY_SECONDS)
        except Exception:  # broker down: the beat and the readers catch up; the write stands
            cache.delete(PENDING_KEY)
            logger.warning("could not queue the aggregates' refresh", exc_info=True)

    transaction.on_commit(enqueue)


# Run once by AppConfig.ready, before mutmut forks a process per mutant, so no test could run a
# mutant of it (scripts/mutation); the tests of every write see the wiring.
def connect_signals() -> None:  # pragma: no mutate block
    freshness.data_changed.connect(schedule_refresh, dispatch_uid="aggregates-refresh")
