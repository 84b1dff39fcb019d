"""Reads only the web pages need. Counts and aggregates come from `dashboard/` (`stats.py`,
`graph.py`, `timeline.py`) and rows from the models' QuerySet methods (`querysets.py`), shared
with the API; what is here arranges rows for a page (grouping, diffs, marks) and costs a fixed
number of queries."""

import datetime
from types import SimpleNamespace

import numpy as np
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dashboard import aggregates, charts, graph, scope
from dashboard.marking import mark_quotes
from partnerships import columns
from partnerships import search as word_search
from partnerships.countries import country_name
from partnerships.dates import format_precise
from partnerships.models import (
    Citation,
    Company,
    CompanyAlias,
    CompanyIdentifier,
    ContextEvent,
    Deal,
    Ownership,
    PartyRole,
    StatusChange,
    VehicleModel,
)
from partnerships.ownership import owner_chain
from partnerships.querysets import parties_prefetch

STATUS_LABELS = dict(Deal.Status.choices)


def overview_figures(deals, language, version):
    """The overview's figures (`aggregates.overview_payload`) for a filtered deal queryset at
    data `version`: the precomputed snapshot for every deal, else computed once per filter,
    language and version."""
    build = lambda: aggregates.overview_payload(deals, language)  # noqa: E731
    if scope.is_whole(deals):
        return aggregates.read(aggregates.overview_key(language), build, version=version)
    parts = (language, scope.filter_key(deals))
    return aggregates.read("overview", build, version=version, parts=parts)


DEAL_LIST_CSV_HEADER = [
    "slug",
    "display_title",
    "title",
    "parties",
    "kind",
    "product",
    "volume_gwh",
    "announced_display",
    "status",
    "vehicle_models",
    "url",
]


def deal_list_csv(deals):
    """The deals list's columns as CSV rows, header first: the list's deal rows, read in one
    streamed query (`Deal.objects.for_export()`) however many deals there are."""
    yield DEAL_LIST_CSV_HEADER
    for row in deals.for_export().iterator(chunk_size=2000):
        gwh = row["volume_gwh"]
        yield [
            row["slug"],
            row["display_title"],
            row["title"],
            "; ".join(f"{party['name']} ({party['role_label']})" for party in row["parties"]),
            row["kind_label"],
            row["product_label"],
            "" if gwh is None else f"{gwh.normalize():f}",
            row["announced_display"],
            row["status_label"],
            "; ".join(vehicle["name"] for vehicle in row["vehicle_models"]),
            row["url"],
        ]


CITED_MODELS = {
    "company": Company,
    "deal": Deal,
    "vehicle_model": VehicleModel,
    "context_event": ContextEvent,
    "ownership": Ownership,
}


def citations_by_source(citations):
    """[(source, [{"quote", "claims"}, ...]), ...]: each sentence once, with every claim it
    supports, sources in the order they first appear."""
    grouped = {}
    for citation in citations:
        _source, quotes = grouped.setdefault(citation.source_id, (citation.source, {}))
        claims = quotes.setdefault(citation.quote, [])
        # The field a citation states, by its name in the reader's language ("battery
        # supplier", "배터리 공급사"), not its column's.
        claim = citation.claim or (
            _field_label(CITED_MODELS[citation.target_kind], citation.field)
            if citation.field and citation.target_kind in CITED_MODELS
            else citation.field
        )
        if claim and claim not in claims:
            claims.append(claim)
    return [
        (source, [{"quote": quote, "claims": claims} for quote, claims in quotes.items()])
        for source, quotes in grouped.values()
    ]


def steps_as_citations(steps):
    """A deal's status steps in the shape `citations_by_source` reads, so that the source of
    each step is listed under the deal's sources too, with what its sentence states."""
    return [
        SimpleNamespace(
            source_id=step.source_id,
            source=step.source,
            quote=step.quote,
            field="",
            claim=_("status: %(status)s (%(date)s)")
            % {
                "status": step.get_status_display(),
                "date": format_precise(
                    step.effective_on, step.effective_precision, get_language() or "en"
                ),
            },
        )
        for step in steps
    ]


def _field_label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field dropped since the version was saved
        return name


# Bookkeeping columns, and those the whole-deal changes below name better.
_NOT_COMPARED = [
    "version",
    "updated_at",
    "facts",
    "status",
    "published",
    "unpublished_reason",
    "completeness",
]


def _step_text(step):
    """ "signed, 2 Sep 2025, cited to Source title: “quote”" for a status step of `deal_facts`."""
    on = format_precise(
        datetime.date.fromisoformat(step["effective_on"]), step["effective_precision"]
    )
    label = str(STATUS_LABELS.get(step["status"], step["status"]))
    return _("%(status)s, %(date)s, cited to %(source)s: “%(quote)s”") % {
        "status": label,
        "date": on,
        "source": step["source_title"],
        "quote": step["quote"],
    }


ROLE_LABELS = dict(PartyRole.choices)


def _party_text(party):
    return f"{party['name']} ({ROLE_LABELS.get(party['role'], party['role'])})"


def _citation_text(citation):
    what = citation["claim"] or citation["field"]
    head = f"{citation['source_title']}: “{citation['quote']}”"
    return f"{head} ({what})" if what else head


def facts_changes(old: dict, new: dict) -> list[dict]:
    """What changed in a deal's parties, status steps, vehicle models and citations between two
    saved versions (`services.deal_facts`), each change named: "status: not finalized → signed,
    2 Sep 2025, cited to …", "party: + CALB (supplier)"."""
    if not old or not new:
        return (
            []
            if old == new
            else [
                {
                    "field": _("parties, status steps, vehicle models and citations"),
                    "old": _("not recorded in this version") if not old else "",
                    "new": _("not recorded in this version") if not new else "",
                }
            ]
        )
    changes = []
    old_steps, new_steps = old.get("status_history", []), new.get("status_history", [])
    old_last = old_steps[-1] if old_steps else None
    new_last = new_steps[-1] if new_steps else None
    if (old_last or {}).get("status") != (new_last or {}).get("status"):
        changes.append(
            {
                "field": _("status"),
                "old": str(STATUS_LABELS.get(old_last["status"], "")) if old_last else None,
                "new": _step_text(new_last) if new_last else None,
            }
        )
    for name, key, text in (
        (_("status step"), "status_history", _step_text),
        (_("party"), "parties", _party_text),
        (_("vehicle model"), "vehicle_models", lambda v: v["name"]),
        (_("citation"), "citations", _citation_text),
    ):
        before = [text(item) for item in old.get(key, [])]
        after = [text(item) for item in new.get(key, [])]
        for item in before:
            if item not in after:
                changes.append({"field": name, "old": item, "new": None})
        for item in after:
            if item not in before:
                changes.append({"field": name, "old": None, "new": item})
    return changes


def _record_changes(newer, older):
    delta = newer.diff_against(older, excluded_fields=_NOT_COMPARED)
    fields = [
        {"field": _field_label(Deal, change.field), "old": change.old, "new": change.new}
        for change in delta.changes
    ]
    return fields + facts_changes(older.facts or {}, newer.facts or {})


def deal_versions(deal, limit=50):
    """The deal's saved versions, newest first, each with what it changed: its fields and its
    parties, status steps, vehicle models and citations."""
    records = list(
        deal.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    versions = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        changed = []
        if older is not None:
            changed = list(dict.fromkeys(str(c["field"]) for c in _record_changes(newer, older)))
        versions.append({"record": newer, "changed": changed})
    return versions[:limit]


def deal_diff(older, newer):
    """(older, newer, [{"field", "old", "new"}]) between two historical records of a deal, the
    whole deal: its fields, and its parties, status steps, vehicle models and citations."""
    return older, newer, _record_changes(newer, older)


def deals_of_company(company, deals=None):
    """Deals in which the company is any party (a subquery, so no duplicate rows)."""
    deals = Deal.objects.published() if deals is None else deals.published()
    return deals.where(columns.HasParty(companies=(company.pk,)))


PARTNER_LIMIT = 25  # partners a company page names, in its list and on its maps
VEHICLE_LIMIT = 30  # vehicle models a company page lists before linking to the rest
HOLDING_LIMIT = 30  # stakes a company page lists before counting the rest
COMPANY_MAP_EDGES = 200  # the strongest links a company page draws; its CSV lists them all
FAMILY_DEPTH = 6  # owners read with a company in one query (real chains are shorter)


def company_for_page(slug):
    """The company by slug (or id) with its owners up to FAMILY_DEPTH levels, aliases,
    identifiers and citations: four queries whatever its size; 404 when unknown."""
    qs = (
        Company.objects.readable().select_related("__".join(["parent"] * FAMILY_DEPTH))
    ).prefetch_related(
        Prefetch("aliases", queryset=CompanyAlias.objects.order_by("name")),
        Prefetch("identifiers", queryset=CompanyIdentifier.objects.order_by("scheme", "value")),
        Prefetch("citations", queryset=Citation.objects.select_related("source")),
    )
    return get_object_or_404(qs.named(slug))


def _parent_chain(company):
    """Controlling owners from the nearest up (`ownership.owner_chain`), from the rows
    `company_for_page` joined: no query. Stops below an owner readers may not see."""
    rows = {company.pk: company}

    def parent_of(pk):
        parent = rows[pk].parent
        if parent is None or not parent.published:
            return None
        rows[parent.pk] = parent
        return parent.pk

    return [
        {"id": pk, "slug": rows[pk].slug, "name": rows[pk].name}
        for pk in owner_chain(company.pk, parent_of, limit=FAMILY_DEPTH)
    ]


def company_status_counts(company, deals=None):
    """The company's deals counted per status, with the sum of their known volumes (None when
    none is known) and the count of deals without one, in the order of the statuses, counted
    over the deals' columns (`partnerships/columns.py`). `deals` narrows them."""
    c = columns.current()
    mask = columns.mask_of(deals_of_company(company, deals), c)
    deals = np.flatnonzero(mask)
    count, milli, with_volume = columns.totals(c, deals, c.status[deals], len(columns.STATUSES))
    return [
        {
            "status": status,
            "label": label,
            "deals": int(count[code]),
            "volume_gwh": columns.gwh(milli[code], with_volume[code]),
            "deals_without_volume": int(count[code] - with_volume[code]),
        }
        for code, (status, label) in enumerate(Deal.Status.choices)
        if count[code]
    ]


def company_partners(company, deals=None, limit=None):
    """The company's partners (the other parties of its deals), the `limit` with most deals
    (then GWh) named and the others counted per country, in two queries whatever the number of
    deals. Each deal counts once per partner, whatever roles either holds in it. `deals`, a Deal
    queryset, narrows them to those deals."""
    limit = PARTNER_LIMIT if limit is None else limit
    c = columns.current()
    ranking = graph.Ranking(
        c, columns.mask_of(deals_of_company(company, deals), c), exclude=company.pk
    )
    top = ranking.rows(limit)
    companies = Company.objects.in_bulk([row[0] for row in top])
    more = ranking.countries_after(limit)
    return {
        "top": [
            {
                "company": companies[pk],
                "name": companies[pk].name,
                "country": country,
                "deals": deal_count,
                "volume_gwh": scope.gwh_sum(gwh),
                "deals_without_volume": without_volume,
            }
            for pk, country, deal_count, gwh, without_volume in top
        ],
        "total": len(ranking),
        "more": [
            {"country": code, "name": country_name(code), "partners": count}
            for code, count in sorted(more.items(), key=lambda item: (-item[1], item[0]))
        ],
    }


def company_graph(company, partners, status_counts, deals=None, max_edges=None):
    """The company's supplier map, shaped as `graph.supply_graph` and bounded: the company,
    its named partners, one "Others (CN)" node per country for the rest, and the strongest
    `max_edges` (COMPANY_MAP_EDGES unless given) of the edges the whole graph draws from or to
    the company, summed per partner (or country), pair of roles and status (`edges_omitted`
    counts the rest). `deals` narrows them (as it narrowed `partners` and `status_counts`)."""
    own = (
        company.pk,
        company.country.code,
        sum(row["deals"] for row in status_counts),
        scope.gwh_sum_of(row["volume_gwh"] for row in status_counts),
        sum(row["deals_without_volume"] for row in status_counts),
    )
    ranked = [own] + [
        (
            entry["company"].pk,
            entry["country"],
            entry["deals"],
            entry["volume_gwh"],
            entry["deals_without_volume"],
        )
        for entry in partners["top"]
    ]
    return graph.supply_graph(
        deals_of_company(company, deals),
        touching=company.pk,
        ranked=ranked,
        max_edges=COMPANY_MAP_EDGES if max_edges is None else max_edges,
    )


def company_graph_for(company, deals):
    """The company page's map narrowed to `deals` (a filtered Deal queryset), for its CSV:
    every edge, those the page leaves out too."""
    return company_graph(
        company,
        company_partners(company, deals),
        company_status_counts(company, deals),
        deals,
        max_edges=graph.EVERY_EDGE,
    )


def company_page(company, language, version):
    """Everything the company page shows beside the company row and its page of deals
    (`company_figures`), computed once per company, language and data version: a giant's
    partners are read once, not on every visit, and an edit shows at once."""
    figures = aggregates.read(
        "company-page",
        lambda: company_figures(company, language),
        version=version,
        parts=(company.pk, language),
    )
    return {
        **figures,
        "parents": _parent_chain(company),
        "citations_by_source": citations_by_source(company.citations.all()),
    }


def company_figures(company, language):
    """The company page's reads, bounded and in a fixed number of queries however many deals
    and partners the company has: deals per status, the top PARTNER_LIMIT partners named and the
    rest counted per country, the maps drawn from the same partners, its subsidiaries and the
    first VEHICLE_LIMIT vehicle models."""
    status_counts = company_status_counts(company)
    partners = company_partners(company)
    supply = company_graph(company, partners, status_counts)
    # Its owners and its holdings, each with the sentences that state it: two queries.
    stakes = list(Ownership.objects.filter(Q(owner=company) | Q(owned=company)).for_list())
    holdings = [stake for stake in stakes if stake.owner_id == company.pk]
    # The first models chosen before their makers are joined, and counted apart: joined first
    # (and counted by a window over the join), a giant's 3,000 models cost its page 50 ms.
    models = VehicleModel.objects.readable().filter(Q(maker=company) | Q(battery_supplier=company))
    first = models.order_by("name", "id").values("pk")[:VEHICLE_LIMIT]
    vehicles = list(
        VehicleModel.objects.filter(pk__in=first)
        .select_related("maker", "battery_supplier")
        .order_by("name", "id")
    )
    return {
        "deal_total": sum(row["deals"] for row in status_counts),
        "status_counts": status_counts,
        "partners": partners["top"],
        "partner_total": partners["total"],
        "more_partners": partners["more"],
        "owners": [stake for stake in stakes if stake.owned_id == company.pk],
        "holdings": holdings[:HOLDING_LIMIT],
        "holding_total": len(holdings),
        "vehicles": vehicles,
        "vehicle_total": models.count(),
        **_maps(supply, language),
    }


def _maps(supply, language):
    """The company's supplier maps (`charts.supplier_maps`); none without edges."""
    if not supply["edges"]:
        return {"flows_figure": None, "geo_figure": None, "flows_text": None, "geo_text": None}
    return charts.supplier_maps(supply, language)


def source_marks(source, version):
    """The source's cited sentences, numbered in reading order, each with the facts it states,
    and its text in paragraphs with each sentence marked."""
    citations = source.citations.select_related(
        "company",
        "deal",
        "vehicle_model__maker",
        "context_event",
        "ownership__owner",
        "ownership__owned",
    ).order_by("id")
    changes = StatusChange.objects.filter(source=source).select_related("deal").order_by("id")
    facts_by_quote: dict[str, list[dict]] = {}
    for citation in citations:
        target = citation.target
        kind = citation.target_kind
        if not getattr(target, "published", True):
            continue  # an unpublished record: its sentence is not shown as stating anything yet
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
        if not change.deal.published:
            continue
        facts_by_quote.setdefault(change.quote, []).append(
            {
                "target": change.deal,
                "target_kind": "deal",
                "url": change.deal.get_absolute_url(),
                "what": _("status: %(status)s (%(date)s)")
                % {"status": change.get_status_display(), "date": change.effective_display},
            }
        )
    # The deals' parties in one query, for their titles (`titles.deal_title`).
    deals = [
        fact["target"]
        for facts in facts_by_quote.values()
        for fact in facts
        if fact["target_kind"] == "deal"
    ]
    prefetch_related_objects(deals, parties_prefetch())
    text = source.text or ""
    ordered = sorted(
        facts_by_quote.items(),
        key=lambda item: (text.find(item[0]) == -1, text.find(item[0]), item[0]),
    )
    sentences = [
        {"number": number, "quote": quote, "facts": _unique_facts(facts)}
        for number, (quote, facts) in enumerate(ordered, start=1)
    ]
    quotes = [(s["number"], s["quote"]) for s in sentences]
    for sentence in sentences:
        sentence["found"] = bool(sentence["quote"]) and sentence["quote"] in text
    # Marked once per source and data version, not once per reader: a long text costs its
    # marking once per change.
    paragraphs = aggregates.read(
        "source-marks", lambda: mark_quotes(text, quotes), version=version, parts=(source.pk,)
    )
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
    """Companies, deals and vehicle models that every word of `text` names, in any order and
    script (`partnerships.search`); deals ranked best first."""
    companies = (
        word_search.companies_matching_words(text).filter(published=True).order_by("name")[:limit]
    )
    deals = word_search.deals_matching(Deal.objects.published(), text).for_list()[:limit]
    vehicles = (
        word_search.vehicles_matching_words(VehicleModel.objects.readable(), text)
        .select_related("maker")
        .order_by("name")[:limit]
    )
    return {"companies": companies, "deals": deals, "vehicles": vehicles}
