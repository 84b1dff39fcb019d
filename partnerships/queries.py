"""Reads shared by the API, the web pages and the charts, so their numbers agree.

Each function takes a Deal queryset (usually filtered by `filters.DealFilter`, never sliced) and
costs a fixed number of queries however many rows match. Outputs of the aggregate functions are
plain dicts and lists with JSON-ready values: Decimal becomes float, dates ISO strings.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_countries import countries

from .dates import format_precise, period_end
from .models import (
    Citation,
    Company,
    CompanyAlias,
    CompanyIdentifier,
    ContextEvent,
    Deal,
    DealParty,
    PartyRole,
    Source,
    StatusChange,
    VehicleModel,
)

# Who is drawn where on an edge: the party that delivers comes first.
UPSTREAM_ROLES = (PartyRole.SUPPLIER, PartyRole.MANUFACTURER)
ROLE_PRIORITY = {
    role: index
    for index, role in enumerate(
        [
            PartyRole.SUPPLIER,
            PartyRole.MANUFACTURER,
            PartyRole.DEVELOPER,
            PartyRole.INVESTOR,
            PartyRole.PARTNER,
            PartyRole.CUSTOMER,
        ]
    )
}
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


# --- deals ---------------------------------------------------------------------------------------


def parties_prefetch():
    return Prefetch(
        "parties",
        queryset=DealParty.objects.select_related("company").order_by("role", "company__name"),
    )


def deals_for_list(qs: QuerySet | None = None) -> QuerySet:
    """Deals with their parties and companies, vehicle models and citations with sources in
    four queries in all, ordered newest announced first (id breaks ties) unless already ordered."""
    qs = Deal.objects.all() if qs is None else qs
    if not qs.query.order_by:
        qs = qs.order_by(*DEFAULT_DEAL_ORDER)
    return qs.prefetch_related(
        parties_prefetch(),
        Prefetch("vehicle_models", queryset=VehicleModel.objects.select_related("maker")),
        Prefetch("citations", queryset=Citation.objects.select_related("source")),
    )


def deal_detail(slug) -> Deal:
    """One deal by slug (or numeric id) with everything its page shows; 404 when unknown."""
    lookup = slug_or_id_lookup(slug)
    qs = Deal.objects.prefetch_related(
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
    rows = deals_qs.prefetch_related(None).values(*DEAL_ROW_FIELDS).iterator(chunk_size)
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
        try:
            end = start.replace(year=start.year + row["term_years"])
        except ValueError:  # 29 February
            end = start.replace(year=start.year + row["term_years"], day=28)
        return end, row["start_precision"], True
    return None, "", False


# --- headline figures ----------------------------------------------------------------------------


def headline_figures(deals_qs: QuerySet) -> dict:
    """Deal count, agreed and discussed GWh, and the companies involved by country: 2 queries."""
    totals = Deal.objects.filter(pk__in=_ids(deals_qs)).aggregate(
        deals=Count("pk"),
        gwh_agreed=Sum("volume_gwh", filter=Q(status__in=Deal.AGREED)),
        gwh_under_discussion=Sum("volume_gwh", filter=Q(status__in=Deal.UNDER_DISCUSSION)),
    )
    by_country = (
        DealParty.objects.filter(deal__in=_ids(deals_qs))
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
        "gwh_agreed": float(totals["gwh_agreed"] or 0),
        "gwh_under_discussion": float(totals["gwh_under_discussion"] or 0),
        "companies": sum(row["count"] for row in companies_by_country),
        "companies_by_country": companies_by_country,
    }


# --- timeline ------------------------------------------------------------------------------------


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
    start; None when it has neither."""
    if row["announced_on"]:
        when = (row["announced_on"], row["announced_precision"], row["announced_estimated"])
    elif row["start_on"]:
        when = (row["start_on"], row["start_precision"], row["start_estimated"])
    else:
        return None
    term_end, term_end_precision, term_end_estimated = _term_end(row)
    return {
        "kind": "deal",
        "slug": row["slug"],
        "title": row["title"],
        "url": _url("web:deal-detail", row["slug"]),
        **_dated(*when, language),
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
        Citation.objects.filter(context_event_id__in=[e["id"] for e in events])
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


def timeline(deals_qs: QuerySet, include_events: bool = True, language: str = "en") -> list:
    """Dated deals (and context events) in date order; undated deals are left out — see
    `timeline_undated_count`. Seven queries with events, five without, per 900 deals (kept
    under SQLite's oldest limit of 999 parameters per query)."""
    dated = Deal.objects.filter(pk__in=_ids(deals_qs)).filter(
        Q(announced_on__isnull=False) | Q(start_on__isnull=False)
    )
    items = [timeline_deal_item(row, language) for row in deal_rows(dated, chunk_size=900)]
    if include_events:
        items += _timeline_events(language)
    items.sort(key=lambda item: (item["date"], item["kind"] != "event", item["title"]))
    return items


def timeline_undated_count(deals_qs: QuerySet) -> int:
    return deals_qs.filter(announced_on__isnull=True, start_on__isnull=True).count()


# --- supply graph --------------------------------------------------------------------------------


def deal_edges(parties):
    """Pairs of parties to draw: each deliverer to each customer, other parties from the hub."""
    ordered = sorted(parties, key=lambda p: (ROLE_PRIORITY.get(p["role"], 99), p["company_id"]))
    upstream = [p for p in ordered if p["role"] in UPSTREAM_ROLES]
    downstream = [p for p in ordered if p["role"] == PartyRole.CUSTOMER]
    pairs = [(u, d) for u in upstream for d in downstream if u["company_id"] != d["company_id"]]
    covered = {id(p) for pair in pairs for p in pair}
    hub = ordered[0] if ordered else None
    for party in ordered[1:]:
        if id(party) not in covered and party["company_id"] != hub["company_id"]:
            pairs.append((hub, party))
    return pairs


def supply_graph(deals_qs: QuerySet, limit: int | None = None) -> dict:
    """Companies as nodes and deals as edges, four queries. With `limit`, only the top companies
    by deal count keep their own node; the rest are merged into one node per country, and the
    edges to or from merged nodes are summed (`deal_count`, `merged`), which bounds the output."""
    ids = _ids(deals_qs)
    deals = {
        row["pk"]: row
        for row in Deal.objects.filter(pk__in=ids).values(
            "pk", "slug", "title", "status", "kind", "product", "volume_gwh"
        )
    }
    party_rows = list(
        DealParty.objects.filter(deal__in=ids)
        .values("deal_id", "company_id", "role")
        .order_by("deal_id", "id")
    )
    vehicles = defaultdict(list)
    through = Deal.vehicle_models.through
    for row in (
        through.objects.filter(deal__in=ids)
        .values("deal_id", "vehiclemodel__slug", "vehiclemodel__name", "vehiclemodel__maker_id")
        .order_by("vehiclemodel__name")
    ):
        vehicles[row["deal_id"]].append(
            {
                "slug": row["vehiclemodel__slug"],
                "name": row["vehiclemodel__name"],
                "maker_id": row["vehiclemodel__maker_id"],
            }
        )
    company_deals = defaultdict(set)
    parties_by_deal = defaultdict(list)
    for row in party_rows:
        company_deals[row["company_id"]].add(row["deal_id"])
        parties_by_deal[row["deal_id"]].append(row)
    companies = {
        row["id"]: row
        for row in Company.objects.filter(pk__in=company_deals).values(
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

    def gwh(deal_ids):
        return float(sum(deals[d]["volume_gwh"] or 0 for d in deal_ids))

    ranked = sorted(
        company_deals,
        key=lambda c: (-len(company_deals[c]), -gwh(company_deals[c]), companies[c]["name"]),
    )
    kept = set(ranked if limit is None else ranked[:limit])
    node_of = {c: c if c in kept else f"others-{companies[c]['country']}" for c in company_deals}

    nodes = []
    for company_id in ranked:
        if company_id not in kept:
            continue
        company = companies[company_id]
        nodes.append(
            {
                "id": company_id,
                "slug": company["slug"],
                "name": company["name"],
                "name_ko": company["name_ko"],
                "name_zh": company["name_zh"],
                "country": company["country"],
                "chain_role": company["chain_role"],
                "lat": _float(company["hq_latitude"]),
                "lon": _float(company["hq_longitude"]),
                "hq_city": company["hq_city"],
                "deal_count": len(company_deals[company_id]),
                "gwh": gwh(company_deals[company_id]),
                "merged": False,
            }
        )
    others = {}
    merged_deals = defaultdict(set)
    for company_id in ranked:
        if company_id in kept:
            continue
        country = companies[company_id]["country"]
        merged_deals[country] |= company_deals[company_id]
        others.setdefault(country, []).append(companies[company_id]["slug"])
    for country in sorted(others):
        nodes.append(
            {
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
                "deal_count": len(merged_deals[country]),
                "gwh": gwh(merged_deals[country]),
                "merged": True,
            }
        )

    edges, merged_edges = [], {}
    for deal_id, parties in parties_by_deal.items():
        deal = deals[deal_id]
        for source, target in deal_edges(parties):
            source_node, target_node = node_of[source["company_id"]], node_of[target["company_id"]]
            if source_node == target_node:
                continue
            edge = {
                "deal_slug": deal["slug"],
                "deal_title": deal["title"],
                "source": source_node,
                "target": target_node,
                "source_role": source["role"],
                "target_role": target["role"],
                "status": deal["status"],
                "kind": deal["kind"],
                "product": deal["product"],
                "volume_gwh": _float(deal["volume_gwh"]),
                "vehicle_models": vehicles[deal_id],
                "deal_count": 1,
                "merged": False,
            }
            if isinstance(source_node, int) and isinstance(target_node, int):
                edges.append(edge)
                continue
            # Edges to or from a merged node are summed per pair, status and roles, so the
            # output stays bounded however many small companies there are.
            key = (
                source_node,
                target_node,
                edge["status"],
                edge["source_role"],
                edge["target_role"],
            )
            merged_edges.setdefault(key, []).append(edge)
    for group in merged_edges.values():
        first = group[0]
        volumes = [e["volume_gwh"] for e in group if e["volume_gwh"] is not None]
        edges.append(
            {
                **first,
                "deal_slug": "" if len(group) > 1 else first["deal_slug"],
                "deal_title": f"{len(group)} deals" if len(group) > 1 else first["deal_title"],
                "kind": first["kind"] if len({e["kind"] for e in group}) == 1 else "",
                "product": first["product"] if len({e["product"] for e in group}) == 1 else "",
                "volume_gwh": sum(volumes) if volumes else None,
                "vehicle_models": [] if len(group) > 1 else first["vehicle_models"],
                "deal_count": len(group),
                "merged": len(group) > 1,
            }
        )
    graph = {"nodes": nodes, "edges": edges}
    if others:
        graph["others"] = {
            country: {"companies": len(slugs), "slugs": slugs}
            for country, slugs in sorted(others.items())
        }
    return graph


# --- stats ---------------------------------------------------------------------------------------


def _grouped(deals_qs, expression, labels, order=None):
    rows = (
        Deal.objects.filter(pk__in=_ids(deals_qs))
        .annotate(key=expression)
        .values("key")
        .annotate(deals=Count("pk"), gwh=Sum("volume_gwh"))
        .order_by()
    )
    items = [
        {
            "key": row["key"],
            "label": labels(row["key"]),
            "deals": row["deals"],
            "gwh": float(row["gwh"] or 0),
        }
        for row in rows
    ]
    return sorted(items, key=order or (lambda item: (-item["deals"], -item["gwh"], item["key"])))


def stats(deals_qs: QuerySet) -> dict:
    """Deal counts and GWh by status, announced year, country pair and product: 4 queries.

    A deal with parties from three countries counts once in each of its country pairs; a deal
    between two companies of one country counts under e.g. "KR-KR".
    """
    status_labels = dict(Deal.Status.choices)
    status_order = list(Deal.Status.values)
    product_labels = dict(Deal.Product.choices)
    by_status = _grouped(
        deals_qs,
        F("status"),
        lambda key: str(status_labels.get(key, key)),
        order=lambda item: status_order.index(item["key"]),
    )
    by_year = _grouped(
        deals_qs,
        ExtractYear("announced_on"),
        lambda key: str(key) if key else "undated",
        order=lambda item: (item["key"] is None, item["key"] or 0),
    )
    by_product = _grouped(deals_qs, F("product"), lambda key: str(product_labels.get(key, key)))

    deal_countries = defaultdict(list)
    volumes = {}
    for row in (
        DealParty.objects.filter(deal__in=_ids(deals_qs))
        .values("deal_id", "company__country", "deal__volume_gwh")
        .order_by("deal_id", "id")
    ):
        deal_countries[row["deal_id"]].append(row["company__country"])
        volumes[row["deal_id"]] = row["deal__volume_gwh"]
    pairs = defaultdict(lambda: {"deals": 0, "gwh": 0.0})
    for deal_id, codes in deal_countries.items():
        keys = set()
        for i, first in enumerate(codes):
            for second in codes[i + 1 :]:
                keys.add(country_pair_key(first, second))
        for key in keys:
            pairs[key]["deals"] += 1
            pairs[key]["gwh"] += float(volumes[deal_id] or 0)
    by_country_pair = [
        {
            "key": key,
            "label": " – ".join(country_name(code) for code in key.split("-")),
            "deals": value["deals"],
            "gwh": value["gwh"],
        }
        for key, value in pairs.items()
    ]
    by_country_pair.sort(key=lambda item: (-item["deals"], -item["gwh"], item["key"]))
    return {
        "by_status": by_status,
        "by_year": by_year,
        "by_country_pair": by_country_pair,
        "by_product": by_product,
    }


# --- companies -----------------------------------------------------------------------------------


def companies_for_list(qs: QuerySet | None = None) -> QuerySet:
    """Companies with their parent and deal counts (all, agreed, under discussion) annotated."""
    qs = Company.objects.all() if qs is None else qs
    if not qs.query.order_by:
        qs = qs.order_by("name", "id")
    return qs.select_related("parent").annotate(
        deal_count=Count("deal_parties__deal", distinct=True),
        deals_agreed=Count(
            "deal_parties__deal",
            distinct=True,
            filter=Q(deal_parties__deal__status__in=Deal.AGREED),
        ),
        deals_under_discussion=Count(
            "deal_parties__deal",
            distinct=True,
            filter=Q(deal_parties__deal__status__in=Deal.UNDER_DISCUSSION),
        ),
    )


def company_detail(slug) -> Company:
    """One company by slug (or numeric id) with aliases, identifiers, citations and deal
    counts; 404 when unknown."""
    lookup = slug_or_id_lookup(slug)
    qs = companies_for_list(Company.objects.all()).prefetch_related(
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
            for row in Company.objects.values("id", "slug", "name", "country", "parent_id")
        }
        self.children = defaultdict(list)
        for row in sorted(self.rows.values(), key=lambda r: r["name"]):
            if row["parent_id"]:
                self.children[row["parent_id"]].append(row)

    @staticmethod
    def _brief(row):
        return {"id": row["id"], "slug": row["slug"], "name": row["name"]}

    def parent_chain(self, company_id):
        chain, seen = [], {company_id}
        parent_id = self.rows.get(company_id, {}).get("parent_id")
        while parent_id and parent_id not in seen and parent_id in self.rows:
            chain.append(self._brief(self.rows[parent_id]))
            seen.add(parent_id)
            parent_id = self.rows[parent_id]["parent_id"]
        return chain

    def subsidiaries(self, company_id):
        return [self._brief(row) for row in self.children.get(company_id, [])]


def vehicle_models_for_list(qs: QuerySet | None = None) -> QuerySet:
    qs = VehicleModel.objects.all() if qs is None else qs
    if not qs.query.order_by:
        qs = qs.order_by("name", "id")
    return qs.select_related("maker", "battery_supplier", "predecessor").annotate(
        deal_count=Count("deals", distinct=True)
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


HISTORY_MODELS = (
    Company,
    CompanyAlias,
    CompanyIdentifier,
    Deal,
    DealParty,
    StatusChange,
    Source,
    VehicleModel,
    ContextEvent,
    Citation,
)

# --- freshness -----------------------------------------------------------------------------------


def data_version() -> datetime.datetime | None:
    """When the data last changed, in one query: the newest history entry (every write through
    the ORM, deletions included, leaves one) or `updated_at` (fixture loads leave no history).
    None on an empty database."""
    quote = connection.ops.quote_name
    parts = [
        f"(SELECT MAX(updated_at) FROM {quote(model._meta.db_table)})"  # noqa: S608
        for model in (Company, Deal, Source, VehicleModel)
    ] + [
        f"(SELECT MAX(history_date) FROM {quote(model.history.model._meta.db_table)})"  # noqa: S608
        for model in HISTORY_MODELS
    ]
    with connection.cursor() as cursor:
        # Table names come from the models' metadata, never from input.
        cursor.execute("SELECT " + ", ".join(parts))  # noqa: S608
        values = cursor.fetchone()
    stamps = []
    for value in values:
        if isinstance(value, str):  # SQLite hands back text in UTC
            value = datetime.datetime.fromisoformat(value)
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
        if value is not None:
            stamps.append(value)
    return max(stamps, default=None)


def max_updated(qs: QuerySet):
    return qs.order_by().aggregate(latest=Max("updated_at"))["latest"]
