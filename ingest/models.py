"""What reading an article leaves behind: a run per attempt, and drafts waiting for an editor.

Nothing here is published. A `Draft` becomes a `Company` or a `Deal` (with its parties, status
history and citations) only when an editor approves it; see `ingest.services.draft_approve`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from partnerships.dates import Precision, clean_precise_pair, precision_constraints
from partnerships.models import (
    QUOTE_MAX_LENGTH,
    CellFormat,
    Chemistry,
    Company,
    Deal,
    DealKind,
    DealStatus,
    PartyRole,
    Source,
)


class IngestionRun(models.Model):
    """One attempt to read a source: what the editor sees as the article's task state."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="ingestion_runs"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    drafts_created = models.PositiveIntegerField(_("drafts created"), default=0)
    notice = models.CharField(
        _("notice"),
        max_length=200,
        blank=True,
        help_text=_("Why the reading found no deal, when it found none."),
    )
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    queued_at = models.DateTimeField(_("queued"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        get_latest_by = ["queued_at", "id"]
        verbose_name = _("ingestion run")
        verbose_name_plural = _("ingestion runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="ingestion_run_status_valid",
                violation_error_message=_("Unknown status."),
            ),
        ]

    def __str__(self):
        return f"{self.source.title}: {self.get_status_display()}"


class DraftQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=Draft.State.PENDING)

    def for_review(self):
        """The review queue: pending first, with what the list shows in one query."""
        return self.select_related("source", "company", "deal").prefetch_related("parties__company")


class Draft(models.Model):
    """A candidate fact read from one sentence: a deal with its parties, or a new company."""

    class Kind(models.TextChoices):
        DEAL = "deal", _("deal")
        COMPANY = "company", _("new company")
        # Nothing to publish: why a reading found no deal ("no company recognised").
        NOTICE = "notice", _("notice")

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="drafts"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    sentence = models.CharField(_("sentence"), max_length=QUOTE_MAX_LENGTH)
    marks = models.JSONField(
        _("marked words"),
        default=list,
        blank=True,
        help_text=_("[start, end, label] spans of the sentence the extractor matched."),
    )
    confidence = models.DecimalField(
        _("confidence"),
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=64,
        editable=False,
        help_text=_("Same sentence, same reading: how a second run finds its earlier drafts."),
    )

    # A proposed company.
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    company_country = CountryField(_("company country"), blank=True)

    # A proposed deal; parties are `DraftParty` rows.
    title = models.CharField(_("title"), max_length=200, blank=True)
    deal_kind = models.CharField(
        _("deal kind"), max_length=24, choices=DealKind.choices, blank=True
    )
    status = models.CharField(_("status"), max_length=16, choices=DealStatus.choices, blank=True)
    product = models.CharField(
        _("product"), max_length=24, choices=Deal.Product.choices, blank=True
    )
    product_detail = models.CharField(_("product detail"), max_length=200, blank=True)
    cell_format = models.CharField(
        _("cell format"), max_length=12, choices=CellFormat.choices, blank=True
    )
    chemistry = models.CharField(
        _("chemistry"), max_length=8, choices=Chemistry.choices, blank=True
    )
    volume_gwh = models.DecimalField(
        _("volume (GWh)"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    vehicle_count = models.PositiveIntegerField(
        _("vehicles"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    vehicle_count_estimated = models.BooleanField(_("vehicles estimated"), default=False)
    term_years = models.PositiveSmallIntegerField(
        _("term (years)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    investment_amount = models.DecimalField(
        _("investment"),
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    investment_currency = models.CharField(
        _("investment currency"), max_length=3, choices=Deal.Currency.choices, blank=True
    )
    capacity_value = models.DecimalField(
        _("annual capacity"),
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    capacity_unit = models.CharField(
        _("capacity unit"), max_length=8, choices=Deal.CapacityUnit.choices, blank=True
    )
    site_name = models.CharField(_("plant site"), max_length=200, blank=True)
    status_on = models.DateField(_("status date"), null=True, blank=True)
    status_precision = models.CharField(
        _("status date precision"), max_length=8, choices=Precision.choices, blank=True
    )
    status_estimated = models.BooleanField(
        _("status date estimated"),
        default=False,
        help_text=_("No date in the sentence: the publication date stands in."),
    )
    start_on = models.DateField(_("start"), null=True, blank=True)
    start_precision = models.CharField(
        _("start precision"), max_length=8, choices=Precision.choices, blank=True
    )
    end_on = models.DateField(_("end"), null=True, blank=True)
    end_precision = models.CharField(
        _("end precision"), max_length=8, choices=Precision.choices, blank=True
    )

    company = models.ForeignKey(
        Company,
        verbose_name=_("company created or matched"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drafts",
    )
    deal = models.ForeignKey(
        Deal,
        verbose_name=_("deal created or updated"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drafts",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DraftQuerySet.as_manager()

    class Meta:
        ordering = ["source", "id"]
        verbose_name = _("draft")
        verbose_name_plural = _("drafts (review queue)")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "fingerprint"],
                name="draft_unique_per_source",
                violation_error_message=_("This source has this draft already."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["deal", "company", "notice"]),
                name="draft_kind_valid",
                violation_error_message=_("Unknown kind of draft."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "approved", "rejected"]),
                name="draft_state_valid",
                violation_error_message=_("Unknown state."),
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1),
                name="draft_confidence_range",
                violation_error_message=_("Confidence is between 0 and 1."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="company") | ~Q(company_name=""),
                name="draft_company_has_name",
                violation_error_message=_("A proposed company needs a name."),
            ),
            models.CheckConstraint(
                condition=Q(volume_gwh__isnull=True) | Q(volume_gwh__gt=0),
                name="draft_volume_gwh_positive",
                violation_error_message=_("A volume is more than 0 GWh."),
            ),
            *precision_constraints("status", "draft"),
            *precision_constraints("start", "draft"),
            *precision_constraints("end", "draft"),
        ]
        indexes = [models.Index(fields=["state", "source"], name="draft_state_source_idx")]

    def __str__(self):
        if self.kind == self.Kind.COMPANY:
            return _("New company: %(name)s") % {"name": self.company_name}
        if self.kind == self.Kind.NOTICE:
            return _("No deal found: %(reason)s") % {"reason": self.title}
        return self.title or _("Deal draft %(id)s") % {"id": self.pk}

    def clean(self):
        errors = {}
        for prefix in ("status", "start", "end"):
            errors |= clean_precise_pair(self, prefix)
        if (self.investment_amount is None) != (not self.investment_currency):
            errors["investment_currency"] = _(
                "An investment has both an amount and a currency, or neither."
            )
        if (self.capacity_value is None) != (not self.capacity_unit):
            errors["capacity_unit"] = _("A capacity has both a value and a unit, or neither.")
        if self.kind == self.Kind.COMPANY and not self.company_name:
            errors["company_name"] = _("A proposed company needs a name.")
        if self.source_id and self.sentence and self.sentence not in (self.source.text or ""):
            errors["sentence"] = _("The sentence does not appear in the source's text.")
        if errors:
            raise ValidationError(errors)


class DraftParty(models.Model):
    """A company a deal draft names, matched in the database or only by the words written."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="parties")
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the name matched no company: approve its company draft first."),
    )
    name = models.CharField(_("name as written"), max_length=200)
    role = models.CharField(_("role"), max_length=16, choices=PartyRole.choices)
    equity_share = models.DecimalField(
        _("equity share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["draft", "id"]
        verbose_name = _("draft party")
        verbose_name_plural = _("draft parties")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=PartyRole.values),
                name="draft_party_role_valid",
                violation_error_message=_("Unknown role."),
            ),
        ]

    def __str__(self):
        return f"{self.company.name if self.company_id else self.name} ({self.role})"


__all__ = ["IngestionRun", "Draft", "DraftParty"]
