"""Reads shared by the API, the web pages and the exports, so their rows agree: what readers may
see, the deals, companies, vehicle models, sources and events as lists and details, the export's
one query. Each costs a fixed number of queries however many rows match. The aggregates (stats,
timeline, supply graph) are in `dashboard/`.
"""

from collections import defaultdict
from decimal import Decimal

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
    Value,
    When,
)
from django.db.models.functions import Coalesce, JSONArray
from django.shortcuts import get_object_or_404

from partnerships import titles
from partnerships.models import (
    Citation,
    Company,
    CompanyAlias,
    CompanyIdentifier,
    ContextEvent,
    Deal,
    DealParty,
    Source,
    StatusChange,
    VehicleModel,
)

DEFAULT_DEAL_ORDER = (F("announced_on").desc(nulls_last=True), "title", "id")


def _float(value):
    return float(value) if isinstance(value, Decimal) else value


def slug_or_id_lookup(value) -> dict:
    """Rows are named by slug or by numeric id; an id too large for the database is no id."""
    value = str(value).strip()
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return {"pk": int(value)}
    if "\x00" in value:  # no slug has one, and PostgreSQL refuses NUL in a query
        return {"pk__in": []}
    return {"slug": value}


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
    "title_status",
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
    ([[name, country, role, Korean name], ...] ordered by role then company name, as in
    `deal_rows`),
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
            party_rows=_JsonRows(
                parties, "company__name", "company__country", "role", "company__name_ko"
            ),
            vehicle_model_rows=_JsonRows(vehicles, "vehiclemodel__name"),
            primary_citation=Coalesce(
                first_quote(citations), first_quote(history), output_field=JSONField()
            ),
        )
    )


def export_deal_title(fields: dict, party_rows) -> str:
    """The title an export row shows (`titles.deal_title`), from the deal's columns (`title`,
    `title_status`, `kind`, `product`, `status`) and its `party_rows`."""
    parties = [
        {"name": name, "name_ko": name_ko, "role": role}
        for name, _country, role, name_ko in party_rows
    ]
    return titles.deal_title({**fields, "parties": parties})
