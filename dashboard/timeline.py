"""The timeline: the most recent deals one by one (with context events), and every deal counted
per year and status; a deal is placed by its announcement, else its start (`dates.deal_date`)."""

import datetime

import numpy as np
from django.db.models import QuerySet
from django.utils.translation import get_language

from dashboard import scope
from partnerships import columns, titles
from partnerships.dates import deal_date, format_precise, period_end
from partnerships.models import Citation, ContextEvent, Deal, local_text

STATUS_LABELS = dict(Deal.Status.choices)


def _iso(value):
    return value.isoformat() if value else None


def _term_end(row):
    """The end of a deal's term, or start + term years when only the years are known."""
    if row["end_on"]:
        return row["end_on"], row["end_precision"], row["end_estimated"]
    if row["start_on"] and row["term_years"]:
        start = row["start_on"]
        # Capped at the calendar's last year: stored data may be absurd, the page must not fail.
        year = min(start.year + row["term_years"], datetime.MAXYEAR)
        try:
            end = start.replace(year=year)
        except ValueError:  # 29 February
            end = start.replace(year=year, day=28)
        return end, row["start_precision"], True
    return None, "", False


# --- timeline ------------------------------------------------------------------------------------

TIMELINE_LIMIT = 200  # deals drawn one by one; beyond, the yearly buckets tell the rest


UNDATED = {"date": None, "date_end": None, "precision": "", "label": "", "estimated": False}


def _dated(value, precision, estimated, language):
    return {
        "date": value.isoformat(),
        "date_end": period_end(value, precision).isoformat(),
        "precision": precision,
        "label": format_precise(value, precision, language),
        "estimated": estimated,
    }


def timeline_deal_item(row, language="en"):
    """A deal row (`Deal.objects.for_list()`) as a timeline item, dated by its announcement,
    else its start (`date_kind` names which: every label and hover says it). An undated deal is
    an item with `date` None, so that lists and counts of the timeline keep it."""
    if row["announced_on"]:
        when = (row["announced_on"], row["announced_precision"], row["announced_estimated"])
        dated, date_kind = _dated(*when, language), "announced"
    elif row["start_on"]:
        when = (row["start_on"], row["start_precision"], row["start_estimated"])
        dated, date_kind = _dated(*when, language), "start"
    else:
        dated, date_kind = UNDATED, ""
    term_end, term_end_precision, term_end_estimated = _term_end(row)
    # The row's title is built in the language active while it was read: reused when that is
    # the timeline's, so a timeline of 200 deals builds each title once.
    same = row.get("display_title") and language == (get_language() or "en")
    title = row["display_title"] if same else titles.deal_title(row, language)
    headline = titles.editor_title(row)
    return {
        "kind": "deal",
        "slug": row["slug"],
        "title": title,
        # The editor's English headline where it holds and the title is built in another
        # language: hovers and lists show it beside.
        "headline": headline if headline != title else "",
        "url": row["url"],
        **dated,
        "date_kind": date_kind,
        "status": row["status"],
        "status_label": row["status_label"],
        "deal_kind": row["kind"],
        "product": row["product"],
        "term_start": _iso(row["start_on"]),
        "term_start_precision": row["start_precision"],
        "term_start_label": format_precise(row["start_on"], row["start_precision"], language),
        "term_years": row["term_years"],
        "term_end": _iso(term_end),
        "term_end_precision": term_end_precision,
        "term_end_label": format_precise(term_end, term_end_precision, language),
        "term_end_estimated": term_end_estimated,
        "parties": [
            {
                "name": p["name"],
                "name_ko": p["name_ko"],
                "name_zh": p["name_zh"],
                "role": p["role"],
                "country": p["country"],
            }
            for p in row["parties"]
        ],
        "volume_gwh": scope.number(row["volume_gwh"]),
        "volume_gwh_estimated": row["volume_gwh_estimated"],
        "source_title": row["source_title"],
        "quote": row["quote"],
    }


def _timeline_events(language):
    events = list(
        ContextEvent.objects.filter(occurred_on__isnull=False).values(
            "id",
            "slug",
            "title",
            "title_ko",
            "kind",
            "country",
            "description",
            "occurred_on",
            "occurred_precision",
            "occurred_estimated",
        )
    )
    quotes = {}
    for row in (
        # By join, not by the ids above: an empty id list would skip the query, and the
        # query count would depend on the data.
        Citation.objects.filter(context_event__occurred_on__isnull=False)
        .values("context_event_id", "quote", "source__title")
        .order_by("context_event_id", "source_id", "id")
    ):
        quotes.setdefault(row["context_event_id"], row)
    for event in events:
        cite = quotes.get(event["id"])
        yield {
            "kind": "event",
            "slug": event["slug"],
            "title": local_text(event, "title", language),
            "url": "",
            **_dated(
                event["occurred_on"],
                event["occurred_precision"],
                event["occurred_estimated"],
                language,
            ),
            "event_kind": event["kind"],
            "country": event["country"] or "",
            "description": event["description"],
            "source_title": cite["source__title"] if cite else "",
            "quote": cite["quote"] if cite else "",
        }


def timeline(
    deals_qs: QuerySet,
    include_events: bool = True,
    language: str = "en",
    limit: int | None = TIMELINE_LIMIT,
    include_undated: bool = False,
) -> list:
    """Dated deals (and context events) in date order: the `limit` most recent deals, so the
    output stays bounded (`timeline_summary` counts them all, by year). Undated deals are left
    out unless `include_undated`: then they come last, with `date` None, read by the same
    queries. Four queries with events, two without."""
    c = columns.current()
    mask = columns.mask_of(deals_qs, c)
    if not include_undated:
        mask = mask & (c.year > 0)
    # The most recent first (undated last), then the newest id, chosen over the columns; the
    # database reads the rows of those alone.
    when = np.where(c.announced > 0, c.announced, c.start)
    chosen = np.flatnonzero(mask)
    chosen = chosen[np.lexsort((-c.deal_id[chosen], -when[chosen]))]
    if limit is not None:
        chosen = chosen[:limit]
    deals = Deal.objects.filter(pk__in=c.deal_id[chosen].tolist())
    # Lean rows: an item shows the parties and the primary quote, not the vehicle models.
    rows = list(deals.order_by(deal_date().desc(nulls_last=True), "-id").for_list(lean=True))
    items = [timeline_deal_item(row, language) for row in rows]
    if include_events:
        items += _timeline_events(language)
    items.sort(
        key=lambda item: (
            item["date"] is None,
            item["date"] or "",
            item["kind"] != "event",
            item["title"],
        )
    )
    return items


def timeline_summary(deals_qs: QuerySet) -> dict:
    """Deals and GWh per year (of the announcement, else the start) and status, counted over the
    deals' columns (`partnerships/columns.py`): `buckets`, the dated `total`, the `undated`
    count and its split per status."""
    c = columns.current()
    mask = columns.mask_of(deals_qs, c)
    deals, statuses = np.flatnonzero(mask), len(columns.STATUSES)
    keys = c.year[deals].astype(np.int64) * statuses + c.status[deals]
    groups, inverse = np.unique(keys, return_inverse=True)
    count, milli, with_volume = columns.totals(c, deals, inverse, len(groups))
    buckets, undated_by_status = [], []
    for i, key in enumerate(groups.tolist()):
        year, code = divmod(key, statuses)
        status = columns.STATUSES[code]
        bucket = {
            "year": year or None,
            "status": status,
            "status_label": str(STATUS_LABELS[status]),
            "deals": int(count[i]),
            "volume_gwh": columns.gwh(milli[i], with_volume[i]),
            "deals_without_volume": int(count[i] - with_volume[i]),
        }
        (buckets if year else undated_by_status).append(bucket)
    return {
        "buckets": buckets,
        "total": sum(b["deals"] for b in buckets),
        "undated": sum(b["deals"] for b in undated_by_status),
        "undated_by_status": undated_by_status,
    }


def timeline_undated_count(deals_qs: QuerySet) -> int:
    return deals_qs.published().filter(announced_on__isnull=True, start_on__isnull=True).count()
