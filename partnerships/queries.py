"""Reads shared by the API, the web pages and the charts, so their numbers agree.

Each function takes a Deal queryset (usually filtered by `filters.DealFilter`, never sliced) and
costs a fixed number of queries however many rows match. Outputs of the aggregate functions are
plain dicts and lists with JSON-ready values: Decimal becomes float, dates ISO strings.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, JSONArray
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django_countries import countries

from partnerships.dates import format_precise, period_end
from partnerships.models import (
    Citation,
    Company,
    CompanyAlias,
    CompanyIdentifier,
    ContextEvent,
    Deal,
    DealEdge,
    DealParty,
    Source,
    StatusChange,
    VehicleModel,
)

DEFAULT_DEAL_ORDER = (F("announced_on").desc(nulls_last=True), "title", "id")


def _float(value):
    return float(value) if isinstance(value, Decimal) else value


def _iso(value):
    return value.isoformat() if value else None


def _url(name, *args):
    """A page's address, or "" while the web pages that serve it are not mounted."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def slug_or_id_lookup(value) -> dict:
    """Rows are named by slug or by numeric id; an id too large for the database is no id."""
    value = str(value).strip()
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return {"pk": int(value)}
    if "\x00" in value:  # no slug has one, and PostgreSQL refuses NUL in a query
        return {"pk__in": []}
    return {"slug": value}


def _ids(deals_qs):
    return deals_qs.order_by().values("pk")


def country_name(code):
    return str(countries.name(code)) if code else ""


def _country_order(code):
    # "KR-CN", not "CN-KR": the product reads Korea first, China second, then the rest.
    return (code != "KR", code != "CN", code)


def country_pair_key(first, second):
    a, b = sorted((first, second), key=_country_order)
    return f"{a}-{b}"


# --- what readers may see ------------------------------------------------------------------------


def readable(model) -> QuerySet:
    """The rows of `model` that readers may see: for deals, companies and vehicle models only the
    published ones (`services.*_publication`: cited, and naming only published rows). Every read
    below starts from here or narrows what it is given to it, so no page, count, chart or export
    shows an unsourced record."""
    if any(field.name == "published" for field in model._meta.concrete_fields):
        return model.objects.filter(published=True)
    return model.objects.all()


def published_deals(qs: QuerySet | None = None) -> QuerySet:
    """`qs` (every deal when None) without the unpublished ones."""
    return readable(Deal) if qs is None else qs.filter(published=True)


# --- deals ---------------------------------------------------------------------------------------


def parties_prefetch():
    return Prefetch(
        "parties",
        queryset=DealParty.objects.select_related("company").order_by("role", "company__name"),
    )


def deals_for_list(qs: QuerySet | None = None) -> QuerySet:
    """Deals with their parties and companies, vehicle models and citations with sources in
    four queries in all, ordered newest announced first (id breaks ties) unless already ordered."""
    qs = published_deals(qs)
    if not qs.query.order_by:
        qs = qs.order_by(*DEFAULT_DEAL_ORDER)
    return qs.prefetch_related(
        parties_prefetch(),
        Prefetch("vehicle_models", queryset=VehicleModel.objects.select_related("maker")),
        Prefetch("citations", queryset=Citation.objects.select_related("source")),
    )


def deal_detail(slug, *, include_unpublished: bool = False) -> Deal:
    """One deal by slug (or numeric id) with everything its page shows; 404 when unknown, or
    unpublished unless an editor asks (`include_unpublished`)."""
    lookup = slug_or_id_lookup(slug)
    base = Deal.objects.all() if include_unpublished else published_deals()
    qs = base.prefetch_related(
        parties_prefetch(),
        Prefetch(
            "status_history",
            queryset=StatusChange.objects.select_related("source").order_by("effective_on", "id"),
        ),
        Prefetch("citations", queryset=Citation.objects.select_related("source")),
        Prefetch("vehicle_models", queryset=VehicleModel.objects.select_related("maker")),
    )
    return get_object_or_404(qs, **lookup)


STATUS_LABELS = dict(Deal.Status.choices)

DEAL_ROW_FIELDS = (
    "id",
    "slug",
    "title",
    "kind",
    "status",
    "product",
    "product_detail",
    "cell_format",
    "chemistry",
    "volume_gwh",
    "volume_gwh_estimated",
    "vehicle_count",
    "vehicle_count_estimated",
    "term_years",
    "announced_on",
    "announced_precision",
    "announced_estimated",
    "start_on",
    "start_precision",
    "start_estimated",
    "end_on",
    "end_precision",
    "end_estimated",
    "market",
    "updated_at",
)


def _primary_citation(citations, history):
    """The sentence that best states a deal: a citation of the whole record, else any citation,
    else the newest step of its status history."""
    whole = [c for c in citations if not c["field"]]
    if whole or citations:
        return (whole or citations)[0]
    return history[-1] if history else None


def _attach(deal_rows, with_history):
    """Parties, vehicle models, citations (and status history) of a chunk of deal rows, in three
    or four queries whatever the chunk's size."""
    ids = [row["id"] for row in deal_rows]
    parties, vehicles, citations, history = (defaultdict(list) for _ in range(4))
    for row in (
        DealParty.objects.filter(deal_id__in=ids)
        .values(
            "deal_id",
            "role",
            "note",
            "company_id",
            "company__slug",
            "company__name",
            "company__name_ko",
            "company__name_zh",
            "company__country",
            "company__hq_latitude",
            "company__hq_longitude",
        )
        .order_by("deal_id", "role", "company__name")
    ):
        parties[row["deal_id"]].append(
            {
                "id": row["company_id"],
                "company_id": row["company_id"],
                "slug": row["company__slug"],
                "name": row["company__name"],
                "name_ko": row["company__name_ko"],
                "name_zh": row["company__name_zh"],
                "country": row["company__country"],
                "role": row["role"],
                "note": row["note"],
                "lat": _float(row["company__hq_latitude"]),
                "lon": _float(row["company__hq_longitude"]),
            }
        )
    for row in (
        Deal.vehicle_models.through.objects.filter(deal_id__in=ids)
        .values("deal_id", "vehiclemodel__slug", "vehiclemodel__name", "vehiclemodel__maker_id")
        .order_by("deal_id", "vehiclemodel__name")
    ):
        vehicles[row["deal_id"]].append(
            {
                "slug": row["vehiclemodel__slug"],
                "name": row["vehiclemodel__name"],
                "maker_id": row["vehiclemodel__maker_id"],
            }
        )
    for row in (
        Citation.objects.filter(deal_id__in=ids)
        .values("deal_id", "quote", "field", "claim", "source__title", "source__url")
        .order_by("deal_id", "source_id", "id")
    ):
        citations[row["deal_id"]].append(row)
    if with_history:
        for row in (
            StatusChange.objects.filter(deal_id__in=ids)
            .values(
                "deal_id",
                "status",
                "effective_on",
                "effective_precision",
                "quote",
                "source__title",
                "source__url",
            )
            .order_by("deal_id", "effective_on", "id")
        ):
            history[row["deal_id"]].append(row)
    for row in deal_rows:
        pk = row["id"]
        primary = _primary_citation(citations[pk], history[pk])
        row.update(
            parties=parties[pk],
            vehicle_models=vehicles[pk],
            citations=citations[pk],
            status_history=history[pk],
            status_label=str(STATUS_LABELS.get(row["status"], row["status"])),
            source_title=primary["source__title"] if primary else "",
            source_url=primary["source__url"] if primary else "",
            quote=primary["quote"] if primary else "",
        )
    return deal_rows


def deal_rows(deals_qs: QuerySet, chunk_size: int = 500, with_history: bool = True):
    """Every deal of `deals_qs`, in its order, as a plain dict with its parties, vehicle models,
    citations, status history and primary quote; read in chunks, so memory stays flat and each
    chunk costs five queries. For exports and timelines, where model instances cost too much."""
    rows = (
        published_deals(deals_qs)
        .prefetch_related(None)
        .values(*DEAL_ROW_FIELDS)
        .iterator(chunk_size)
    )
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == chunk_size:
            yield from _attach(chunk, with_history)
            chunk = []
    if chunk:
        yield from _attach(chunk, with_history)


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


# --- scope of an aggregate -----------------------------------------------------------------------

# Every aggregate below is computed by the database (GROUP BY) and returns a bounded number of
# rows, whatever the number of deals; the unfiltered ones are also precomputed (`aggregates.py`).


def _is_published_filter(node) -> bool:
    return (
        getattr(node, "lookup_name", None) == "exact"
        and getattr(getattr(node, "lhs", None), "target", None) is not None
        and node.lhs.target.name == "published"
        and node.lhs.target.model is Deal
        and node.rhs is True
    )


def is_whole(deals_qs: QuerySet) -> bool:
    """True when `deals_qs` is every published deal (or every deal): the aggregates then read the
    tables directly rather than through `IN (every id)`, which the database would build first."""
    where = deals_qs.query.where
    if deals_qs.query.distinct or where.negated or where.connector != "AND":
        return False
    return all(_is_published_filter(child) for child in where.children)


def _scope(deals_qs: QuerySet) -> QuerySet:
    if is_whole(deals_qs):
        return published_deals()
    return published_deals().filter(pk__in=_ids(deals_qs))


def _parties_of(deals_qs: QuerySet) -> QuerySet:
    if is_whole(deals_qs):
        return DealParty.objects.filter(deal__published=True)
    return DealParty.objects.filter(deal__in=_ids(published_deals(deals_qs)))


def _deal_condition(deals_qs: QuerySet, column: str) -> tuple[str, list]:
    """A SQL condition keeping `column` (a deal id) to the published deals of `deals_qs`, with
    its parameters."""
    sql, params = _ids(published_deals(deals_qs)).query.sql_with_params()
    return f"{column} IN ({sql})", list(params)


def _id_list(ids) -> str:
    """Integer ids written into SQL; int() makes sure nothing else can be. Never empty."""
    return ", ".join(str(int(pk)) for pk in ids) or "NULL"


def _tables():
    return {
        "deal": connection.ops.quote_name(Deal._meta.db_table),
        "party": connection.ops.quote_name(DealParty._meta.db_table),
        "company": connection.ops.quote_name(Company._meta.db_table),
    }


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _gwh_total(value) -> float:
    return float(value or 0)


def _gwh_sum(value) -> float | None:
    """A sum of volumes: None when no deal in the group has a known volume, never 0 for
    unknown (the count of deals without a volume is reported beside it)."""
    return None if value is None else float(value)


# --- headline figures ----------------------------------------------------------------------------


def headline_figures(deals_qs: QuerySet) -> dict:
    """Deal count, agreed and discussed GWh, and the companies involved by country: 2 queries."""
    agreed, discussed = Q(status__in=Deal.AGREED), Q(status__in=Deal.UNDER_DISCUSSION)
    unknown = Q(volume_gwh__isnull=True)
    totals = _scope(deals_qs).aggregate(
        deals=Count("pk"),
        volume_gwh_agreed=Sum("volume_gwh", filter=agreed),
        volume_gwh_under_discussion=Sum("volume_gwh", filter=discussed),
        deals_without_volume_agreed=Count("pk", filter=agreed & unknown),
        deals_without_volume_under_discussion=Count("pk", filter=discussed & unknown),
    )
    by_country = (
        _parties_of(deals_qs)
        .values("company__country")
        .annotate(count=Count("company", distinct=True))
        .order_by("-count", "company__country")
    )
    companies_by_country = [
        {
            "country": row["company__country"],
            "name": country_name(row["company__country"]),
            "count": row["count"],
        }
        for row in by_country
    ]
    return {
        "deals": totals["deals"],
        "volume_gwh_agreed": _gwh_sum(totals["volume_gwh_agreed"]),
        "volume_gwh_under_discussion": _gwh_sum(totals["volume_gwh_under_discussion"]),
        "deals_without_volume_agreed": totals["deals_without_volume_agreed"],
        "deals_without_volume_under_discussion": totals["deals_without_volume_under_discussion"],
        "companies": sum(row["count"] for row in companies_by_country),
        "companies_by_country": companies_by_country,
    }


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
    """A deal row (from `deal_rows`) as a timeline item, dated by its announcement, else its
    start (`date_kind` names which: every label and hover says it). An undated deal is an item
    with `date` None, so that lists and counts of the timeline keep it."""
    if row["announced_on"]:
        when = (row["announced_on"], row["announced_precision"], row["announced_estimated"])
        dated, date_kind = _dated(*when, language), "announced"
    elif row["start_on"]:
        when = (row["start_on"], row["start_precision"], row["start_estimated"])
        dated, date_kind = _dated(*when, language), "start"
    else:
        dated, date_kind = UNDATED, ""
    term_end, term_end_precision, term_end_estimated = _term_end(row)
    return {
        "kind": "deal",
        "slug": row["slug"],
        "title": row["title"],
        "url": _url("dashboard:deal-detail", row["slug"]),
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
        "volume_gwh": _float(row["volume_gwh"]),
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
            "title": event["title"],
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


def _timeline_date():
    """The one date a deal is placed and counted by, everywhere (timeline, year filter, stats'
    years, CSVs): its announcement, else its start."""
    return Coalesce("announced_on", "start_on")


def deal_year():
    """The year a deal counts in (`_timeline_date`), for filters and aggregates."""
    return ExtractYear(_timeline_date())


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
    queries. Seven queries with events, five without."""
    deals = _scope(deals_qs)
    if not include_undated:
        deals = deals.filter(Q(announced_on__isnull=False) | Q(start_on__isnull=False))
    deals = deals.order_by(_timeline_date().desc(nulls_last=True), "-id").values(*DEAL_ROW_FIELDS)
    rows = _attach(list(deals if limit is None else deals[:limit]), with_history=True)
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
    """Deals and GWh per year (of the announcement, else the start) and status, in one GROUP BY:
    `buckets`, the dated `total`, the `undated` count and its split per status."""
    rows = (
        _scope(deals_qs)
        .annotate(year=deal_year())
        .values("year", "status")
        .annotate(
            deals=Count("pk"),
            gwh=Sum("volume_gwh"),
            without_volume=Count("pk", filter=Q(volume_gwh__isnull=True)),
        )
        .order_by()
    )
    status_order = list(Deal.Status.values)
    buckets, undated, undated_by_status = [], 0, []
    for row in rows:
        if row["year"] is None:
            undated += row["deals"]
            undated_by_status.append(
                {
                    "year": None,
                    "status": row["status"],
                    "status_label": str(STATUS_LABELS.get(row["status"], row["status"])),
                    "deals": row["deals"],
                    "volume_gwh": _gwh_sum(row["gwh"]),
                    "deals_without_volume": row["without_volume"],
                }
            )
            continue
        buckets.append(
            {
                "year": row["year"],
                "status": row["status"],
                "status_label": str(STATUS_LABELS.get(row["status"], row["status"])),
                "deals": row["deals"],
                "volume_gwh": _gwh_sum(row["gwh"]),
                "deals_without_volume": row["without_volume"],
            }
        )
    buckets.sort(key=lambda b: (b["year"], status_order.index(b["status"])))
    undated_by_status.sort(key=lambda b: status_order.index(b["status"]))
    return {
        "buckets": buckets,
        "total": sum(b["deals"] for b in buckets),
        "undated": undated,
        "undated_by_status": undated_by_status,
    }


def timeline_undated_count(deals_qs: QuerySet) -> int:
    return (
        published_deals(deals_qs).filter(announced_on__isnull=True, start_on__isnull=True).count()
    )


# --- supply graph --------------------------------------------------------------------------------

GRAPH_LIMIT = 50  # companies with a node of their own unless asked otherwise
GRAPH_MAX_EDGES = 1000  # the strongest edges; the rest are counted in `edges_omitted`
OTHERS_SLUGS = 20  # slugs listed per merged country node


# The stored edges (`DealEdge`, one row per line a deal draws), grouped per pair of nodes,
# status and roles: a company among the kept ones is its own node, any other is merged into its
# country's node. `{src_kept}`/`{dst_kept}` say whether an end keeps its own node.
_EDGES_SQL = """
SELECT
    CASE WHEN {src_kept} THEN e.source_id END,
    CASE WHEN {src_kept} THEN '' ELSE cs.country END,
    CASE WHEN {dst_kept} THEN e.target_id END,
    CASE WHEN {dst_kept} THEN '' ELSE ct.country END,
    e.status, e.source_role, e.target_role,
    COUNT(*), SUM(e.volume_gwh), COUNT(e.volume_gwh), MIN(e.deal_id),
    MIN(e.kind), MAX(e.kind), MIN(e.product), MAX(e.product)
FROM {edge} e
JOIN {company} cs ON cs.id = e.source_id
JOIN {company} ct ON ct.id = e.target_id
WHERE {condition} AND {touching}
GROUP BY 1, 2, 3, 4, 5, 6, 7
"""

# Ties broken by id, not name: names sort by the database's collation, which differs between
# PostgreSQL's locales and SQLite, and the cut at `limit` must not.
_RANK_SQL = """
SELECT x.company_id, c.country, COUNT(*) AS deals, COALESCE(SUM(d.volume_gwh), 0) AS gwh
FROM (SELECT DISTINCT dp.deal_id, dp.company_id FROM {party} dp WHERE {condition}) x
JOIN {deal} d ON d.id = x.deal_id
JOIN {company} c ON c.id = x.company_id
GROUP BY x.company_id, c.country
ORDER BY deals DESC, gwh DESC, x.company_id
"""

_OTHERS_DEALS_SQL = """
SELECT x.country, COUNT(*), SUM(d.volume_gwh)
FROM (
    SELECT DISTINCT c.country, dp.deal_id
    FROM {party} dp JOIN {company} c ON c.id = dp.company_id
    WHERE {condition} AND dp.company_id NOT IN ({kept})
) x JOIN {deal} d ON d.id = x.deal_id
GROUP BY x.country
"""

_OTHERS_COMPANIES_SQL = """
SELECT country, slug, companies FROM (
    SELECT c.country, c.slug,
           ROW_NUMBER() OVER (PARTITION BY c.country ORDER BY c.slug) AS rn,
           COUNT(*) OVER (PARTITION BY c.country) AS companies
    FROM {company} c
    WHERE c.id IN (SELECT dp.company_id FROM {party} dp WHERE {condition})
      AND c.id NOT IN ({kept})
) y
WHERE rn <= {slugs}
ORDER BY country, slug
"""


# The slug, title and vehicle models of the deals that are an edge on their own. Run even when
# there are none (`_id_list` gives NULL), so the query count never depends on the data.
_SINGLE_DEALS_SQL = """
SELECT d.id, d.slug, d.title, v.slug, v.name, v.maker_id
FROM {deal} d
LEFT JOIN {through} t ON t.deal_id = d.id
LEFT JOIN {vehicle} v ON v.id = t.vehiclemodel_id
WHERE d.id IN ({deals})
ORDER BY d.id, v.name, v.id
"""


def others_node(country, deal_count, gwh):
    """The node standing for a country's companies beyond a graph's limit."""
    return {
        "id": f"others-{country}",
        "slug": "",
        "name": f"Others ({country})",
        "name_ko": "",
        "name_zh": "",
        "country": country,
        "chain_role": "",
        "lat": None,
        "lon": None,
        "hq_city": "",
        "deal_count": deal_count,
        "gwh": gwh,
        "merged": True,
    }


def _edge_node(kept_id, country):
    return kept_id if kept_id is not None else f"others-{country}"


def company_ranking(
    deals_qs: QuerySet, *, limit: int | None = None, exclude=None, only=None
) -> list[tuple]:
    """(company id, country, deals, GWh) for the parties of `deals_qs`, most deals first (then
    GWh, then id), each deal counted once per company whatever its roles in it: one query.
    `exclude` leaves one company out, `only` keeps the listed ones."""
    condition, params = _deal_condition(deals_qs, "dp.deal_id")
    if exclude is not None:
        condition += f" AND dp.company_id <> {int(exclude)}"
    if only is not None:
        condition += f" AND dp.company_id IN ({_id_list(only)})"
    sql = _RANK_SQL.format(condition=condition, **_tables())
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return _fetch(sql, params)


def supply_graph(
    deals_qs: QuerySet,
    limit: int | None = GRAPH_LIMIT,
    *,
    kept_ids: list | None = None,
    touching: int | None = None,
    ranked: list | None = None,
    edge_deals: QuerySet | None = None,
) -> dict:
    """Companies as nodes and deals as edges (deliverer → customer), aggregated by the database
    in six queries (four without `limit`). The `limit` companies with most deals keep their own
    node; the others are merged into one node per country. Edges are summed per pair of nodes,
    status and roles (`deal_count`; a single deal keeps its slug and vehicle models), and only
    the GRAPH_MAX_EDGES strongest are listed, so the output is bounded whatever the data's size.

    A company's own map names its nodes (`kept_ids`, in that order) and draws only the edges
    `touching` it, as the whole graph draws them; `ranked` gives their `company_ranking` rows
    when the caller has them already (one query fewer). `edge_deals` narrows the edges by a
    wider queryset than `deals_qs` where that draws the same edges (every deal, for a company's
    map: the edges touching it are those of its deals), which spares the database a filter."""
    tables = _tables()
    condition, params = _deal_condition(deals_qs, "dp.deal_id")
    if ranked is not None:
        kept_ids = kept_ids if kept_ids is not None else [row[0] for row in ranked]
    elif kept_ids is None:
        ranked = company_ranking(deals_qs, limit=limit)
    else:
        order = {pk: index for index, pk in enumerate(kept_ids)}
        ranked = sorted(company_ranking(deals_qs, only=kept_ids), key=lambda row: order[row[0]])
    merge = limit is not None or kept_ids is not None
    kept_ids = [row[0] for row in ranked]
    kept = _id_list(kept_ids)
    companies = {
        row["id"]: row
        for row in Company.objects.filter(pk__in=kept_ids).values(
            "id",
            "slug",
            "name",
            "name_ko",
            "name_zh",
            "country",
            "chain_role",
            "hq_latitude",
            "hq_longitude",
            "hq_city",
        )
    }
    nodes = [
        {
            "id": company_id,
            "slug": companies[company_id]["slug"],
            "name": companies[company_id]["name"],
            "name_ko": companies[company_id]["name_ko"],
            "name_zh": companies[company_id]["name_zh"],
            "country": companies[company_id]["country"],
            "chain_role": companies[company_id]["chain_role"],
            "lat": _float(companies[company_id]["hq_latitude"]),
            "lon": _float(companies[company_id]["hq_longitude"]),
            "hq_city": companies[company_id]["hq_city"],
            "deal_count": deal_count,
            "gwh": _gwh_total(gwh),
            "merged": False,
        }
        for company_id, _country, deal_count, gwh in ranked
    ]

    others = defaultdict(lambda: {"companies": 0, "slugs": []})
    if merge:
        sql = _OTHERS_COMPANIES_SQL.format(
            condition=condition, kept=kept, slugs=OTHERS_SLUGS, **tables
        )
        for country, slug, count in _fetch(sql, params):
            others[country]["companies"] = count
            others[country]["slugs"].append(slug)
        sql = _OTHERS_DEALS_SQL.format(condition=condition, kept=kept, **tables)
        for country, deal_count, gwh in sorted(_fetch(sql, params)):
            nodes.append(others_node(country, deal_count, _gwh_total(gwh)))

    edge_condition, edge_params = _deal_condition(
        deals_qs if edge_deals is None else edge_deals, "e.deal_id"
    )
    sql = _EDGES_SQL.format(
        condition=edge_condition,
        src_kept=f"e.source_id IN ({kept})" if merge else "1 = 1",
        dst_kept=f"e.target_id IN ({kept})" if merge else "1 = 1",
        touching=(
            "1 = 1"
            if touching is None
            else f"(e.source_id = {int(touching)} OR e.target_id = {int(touching)})"
        ),
        edge=connection.ops.quote_name(DealEdge._meta.db_table),
        **tables,
    )
    grouped = []
    for row in _fetch(sql, edge_params):
        (src_id, src_country, dst_id, dst_country, status, src_role, dst_role) = row[:7]
        count, gwh, with_gwh, first_deal = row[7:11]
        kind_lo, kind_hi, product_lo, product_hi = row[11:]
        source, target = _edge_node(src_id, src_country), _edge_node(dst_id, dst_country)
        if source == target:
            continue
        grouped.append(
            {
                "deal_id": first_deal if count == 1 else None,
                "deal_slug": "",
                "deal_title": f"{count} deals",
                "source": source,
                "target": target,
                "source_role": src_role,
                "target_role": dst_role,
                "status": status,
                "kind": kind_lo if kind_lo == kind_hi else "",
                "product": product_lo if product_lo == product_hi else "",
                "volume_gwh": _float(gwh) if with_gwh else None,
                "vehicle_models": [],
                "deal_count": count,
                "merged": count > 1,
            }
        )
    grouped.sort(
        # Ties broken down to the deal, so that two computations (a snapshot and a live read)
        # list the same edges in the same order whatever order the database returned them in.
        key=lambda e: (
            -e["deal_count"],
            -(e["volume_gwh"] or 0),
            str(e["source"]),
            e["status"],
            str(e["target"]),
            e["source_role"],
            e["target_role"],
            e["deal_id"] or 0,
        )
    )
    edges, omitted = grouped[:GRAPH_MAX_EDGES], grouped[GRAPH_MAX_EDGES:]
    single = defaultdict(list)
    for edge in edges:
        if edge["deal_id"] is not None:
            single[edge["deal_id"]].append(edge)
    sql = _SINGLE_DEALS_SQL.format(
        deals=_id_list(single),
        deal=tables["deal"],
        through=connection.ops.quote_name(Deal.vehicle_models.through._meta.db_table),
        vehicle=connection.ops.quote_name(VehicleModel._meta.db_table),
    )
    for deal_id, slug, title, model_slug, name, maker_id in _fetch(sql, []):
        for edge in single[deal_id]:
            edge.update(deal_slug=slug, deal_title=title)
            if model_slug is not None:
                edge["vehicle_models"].append(
                    {"slug": model_slug, "name": name, "maker_id": maker_id}
                )
    for edge in edges:
        del edge["deal_id"]
    # Stable for readers: strongest first, as ranked above.
    graph = {"nodes": nodes, "edges": edges}
    if others:
        graph["others"] = {country: dict(info) for country, info in sorted(others.items())}
    if omitted:
        graph["edges_omitted"] = {
            "edges": len(omitted),
            "deals": sum(e["deal_count"] for e in omitted),
        }
    return graph


# --- stats ---------------------------------------------------------------------------------------

_COUNTRY_PAIRS_SQL = """
SELECT x.a, x.b, COUNT(*), SUM(d.volume_gwh), COUNT(d.volume_gwh)
FROM (
    SELECT DISTINCT p1.deal_id,
        CASE WHEN c1.country < c2.country THEN c1.country ELSE c2.country END AS a,
        CASE WHEN c1.country < c2.country THEN c2.country ELSE c1.country END AS b
    FROM {party} p1
    JOIN {party} p2 ON p2.deal_id = p1.deal_id AND p2.id > p1.id
    JOIN {company} c1 ON c1.id = p1.company_id
    JOIN {company} c2 ON c2.id = p2.company_id
    WHERE {condition}
) x JOIN {deal} d ON d.id = x.deal_id
GROUP BY x.a, x.b
"""


def _rolled_up(rows, field, labels, order=None):
    """Deals and volume per value of `field`: `volume_gwh` sums the known volumes (None when
    none is known) and `deals_without_volume` counts the others."""
    totals = defaultdict(lambda: [0, None, 0])
    for row in rows:
        total = totals[row[field]]
        total[0] += row["deals"]
        if row["gwh"] is not None:
            total[1] = (total[1] or 0.0) + float(row["gwh"])
        total[2] += row["without_volume"]
    items = [
        {
            "key": key,
            "label": labels(key),
            "deals": deals,
            "volume_gwh": gwh,
            "deals_without_volume": without,
        }
        for key, (deals, gwh, without) in totals.items()
    ]
    return sorted(items, key=order or _by_size)


def _by_size(item):
    return (-item["deals"], -(item["volume_gwh"] or 0), item["key"])


def stats(deals_qs: QuerySet) -> dict:
    """Deal counts and GWh by status, year, country pair and product: 2 queries. A deal's year
    is that of its announcement, else its start (`deal_year`), as on the timeline and in the year
    filter, so that the three count the same deals; "undated" has neither.

    A deal with parties from three countries counts once in each of its country pairs; a deal
    between two companies of one country counts under e.g. "KR-KR".
    """
    status_labels = dict(Deal.Status.choices)
    status_order = list(Deal.Status.values)
    product_labels = dict(Deal.Product.choices)
    rows = list(
        _scope(deals_qs)
        .annotate(year=deal_year())
        .values("status", "year", "product")
        .annotate(
            deals=Count("pk"),
            gwh=Sum("volume_gwh"),
            without_volume=Count("pk", filter=Q(volume_gwh__isnull=True)),
        )
        .order_by()
    )
    by_status = _rolled_up(
        rows,
        "status",
        lambda key: str(status_labels.get(key, key)),
        order=lambda item: status_order.index(item["key"]),
    )
    by_year = _rolled_up(
        rows,
        "year",
        lambda key: str(key) if key else "undated",
        order=lambda item: (item["key"] is None, item["key"] or 0),
    )
    by_product = _rolled_up(rows, "product", lambda key: str(product_labels.get(key, key)))

    condition, params = _deal_condition(deals_qs, "p1.deal_id")
    sql = _COUNTRY_PAIRS_SQL.format(condition=condition, **_tables())
    by_country_pair = []
    for first, second, deals, gwh, with_volume in _fetch(sql, params):
        key = country_pair_key(first, second)
        by_country_pair.append(
            {
                "key": key,
                "label": " – ".join(country_name(code) for code in key.split("-")),
                "deals": deals,
                "volume_gwh": _gwh_sum(gwh),
                "deals_without_volume": deals - with_volume,
            }
        )
    by_country_pair.sort(key=_by_size)
    return {
        "by_status": by_status,
        "by_year": by_year,
        "by_country_pair": by_country_pair,
        "by_product": by_product,
    }


# --- companies -----------------------------------------------------------------------------------


def companies_for_list(qs: QuerySet | None = None, *, include_unpublished=False) -> QuerySet:
    """Companies with their parent and deal counts (all, agreed, under discussion) annotated;
    only the published ones unless an editor asks (`include_unpublished`)."""
    qs = Company.objects.all() if qs is None else qs
    if not include_unpublished:
        qs = qs.filter(published=True)
    if not qs.query.order_by:
        qs = qs.order_by("name", "id")
    published = Q(deal_parties__deal__published=True)
    return qs.select_related("parent").annotate(
        deal_count=Count("deal_parties__deal", distinct=True, filter=published),
        deals_agreed=Count(
            "deal_parties__deal",
            distinct=True,
            filter=published & Q(deal_parties__deal__status__in=Deal.AGREED),
        ),
        deals_under_discussion=Count(
            "deal_parties__deal",
            distinct=True,
            filter=published & Q(deal_parties__deal__status__in=Deal.UNDER_DISCUSSION),
        ),
    )


def company_detail(slug, *, include_unpublished: bool = False) -> Company:
    """One company by slug (or numeric id) with aliases, identifiers, citations and deal
    counts; 404 when unknown (or unpublished, unless an editor asks)."""
    lookup = slug_or_id_lookup(slug)
    qs = companies_for_list(include_unpublished=include_unpublished).prefetch_related(
        Prefetch("aliases", queryset=CompanyAlias.objects.order_by("name")),
        Prefetch("identifiers", queryset=CompanyIdentifier.objects.order_by("scheme", "value")),
        Prefetch("citations", queryset=Citation.objects.select_related("source")),
    )
    return get_object_or_404(qs, **lookup)


class CompanyFamily:
    """Every company's parent link in one query, to walk ownership chains without a query per
    step: Polestar → Volvo Cars → Geely."""

    def __init__(self):
        self.rows = {
            row["id"]: row
            for row in readable(Company).values("id", "slug", "name", "country", "parent_id")
        }
        self.children = defaultdict(list)
        for row in sorted(self.rows.values(), key=lambda r: r["name"]):
            if row["parent_id"]:
                self.children[row["parent_id"]].append(row)

    @staticmethod
    def _brief(row):
        return {"id": row["id"], "slug": row["slug"], "name": row["name"]}

    def parent_chain(self, company_id, parent_id=None):
        """The published owners up from `company_id` (an unpublished company, which an editor
        may be looking at, is not in the rows: give its `parent_id`)."""
        chain, seen = [], {company_id}
        if parent_id is None:
            parent_id = self.rows.get(company_id, {}).get("parent_id")
        while parent_id and parent_id not in seen and parent_id in self.rows:
            chain.append(self._brief(self.rows[parent_id]))
            seen.add(parent_id)
            parent_id = self.rows[parent_id]["parent_id"]
        return chain

    def subsidiaries(self, company_id):
        return [self._brief(row) for row in self.children.get(company_id, [])]


def vehicle_models_for_list(qs: QuerySet | None = None, *, include_unpublished=False) -> QuerySet:
    qs = VehicleModel.objects.all() if qs is None else qs
    if not include_unpublished:
        qs = qs.filter(published=True)
    if not qs.query.order_by:
        qs = qs.order_by("name", "id")
    return qs.select_related("maker", "battery_supplier", "predecessor").annotate(
        deal_count=Count("deals", distinct=True, filter=Q(deals__published=True))
    )


def sources_for_list(qs: QuerySet | None = None) -> QuerySet:
    qs = Source.objects.all() if qs is None else qs
    if not qs.query.order_by:
        qs = qs.order_by(F("published_on").desc(nulls_last=True), "title", "id")
    return qs.defer("text").prefetch_related(
        Prefetch("citations", queryset=Citation.objects.order_by("id"))
    )


def context_events_for_list(qs: QuerySet | None = None) -> QuerySet:
    qs = ContextEvent.objects.all() if qs is None else qs
    if not qs.query.order_by:
        qs = qs.order_by(F("occurred_on").asc(nulls_last=True), "title", "id")
    return qs.prefetch_related(
        Prefetch("citations", queryset=Citation.objects.select_related("source"))
    )


# --- export --------------------------------------------------------------------------------------


class _JsonRows(Subquery):
    """The rows of an ordered, correlated queryset as a JSON list of lists of `fields`, in that
    order ([] when it has none): what a prefetch would read, as one more column of the outer row.

    PostgreSQL keeps a subquery's ORDER BY in ARRAY(...). SQLite before 3.44 takes no ORDER BY
    inside an aggregate: json_group_array reads the ordered subquery in its order (SQLite does so,
    though it does not promise it)."""

    def __init__(self, queryset, *fields):
        super().__init__(queryset.values(item=JSONArray(*fields)), output_field=JSONField())

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return f"TO_JSONB(ARRAY{sql})", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        # Django compiled `sql` from the queryset; nothing in it comes from input.
        return f"(SELECT JSON_GROUP_ARRAY(JSON(item)) FROM {sql})", params  # noqa: S608


def deals_for_export(deals_qs: QuerySet) -> QuerySet:
    """`deals_qs`, in its order, with what a deal export shows beside the deal's own fields, read
    per row by the database so that the whole export is one query: `party_rows`
    ([[name, country, role], ...] ordered by role then company name, as in `deal_rows`),
    `vehicle_model_rows` ([[name], ...]) and `primary_citation` ([source title, source URL,
    quote], chosen by `_primary_citation`'s rule, or None)."""
    parties = DealParty.objects.filter(deal=OuterRef("pk")).order_by(
        "role", "company__name", "company_id"
    )
    vehicles = Deal.vehicle_models.through.objects.filter(deal=OuterRef("pk")).order_by(
        "vehiclemodel__name", "vehiclemodel_id"
    )
    # A citation of the whole record first, then by source and id; else the newest status step.
    citations = Citation.objects.filter(deal=OuterRef("pk")).order_by(
        Case(When(field="", then=Value(0)), default=Value(1)), "source_id", "id"
    )
    history = StatusChange.objects.filter(deal=OuterRef("pk")).order_by("-effective_on", "-id")

    def first_quote(queryset):
        return Subquery(
            queryset.values(item=JSONArray("source__title", "source__url", "quote"))[:1]
        )

    return (
        published_deals(deals_qs)
        .prefetch_related(None)
        .annotate(
            party_rows=_JsonRows(parties, "company__name", "company__country", "role"),
            vehicle_model_rows=_JsonRows(vehicles, "vehiclemodel__name"),
            primary_citation=Coalesce(
                first_quote(citations), first_quote(history), output_field=JSONField()
            ),
        )
    )
