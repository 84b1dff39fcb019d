"""The catalogue's reads, named on its QuerySets: `Deal.objects.for_list()`, `.for_export()`,
`.for_detail()`, and `readable()` / `for_list()` for the other models. Pages, the API and the
exports call the same methods, so they show the same rows and count the same deals.

A deal in a list is one shape wherever it is read: a `deal row`, a plain dict holding the deal's
own fields (`models.DEAL_FIELDS`, plus its id and bookkeeping), their labels, its address, its
parties, vehicle models and citations, and the sentence that best states it (`source_title`,
`source_url`, `quote`). `for_list()` reads a page of rows in four queries (the deals, then their
parties, vehicle models and citations); `for_export()` reads every row in one streamed query,
the related rows read by the database as JSON beside each deal. Both build the row with the
same functions below, so the API's list, the web list, the CSVs and the GeoJSON cannot drift.

Models are imported inside the methods: `models.py` builds its managers from this module.
"""

import datetime
from collections import defaultdict
from decimal import Decimal
from urllib.parse import quote

from django.db import models
from django.db.models import (
    Case,
    Count,
    F,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, JSONArray
from django.db.models.query import BaseIterable
from django.urls import NoReverseMatch, reverse
from django.utils.http import RFC3986_SUBDELIMS

# The deals lists' order: newest announced first, undated last, then title and id.
DEFAULT_DEAL_ORDER = (F("announced_on").desc(nulls_last=True), "title", "id")

# A deal row's own columns beside `models.DEAL_FIELDS`: its id and the bookkeeping the API lists.
ROW_BOOKKEEPING = ("needs_review", "completeness", "version", "updated_at")
# Dates with a precision, each shown as one label (`<prefix>_display`).
DEAL_DATES = ("announced", "start", "end")

# What a row holds of each related row, as (the related row's path, ...) in the order the list
# queries and the export's JSON arrays read them (`_party`, `_vehicle_model`, `_citation`).
PARTY_VALUES = (
    "company_id",
    "company__slug",
    "company__name",
    "company__name_ko",
    "company__name_zh",
    "company__country",
    "role",
    "equity_share",
    "note",
    "company__hq_latitude",
    "company__hq_longitude",
)
VEHICLE_MODEL_VALUES = (
    "vehiclemodel_id",
    "vehiclemodel__slug",
    "vehiclemodel__name",
    "vehiclemodel__maker_id",
    "vehiclemodel__maker__slug",
    "vehiclemodel__maker__name",
    "vehiclemodel__powertrain",
)
CITATION_VALUES = (
    "source_id",
    "source__slug",
    "source__title",
    "source__publisher",
    "source__url",
    "source__published_on",
    "source__published_precision",
    "quote",
    "field",
    "claim",
)
QUOTE_VALUES = ("source__title", "source__url", "quote")


def slug_or_id_lookup(value) -> dict:
    """Rows are named by slug or by numeric id; an id too large for the database is no id."""
    value = str(value).strip()
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return {"pk": int(value)}
    if "\x00" in value:  # no slug has one, and PostgreSQL refuses NUL in a query
        return {"pk__in": []}
    return {"slug": value}


def _number(value):
    """A decimal of a related row as JSON writes it (the export's JSON reads it so already)."""
    return float(value) if isinstance(value, Decimal) else value


def _iso(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def _address(view_name):
    """slug → a page's address, from one `reverse()` per read rather than one per row; "" while
    the web pages are not mounted."""
    marker = "slug-marker"
    try:
        head, _, tail = reverse(view_name, args=[marker]).rpartition(marker)
    except NoReverseMatch:
        return lambda slug: ""
    # reverse() percent-encodes the path with these characters left as they are.
    safe = RFC3986_SUBDELIMS + "/~:@"
    return lambda slug: head + quote(slug, safe=safe) + tail


class _Labels:
    """What turns stored values into a row's words, made once per read: choice labels in the
    viewer's language, page addresses."""

    def __init__(self):
        from partnerships.dates import format_precise
        from partnerships.models import Deal, PartyRole
        from partnerships.titles import deal_title

        self.date = format_precise
        self.title = deal_title

        self.status = {key: str(label) for key, label in Deal.Status.choices}
        self.kind = {key: str(label) for key, label in Deal.Kind.choices}
        self.product = {key: str(label) for key, label in Deal.Product.choices}
        self.role = {key: str(label) for key, label in PartyRole.choices}
        self.deal_url = _address("dashboard:deal-detail")
        self.company_url = _address("dashboard:company-detail")


def _party(values, labels):
    (company_id, slug, name, name_ko, name_zh, country, role, share, note, lat, lon) = values
    return {
        "id": company_id,
        "company_id": company_id,
        "slug": slug,
        "name": name,
        "name_ko": name_ko,
        "name_zh": name_zh,
        "country": country,
        "role": role,
        "role_label": labels.role.get(role, role),
        "equity_share": _number(share),
        "note": note,
        "lat": _number(lat),
        "lon": _number(lon),
        "url": labels.company_url(slug),
    }


def _vehicle_model(values):
    pk, slug, name, maker_id, maker_slug, maker_name, powertrain = values
    return {
        "id": pk,
        "slug": slug,
        "name": name,
        "maker": {"id": maker_id, "slug": maker_slug, "name": maker_name},
        "powertrain": powertrain,
    }


def _citation(values):
    (source_id, slug, title, publisher, url, published_on, precision, quote, field, claim) = values
    return {
        "source": {
            "id": source_id,
            "slug": slug,
            "title": title,
            "publisher": publisher,
            "url": url,
            "published_on": _iso(published_on) or None,
            "published_precision": precision,
        },
        "quote": quote,
        "field": field,
        "claim": claim,
    }


def deal_row(values, parties, vehicle_models, citations, primary, labels):
    """The one shape of a deal in a list: `values` (a dict of the deal's columns) completed
    with its labels, address, related rows, primary quote (`primary_citation`) and the title
    readers see (`titles.deal_title`, in the language active while the rows are read)."""
    row = values
    row["status_label"] = labels.status.get(row["status"], row["status"])
    row["kind_label"] = labels.kind.get(row["kind"], row["kind"])
    row["product_label"] = labels.product.get(row["product"], row["product"])
    for prefix in DEAL_DATES:
        row[f"{prefix}_display"] = labels.date(row[f"{prefix}_on"], row[f"{prefix}_precision"])
    row["url"] = labels.deal_url(row["slug"])
    row["parties"] = [_party(party, labels) for party in parties]
    if vehicle_models is not None:  # not read for lean rows (`for_list(lean=True)`)
        row["vehicle_models"] = [_vehicle_model(vehicle) for vehicle in vehicle_models]
    if citations is not None:
        row["citations"] = [_citation(citation) for citation in citations]
    row["source_title"], row["source_url"], row["quote"] = primary or ("", "", "")
    row["display_title"] = labels.title(row)
    return row


def row_columns():
    from partnerships.models import DEAL_FIELDS

    return ("id", *DEAL_FIELDS, *ROW_BOOKKEEPING)


def primary_citation():
    """The sentence that best states a deal, as [source title, source URL, quote] or None: a
    citation of the whole record (no `field`), else any citation, each by source then id; else
    the newest step of its status history. The one rule: lists, exports and the timeline read
    it from here."""
    from partnerships.models import Citation, StatusChange

    citations = Citation.objects.filter(deal=OuterRef("pk")).order_by(
        Case(When(field="", then=Value(0)), default=Value(1)), "source_id", "id"
    )
    steps = StatusChange.objects.filter(deal=OuterRef("pk")).order_by("-effective_on", "-id")

    def first(queryset):
        return Subquery(queryset.values(item=JSONArray(*QUOTE_VALUES))[:1])

    return Coalesce(first(citations), first(steps), output_field=JSONField())


class DealRowIterable(BaseIterable):
    """Deal rows of a list: one query for the deals, then one each for their parties, vehicle
    models and citations, whatever their number; `.iterator(chunk_size=...)` repeats the last
    three per chunk, so that memory stays flat."""

    lean = False  # parties and the primary quote only: no vehicle models, no citations

    def __iter__(self):
        from partnerships.models import Citation, Deal, DealParty

        deals = self.queryset.values(*row_columns(), primary=primary_citation())
        # `.iterator(chunk_size)` reads in chunks; a list, a page or a slice reads in one.
        chunk_size = self.chunk_size if self.chunked_fetch else None
        labels = _Labels()

        def rows_of(chunk):
            ids = [row["id"] for row in chunk]
            parties, vehicles, citations = defaultdict(list), defaultdict(list), defaultdict(list)
            for deal_id, *values in (
                DealParty.objects.filter(deal_id__in=ids)
                .order_by("deal_id", "role", "company__name", "company_id")
                .values_list("deal_id", *PARTY_VALUES)
            ):
                parties[deal_id].append(values)
            if not self.lean:
                for deal_id, *values in (
                    Deal.vehicle_models.through.objects.filter(deal_id__in=ids)
                    .order_by("deal_id", "vehiclemodel__name", "vehiclemodel_id")
                    .values_list("deal_id", *VEHICLE_MODEL_VALUES)
                ):
                    vehicles[deal_id].append(values)
                for deal_id, *values in (
                    Citation.objects.filter(deal_id__in=ids)
                    # Citation's own order: by source (newest published first, then title), id.
                    .order_by("deal_id", "source", "id")
                    .values_list("deal_id", *CITATION_VALUES)
                ):
                    citations[deal_id].append(values)
            for row in chunk:
                pk, primary = row["id"], row.pop("primary")
                models, cited = (None, None) if self.lean else (vehicles[pk], citations[pk])
                yield deal_row(row, parties[pk], models, cited, primary, labels)

        chunk = []
        rows = deals._iterable_class(deals, self.chunked_fetch, self.chunk_size)
        for row in rows:
            chunk.append(row)
            if chunk_size is not None and len(chunk) == chunk_size:
                yield from rows_of(chunk)
                chunk = []
        if chunk:
            yield from rows_of(chunk)


class LeanDealRowIterable(DealRowIterable):
    lean = True


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


class ExportRowIterable(BaseIterable):
    """Deal rows read in one query, each deal's parties, vehicle models, citations and primary
    quote read by the database beside it (`_JsonRows`): one streamed query for any number of
    deals (a server-side cursor on PostgreSQL)."""

    def __iter__(self):
        from partnerships.models import Citation, Deal, DealParty

        parties = DealParty.objects.filter(deal=OuterRef("pk")).order_by(
            "role", "company__name", "company_id"
        )
        vehicles = Deal.vehicle_models.through.objects.filter(deal=OuterRef("pk")).order_by(
            "vehiclemodel__name", "vehiclemodel_id"
        )
        citations = Citation.objects.filter(deal=OuterRef("pk")).order_by("source", "id")
        deals = self.queryset.values(
            *row_columns(),
            party_rows=_JsonRows(parties, *PARTY_VALUES),
            vehicle_model_rows=_JsonRows(vehicles, *VEHICLE_MODEL_VALUES),
            citation_rows=_JsonRows(citations, *CITATION_VALUES),
            primary=primary_citation(),
        )
        labels = _Labels()
        for row in deals._iterable_class(deals, self.chunked_fetch, self.chunk_size):
            parties, vehicles = row.pop("party_rows"), row.pop("vehicle_model_rows")
            citations, primary = row.pop("citation_rows"), row.pop("primary")
            yield deal_row(row, parties, vehicles, citations, primary, labels)


def parties_prefetch():
    """A deal's parties with their companies, by role then company name, as every deal row
    lists them (`PARTY_VALUES`)."""
    from partnerships.models import DealParty

    return Prefetch(
        "parties",
        queryset=DealParty.objects.select_related("company").order_by(
            "role", "company__name", "company_id"
        ),
    )


# --- querysets -----------------------------------------------------------------------------------


class CatalogueQuerySet(models.QuerySet):
    def readable(self):
        """The rows readers may see. Every read of a page, the API or an export starts from
        here, so none shows an unsourced record; rows without a publication flag are all
        readable."""
        return self.all()

    def named(self, value):
        """The row a URL names, by slug or numeric id (`slug_or_id_lookup`)."""
        return self.filter(**slug_or_id_lookup(value))


class PublishedQuerySet(CatalogueQuerySet):
    def published(self):
        """Only the published rows (`services.*_publication`: cited, and naming only
        published rows)."""
        return self.filter(published=True)

    def readable(self):
        return self.published()


class DealQuerySet(PublishedQuerySet):
    def where(self, predicate):
        """Deals matching `predicate` (`partnerships.columns`), recorded on the query so that
        the aggregates can read the same filter from the in-memory columns."""
        clone = self.filter(predicate.q())
        clone.query.deal_predicates = (*getattr(self.query, "deal_predicates", ()), predicate)
        return clone

    def published(self):
        from partnerships.columns import Published

        return self.where(Published())

    def ordered(self):
        """In the lists' order (`DEFAULT_DEAL_ORDER`) unless already ordered."""
        return self if self.query.order_by else self.order_by(*DEFAULT_DEAL_ORDER)

    def for_list(self, *, lean: bool = False):
        """Published deals, in the lists' order unless already ordered, iterated as deal rows
        (`deal_row`): four queries per page (or per chunk of 500) whatever its size. Filter,
        order and slice it as any queryset; only its rows are dicts. `lean` rows leave out
        `vehicle_models` and `citations` (keys absent, never empty: two queries fewer), for a
        reader that shows neither (the timeline)."""
        clone = self.published().ordered().prefetch_related(None)
        clone._iterable_class = LeanDealRowIterable if lean else DealRowIterable
        return clone

    def for_export(self):
        """Published deals in the lists' order unless already ordered, iterated as the same
        deal rows as `for_list`, read in one query for any number of deals."""
        clone = self.published().ordered().prefetch_related(None)
        clone._iterable_class = ExportRowIterable
        return clone

    def for_detail(self, *, include_unpublished: bool = False):
        """Deals as model instances with everything their page shows: parties with companies,
        the status history and citations with their sources, vehicle models with makers. Only
        the published ones unless an editor asks (`include_unpublished`)."""
        from partnerships.models import Citation, StatusChange, VehicleModel

        deals = self if include_unpublished else self.published()
        return deals.prefetch_related(
            parties_prefetch(),
            Prefetch(
                "status_history",
                queryset=StatusChange.objects.select_related("source").order_by(
                    "effective_on", "id"
                ),
            ),
            Prefetch("citations", queryset=Citation.objects.select_related("source")),
            Prefetch("vehicle_models", queryset=VehicleModel.objects.select_related("maker")),
        )


class CompanyQuerySet(PublishedQuerySet):
    def for_list(self, *, include_unpublished: bool = False):
        """Companies with their parent and deal counts (all, agreed, under discussion), by name
        unless already ordered; only the published ones unless an editor asks."""
        from partnerships.models import Deal

        companies = self if include_unpublished else self.published()
        if not companies.query.order_by:
            companies = companies.order_by("name", "id")
        published = Q(deal_parties__deal__published=True)
        return companies.select_related("parent").annotate(
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

    def for_detail(self, *, include_unpublished: bool = False):
        """`for_list` with aliases, identifiers, citations (with their sources) and its
        published stakes both ways (`published_stakes`: its owners; `published_holdings`)."""
        from partnerships.models import Citation, CompanyAlias, CompanyIdentifier, Ownership

        return self.for_list(include_unpublished=include_unpublished).prefetch_related(
            Prefetch("aliases", queryset=CompanyAlias.objects.order_by("name")),
            Prefetch("identifiers", queryset=CompanyIdentifier.objects.order_by("scheme", "value")),
            Prefetch("citations", queryset=Citation.objects.select_related("source")),
            Prefetch("stakes", queryset=Ownership.objects.for_list(), to_attr="published_stakes"),
            Prefetch(
                "holdings", queryset=Ownership.objects.for_list(), to_attr="published_holdings"
            ),
        )


class OwnershipQuerySet(PublishedQuerySet):
    def current(self):
        """Stakes still held: no end date."""
        return self.filter(until_on__isnull=True)

    def controlling(self):
        return self.filter(controlling=True)

    def for_list(self, *, include_unpublished: bool = False):
        """Stakes with both companies and their citations (with sources); current ones first,
        then by share (largest first, unknown last), then by the date they began. Only the
        published ones unless an editor asks."""
        from partnerships.models import Citation

        stakes = self if include_unpublished else self.published()
        return (
            stakes.select_related("owner", "owned")
            .prefetch_related(
                Prefetch(
                    "citations", queryset=Citation.objects.select_related("source").order_by("id")
                )
            )
            .order_by(
                F("until_on").desc(nulls_first=True),
                F("share_percent").desc(nulls_last=True),
                F("since_on").asc(nulls_last=True),
                "id",
            )
        )


class VehicleModelQuerySet(PublishedQuerySet):
    def for_list(self, *, include_unpublished: bool = False):
        """Vehicle models with maker, battery supplier, predecessor and the number of published
        deals naming them, by name unless already ordered."""
        vehicles = self if include_unpublished else self.published()
        if not vehicles.query.order_by:
            vehicles = vehicles.order_by("name", "id")
        return vehicles.select_related("maker", "battery_supplier", "predecessor").annotate(
            deal_count=Count("deals", distinct=True, filter=Q(deals__published=True))
        )


class SourceQuerySet(CatalogueQuerySet):
    def for_list(self):
        """Sources newest first, without their text, with their citations."""
        from partnerships.models import Citation

        sources = self
        if not sources.query.order_by:
            sources = sources.order_by(F("published_on").desc(nulls_last=True), "title", "id")
        return sources.defer("text").prefetch_related(
            Prefetch("citations", queryset=Citation.objects.order_by("id"))
        )


class ContextEventQuerySet(CatalogueQuerySet):
    def for_list(self):
        """Events oldest first, undated last, with their citations and sources."""
        from partnerships.models import Citation

        events = self
        if not events.query.order_by:
            events = events.order_by(F("occurred_on").asc(nulls_last=True), "title", "id")
        return events.prefetch_related(
            Prefetch("citations", queryset=Citation.objects.select_related("source"))
        )
