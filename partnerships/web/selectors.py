"""Reads only the web pages need. Counts and aggregates come from `queries.py`, shared with the
API; what is here arranges rows for a page (grouping, diffs, marks) and costs a fixed number of
queries."""

import hashlib

from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils.translation import gettext as _

from .. import charts, queries
from ..filters import companies_matching
from ..models import Company, Deal, DealParty, StatusChange, VehicleModel
from .marking import mark_quotes

FIGURE_CACHE_SECONDS = 600
MAP_LIMIT = 40  # companies with their own node on the maps; the rest merge per country


def data_stamp():
    """When the data last changed, as a number for cache keys (one query)."""
    version = queries.data_version()
    return version.timestamp() if version else 0


def fragment_key(language, stamp, querystring):
    """The overview's cached-fragment key: language, data version and filter."""
    digest = hashlib.sha256(querystring.encode()).hexdigest()[:32]
    return f"{language}:{stamp}:{digest}"


def overview_figures(deals, language, stamp=None):
    """Headline figures and the three charts of the overview, for one filtered deal queryset.

    Cached per filter and language, keyed on when the data last changed, so an edit shows at once
    and an unchanged dashboard is drawn from memory.
    """
    query = hashlib.sha256(str(deals.query).encode()).hexdigest()[:32]
    stamp = data_stamp() if stamp is None else stamp
    key = f"overview:{language}:{stamp}:{query}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    graph = queries.supply_graph(deals, limit=MAP_LIMIT)
    result = {
        "headline": queries.headline_figures(deals),
        "timeline_figure": charts.timeline_figure(
            queries.timeline(deals, language=language), language
        ),
        "undated_count": queries.timeline_undated_count(deals),
        "flows_figure": charts.sankey_figure(graph, language),
        "geo_figure": charts.geo_figure(graph, language),
        "merged": graph.get("others", {}),
    }
    cache.set(key, result, FIGURE_CACHE_SECONDS)
    return result


def deal_rows(deals):
    """The deals list's columns as CSV rows, header first."""
    rows = [
        [
            "slug",
            "title",
            "parties",
            "kind",
            "product",
            "volume_gwh",
            "announced",
            "status",
            "vehicle_models",
            "url",
        ]
    ]
    for deal in deals:
        rows.append(
            [
                deal.slug,
                deal.title,
                "; ".join(
                    f"{party.company.name} ({party.get_role_display()})"
                    for party in deal.parties.all()
                ),
                deal.get_kind_display(),
                deal.get_product_display(),
                "" if deal.volume_gwh is None else f"{deal.volume_gwh.normalize():f}",
                deal.announced_display,
                deal.get_status_display(),
                "; ".join(vehicle.name for vehicle in deal.vehicle_models.all()),
                deal.get_absolute_url(),
            ]
        )
    return rows


def citations_by_source(citations):
    """[(source, [{"quote", "claims"}, ...]), ...]: each sentence once, with every claim it
    supports, sources in the order they first appear."""
    grouped = {}
    for citation in citations:
        _source, quotes = grouped.setdefault(citation.source_id, (citation.source, {}))
        claims = quotes.setdefault(citation.quote, [])
        claim = citation.claim or citation.field
        if claim and claim not in claims:
            claims.append(claim)
    return [
        (source, [{"quote": quote, "claims": claims} for quote, claims in quotes.items()])
        for source, quotes in grouped.values()
    ]


def _field_label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field dropped since the version was saved
        return name


def deal_versions(deal, limit=50):
    """The deal's saved versions, newest first, each with the fields it changed."""
    records = list(
        deal.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    versions = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        changed = []
        if older is not None:
            changed = [
                _field_label(Deal, change.field)
                for change in newer.diff_against(
                    older, excluded_fields=["version", "updated_at"]
                ).changes
            ]
        versions.append({"record": newer, "changed": changed})
    return versions[:limit]


def deal_diff(older, newer):
    """(older, newer, [{"field", "old", "new"}]) between two historical records of a deal."""
    delta = newer.diff_against(older, excluded_fields=["version", "updated_at"])
    changes = [
        {"field": _field_label(Deal, change.field), "old": change.old, "new": change.new}
        for change in delta.changes
    ]
    return older, newer, changes


def deals_of_company(company, deals=None):
    """Deals in which the company is any party (a subquery, so no duplicate rows)."""
    deals = Deal.objects.all() if deals is None else deals
    return deals.filter(pk__in=DealParty.objects.filter(company=company).values("deal"))


def company_page(company, language):
    """Everything the company page shows beside the company row itself."""
    deals_qs = deals_of_company(company)
    deals = list(queries.deals_for_list(deals_qs))
    partners = {}
    for deal in deals:
        for party in deal.parties.all():
            if party.company_id != company.pk:
                entry = partners.setdefault(
                    party.company_id, {"company": party.company, "deals": 0}
                )
                entry["deals"] += 1
    family = queries.CompanyFamily()
    graph = queries.supply_graph(deals_qs, limit=MAP_LIMIT)
    vehicles = VehicleModel.objects.filter(
        Q(maker=company) | Q(battery_supplier=company)
    ).select_related("maker", "battery_supplier")
    return {
        "deals": deals,
        "partners": sorted(partners.values(), key=lambda p: (-p["deals"], p["company"].name)),
        "parents": family.parent_chain(company.pk),
        "subsidiaries": family.subsidiaries(company.pk),
        "vehicles": vehicles,
        "citations_by_source": citations_by_source(company.citations.all()),
        "flows_figure": charts.sankey_figure(graph, language) if graph["edges"] else None,
        "geo_figure": charts.geo_figure(graph, language) if graph["edges"] else None,
    }


def source_marks(source):
    """The source's cited sentences, numbered in reading order, each with the facts it states,
    and its text in paragraphs with each sentence marked."""
    citations = source.citations.select_related(
        "company", "deal", "vehicle_model__maker", "context_event"
    ).order_by("id")
    changes = StatusChange.objects.filter(source=source).select_related("deal").order_by("id")
    facts_by_quote: dict[str, list[dict]] = {}
    for citation in citations:
        target = citation.target
        kind = citation.target_kind
        facts_by_quote.setdefault(citation.quote, []).append(
            {
                "target": target,
                "target_kind": kind,
                "url": target.get_absolute_url() if kind != "context_event" else "",
                "what": citation.claim
                or (_field_label(type(target), citation.field) if citation.field else ""),
            }
        )
    for change in changes:
        facts_by_quote.setdefault(change.quote, []).append(
            {
                "target": change.deal,
                "target_kind": "deal",
                "url": change.deal.get_absolute_url(),
                "what": _("status: %(status)s (%(date)s)")
                % {"status": change.get_status_display(), "date": change.effective_display},
            }
        )
    text = source.text or ""
    ordered = sorted(
        facts_by_quote.items(),
        key=lambda item: (text.find(item[0]) == -1, text.find(item[0]), item[0]),
    )
    sentences = [
        {"number": number, "quote": quote, "facts": _unique_facts(facts)}
        for number, (quote, facts) in enumerate(ordered, start=1)
    ]
    paragraphs = mark_quotes(text, [(s["number"], s["quote"]) for s in sentences])
    found = {number for paragraph in paragraphs for seg in paragraph for number in seg["facts"]}
    for sentence in sentences:
        sentence["found"] = sentence["number"] in found
    return {"sentences": sentences, "paragraphs": paragraphs}


def _unique_facts(facts):
    seen, unique = set(), []
    for fact in facts:
        key = (fact["target_kind"], fact["target"].pk, fact["what"])
        if key not in seen:
            seen.add(key)
            unique.append(fact)
    return unique


def search(text, limit=20):
    """Companies, deals and vehicle models matching `text` in any of their names."""
    company_ids = companies_matching(text)
    companies = Company.objects.filter(pk__in=company_ids).order_by("name")[:limit]
    deals = queries.deals_for_list(
        Deal.objects.filter(
            Q(title__icontains=text)
            | Q(slug__icontains=text)
            | Q(pk__in=DealParty.objects.filter(company__in=company_ids).values("deal"))
        )
    )[:limit]
    vehicles = (
        VehicleModel.objects.filter(
            Q(name__icontains=text) | Q(slug__icontains=text) | Q(maker__in=company_ids)
        )
        .select_related("maker")
        .order_by("name")[:limit]
    )
    return {"companies": companies, "deals": deals, "vehicles": vehicles}
