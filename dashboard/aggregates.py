"""Precomputed aggregates of the whole dataset: the unfiltered stats, supply graph, timeline and
overview figures, which every visitor of the dashboard asks for and which cost the database up to
seconds at hundreds of thousands of deals.

Each is stored in an `AggregateSnapshot` row with the data version it was computed from
(`queries.data_version()`, the time of the newest write). A reader uses a snapshot only while
its version is the current one, so a write shows at once: on a miss the aggregate is computed
(by the same SQL as a filtered request) and stored for the next reader. (Two writes committing
in the opposite order of their timestamps leave the version unchanged by the later commit; the
rebuild queued by that commit catches it up.) After every write a Celery task rebuilds the
snapshots in the background (debounced), and the beat runs it every few minutes, so that readers
find them ready. In the embedded default (tasks run in-process) nothing is scheduled on writes:
the first reader after a write recomputes, which on a small database takes milliseconds.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

from partnerships import queries
from partnerships.models import AggregateSnapshot, Deal

logger = logging.getLogger(__name__)

PENDING_KEY = "aggregates:refresh-pending"
REFRESH_DELAY_SECONDS = 2  # writes in a burst share one rebuild
PENDING_TIMEOUT_SECONDS = 120  # a lost task does not block the next schedule for longer
CACHE_SECONDS = 600  # aggregates that are not precomputed, kept under the data version


def whole(key: str, build, version) -> object:
    """The aggregate `key` of every deal at data `version`. A precomputed one (`builders`) comes
    from its snapshot while current, else it is built and stored for the next reader (two
    queries on a hit); any other (an unusual `limit`, say) goes through the cache, so that no
    request can add rows to the snapshot table."""
    if key not in builders():
        cache_key = f"aggregate:{key}:{version.timestamp() if version else 0}"
        payload = cache.get(cache_key)
        if payload is None:
            payload = build()
            cache.set(cache_key, payload, CACHE_SECONDS)
        return payload
    row = AggregateSnapshot.objects.filter(key=key).values_list("data_version", "payload").first()
    if row is not None and row[0] == version:
        return row[1]
    started = time.perf_counter()
    payload = build()
    store(key, version, payload, time.perf_counter() - started)
    return payload


def store(key: str, version, payload, seconds: float) -> None:
    """Saves a snapshot in one upsert, so concurrent readers storing the same key never clash,
    unless a newer one is there already (a slow reader must not replace a fresh rebuild)."""
    if version is not None and (
        AggregateSnapshot.objects.filter(key=key, data_version__gt=version).exists()
    ):
        return
    AggregateSnapshot.objects.bulk_create(
        [
            AggregateSnapshot(
                key=key,
                data_version=version,
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
    return {**queries.stats(deals), "headline": queries.headline_figures(deals)}


def timeline_payload(deals, include_events=True, language="en", limit=queries.TIMELINE_LIMIT):
    items = queries.timeline(deals, include_events=include_events, language=language, limit=limit)
    summary = queries.timeline_summary(deals)
    shown = sum(1 for item in items if item["kind"] == "deal")
    return {**summary, "items": items, "truncated": summary["total"] > shown}


def builders(deals=None) -> dict:
    """What is precomputed: key → (interface language, function building it). The API's
    default aggregates in each interface language (and the timeline's date labels in each),
    and the overview in each language."""
    from dashboard import selectors  # the web layer builds the overview's figures

    deals = Deal.objects.all() if deals is None else deals
    languages = [code for code, _name in settings.LANGUAGES]
    found = {supply_graph_key(queries.GRAPH_LIMIT): (None, lambda: queries.supply_graph(deals))}
    for ui in languages:
        found[stats_key(ui)] = (ui, lambda: stats_payload(deals))
        for dates in languages:
            found[timeline_key(dates, True, queries.TIMELINE_LIMIT, ui)] = (
                ui,
                lambda dates=dates: timeline_payload(deals, language=dates),
            )
        found[overview_key(ui)] = (ui, lambda ui=ui: selectors.overview_payload(deals, ui))
    return found


def refresh() -> dict:
    """Rebuilds the precomputed aggregates that are not current, and drops snapshots nobody
    reads any more. Returns each rebuilt key's build time in ms: nothing when the data has not
    changed since the last rebuild."""
    cache.delete(PENDING_KEY)  # writes from now on schedule a rebuild of their own
    version = queries.data_version()
    wanted = builders()
    AggregateSnapshot.objects.exclude(key__in=wanted).delete()
    current = set(
        AggregateSnapshot.objects.filter(data_version=version).values_list("key", flat=True)
    )
    timings = {}
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
    """Queues one rebuild after the current transaction commits, unless one is pending."""
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


def connect_signals() -> None:
    for model in queries.HISTORY_MODELS:
        post_save.connect(schedule_refresh, sender=model, dispatch_uid=f"aggregates-{model}")
        post_delete.connect(schedule_refresh, sender=model, dispatch_uid=f"aggregates-d-{model}")
    m2m_changed.connect(
        schedule_refresh, sender=Deal.vehicle_models.through, dispatch_uid="aggregates-m2m"
    )
