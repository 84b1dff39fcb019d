"""Writes that touch several models. Keyword-only, atomic, validated before saving."""

import dataclasses
import datetime
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from partnerships import freshness, maintenance
from partnerships.models import (
    Citation,
    Company,
    CompanyAlias,
    ContextEvent,
    Deal,
    DealParty,
    Source,
    StatusChange,
    VehicleModel,
)


@transaction.atomic
def deal_sync_status(*, deal: Deal) -> Deal:
    """Make the deal's current status the newest entry of its status history.

    The history is the record; `Deal.status` is kept beside it so lists filter on one column.
    """
    latest = deal.status_history.order_by("-effective_on", "-id").first()
    if latest is not None and latest.status != deal.status:
        Deal.objects.filter(pk=deal.pk).update(status=latest.status)
        freshness.bump()  # update() sends no signal
        deal.status = latest.status
    return deal


@transaction.atomic
def deal_record_status(
    *,
    deal: Deal,
    status: str,
    effective_on,
    effective_precision: str,
    source,
    quote: str,
    effective_estimated: bool = False,
    note: str = "",
) -> StatusChange:
    """Append a step to a deal's status history, with its source, and update the deal."""
    change = StatusChange(
        deal=deal,
        status=status,
        effective_on=effective_on,
        effective_precision=effective_precision,
        effective_estimated=effective_estimated,
        source=source,
        quote=quote,
        note=note,
    )
    change.full_clean()
    change.save()
    deal_sync_status(deal=deal)
    return change


# --- writes of the REST API (and any other editor) -------------------------------------------
# Field errors of nested rows are keyed by their path ("parties.1.company",
# "status_change.quote") so a client sees which row of its request is wrong.

DEAL_FIELDS = frozenset(
    {
        "slug",
        "title",
        "kind",
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
        "notes",
        "investment_amount",
        "investment_currency",
        "capacity_value",
        "capacity_unit",
        "site_name",
        "site_latitude",
        "site_longitude",
    }
)


class StaleVersionError(Exception):
    """The row changed since the client read it; its edit would overwrite someone else's."""

    def __init__(self, current_version: int):
        super().__init__(f"The deal is at version {current_version} now.")
        self.current_version = current_version


class PreconditionError(StaleVersionError):
    """None of the versions the client's If-Match header accepts is the current one."""


@dataclass(frozen=True)
class PartyInput:
    company: Company
    role: str
    note: str = ""
    equity_share: Decimal | None = None


@dataclass(frozen=True)
class StatusInput:
    status: str
    effective_on: datetime.date
    effective_precision: str
    source: Source
    quote: str
    effective_estimated: bool = False
    note: str = ""


@dataclass(frozen=True)
class CitationInput:
    source: Source
    quote: str
    field: str = ""
    claim: str = ""


def _prefixed(error: ValidationError, prefix: str) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return ValidationError({prefix: error.messages})
    return ValidationError(
        {
            (prefix if field == NON_FIELD_ERRORS else f"{prefix}.{field}"): messages
            for field, messages in error.message_dict.items()
        }
    )


def _full_save(instance, prefix: str = "", exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        if not prefix:
            raise
        raise _prefixed(error, prefix) from None
    instance.save()
    return instance


def _apply_fields(instance, fields: Mapping[str, Any], allowed: Iterable[str]):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Not editable here: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(instance, name, value)


def _deal_children(
    deal: Deal,
    *,
    parties: Sequence[PartyInput] | None,
    vehicle_models: Sequence[VehicleModel] | None,
    status_change: StatusInput | None,
    citations: Sequence[CitationInput],
):
    if parties is not None:
        if not parties:
            raise ValidationError({"parties": _("A deal needs at least one party.")})
        deal.parties.all().delete()
        seen = set()
        for index, party in enumerate(parties):
            key = (party.company.pk, party.role)
            if key in seen:
                raise ValidationError(
                    {f"parties.{index}": _("This company has this role in the deal already.")}
                )
            seen.add(key)
            row = DealParty(
                deal=deal,
                company=party.company,
                role=party.role,
                note=party.note,
                equity_share=party.equity_share,
            )
            _full_save(row, f"parties.{index}")
    if vehicle_models is not None:
        deal.vehicle_models.set(vehicle_models)
    for index, citation in enumerate(citations):
        row = Citation(deal=deal, **dataclasses.asdict(citation))
        _full_save(row, f"citations.{index}")
    if status_change is not None:
        try:
            deal_record_status(deal=deal, **dataclasses.asdict(status_change))
        except ValidationError as error:
            raise _prefixed(error, "status_change") from None


@transaction.atomic
def deal_create(
    *,
    fields: Mapping[str, Any],
    parties: Sequence[PartyInput],
    vehicle_models: Sequence[VehicleModel] = (),
    status_change: StatusInput | None = None,
    citations: Sequence[CitationInput] = (),
) -> Deal:
    """Create a deal with its parties, vehicle models, citations and first status.

    Without `status_change` the deal starts as "reported" with an empty status history.
    """
    deal = Deal()
    _apply_fields(deal, fields, DEAL_FIELDS)
    _full_save(deal)
    _deal_children(
        deal,
        parties=list(parties),
        vehicle_models=list(vehicle_models or ()),
        status_change=status_change,
        citations=citations,
    )
    return deal_score(deal=deal)


def deal_score(*, deal: Deal) -> Deal:
    """Compute the deal's completeness now, in the writing transaction (sources, volume, term,
    parties, dates: `maintenance.COMPLETENESS_PARTS`)."""
    maintenance.deals_update_completeness(deal_ids=[deal.pk])
    deal.refresh_from_db(fields=["completeness"])
    return deal


@transaction.atomic
def deal_update(
    *,
    deal: Deal,
    fields: Mapping[str, Any],
    parties: Sequence[PartyInput] | None = None,
    vehicle_models: Sequence[VehicleModel] | None = None,
    status_change: StatusInput | None = None,
    citations: Sequence[CitationInput] = (),
    expected_version: int | None = None,
    if_match_versions: Collection[int] | None = None,
) -> Deal:
    """Change a deal. Parties and vehicle models, when given, replace the current ones;
    citations are added; a status change is appended to the history and becomes the status.

    With `expected_version`, refuses (StaleVersionError) when someone saved the deal meanwhile;
    with `if_match_versions` (an If-Match header's), refuses (PreconditionError) unless the
    current version is one of them. Both are compared with the row read under its lock, so two
    writers holding the same version cannot both pass.
    """
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if expected_version is not None and deal.version != expected_version:
        raise StaleVersionError(deal.version)
    if if_match_versions is not None and deal.version not in if_match_versions:
        raise PreconditionError(deal.version)
    _apply_fields(deal, fields, DEAL_FIELDS)
    _full_save(deal)
    _deal_children(
        deal,
        parties=parties,
        vehicle_models=vehicle_models,
        status_change=status_change,
        citations=citations,
    )
    return deal_score(deal=deal)


@transaction.atomic
def deal_delete(*, deal: Deal) -> None:
    """Delete a deal with its parties, status history and citations."""
    deal.delete()


# In reading order: the admin's submit form lists them so.
SOURCE_FIELDS = (
    "title",
    "slug",
    "kind",
    "publisher",
    "url",
    "language",
    "published_on",
    "published_precision",
    "published_estimated",
    "text",
    "notes",
)
COMPANY_FIELDS = frozenset(
    {
        "slug",
        "name",
        "name_ko",
        "name_zh",
        "country",
        "chain_role",
        "parent",
        "parent_tie",
        "parent_share_percent",
        "state_owned",
        "founded_on",
        "founded_precision",
        "founded_estimated",
        "hq_city",
        "hq_latitude",
        "hq_longitude",
        "description",
    }
)
VEHICLE_MODEL_FIELDS = frozenset(
    {
        "slug",
        "maker",
        "name",
        "segment",
        "powertrain",
        "launch_on",
        "launch_precision",
        "launch_estimated",
        "battery_supplier",
        "chemistry",
        "cell_format",
        "production_site",
        "predecessor",
        "programme",
        "description",
    }
)
CONTEXT_EVENT_FIELDS = frozenset(
    {
        "slug",
        "title",
        "kind",
        "country",
        "occurred_on",
        "occurred_precision",
        "occurred_estimated",
        "description",
    }
)


@transaction.atomic
def source_create(*, fields: Mapping[str, Any]) -> Source:
    """Register a source; quotes of citations and status changes must appear in its text."""
    source = Source()
    _apply_fields(source, fields, SOURCE_FIELDS)
    return _full_save(source)


# How often a submission that lost a race on a unique column (the title's slug) tries again.
SUBMIT_ATTEMPTS = 3


@transaction.atomic
def source_submit(*, fields: Mapping[str, Any]) -> tuple[Source, bool]:
    """Register an article and queue it to be read into drafts once this transaction commits.

    The same article submitted again (same URL, or the same text) is returned as it is,
    `created` False, and nothing is queued: it gets no new drafts. Submitted twice at the same
    moment, the database's unique URL and text fingerprint decide: the loser gets the winner's
    source. Two articles with one title that race for its slug: the loser takes the next slug.
    """
    from ingest.services import ingestion_enqueue, source_find_duplicate, source_slug

    text, url = fields.get("text", ""), fields.get("url", "")
    for attempt in range(SUBMIT_ATTEMPTS):
        existing = source_find_duplicate(text=text, url=url)
        if existing is not None:
            return existing, False
        submitted = fields
        if not fields.get("slug"):
            submitted = {**fields, "slug": source_slug(fields.get("title", ""))}
        try:
            with transaction.atomic():
                source = source_create(fields=submitted)
        except IntegrityError:
            # A concurrent submission committed the same URL, text or slug after we looked.
            if attempt == SUBMIT_ATTEMPTS - 1:
                raise
            continue
        if source.text.strip():
            ingestion_enqueue(source=source)
        return source, True
    raise AssertionError("unreachable")


@transaction.atomic
def source_update(*, source: Source, fields: Mapping[str, Any]) -> Source:
    """Change a source. Changing its text does not re-check quotes cited from it."""
    source = Source.objects.select_for_update().get(pk=source.pk)
    _apply_fields(source, fields, SOURCE_FIELDS)
    return _full_save(source)


def _set_aliases(company: Company, aliases: Sequence[str]):
    company.aliases.exclude(name__in=aliases).delete()
    existing = set(company.aliases.values_list("name", flat=True))
    for index, name in enumerate(dict.fromkeys(aliases)):
        if name not in existing:
            _full_save(CompanyAlias(company=company, name=name), f"aliases.{index}")


@transaction.atomic
def company_create(*, fields: Mapping[str, Any], aliases: Sequence[str] = ()) -> Company:
    """Register a company with the other names people search it by."""
    company = Company()
    _apply_fields(company, fields, COMPANY_FIELDS)
    _full_save(company)
    _set_aliases(company, aliases)
    return company


@transaction.atomic
def company_update(
    *, company: Company, fields: Mapping[str, Any], aliases: Sequence[str] | None = None
) -> Company:
    """Change a company; `aliases`, when given, replace its current aliases."""
    company = Company.objects.select_for_update().get(pk=company.pk)
    _apply_fields(company, fields, COMPANY_FIELDS)
    _full_save(company)
    if aliases is not None:
        _set_aliases(company, aliases)
    return company


@transaction.atomic
def vehicle_model_create(*, fields: Mapping[str, Any]) -> VehicleModel:
    vehicle = VehicleModel()
    _apply_fields(vehicle, fields, VEHICLE_MODEL_FIELDS)
    return _full_save(vehicle)


@transaction.atomic
def vehicle_model_update(*, vehicle_model: VehicleModel, fields: Mapping[str, Any]):
    vehicle = VehicleModel.objects.select_for_update().get(pk=vehicle_model.pk)
    _apply_fields(vehicle, fields, VEHICLE_MODEL_FIELDS)
    return _full_save(vehicle)


@transaction.atomic
def context_event_create(*, fields: Mapping[str, Any]) -> ContextEvent:
    event = ContextEvent()
    _apply_fields(event, fields, CONTEXT_EVENT_FIELDS)
    return _full_save(event)


@transaction.atomic
def context_event_update(*, context_event: ContextEvent, fields: Mapping[str, Any]):
    event = ContextEvent.objects.select_for_update().get(pk=context_event.pk)
    _apply_fields(event, fields, CONTEXT_EVENT_FIELDS)
    return _full_save(event)
