"""Writes of the ingestion: queue a source, read it into drafts, and turn approved drafts into
companies and deals with their citations. Keyword-only, atomic, validated before saving."""

import dataclasses
import hashlib
import logging
from pathlib import PurePath

from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ingest.extract import (
    CompanyCandidate,
    DealCandidate,
    Extraction,
    extract,
    nothing_found_reason,
)
from ingest.matching import CompanyIndex, normalise
from ingest.models import Draft, DraftParty, IngestionRun
from ingest.names import HAN, HANGUL
from ingest.text import split_sentences
from partnerships import services as core
from partnerships.dates import Precision
from partnerships.models import Company, Deal, Source, without_control_characters

logger = logging.getLogger(__name__)

UPLOAD_MAX_BYTES = 2 * 1024 * 1024
UPLOAD_SUFFIXES = {".txt", ".md", ".text", ".html", ".htm"}


def text_from_upload(upload) -> str:
    """The text of an uploaded article (plain text or HTML, UTF-8), or a readable error."""
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise ValidationError(
            _("Upload a plain-text or HTML file (.txt, .md, .html), not %(suffix)s.")
            % {"suffix": suffix or _("a file without an extension")}
        )
    if upload.size > UPLOAD_MAX_BYTES:
        raise ValidationError(_("The file is larger than 2 MB; paste the article's text instead."))
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(_("The file is not UTF-8 text.")) from error
    if suffix in {".html", ".htm"}:
        try:
            text = strip_tags(text)
        except SuspiciousOperation as error:
            raise ValidationError(
                _("The HTML could not be read: its tags nest too deeply. Upload its text instead.")
            ) from error
    text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    text = without_control_characters(text)
    if not text:
        raise ValidationError(_("The file holds no text."))
    return text


def source_find_duplicate(*, text: str, url: str = "") -> Source | None:
    """The source this article is already stored as: same URL, or exactly the same text."""
    if url:
        found = Source.objects.filter(url=url).first()
        if found is not None:
            return found
    if text.strip():
        return Source.objects.filter(text_sha256=Source.fingerprint(text)).first()
    return None


def source_slug(title: str) -> str:
    """A free slug for a submitted article, from its title."""
    return _unique_slug(Source, title or "article")


def ingestion_enqueue(*, source: Source) -> IngestionRun:
    """Record a queued run and send its task once the transaction commits."""
    run = IngestionRun.objects.create(source=source)
    transaction.on_commit(lambda: _send(run.pk))
    return run


def _send(run_id: int) -> None:
    from ingest.tasks import ingest_source

    try:
        result = ingest_source.delay(run_id)
    except Exception as error:  # broker down: the run says so, and the source is kept
        logger.exception("could not queue ingestion run %s", run_id)
        IngestionRun.objects.filter(pk=run_id).update(
            status=IngestionRun.Status.FAILED,
            error=_("Could not queue the task: %(error)s") % {"error": error},
            finished_at=timezone.now(),
        )
        return
    IngestionRun.objects.filter(pk=run_id, task_id="").update(task_id=result.id or "")


def ingestion_mark(*, run: IngestionRun, status: str, error: str = "") -> IngestionRun:
    run.status, run.error = status, error
    fields = ["status", "error"]
    if status in (IngestionRun.Status.DONE, IngestionRun.Status.FAILED):
        run.finished_at = timezone.now()
        fields.append("finished_at")
    run.save(update_fields=fields)
    return run


def ingestion_execute(*, run: IngestionRun) -> IngestionRun:
    """Read the run's source into drafts. Drafts it made before are found, not made again."""
    run.status, run.error = IngestionRun.Status.RUNNING, ""
    run.attempts += 1
    run.started_at, run.finished_at = timezone.now(), None
    run.save(update_fields=["status", "error", "attempts", "started_at", "finished_at"])

    source = run.source
    extraction = extract(source.text or "", _published(source), CompanyIndex.from_database())
    reason = nothing_found_reason(source.text or "", extraction)
    with transaction.atomic():
        created = drafts_save(source=source, extraction=extraction)
        if reason:
            # The review queue says why there is nothing to review, not just "done, 0".
            created += _notice_draft(source, reason)
        run.status = IngestionRun.Status.DONE
        run.drafts_created = created
        run.notice = reason
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "drafts_created", "notice", "finished_at"])
    return run


def _notice_draft(source: Source, reason: str) -> int:
    sentences = split_sentences(source.text or "")
    _, created = Draft.objects.get_or_create(
        source=source,
        fingerprint=hashlib.sha256(f"notice|{reason}".encode()).hexdigest(),
        defaults={
            "kind": Draft.Kind.NOTICE,
            "sentence": sentences[0].text[:600] if sentences else "",
            "confidence": 1,
            "title": reason,
        },
    )
    return int(created)


def _published(source: Source):
    return source.published_on or timezone.localdate(source.created_at)


@transaction.atomic
def drafts_save(*, source: Source, extraction: Extraction) -> int:
    """Store the candidates as drafts of the source; returns how many are new."""
    created = 0
    for company in extraction.companies:
        created += _company_draft(source, company)
    for deal in extraction.deals:
        created += _deal_draft(source, deal)
    return created


def _company_draft(source: Source, candidate: CompanyCandidate) -> int:
    draft, created = Draft.objects.get_or_create(
        source=source,
        fingerprint=candidate.fingerprint,
        defaults={
            "kind": Draft.Kind.COMPANY,
            "sentence": candidate.sentence.text[:600],
            "marks": candidate.marks,
            "confidence": candidate.confidence,
            "company_name": candidate.name[:200],
            "company_country": candidate.country,
        },
    )
    return int(created)


def _date_fields(prefix, mention):
    if mention is None:
        return {f"{prefix}_on": None, f"{prefix}_precision": ""}
    return {f"{prefix}_on": mention.date.value, f"{prefix}_precision": mention.date.precision}


def _deal_draft(source: Source, candidate: DealCandidate) -> int:
    status_date = _date_fields("status", candidate.status_date)
    if candidate.status_date is None and source.published_on:
        status_date = {
            "status_on": source.published_on,
            "status_precision": source.published_precision or Precision.DAY,
        }
    draft, created = Draft.objects.get_or_create(
        source=source,
        fingerprint=candidate.fingerprint,
        defaults={
            "kind": Draft.Kind.DEAL,
            "sentence": candidate.sentence.text[:600],
            "marks": candidate.marks,
            "confidence": candidate.confidence,
            "title": candidate.title(),
            "deal_kind": candidate.kind,
            "status": candidate.status,
            "product": candidate.product,
            "product_detail": candidate.product_detail[:200],
            "cell_format": candidate.cell_format,
            "chemistry": candidate.chemistry,
            "volume_gwh": candidate.volume_gwh,
            "vehicle_count": candidate.vehicle_count,
            "vehicle_count_estimated": candidate.vehicle_count_estimated,
            "term_years": candidate.term_years,
            "investment_amount": candidate.investment_amount,
            "investment_currency": candidate.investment_currency,
            "capacity_value": candidate.capacity_value,
            "capacity_unit": candidate.capacity_unit,
            "site_name": candidate.site_name[:200],
            "status_estimated": candidate.status_date is None,
            **status_date,
            **_date_fields("start", candidate.start),
            **_date_fields("end", candidate.end),
        },
    )
    if created:
        DraftParty.objects.bulk_create(
            DraftParty(
                draft=draft,
                company_id=party.mention.company.pk if party.mention.company else None,
                name=party.mention.name[:200],
                role=party.role,
                equity_share=party.equity_share,
            )
            for party in candidate.parties
        )
    return int(created)


def _unique_slug(model, text: str) -> str:
    base = slugify(text)[:70].strip("-") or "item"
    if base.isdigit():  # "2025" would address the row with that id
        base = f"{model._meta.model_name}-{base}"
    slug, number = base, 2
    while model.objects.filter(slug__iexact=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def draft_approve(*, draft: Draft, user=None) -> Draft:
    """Publish a draft: create (or find) the company, or create or update the deal, citing the
    draft's sentence. Raises ValidationError with what the editor must fix first."""
    draft = Draft.objects.select_for_update().get(pk=draft.pk)
    if draft.state != Draft.State.PENDING:
        raise ValidationError(_("This draft was reviewed already."))
    if draft.kind == Draft.Kind.NOTICE:
        raise ValidationError(_("A notice has nothing to publish; reject it to set it aside."))
    if draft.kind == Draft.Kind.COMPANY:
        _approve_company(draft)
    else:
        _approve_deal(draft)
    draft.state = Draft.State.APPROVED
    draft.reviewed_by = user if user is not None and user.is_authenticated else None
    draft.reviewed_at = timezone.now()
    draft.save(update_fields=["state", "reviewed_by", "reviewed_at", "company", "deal"])
    return draft


@transaction.atomic
def draft_reject(*, draft: Draft, user=None) -> Draft:
    """Set a draft aside; it stays, so that reading the article again does not bring it back."""
    if draft.state != Draft.State.PENDING:
        raise ValidationError(_("This draft was reviewed already."))
    draft.state = Draft.State.REJECTED
    draft.reviewed_by = user if user is not None and user.is_authenticated else None
    draft.reviewed_at = timezone.now()
    draft.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    return draft


def _approve_company(draft: Draft) -> None:
    name = draft.company_name.strip()
    company = Company.objects.filter(
        Q(name__iexact=name) | Q(name_ko=name) | Q(name_zh=name) | Q(aliases__name__iexact=name)
    ).first()
    citation = core.CitationInput(
        source=draft.source, quote=draft.sentence, claim=_("named in the article")
    )
    if company is None:
        if not draft.company_country:
            raise ValidationError(
                {"company_country": _("Set the company's country before approving it.")}
            )
        fields = {
            "name": name,
            "slug": _unique_slug(Company, name),
            "country": draft.company_country,
        }
        # The name as the article writes it is also the company's Korean or Chinese name, so
        # the next Korean or Chinese article finds it.
        if HANGUL.search(name):
            fields["name_ko"] = name
        elif HAN.search(name):
            fields["name_zh"] = name
        company = core.company_create(fields=fields, citations=[citation])
    else:
        company = core.company_update(company=company, fields={}, citations=[citation])
    draft.company = company
    # Deal drafts of the same article that name this company by these words now point to it.
    wanted = normalise(name)
    for party in DraftParty.objects.filter(
        draft__source=draft.source, draft__state=Draft.State.PENDING, company__isnull=True
    ):
        if normalise(party.name) == wanted:
            party.company = company
            party.save(update_fields=["company"])


def _matching_deal(kind: str, company_ids: set[int], status: str = "") -> Deal | None:
    """The existing deal a draft updates: of its kind between exactly these companies. A draft
    that only says how far a deal got (a denial, ended talks) or calls it a cooperation updates
    the deal of any kind between them, so a second article does not make a second deal."""
    candidates = (
        Deal.objects.filter(parties__company_id__in=company_ids)
        .annotate(
            matched=Count(
                "parties__company", filter=Q(parties__company_id__in=company_ids), distinct=True
            ),
            total=Count("parties__company", distinct=True),
        )
        .filter(matched=len(company_ids), total=len(company_ids))
        .order_by("-updated_at", "-id")
    )
    same_kind = candidates.filter(kind=kind).first()
    if same_kind is not None:
        return same_kind
    if status in STATUS_STEPS or kind == Deal.Kind.COOPERATION:
        return candidates.first()
    return None


# Statuses that are a step in an existing deal's life, not a deal of their own.
STATUS_STEPS = (Deal.Status.NOT_FINALIZED, Deal.Status.CANCELLED)


DEAL_FACTS = (
    "product_detail",
    "cell_format",
    "chemistry",
    "volume_gwh",
    "vehicle_count",
    "term_years",
    "site_name",
)
# Figures that only mean something with their unit: copied together or not at all.
DEAL_PAIRED_FACTS = (
    ("investment_amount", "investment_currency"),
    ("capacity_value", "capacity_unit"),
)


def _approve_deal(draft: Draft) -> None:
    parties = list(draft.parties.select_related("company"))
    missing = [party.name for party in parties if party.company_id is None]
    if missing:
        raise ValidationError(
            _("Match these names to companies first (or approve their company drafts): %(names)s")
            % {"names": ", ".join(missing)}
        )
    company_ids = {party.company_id for party in parties}
    if len(company_ids) < 2:
        raise ValidationError(_("A deal needs at least two different companies."))
    for name in ("deal_kind", "status", "product"):
        if not getattr(draft, name):
            raise ValidationError({name: _("Fill this in before approving.")})
    published = _published(draft.source)
    status_on = draft.status_on or published
    status_precision = draft.status_precision or draft.source.published_precision or "day"

    deal = _matching_deal(draft.deal_kind, company_ids, draft.status)
    fields, filled = {}, []
    if deal is None:
        fields = {
            "title": draft.title or draft.sentence[:200],
            "slug": _unique_slug(Deal, draft.title or draft.sentence),
            "kind": draft.deal_kind,
            "product": draft.product,
            "announced_on": status_on,
            "announced_precision": status_precision,
            "announced_estimated": draft.status_estimated,
        }
    current = deal or Deal()
    for name in DEAL_FACTS:
        value = getattr(draft, name)
        if value not in (None, "") and getattr(current, name) in (None, ""):
            fields[name] = value
            filled.append(name)
    for amount, unit in DEAL_PAIRED_FACTS:
        value, unit_value = getattr(draft, amount), getattr(draft, unit)
        if value is not None and unit_value and getattr(current, amount) is None:
            fields[amount], fields[unit] = value, unit_value
            filled.append(amount)
    if draft.vehicle_count is not None and "vehicle_count" in filled:
        fields["vehicle_count_estimated"] = draft.vehicle_count_estimated
    for prefix in ("start", "end"):
        if getattr(draft, f"{prefix}_on") and not getattr(current, f"{prefix}_on"):
            fields[f"{prefix}_on"] = getattr(draft, f"{prefix}_on")
            fields[f"{prefix}_precision"] = getattr(draft, f"{prefix}_precision")
            filled.append(f"{prefix}_on")
    step = core.StatusInput(
        status=draft.status,
        effective_on=status_on,
        effective_precision=status_precision,
        effective_estimated=draft.status_estimated,
        source=draft.source,
        quote=draft.sentence,
    )
    wanted = {
        (party.company_id, party.role): core.PartyInput(
            company=party.company, role=party.role, equity_share=party.equity_share
        )
        for party in parties
    }
    if deal is not None:
        # The parties it has, each keeping its share unless it had none and the draft gives one;
        # any role the draft adds joins them.
        have = {
            (p.company_id, p.role): core.PartyInput(
                company=p.company, role=p.role, note=p.note, equity_share=p.equity_share
            )
            for p in deal.parties.select_related("company")
        }
        for key, party in wanted.items():
            known = have.get(key)
            if known is not None and known.equity_share is None and party.equity_share is not None:
                have[key] = dataclasses.replace(known, equity_share=party.equity_share)
                filled.append("equity_share")
        wanted = {**wanted, **have}
    elif any(party.equity_share is not None for party in wanted.values()):
        filled.append("equity_share")
    citations = [
        core.CitationInput(source=draft.source, quote=draft.sentence, field=name)
        for name in dict.fromkeys(["", *filled])
    ]
    if deal is None:
        deal = core.deal_create(
            fields=fields, parties=list(wanted.values()), citations=citations, status_change=step
        )
    else:
        # A step the history holds already and citations it has already are left out by the
        # services, so a draft repeating what the deal says changes nothing.
        deal = core.deal_update(
            deal=deal,
            fields=fields,
            parties=list(wanted.values()),
            citations=citations,
            status_change=step,
        )
    draft.deal = deal
