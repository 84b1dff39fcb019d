"""Writes that touch several models. Keyword-only, atomic, validated before saving."""

import dataclasses
import datetime
import secrets
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerships import freshness, maintenance
from partnerships.models import DEAL_FIELDS as CATALOGUE_DEAL_FIELDS
from partnerships.models import (
    Citation,
    Company,
    CompanyAlias,
    CompanyIdentifier,
    ContextEvent,
    Deal,
    DealParty,
    Ownership,
    Source,
    StatusChange,
    VehicleModel,
    without_control_characters,
)


def deal_sync_status(*, deal: Deal) -> Deal:
    """Make the deal's current status the newest entry of its status history (unsaved).

    The history is the record; `Deal.status` is kept beside it so lists filter on one column.
    """
    latest = deal.status_history.order_by("-effective_on", "-id").first()
    if latest is not None:
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
    expected_version: int | None = None,
) -> StatusChange | None:
    """Append a step to a deal's status history, with its source, and update the deal.

    A step that repeats what the history says already (`_repeats_step`) changes nothing and
    returns None."""
    deal = _deal_lock(deal, expected_version)
    headline = (deal.status, deal.title, deal.title_status)
    step = StatusInput(
        status=status,
        effective_on=effective_on,
        effective_precision=effective_precision,
        source=source,
        quote=quote,
        effective_estimated=effective_estimated,
        note=note,
    )
    change = _add_status(deal, step)
    if change is not None:
        _deal_commit(deal, headline=headline)
    return change


# --- writes of the REST API (and any other editor) -------------------------------------------
# Field errors of nested rows are keyed by their path ("parties.1.company",
# "status_change.quote") so a client sees which row of its request is wrong.

# What an editor writes of a deal: its own facts (`models.DEAL_FIELDS`) but the status, which
# changes only by a dated, sourced step of its history (`status_change`), and the editors' notes.
DEAL_FIELDS = (frozenset(CATALOGUE_DEAL_FIELDS) - {"status"}) | {"notes"}


# Set by editors in the admin (and the periodic data checks), not through the API.
DEAL_REVIEW_FIELDS = frozenset({"needs_review", "review_reason"})


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


class UniqueTakenError(ValidationError):
    """A unique value (slug, URL, text) that another writer committed after this one had
    validated it: the message validation gives now that their row is visible."""


def _save_unique(instance, exclude=None):
    """`_full_save` for a row people add by name, in a savepoint. Two editors adding one name
    at the same moment both pass validation (neither sees the other's uncommitted row) and the
    unique index refuses the later insert; validating again then sees the winner's row, so the
    loser gets the form error or 400 it would have got a second later, not a 500."""
    instance.full_clean(exclude=exclude)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        try:
            instance.validate_unique(exclude=exclude)
            instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            raise UniqueTakenError(error.error_dict) from None
        raise
    return instance


def _apply_fields(instance, fields: Mapping[str, Any], allowed: Iterable[str]):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Not editable here: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(instance, name, value)


def _deal_lock(
    deal: Deal, expected_version: int | None, if_match_versions: Collection[int] | None = None
) -> Deal:
    """The deal's row, locked for the rest of the transaction; refused (StaleVersionError) when
    someone saved it since the editor read `expected_version`, or (PreconditionError) when its
    version is not one of `if_match_versions`. The one stale-edit check: compared with the row
    read under its lock, so two writers holding the same version cannot both pass."""
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersionError(locked.version)
    if if_match_versions is not None and locked.version not in if_match_versions:
        raise PreconditionError(locked.version)
    return locked


def _repeats_step(deal: Deal, step: StatusInput) -> bool:
    """True when the step says what the history says already: the same status on the same
    date, or the same status as the step it would follow (a second "signed" adds nothing)."""
    from partnerships.dates import period_start

    start = period_start(step.effective_on, step.effective_precision)
    steps = deal.status_history.all()
    if steps.filter(status=step.status, effective_on=start).exists():
        return True
    before = steps.filter(effective_on__lte=start).order_by("-effective_on", "-id").first()
    return before is not None and before.status == step.status


def _add_status(deal: Deal, step: StatusInput, prefix: str = "status_change"):
    if _repeats_step(deal, step):
        return None
    change = StatusChange(deal=deal, **dataclasses.asdict(step))
    return _full_save(change, prefix)


def _replace_status_history(deal: Deal, steps: Sequence[StatusInput]):
    """Make the history exactly `steps`: rows already there (same status and date) are kept or
    corrected, the others deleted or added."""
    from partnerships.dates import period_start

    existing = {(row.status, row.effective_on): row for row in deal.status_history.all()}
    wanted = set()
    for index, step in enumerate(steps):
        key = (step.status, period_start(step.effective_on, step.effective_precision))
        if key in wanted:
            raise ValidationError(
                {f"status_history.{index}": _("This status is recorded for this date already.")}
            )
        wanted.add(key)
        row = existing.get(key) or StatusChange(deal=deal)
        values = dataclasses.asdict(step)
        if row.pk and all(getattr(row, name) == value for name, value in values.items()):
            continue
        for name, value in values.items():
            setattr(row, name, value)
        _full_save(row, f"status_history.{index}")
    for key, row in existing.items():
        if key not in wanted:
            row.delete()


def _citation_key(source, quote, field):
    return (source.pk, quote, field)


def _replace_citations(target_name: str, target, citations: Sequence[CitationInput]):
    """Make the target's citations exactly `citations`, keeping the rows that stay."""
    existing = {
        _citation_key(row.source, row.quote, row.field): row
        for row in Citation.objects.filter(**{target_name: target}).select_related("source")
    }
    wanted = set()
    for index, citation in enumerate(citations):
        key = _citation_key(citation.source, citation.quote, citation.field)
        row = existing.get(key)
        wanted.add(key)
        if row is not None and row.claim == citation.claim:
            continue
        row = row or Citation(**{target_name: target})
        for name, value in dataclasses.asdict(citation).items():
            setattr(row, name, value)
        _full_save(row, f"citations.{index}")
    for key, row in existing.items():
        if key not in wanted:
            row.delete()


def _add_citations(target_name: str, target, citations: Sequence[CitationInput]):
    for index, citation in enumerate(citations):
        if Citation.objects.filter(
            **{target_name: target},
            source=citation.source,
            quote=citation.quote,
            field=citation.field,
        ).exists():
            continue
        row = Citation(**{target_name: target}, **dataclasses.asdict(citation))
        _full_save(row, f"citations.{index}")


def _deal_children(
    deal: Deal,
    *,
    parties: Sequence[PartyInput] | None,
    vehicle_models: Sequence[VehicleModel] | None,
    status_change: StatusInput | None,
    citations: Sequence[CitationInput],
    status_history: Sequence[StatusInput] | None = None,
    all_citations: Sequence[CitationInput] | None = None,
):
    if parties is not None:
        if not parties:
            raise ValidationError({"parties": _("A deal needs at least one party.")})
        existing = {(row.company_id, row.role): row for row in deal.parties.all()}
        seen = set()
        for index, party in enumerate(parties):
            key = (party.company.pk, party.role)
            if key in seen:
                raise ValidationError(
                    {f"parties.{index}": _("This company has this role in the deal already.")}
                )
            seen.add(key)
            row = existing.get(key)
            if row is not None and (row.note, row.equity_share) == (party.note, party.equity_share):
                continue
            row = row or DealParty(deal=deal, company=party.company, role=party.role)
            row.note, row.equity_share = party.note, party.equity_share
            _full_save(row, f"parties.{index}")
        for key, row in existing.items():
            if key not in seen:
                row.delete()
    if vehicle_models is not None:
        deal.vehicle_models.set(vehicle_models)
    if all_citations is not None:
        _replace_citations("deal", deal, all_citations)
    _add_citations("deal", deal, citations)
    if status_history is not None:
        _replace_status_history(deal, status_history)
    if status_change is not None:
        _add_status(deal, status_change)


# Columns a write does not set: bookkeeping, or derived by `_deal_commit`.
_DERIVED = {"id", "created_at", "updated_at", "version", "facts", "status", "published"}


def _deal_state(deal: Deal) -> tuple:
    """Everything an editor can change about a deal, to tell whether a write changed it."""
    own = {
        field.attname: getattr(deal, field.attname)
        for field in Deal._meta.concrete_fields
        if field.attname not in _DERIVED and field.attname != "unpublished_reason"
    }
    return own, deal_facts(deal)


def _flag_headline(deal: Deal, status: str, title: str, title_status: str = "") -> None:
    """An editor's headline is written under a status ("in talks with CALB"). A write that
    changes the headline writes it under the status the deal now has (unless the editor named
    another). A write that moves the status and leaves the headline as it was flags the deal
    for review, and readers see the title built from the facts (`titles.deal_title`) until an
    editor confirms the headline (sets `title_status` to the present status) or writes a new one.
    `status`, `title` and `title_status` are the deal's before the write ("" when created)."""
    confirmed = deal.title_status != title_status
    if deal.title != title and not confirmed:
        deal.title_status = deal.status
        return
    if not status or deal.status == status or deal.title != title:
        return
    if confirmed and deal.title_status == deal.status:
        return
    labels = dict(Deal.Status.choices)
    deal.needs_review = True
    deal.review_reason = str(
        _("The headline was written when the deal was %(old)s; it is %(new)s now: check it.")
        % {"old": labels.get(status, status), "new": labels.get(deal.status, deal.status)}
    )[:300]


def _deal_commit(
    deal: Deal,
    *,
    created: bool = False,
    before: tuple | None = None,
    headline: tuple[str, str, str] = ("", "", ""),
) -> Deal:
    """Finish a write of any part of a deal: status from its history, publication, the
    snapshot of the whole deal, and a new version; one history entry per write. A write that
    changed nothing (`before` is the state it started from) leaves the deal as it was.
    `headline` is the (status, title, title_status) the write started from (`_flag_headline`)."""
    facts = deal_facts(deal)
    if before is not None and before == (_deal_state(deal)[0], facts):
        return deal
    deal_sync_status(deal=deal)
    _flag_headline(deal, *headline)
    deal.published, deal.unpublished_reason = deal_publication(deal)
    deal.facts = facts
    if not created:
        deal.version += 1
    deal.save()
    return deal


@transaction.atomic
def deal_create(
    *,
    fields: Mapping[str, Any],
    parties: Sequence[PartyInput],
    vehicle_models: Sequence[VehicleModel] = (),
    status_change: StatusInput | None = None,
    citations: Sequence[CitationInput] = (),
    status_history: Sequence[StatusInput] | None = None,
) -> Deal:
    """Create a deal with its parties, vehicle models, citations and first status.

    Without `status_change` the deal starts as "reported" with an empty status history. It is
    published only once it is cited (`deal_publication`); until then only editors see it.
    """
    deal = Deal()
    _apply_fields(deal, fields, DEAL_FIELDS | DEAL_REVIEW_FIELDS)
    # The deal's one history entry is written by `_deal_commit`, whole.
    deal.skip_history_when_saving = True
    _save_unique(deal, exclude=["facts"])
    del deal.skip_history_when_saving
    _deal_children(
        deal,
        parties=list(parties),
        vehicle_models=list(vehicle_models or ()),
        status_change=status_change,
        citations=citations,
        status_history=status_history,
    )
    return deal_score(deal=_deal_commit(deal, created=True))


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
    status_history: Sequence[StatusInput] | None = None,
    all_citations: Sequence[CitationInput] | None = None,
    expected_version: int | None = None,
    if_match_versions: Collection[int] | None = None,
    always_new_version: bool = False,
) -> Deal:
    """Change a deal. Parties, vehicle models, `status_history` and `all_citations`, when given,
    replace the current ones; `citations` are added; a `status_change` is appended to the history
    (unless it repeats it) and becomes the status.

    With `expected_version`, refuses (StaleVersionError) when someone saved the deal meanwhile;
    with `if_match_versions` (an If-Match header's), refuses (PreconditionError) unless the
    current version is one of them. Both are compared with the row read under its lock, so two
    writers holding the same version cannot both pass.

    A write that changes nothing leaves the deal and its version as they were, unless
    `always_new_version` (a revert is recorded even when it brings back what is there).
    """
    deal = _deal_lock(deal, expected_version, if_match_versions)
    before = _deal_state(deal)
    headline = (deal.status, deal.title, deal.title_status)
    _apply_fields(deal, fields, DEAL_FIELDS | DEAL_REVIEW_FIELDS)
    deal.full_clean(exclude=["facts"])
    _deal_children(
        deal,
        parties=parties,
        vehicle_models=vehicle_models,
        status_change=status_change,
        citations=citations,
        status_history=status_history,
        all_citations=all_citations,
    )
    return deal_score(
        deal=_deal_commit(deal, before=None if always_new_version else before, headline=headline)
    )


def _from_facts(facts: Mapping[str, Any]) -> dict:
    """A saved version's parties, status steps, vehicle models and citations (`deal_facts`) as
    the services' inputs; a company, source or model deleted since is a readable error."""

    def find(model, slug, what):
        row = model.objects.filter(slug=slug).first()
        if row is None:
            raise ValidationError(
                _("%(what)s %(slug)s of that version no longer exists.")
                % {"what": what, "slug": slug}
            )
        return row

    return {
        "parties": [
            PartyInput(
                company=find(Company, p["company"], _("Company")),
                role=p["role"],
                note=p["note"],
                equity_share=Decimal(p["equity_share"]) if p.get("equity_share") else None,
            )
            for p in facts.get("parties", [])
        ],
        "status_history": [
            StatusInput(
                status=step["status"],
                effective_on=datetime.date.fromisoformat(step["effective_on"]),
                effective_precision=step["effective_precision"],
                effective_estimated=step["effective_estimated"],
                source=find(Source, step["source"], _("Source")),
                quote=step["quote"],
                note=step["note"],
            )
            for step in facts.get("status_history", [])
        ],
        "vehicle_models": [
            find(VehicleModel, v["slug"], _("Vehicle model"))
            for v in facts.get("vehicle_models", [])
        ],
        "all_citations": [
            CitationInput(
                source=find(Source, c["source"], _("Source")),
                quote=c["quote"],
                field=c["field"],
                claim=c["claim"],
            )
            for c in facts.get("citations", [])
        ],
    }


@transaction.atomic
def deal_revert(
    *,
    deal: Deal,
    fields: Mapping[str, Any],
    facts: Mapping[str, Any],
    expected_version: int | None = None,
) -> Deal:
    """Bring back a saved version of a deal, whole: its fields and, where the version recorded
    them (`facts`), its parties, status steps, vehicle models and citations. It becomes a new
    version; nothing of the versions between is lost from the history."""
    children = _from_facts(facts) if facts else {}
    return deal_update(
        deal=deal,
        fields=fields,
        expected_version=expected_version,
        always_new_version=True,
        **children,
    )


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
        "state_owned",
        "founded_on",
        "founded_precision",
        "founded_estimated",
        "hq_city",
        "hq_city_ko",
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
        "title_ko",
        "kind",
        "country",
        "occurred_on",
        "occurred_precision",
        "occurred_estimated",
        "description",
    }
)


OWNERSHIP_FIELDS = frozenset(
    {
        "slug",
        "owner",
        "owned",
        "tie",
        "share_percent",
        "since_on",
        "since_precision",
        "since_estimated",
        "until_on",
        "until_precision",
        "until_estimated",
        "controlling",
        "note",
    }
)


@transaction.atomic
def source_create(*, fields: Mapping[str, Any]) -> Source:
    """Register a source; quotes of citations and status changes must appear in its text."""
    source = Source()
    _apply_fields(source, _neutral_text(fields), SOURCE_FIELDS)
    return _save_unique(source)


# How often a submission that lost a race on a unique column (the title's slug) tries again.
SUBMIT_ATTEMPTS = 3


@transaction.atomic
def source_submit(*, fields: Mapping[str, Any]) -> tuple[Source, bool]:
    """Register an article and queue it to be read into drafts once this transaction commits.

    The same article submitted again (same URL, or the same text) is returned as it is,
    `created` False, and nothing is queued: it gets no new drafts. Submitted twice at the same
    moment, the database's unique URL and text fingerprint decide: the loser gets the winner's
    source. Two articles with one title that race for its slug: the loser takes the next slug;
    many at once (the next slug lost again), a slug with a random ending, so none is refused
    over a slug its sender never chose.
    """
    from ingest.services import ingestion_enqueue, source_find_duplicate, source_slug

    fields = _neutral_text(fields)
    text, url = fields.get("text", ""), fields.get("url", "")
    for attempt in range(SUBMIT_ATTEMPTS):
        existing = source_find_duplicate(text=text, url=url)
        if existing is not None:
            if text.strip() and existing.text_sha256 != Source.fingerprint(text):
                # Same address, other text: returning the stored one would drop this text
                # without a word.
                raise ValidationError(
                    {
                        "url": _(
                            "An article with this address is stored already (%(slug)s), with "
                            "other text. Change that source to replace its text."
                        )
                        % {"slug": existing.slug}
                    }
                )
            return existing, False
        submitted = fields
        slug_chosen = not fields.get("slug")
        if slug_chosen:
            slug = source_slug(fields.get("title", ""))
            if attempt >= 2:
                slug = f"{slug}-{secrets.token_hex(3)}"
            submitted = {**fields, "slug": slug}
        try:
            with transaction.atomic():
                source = source_create(fields=submitted)
        except (IntegrityError, ValidationError) as error:
            if attempt == SUBMIT_ATTEMPTS - 1 or not _taken_meanwhile(
                error, text=text, url=url, slug_chosen=slug_chosen
            ):
                raise
            continue
        if source.text.strip():
            ingestion_enqueue(source=source)
        return source, True
    raise AssertionError("unreachable")


def _taken_meanwhile(error: Exception, *, text: str, url: str, slug_chosen: bool) -> bool:
    """Whether a submission was refused only because a concurrent one stored the same URL or
    text, or took the slug chosen for it, after it looked: before its validation (the
    validation's message) or after (the unique index's refusal)."""
    from ingest.services import source_find_duplicate

    if isinstance(error, IntegrityError | UniqueTakenError):
        return True
    if source_find_duplicate(text=text, url=url) is not None:
        return True
    slug_errors = getattr(error, "error_dict", {}).get("slug", [])
    return slug_chosen and any(refusal.code == "unique" for refusal in slug_errors)


@transaction.atomic
def source_update(*, source: Source, fields: Mapping[str, Any]) -> Source:
    """Change a source. Changing its text does not re-check quotes cited from it."""
    source = Source.objects.select_for_update().get(pk=source.pk)
    _apply_fields(source, _neutral_text(fields), SOURCE_FIELDS)
    return _save_unique(source)


def _neutral_text(fields: Mapping[str, Any]) -> Mapping[str, Any]:
    """An article's text without control characters: texts pasted or uploaded from other
    programs carry form feeds and the like, which no reader needs and exports cannot hold.
    (Every other text field refuses them: `CatalogueRow.clean_fields`.)"""
    if isinstance(fields.get("text"), str):
        return {**fields, "text": without_control_characters(fields["text"])}
    return fields


def _set_aliases(company: Company, aliases: Sequence[str]):
    company.aliases.exclude(name__in=aliases).delete()
    existing = set(company.aliases.values_list("name", flat=True))
    for index, name in enumerate(dict.fromkeys(aliases)):
        if name not in existing:
            _full_save(CompanyAlias(company=company, name=name), f"aliases.{index}")


def _set_identifiers(company: Company, identifiers: Sequence[tuple[str, str]]):
    wanted = set(identifiers)
    for row in company.identifiers.all():
        if (row.scheme, row.value) not in wanted:
            row.delete()
    existing = set(company.identifiers.values_list("scheme", "value"))
    for index, (scheme, value) in enumerate(dict.fromkeys(identifiers)):
        if (scheme, value) not in existing:
            row = CompanyIdentifier(company=company, scheme=scheme, value=value)
            _full_save(row, f"identifiers.{index}")


def _cite(target_name, target, citations, all_citations):
    if all_citations is not None:
        _replace_citations(target_name, target, all_citations)
    _add_citations(target_name, target, citations)


@transaction.atomic
def company_create(
    *,
    fields: Mapping[str, Any],
    aliases: Sequence[str] = (),
    identifiers: Sequence[tuple[str, str]] = (),
    citations: Sequence[CitationInput] = (),
) -> Company:
    """Register a company with the other names people search it by. Readers see it once a
    citation states it (`company_publication`)."""
    company = Company()
    _apply_fields(company, fields, COMPANY_FIELDS)
    _save_unique(company)
    _set_aliases(company, aliases)
    _set_identifiers(company, identifiers)
    _cite("company", company, citations, None)
    publication_refresh(companies=[company])
    return company


@transaction.atomic
def company_update(
    *,
    company: Company,
    fields: Mapping[str, Any],
    aliases: Sequence[str] | None = None,
    identifiers: Sequence[tuple[str, str]] | None = None,
    citations: Sequence[CitationInput] = (),
    all_citations: Sequence[CitationInput] | None = None,
) -> Company:
    """Change a company; `aliases`, `identifiers` and `all_citations`, when given, replace the
    current ones; `citations` are added."""
    company = Company.objects.select_for_update().get(pk=company.pk)
    _apply_fields(company, fields, COMPANY_FIELDS)
    _save_unique(company)
    if aliases is not None:
        _set_aliases(company, aliases)
    if identifiers is not None:
        _set_identifiers(company, identifiers)
    _cite("company", company, citations, all_citations)
    publication_refresh(companies=[company])
    return company


@transaction.atomic
def vehicle_model_create(
    *, fields: Mapping[str, Any], citations: Sequence[CitationInput] = ()
) -> VehicleModel:
    """Register a vehicle model; readers see it once it is cited and its maker is published."""
    vehicle = VehicleModel()
    _apply_fields(vehicle, fields, VEHICLE_MODEL_FIELDS)
    _save_unique(vehicle)
    _cite("vehicle_model", vehicle, citations, None)
    publication_refresh(vehicle_models=[vehicle])
    return vehicle


@transaction.atomic
def vehicle_model_update(
    *,
    vehicle_model: VehicleModel,
    fields: Mapping[str, Any],
    citations: Sequence[CitationInput] = (),
    all_citations: Sequence[CitationInput] | None = None,
):
    vehicle = VehicleModel.objects.select_for_update().get(pk=vehicle_model.pk)
    _apply_fields(vehicle, fields, VEHICLE_MODEL_FIELDS)
    _save_unique(vehicle)
    _cite("vehicle_model", vehicle, citations, all_citations)
    publication_refresh(vehicle_models=[vehicle])
    return vehicle


@transaction.atomic
def context_event_create(
    *, fields: Mapping[str, Any], citations: Sequence[CitationInput] = ()
) -> ContextEvent:
    event = ContextEvent()
    _apply_fields(event, fields, CONTEXT_EVENT_FIELDS)
    _save_unique(event)
    _cite("context_event", event, citations, None)
    return event


@transaction.atomic
def context_event_update(
    *,
    context_event: ContextEvent,
    fields: Mapping[str, Any],
    citations: Sequence[CitationInput] = (),
    all_citations: Sequence[CitationInput] | None = None,
):
    event = ContextEvent.objects.select_for_update().get(pk=context_event.pk)
    _apply_fields(event, fields, CONTEXT_EVENT_FIELDS)
    _save_unique(event)
    _cite("context_event", event, citations, all_citations)
    return event


# --- citations on their own (the admin's citation list) -------------------------------------


def _after_citation_change(citation: Citation):
    """A citation came or went: its target may be published or withdrawn, and a deal's version
    moves, since its citations are part of it."""
    if citation.deal_id:
        _deal_commit(_deal_lock(citation.deal, None))
    elif citation.company_id:
        publication_refresh(companies=[citation.company])
    elif citation.vehicle_model_id:
        publication_refresh(vehicle_models=[citation.vehicle_model])
    elif citation.ownership_id:
        ownership_refresh(stakes=[citation.ownership])


@transaction.atomic
def citation_save(*, citation: Citation) -> Citation:
    """Create or change one citation (its target, source, quote, fact and claim)."""
    before = Citation.objects.filter(pk=citation.pk).first() if citation.pk else None
    _full_save(citation)
    if before is not None and before.target != citation.target:
        _after_citation_change(before)
    _after_citation_change(citation)
    return citation


@transaction.atomic
def citation_delete(*, citation: Citation) -> None:
    citation.delete()
    _after_citation_change(citation)


# --- stakes (who owns whom) ------------------------------------------------------------------
# A stake is published when a citation states it and both companies are published; the owned
# company's `parent` columns are derived from its current controlling published stake
# (`ownership_derive`), in the same transaction, so lists and filters never disagree with it.


@dataclass(frozen=True)
class StakeInput:
    """One stake in a company, as the company's admin page edits it: `pk` for a stake that
    exists, None for a new one; `citations` are added to it."""

    owner: Company
    tie: str
    pk: int | None = None
    share_percent: Decimal | None = None
    since_on: datetime.date | None = None
    since_precision: str = ""
    since_estimated: bool = False
    until_on: datetime.date | None = None
    until_precision: str = ""
    until_estimated: bool = False
    controlling: bool = False
    note: str = ""
    citations: Sequence[CitationInput] = ()


def _stake_slug(stake: Ownership) -> str:
    """A free slug for a new stake: owner-in-owned, with the year it began when known."""
    from django.utils.text import slugify

    year = f"-{stake.since_on.year}" if stake.since_on else ""
    base = slugify(f"{stake.owner.slug}-in-{stake.owned.slug}")[: 72 - len(year)].rstrip("-")
    base += year
    slug, number = base, 1
    while Ownership.objects.filter(slug__iexact=slug).exclude(pk=stake.pk).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _save_stake(stake: Ownership, fields: Mapping[str, Any], prefix: str = "") -> Ownership:
    _apply_fields(stake, fields, OWNERSHIP_FIELDS)
    if not stake.slug and stake.owner_id and stake.owned_id:
        stake.slug = _stake_slug(stake)
    return _full_save(stake, prefix)


@transaction.atomic
def ownership_create(
    *, fields: Mapping[str, Any], citations: Sequence[CitationInput] = ()
) -> Ownership:
    """Record a stake (owner, owned company, tie, share, dates, controlling). Readers see it
    once a citation states it; an unsourced stake is kept for the editors, unpublished."""
    stake = _save_stake(Ownership(), fields)
    _cite("ownership", stake, citations, None)
    ownership_refresh(stakes=[stake])
    return stake


@transaction.atomic
def ownership_update(
    *,
    ownership: Ownership,
    fields: Mapping[str, Any],
    citations: Sequence[CitationInput] = (),
    all_citations: Sequence[CitationInput] | None = None,
) -> Ownership:
    """Change a stake (ending it: `until_on`); `all_citations`, when given, replace its
    citations, `citations` are added. Both companies' chains are derived again."""
    stake = Ownership.objects.select_for_update().get(pk=ownership.pk)
    before = stake.owned_id
    _save_stake(stake, fields)
    _cite("ownership", stake, citations, all_citations)
    ownership_refresh(stakes=[stake], owned_ids=[before])
    return stake


@transaction.atomic
def ownership_delete(*, ownership: Ownership) -> None:
    owned_id = ownership.owned_id
    ownership.delete()
    ownership_derive(owned_ids=[owned_id])


@transaction.atomic
def company_set_stakes(*, company: Company, stakes: Sequence[StakeInput]) -> None:
    """Make the company's stakes (its owners) exactly `stakes`: those with a `pk` are changed,
    the others recorded, the ones not listed deleted. Ends stay checked in the database: two
    current controlling stakes, or two current stakes of one owner, are refused."""
    existing = {stake.pk: stake for stake in company.stakes.all()}
    kept = {stake.pk for stake in stakes if stake.pk is not None}
    for pk, stake in existing.items():
        if pk not in kept:
            stake.delete()
    saved = []
    # Ended and unmarked stakes first, so that a stake taking over control (or a pair's next
    # stake) is saved after the one it replaces has given it up.
    order = sorted(
        enumerate(stakes), key=lambda item: (item[1].until_on is None, item[1].controlling)
    )
    for index, wanted in order:
        values = {name: getattr(wanted, name) for name in OWNERSHIP_FIELDS - {"slug", "owned"}}
        stake = existing.get(wanted.pk) or Ownership(owned=company)
        if wanted.pk is not None and wanted.pk not in existing:
            raise ValidationError(
                {f"stakes.{index}": _("This stake is not one of this company's.")}
            )
        _save_stake(stake, values, f"stakes.{index}")
        _add_citations("ownership", stake, wanted.citations)
        saved.append(stake)
    ownership_refresh(stakes=saved, owned_ids=[company.pk])


def ownership_publication(stake: Ownership) -> tuple[bool, str]:
    reasons = []
    if not stake.citations.exists():
        reasons.append(str(_("No citation states this stake yet.")))
    for company in (stake.owner, stake.owned):
        if not company.published:
            reasons.append(str(_("%(name)s is not published.") % {"name": company.name}))
    return not reasons, " ".join(reasons)


def ownership_refresh(*, stakes: Iterable[Ownership] = (), owned_ids: Iterable[int] = ()) -> None:
    """Publish or withdraw these stakes, then derive their companies' controlling owner."""
    owned = set(owned_ids)
    for stake in stakes:
        _set_publication(stake, *ownership_publication(stake))
        owned.add(stake.owned_id)
    ownership_derive(owned_ids=owned)


def ownership_derive(*, owned_ids: Iterable[int]) -> None:
    """Write each company's `parent`, `parent_tie` and `parent_share_percent` from its current,
    published, controlling stake (none: cleared). The only writer of those columns."""
    ids = set(owned_ids)
    if not ids:
        return
    controlling = {
        stake.owned_id: stake
        for stake in Ownership.objects.published().current().controlling().filter(owned_id__in=ids)
    }
    for company in Company.objects.filter(pk__in=ids):
        stake = controlling.get(company.pk)
        wanted = (stake.owner_id, stake.tie, stake.share_percent) if stake else (None, "", None)
        if (company.parent_id, company.parent_tie, company.parent_share_percent) == wanted:
            continue
        company.parent_id, company.parent_tie, company.parent_share_percent = wanted
        company.save(update_fields=["parent", "parent_tie", "parent_share_percent"])


# --- publication ---------------------------------------------------------------------------
# Readers (pages, API, charts, counts, exports) see only published rows (`queries.py`); editors
# see every row in the admin, the unpublished ones marked with the reason.


def company_publication(company: Company) -> tuple[bool, str]:
    if not company.citations.exists():
        return False, str(_("No citation states this company yet."))
    return True, ""


def vehicle_model_publication(vehicle: VehicleModel) -> tuple[bool, str]:
    reasons = []
    if not vehicle.citations.exists():
        reasons.append(str(_("No citation states this vehicle model yet.")))
    for company in (vehicle.maker, vehicle.battery_supplier):
        if company is not None and not company.published:
            reasons.append(str(_("%(name)s is not published.") % {"name": company.name}))
    return not reasons, " ".join(reasons)


def deal_publication(deal: Deal) -> tuple[bool, str]:
    """A deal is published when a source states it (a citation, or a status step with its quoted
    sentence) and every company and vehicle model it names is published."""
    reasons = []
    if not deal.citations.exists() and not deal.status_history.exists():
        reasons.append(str(_("No citation or sourced status step states this deal yet.")))
    hidden = Company.objects.filter(deal_parties__deal=deal, published=False).distinct()
    hidden_models = deal.vehicle_models.filter(published=False)
    for name in [c.name for c in hidden] + [str(v) for v in hidden_models]:
        reasons.append(str(_("%(name)s is not published.") % {"name": name}))
    return not reasons, " ".join(reasons)


def _set_publication(row, published: bool, reason: str) -> bool:
    if (row.published, row.unpublished_reason) == (published, reason[:300]):
        return False
    row.published, row.unpublished_reason = published, reason[:300]
    row.save(update_fields=["published", "unpublished_reason"])
    return True


def publication_refresh(
    *, companies: Iterable[Company] = (), vehicle_models: Iterable[VehicleModel] = ()
) -> None:
    """Publish or withdraw these companies and vehicle models by the rules above, then, where
    one of them changed, the vehicle models and deals that show it."""
    flipped = [
        company for company in companies if _set_publication(company, *company_publication(company))
    ]
    vehicles = list(vehicle_models)
    if flipped:
        vehicles += VehicleModel.objects.filter(
            Q(maker__in=flipped) | Q(battery_supplier__in=flipped)
        ).select_related("maker", "battery_supplier")
    flipped_vehicles = [
        vehicle
        for vehicle in vehicles
        if _set_publication(vehicle, *vehicle_model_publication(vehicle))
    ]
    if flipped:
        ownership_refresh(
            stakes=Ownership.objects.filter(
                Q(owner__in=flipped) | Q(owned__in=flipped)
            ).select_related("owner", "owned")
        )
    if not flipped and not flipped_vehicles:
        return
    deals = Deal.objects.filter(
        Q(parties__company__in=flipped) | Q(vehicle_models__in=flipped_vehicles)
    ).distinct()
    for deal in deals:
        _set_publication(deal, *deal_publication(deal))


def fixtures_settle(*, company_ids=(), vehicle_model_ids=(), deal_ids=(), ownership_ids=()) -> None:
    """After a fixture load, which saves raw past the services: the publication of the loaded
    rows by the rules above, and each loaded deal's whole-deal snapshot, written without a new
    version or history entry (the loader gives loaded rows their first one afterwards)."""
    for company in Company.objects.filter(pk__in=company_ids):
        published, reason = company_publication(company)
        Company.objects.filter(pk=company.pk).update(published=published, unpublished_reason=reason)
    vehicles = VehicleModel.objects.filter(pk__in=vehicle_model_ids)
    for vehicle in vehicles.select_related("maker", "battery_supplier"):
        published, reason = vehicle_model_publication(vehicle)
        VehicleModel.objects.filter(pk=vehicle.pk).update(
            published=published, unpublished_reason=reason
        )
    stakes = Ownership.objects.filter(
        Q(pk__in=ownership_ids) | Q(owner__in=company_ids) | Q(owned__in=company_ids)
    ).select_related("owner", "owned")
    owned = set()
    for stake in stakes:
        published, reason = ownership_publication(stake)
        Ownership.objects.filter(pk=stake.pk).update(published=published, unpublished_reason=reason)
        owned.add(stake.owned_id)
    # The derived columns of every loaded company: a fixture may still carry a parent of its own.
    ownership_derive(owned_ids=owned | set(company_ids))
    for deal in Deal.objects.filter(pk__in=deal_ids):
        published, reason = deal_publication(deal)
        Deal.objects.filter(pk=deal.pk).update(
            published=published,
            unpublished_reason=reason,
            facts=deal_facts(deal),
            status=deal_sync_status(deal=deal).status,
        )
    freshness.bump()  # update() sends no signal


# --- a deal, whole ---------------------------------------------------------------------------


def deal_facts(deal: Deal) -> dict:
    """What a deal is beyond its own columns: parties and roles, status steps, vehicle models and
    citations, as plain JSON. Stored on the deal at each write, so that each saved version (the
    history) holds the whole deal, and Compare and Revert can use it."""
    return {
        "parties": [
            {
                "company": p.company.slug,
                "name": p.company.name,
                "role": p.role,
                "note": p.note,
                "equity_share": None if p.equity_share is None else str(p.equity_share),
            }
            for p in deal.parties.select_related("company").order_by("role", "company__name")
        ],
        "status_history": [
            {
                "status": step.status,
                "effective_on": step.effective_on.isoformat(),
                "effective_precision": step.effective_precision,
                "effective_estimated": step.effective_estimated,
                "source": step.source.slug,
                "source_title": step.source.title,
                "quote": step.quote,
                "note": step.note,
            }
            for step in deal.status_history.select_related("source").order_by("effective_on", "id")
        ],
        "vehicle_models": [
            {"slug": v.slug, "name": str(v)}
            for v in deal.vehicle_models.select_related("maker").order_by("name", "id")
        ],
        "citations": [
            {
                "source": c.source.slug,
                "source_title": c.source.title,
                "quote": c.quote,
                "field": c.field,
                "claim": c.claim,
            }
            for c in deal.citations.select_related("source").order_by("source__slug", "id")
        ],
    }
