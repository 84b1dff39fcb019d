"""Who partners with whom, on what, how much, since when, and on whose word.

Every fact row points to the sentence that states it (`Citation`, `StatusChange.quote`). Dates are
`*_on` + `*_precision` pairs (see `dates.py`); a figure or date the source gives only roughly, or
that was inferred, carries an `*_estimated` flag. Unknown is null, never zero.
"""

import datetime
import functools
import hashlib
import operator
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Lower, Upper
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from partnerships.dates import Precision, clean_precise_pair, format_precise, precision_constraints
from partnerships.querysets import (
    CompanyQuerySet,
    ContextEventQuerySet,
    DealQuerySet,
    OwnershipQuerySet,
    SourceQuerySet,
    VehicleModelQuerySet,
)

QUOTE_MAX_LENGTH = 600


# Dates a source can give: the oldest companies of the chain were founded in the 19th century,
# the longest contracts run to the 2040s. Outside this a date is a typo (9999-12-31), and
# pages and charts that compute with it (a bar to the day after) would fail.
FIRST_DATE, LAST_DATE = datetime.date(1800, 1, 1), datetime.date(2100, 12, 31)
DATE_RANGE_MESSAGE = _("Give a date between 1800 and 2100.")
DATE_VALIDATORS = [
    MinValueValidator(FIRST_DATE, message=DATE_RANGE_MESSAGE),
    MaxValueValidator(LAST_DATE, message=DATE_RANGE_MESSAGE),
]
# Control characters (U+0007, NUL, escape, C1) break exports and terminals and never belong
# in a name or a sentence; tab and line breaks are text. U+FFFE and U+FFFF are no characters at
# all, and XML (a workbook) cannot hold them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def without_control_characters(text: str) -> str:
    """`text` (an article's, which may come with them) with each control character replaced by
    a space, so that no two words are joined: a form feed or vertical tab pasted from a PDF or
    a word processor often stands mid-sentence, and "supply\fagreement" would hide the deal
    from the extractor."""
    return CONTROL_CHARACTERS.sub(" ", text)


def slug_field():
    """The slug every row is addressed by: never digits alone, which address rows by id."""
    return models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        validators=[
            RegexValidator(
                r"^[0-9]+$",
                inverse_match=True,
                message=_("A slug needs a letter or a hyphen: digits alone address a row by id."),
                code="digits_only",
            )
        ],
    )


def slug_unique_ignoring_case(table):
    """`CATL` and `catl` would be one company to a reader and two rows to the database."""
    return models.UniqueConstraint(
        Lower("slug"),
        name=f"{table}_slug_unique_ci",
        violation_error_message=_("This slug exists already (in other capitals)."),
    )


def precise_date(label):
    """The three fields of a date known to some precision, for a model body."""
    return (
        models.DateField(
            _(label),
            null=True,
            blank=True,
            help_text=_("First day of the period."),
            validators=DATE_VALIDATORS,
        ),
        models.CharField(
            _("%(label)s precision") % {"label": label},
            max_length=8,
            choices=Precision.choices,
            blank=True,
        ),
        models.BooleanField(
            _("%(label)s estimated") % {"label": label},
            default=False,
            help_text=_("Inferred, or given only approximately by the source."),
        ),
    )


def local_name(company, language: str) -> tuple[str, str]:
    """(English name, name in the viewer's `language` or "") of a company, model or plain row:
    the one rule the pages, the charts and the admin name companies by."""
    get = company.get if isinstance(company, dict) else lambda key: getattr(company, key, "")
    english = get("name") or ""
    if language.startswith("ko"):
        return english, get("name_ko") or ""
    if language.startswith("zh"):
        return english, get("name_zh") or ""
    return english, ""


def local_text(row, field: str, language: str) -> str:
    """A text field in the viewer's `language`: its Korean variant (`<field>_ko`) for a Korean
    reader where one is stored, else the English one."""
    get = row.get if isinstance(row, dict) else lambda key: getattr(row, key, "")
    if language.startswith("ko"):
        return get(f"{field}_ko") or get(field) or ""
    return get(field) or ""


class SlugManager(models.Manager):
    """Fixtures name rows by slug, so loading them twice updates instead of duplicating."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class CatalogueRow(models.Model):
    """A row people write and every page reads: its text holds no control characters.

    Checked in `clean_fields`, so the services (`full_clean`) and the admin's forms refuse such
    text with a message naming the field.
    """

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField):
                continue
            if exclude and field.name in exclude:
                continue
            value = getattr(self, field.attname)
            if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
                errors.setdefault(field.name, []).append(
                    ValidationError(
                        _("Remove the control character (U+%(code)04X) from this text."),
                        code="control_character",
                        params={"code": ord(CONTROL_CHARACTERS.search(value)[0])},
                    )
                )
        if errors:
            raise ValidationError(errors)


class Timestamped(CatalogueRow):
    """Created and updated times. Plain defaults rather than auto_now, because fixtures load with
    raw saves, which skip auto_now."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)


def publication_fields():
    """Whether readers may see a record, kept by the services (`services.publication_refresh`):
    only a record its sources state is published."""
    return (
        models.BooleanField(
            _("published"),
            default=False,
            editable=False,
            help_text=_("Shown to readers: set by the services once the record is cited."),
        ),
        models.CharField(_("why it is not published"), max_length=300, blank=True, editable=False),
    )


class ChainRole(models.TextChoices):
    AUTOMAKER = "automaker", _("automaker")
    BATTERY_CELLS = "battery_cells", _("battery cell maker")
    BATTERY_MATERIALS = "battery_materials", _("battery materials")
    COMPONENTS = "components", _("components")
    GROUP = "group", _("business group")
    OTHER = "other", _("other")


class CellFormat(models.TextChoices):
    CYLINDRICAL = "cylindrical", _("cylindrical")
    PRISMATIC = "prismatic", _("prismatic")
    POUCH = "pouch", _("pouch")


class Chemistry(models.TextChoices):
    NCM = "NCM", _("NCM (nickel-cobalt-manganese)")
    NCA = "NCA", _("NCA (nickel-cobalt-aluminium)")
    LFP = "LFP", _("LFP (lithium iron phosphate)")
    LMFP = "LMFP", _("LMFP (lithium manganese iron phosphate)")
    SODIUM_ION = "Na-ion", _("sodium-ion")


class Source(Timestamped):
    """A document that states facts: a news article, a filing, or the editors' reference notes."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("news article")
        PRESS_RELEASE = "press_release", _("press release")
        FILING = "filing", _("regulatory filing")
        REPORT = "report", _("report")
        REFERENCE = "reference", _("editors' reference notes")

    slug = slug_field()
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ARTICLE)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("en", "English"), ("ko", "한국어"), ("zh", "中文")],
        default="en",
    )
    published_on, published_precision, published_estimated = precise_date("published")
    text = models.TextField(_("full text"), blank=True)
    # The text's fingerprint, unique: one article is one source however often, and however
    # simultaneously, it is submitted (the database decides the race, not a lookup before it).
    text_sha256 = models.CharField(
        _("text fingerprint"), max_length=64, blank=True, editable=False, default=""
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(excluded_fields=["text_sha256"])

    objects = SlugManager.from_queryset(SourceQuerySet)()

    class Meta:
        ordering = ["-published_on", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            slug_unique_ignoring_case("source"),
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="source_url_unique",
                violation_error_message=_("A source with this URL exists already."),
            ),
            models.UniqueConstraint(
                fields=["text_sha256"],
                condition=~Q(text_sha256=""),
                name="source_text_unique",
                violation_error_message=_("A source with exactly this text exists already."),
            ),
            *precision_constraints("published", "source"),
        ]

    def __str__(self):
        when = self.published_display
        return f"{self.publisher}: {self.title}" + (f" ({when})" if when else "")

    def save(self, *args, **kwargs):
        self.text_sha256 = self.fingerprint(self.text)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("dashboard:source-detail", args=[self.slug])

    @staticmethod
    def fingerprint(text: str) -> str:
        """The fingerprint of an article's text ("" for none): surrounding blanks ignored."""
        text = (text or "").strip()
        return hashlib.sha256(text.encode()).hexdigest() if text else ""

    def full_clean(self, *args, **kwargs):
        self.text_sha256 = self.fingerprint(self.text)
        super().full_clean(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)

    @property
    def published_display(self):
        return format_precise(self.published_on, self.published_precision)

    def clean(self):
        errors = clean_precise_pair(self, "published")
        if errors:
            raise ValidationError(errors)


class Company(Timestamped):
    class Tie(models.TextChoices):
        SUBSIDIARY = "subsidiary", _("subsidiary")
        JOINT_VENTURE = "joint_venture", _("joint venture")
        BRAND = "brand", _("brand")
        MAJOR_SHAREHOLDER = "major_shareholder", _("held by a major shareholder")
        GROUP_MEMBER = "group_member", _("member of the business group")
        SHAREHOLDER = "shareholder", _("held in part by a shareholder")

    slug = slug_field()
    name = models.CharField(_("English name"), max_length=200, unique=True)
    name_ko = models.CharField(_("Korean name"), max_length=200, blank=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    country = CountryField(_("country"))
    chain_role = models.CharField(
        _("role in the chain"), max_length=20, choices=ChainRole.choices, default=ChainRole.OTHER
    )
    # The controlling stake's owner, tie and share, derived by the services from the stakes
    # (`Ownership`, the one truth) in the transaction that changes them; never edited. Lists,
    # filters and exports read these columns; `partnerships/ownership.py` says the rule.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("controlling owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="children",
        help_text=_("From the stakes: the owner of the current controlling stake."),
    )
    parent_tie = models.CharField(
        _("tie to the controlling owner"),
        max_length=20,
        choices=Tie.choices,
        blank=True,
        editable=False,
    )
    parent_share_percent = models.DecimalField(
        _("controlling owner's share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    state_owned = models.BooleanField(_("state-owned"), null=True, blank=True)
    founded_on, founded_precision, founded_estimated = precise_date("founded")
    hq_city = models.CharField(_("headquarters city"), max_length=120, blank=True)
    hq_city_ko = models.CharField(
        _("headquarters city in Korean"),
        max_length=120,
        blank=True,
        help_text=_("Shown to Korean readers; the English name is shown where this is blank."),
    )
    hq_latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    hq_longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    description = models.TextField(_("description"), blank=True)
    published, unpublished_reason = publication_fields()
    history = HistoricalRecords()

    objects = SlugManager.from_queryset(CompanyQuerySet)()

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        constraints = [
            slug_unique_ignoring_case("company"),
            models.UniqueConstraint(
                fields=["name_ko"],
                condition=~Q(name_ko=""),
                name="company_name_ko_unique",
                violation_error_message=_("Another company has this Korean name."),
            ),
            models.UniqueConstraint(
                fields=["name_zh"],
                condition=~Q(name_zh=""),
                name="company_name_zh_unique",
                violation_error_message=_("Another company has this Chinese name."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="company_not_own_parent",
                violation_error_message=_("A company cannot be its own parent."),
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, parent_tie="", parent_share_percent__isnull=True)
                | (Q(parent__isnull=False) & ~Q(parent_tie="")),
                name="company_parent_tie_with_parent",
                violation_error_message=_("Name the tie to the parent company, and only with one."),
            ),
            models.CheckConstraint(
                condition=Q(parent_share_percent__isnull=True)
                | Q(parent_share_percent__gt=0, parent_share_percent__lte=100),
                name="company_share_percent_range",
                violation_error_message=_("A share is more than 0 and at most 100 percent."),
            ),
            models.CheckConstraint(
                condition=Q(hq_latitude__isnull=True, hq_longitude__isnull=True)
                | Q(
                    hq_latitude__isnull=False,
                    hq_longitude__isnull=False,
                    hq_latitude__gte=-90,
                    hq_latitude__lte=90,
                    hq_longitude__gte=-180,
                    hq_longitude__lte=180,
                ),
                name="company_hq_coordinates_valid",
                violation_error_message=_("Give both latitude and longitude, within range."),
            ),
            models.CheckConstraint(
                condition=Q(Exact(Length("country"), 2), Exact(F("country"), Upper("country"))),
                name="company_country_iso_alpha2",
                violation_error_message=_("The country is an ISO 3166 two-letter code."),
            ),
            *precision_constraints("founded", "company"),
        ]

    def __str__(self):
        native = self.name_ko or self.name_zh
        return f"{self.name} ({native})" if native else self.name

    def get_absolute_url(self):
        return reverse("dashboard:company-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    def display_name(self, language="en"):
        """The name in the viewer's language where known, else the English one."""
        english, local = local_name(self, language)
        return local or english

    @property
    def founded_display(self):
        return format_precise(self.founded_on, self.founded_precision)

    def ancestors(self):
        """The controlling owners up the chain, nearest first: Polestar → Geely Holding. Follows
        the stakes (`Company.parent` is derived from them); stops on a cycle."""
        from partnerships.ownership import owner_chain

        parents = dict(Company.objects.filter(parent__isnull=False).values_list("id", "parent_id"))
        ids = owner_chain(self.pk, parents)
        by_id = Company.objects.in_bulk(ids)
        return [by_id[pk] for pk in ids]

    def clean(self):
        errors = clean_precise_pair(self, "founded")
        if (self.hq_latitude is None) != (self.hq_longitude is None):
            errors["hq_latitude"] = _("Give both latitude and longitude, or neither.")
        if errors:
            raise ValidationError(errors)


class CompanyAliasManager(models.Manager):
    def get_by_natural_key(self, company, name):
        return self.get(company__slug=company, name=name)


class CompanyAlias(CatalogueRow):
    """Other names people search by: "LGES", "LG에너지솔루션", "宁德时代"."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("alias"), max_length=200)
    history = HistoricalRecords()

    objects = CompanyAliasManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="company_alias_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="company_alias_not_blank"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.company.natural_key(), self.name)

    natural_key.dependencies = ["partnerships.company"]


class CompanyIdentifier(CatalogueRow):
    class Scheme(models.TextChoices):
        TICKER = "ticker", _("stock ticker (exchange:symbol)")
        LEI = "lei", _("LEI")
        KR_BRN = "kr_brn", _("Korean business registration number")
        CN_USCC = "cn_uscc", _("Chinese unified social credit code")
        OTHER = "other", _("other registry number")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(_("scheme"), max_length=10, choices=Scheme.choices)
    value = models.CharField(_("value"), max_length=64)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "value"]
        verbose_name = _("external identifier")
        verbose_name_plural = _("external identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "value"],
                name="company_identifier_unique",
                violation_error_message=_("Another company has this identifier."),
            ),
            models.CheckConstraint(condition=~Q(value=""), name="company_identifier_not_blank"),
        ]

    def __str__(self):
        return f"{self.get_scheme_display()}: {self.value}"


class Ownership(Timestamped):
    """A stake: one company's share of another, held from one date to another, on a source's
    word (its citations). A company may have several owners; the ownership chains of pages and
    filters follow the controlling stake (`partnerships/ownership.py`)."""

    Tie = Company.Tie

    slug = slug_field()
    owner = models.ForeignKey(
        Company, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="holdings"
    )
    owned = models.ForeignKey(
        Company, verbose_name=_("owned company"), on_delete=models.CASCADE, related_name="stakes"
    )
    tie = models.CharField(_("tie"), max_length=20, choices=Tie.choices)
    share_percent = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_("Empty when the sources do not give it."),
    )
    since_on, since_precision, since_estimated = precise_date("since")
    until_on, until_precision, until_estimated = precise_date("until")
    controlling = models.BooleanField(
        _("controlling"),
        default=False,
        help_text=_(
            "The owner that controls the company (the majority owner, or the one the sources "
            "call its parent): ownership chains follow this stake. One current one per company."
        ),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    published, unpublished_reason = publication_fields()
    history = HistoricalRecords()

    objects = SlugManager.from_queryset(OwnershipQuerySet)()

    class Meta:
        ordering = ["owned", F("until_on").desc(nulls_first=True), "-share_percent", "id"]
        verbose_name = _("stake")
        verbose_name_plural = _("stakes")
        constraints = [
            slug_unique_ignoring_case("ownership"),
            models.CheckConstraint(
                condition=Q(share_percent__isnull=True)
                | Q(share_percent__gt=0, share_percent__lte=100),
                name="ownership_share_range",
                violation_error_message=_("A share is more than 0 and at most 100 percent."),
            ),
            models.CheckConstraint(
                condition=~Q(owner=F("owned")),
                name="ownership_not_own_owner",
                violation_error_message=_("A company cannot own a stake in itself."),
            ),
            models.CheckConstraint(
                condition=Q(since_on__isnull=True)
                | Q(until_on__isnull=True)
                | Q(until_on__gte=F("since_on")),
                name="ownership_until_after_since",
                violation_error_message=_("A stake cannot end before it began."),
            ),
            models.CheckConstraint(
                condition=Q(tie__in=Company.Tie.values),
                name="ownership_tie_valid",
                violation_error_message=_("Unknown tie."),
            ),
            models.UniqueConstraint(
                fields=["owner", "owned"],
                condition=Q(until_on__isnull=True),
                name="ownership_one_open_stake_per_pair",
                violation_error_message=_(
                    "This owner holds a current stake in this company already: change it, or "
                    "end it before recording the next."
                ),
            ),
            models.UniqueConstraint(
                fields=["owned"],
                condition=Q(controlling=True, until_on__isnull=True),
                name="ownership_one_controlling_stake",
                violation_error_message=_(
                    "Another current stake controls this company already: end it or unmark it."
                ),
            ),
            *precision_constraints("since", "ownership"),
            *precision_constraints("until", "ownership"),
        ]

    def __str__(self):
        share = f" {self.share_percent.normalize():f}%" if self.share_percent is not None else ""
        return f"{self.owner.name} →{share} {self.owned.name}" + (
            f" ({self.period_display})" if self.period_display else ""
        )

    def get_absolute_url(self):
        return self.owned.get_absolute_url()

    def natural_key(self):
        return (self.slug,)

    @property
    def period_display(self):
        """When the stake was held, no finer than known: "2022 – 2024", "since May 2022"."""
        since, until = self.since_display, self.until_display
        if since and until:
            return f"{since} – {until}"
        if since:
            return str(_("since %(date)s") % {"date": since})
        if until:
            return str(_("until %(date)s") % {"date": until})
        return ""

    @property
    def since_display(self):
        return format_precise(self.since_on, self.since_precision)

    @property
    def until_display(self):
        return format_precise(self.until_on, self.until_precision)

    @property
    def current(self):
        return self.until_on is None

    def clean(self):
        errors = clean_precise_pair(self, "since") | clean_precise_pair(self, "until")
        if self.owner_id and self.owner_id == self.owned_id:
            errors["owner"] = _("A company cannot own a stake in itself.")
        if self.since_on and self.until_on and self.until_on < self.since_on:
            errors["until_on"] = _("A stake cannot end before it began.")
        if self.controlling and self.until_on is None and self.owner_id and self.owned_id:
            from partnerships.ownership import makes_cycle

            controllers = dict(
                Ownership.objects.current()
                .controlling()
                .exclude(pk=self.pk)
                .values_list("owned_id", "owner_id")
            )
            if makes_cycle(self.owned_id, self.owner_id, controllers):
                errors["owner"] = _(
                    "This owner is itself controlled, up its chain, by the company it would "
                    "control: the chain would be a loop."
                )
            larger = (
                Ownership.objects.current()
                .filter(owned_id=self.owned_id, share_percent__gt=self.share_percent)
                .exclude(pk=self.pk)
                if self.share_percent is not None
                else Ownership.objects.none()
            )
            if larger.exists():
                errors["controlling"] = _(
                    "Another current owner holds a larger share: a minority stake does not "
                    "control the company."
                )
        if errors:
            raise ValidationError(errors)


class VehicleModel(Timestamped):
    class Powertrain(models.TextChoices):
        BEV = "bev", _("battery electric")
        PHEV = "phev", _("plug-in hybrid")
        HEV = "hev", _("hybrid")
        FCEV = "fcev", _("fuel cell")
        ICE = "ice", _("combustion engine")

    slug = slug_field()
    maker = models.ForeignKey(
        Company, verbose_name=_("maker"), on_delete=models.PROTECT, related_name="vehicle_models"
    )
    name = models.CharField(_("name"), max_length=120)
    segment = models.CharField(
        _("segment or body"), max_length=80, blank=True, help_text=_("PBV, mid-size SUV, ...")
    )
    powertrain = models.CharField(
        _("powertrain"), max_length=8, choices=Powertrain.choices, blank=True
    )
    launch_on, launch_precision, launch_estimated = precise_date("launch")
    battery_supplier = models.ForeignKey(
        Company,
        verbose_name=_("battery supplier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supplied_vehicle_models",
    )
    chemistry = models.CharField(
        _("chemistry"), max_length=8, choices=Chemistry.choices, blank=True
    )
    cell_format = models.CharField(
        _("cell format"), max_length=12, choices=CellFormat.choices, blank=True
    )
    production_site = models.CharField(_("production site"), max_length=200, blank=True)
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("predecessor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
    )
    programme = models.CharField(_("development programme"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    published, unpublished_reason = publication_fields()
    history = HistoricalRecords()

    objects = SlugManager.from_queryset(VehicleModelQuerySet)()

    class Meta:
        ordering = ["name"]
        verbose_name = _("vehicle model")
        verbose_name_plural = _("vehicle models")
        constraints = [
            slug_unique_ignoring_case("vehicle_model"),
            models.UniqueConstraint(
                fields=["maker", "name"],
                name="vehicle_model_unique_per_maker",
                violation_error_message=_("This maker has a model of this name already."),
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=F("id")),
                name="vehicle_model_not_own_predecessor",
                violation_error_message=_("A model cannot be its own predecessor."),
            ),
            *precision_constraints("launch", "vehicle_model"),
        ]

    def __str__(self):
        return f"{self.maker.name} {self.name}"

    def get_absolute_url(self):
        return reverse("dashboard:vehicle-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def launch_display(self):
        return format_precise(self.launch_on, self.launch_precision)

    def clean(self):
        errors = clean_precise_pair(self, "launch")
        if self.pk and self.predecessor_id == self.pk:
            errors["predecessor"] = _("A model cannot be its own predecessor.")
        if errors:
            raise ValidationError(errors)


class DealKind(models.TextChoices):
    SUPPLY = "supply", _("supply contract")
    JOINT_DEVELOPMENT = "joint_development", _("joint development")
    CONTRACT_MANUFACTURING = "contract_manufacturing", _("contract manufacturing")
    COOPERATION = "cooperation", _("cooperation")
    JOINT_VENTURE = "joint_venture", _("joint venture")
    INVESTMENT = "investment", _("investment")
    LICENSING = "licensing", _("licensing")


class DealStatus(models.TextChoices):
    REPORTED = "reported", _("reported")
    IN_TALKS = "in_talks", _("in talks / pursuing")
    SIGNED = "signed", _("signed")
    ACTIVE = "active", _("active")
    COMPLETED = "completed", _("completed")
    NOT_FINALIZED = "not_finalized", _("not finalized / denied")
    CANCELLED = "cancelled", _("cancelled")


class Currency(models.TextChoices):
    KRW = "KRW", _("Korean won")
    CNY = "CNY", _("Chinese yuan")
    USD = "USD", _("US dollar")
    EUR = "EUR", _("euro")
    JPY = "JPY", _("Japanese yen")


class CapacityUnit(models.TextChoices):
    GWH = "GWh", _("GWh per year")
    TONS = "t", _("tons per year")
    VEHICLES = "vehicles", _("vehicles per year")


# The deal's own facts, in the order every list of them reads: the deal rows
# (`querysets.deal_row`), the API's serializers, the services' writable fields, the exports'
# columns and the ingestion drafts' deal fields are all derived from this one tuple.
DEAL_FIELDS = (
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
    "investment_amount",
    "investment_currency",
    "capacity_value",
    "capacity_unit",
    "site_name",
    "site_latitude",
    "site_longitude",
)


class Deal(Timestamped):
    Kind = DealKind
    Status = DealStatus
    Currency = Currency
    CapacityUnit = CapacityUnit

    # Which statuses count as agreed and which as still under discussion, for headline figures.
    AGREED = (Status.SIGNED, Status.ACTIVE, Status.COMPLETED)
    UNDER_DISCUSSION = (Status.REPORTED, Status.IN_TALKS, Status.NOT_FINALIZED)

    class Product(models.TextChoices):
        BATTERY_CELLS = "battery_cells", _("battery cells")
        BATTERY_PACKS = "battery_packs", _("battery packs")
        CATHODE = "cathode", _("cathode material")
        ANODE = "anode", _("anode material")
        ELECTROLYTE = "electrolyte", _("electrolyte")
        SEPARATOR = "separator", _("separator")
        FOIL = "foil", _("battery foil")
        VEHICLES = "vehicles", _("vehicles")
        VEHICLE_DEVELOPMENT = "vehicle_development", _("vehicle development")
        VEHICLE_PRODUCTION = "vehicle_production", _("vehicle production")
        OTHER = "other", _("other")

    slug = slug_field()
    title = models.CharField(
        _("title"),
        max_length=200,
        help_text=_(
            "The editor's headline. Readers of English see it while the deal has the status it "
            "was written under; otherwise, and in Korean, a title built from the facts."
        ),
    )
    title_status = models.CharField(
        _("headline written when the deal was"),
        max_length=16,
        choices=Status.choices,
        blank=True,
        help_text=_(
            "Set by each write that changes the headline. Set it to the present status to "
            "confirm that the headline still holds; empty: readers always see the built title."
        ),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.REPORTED,
        help_text=_("The newest entry of the status history; change it there, with its source."),
    )
    product = models.CharField(_("product"), max_length=24, choices=Product.choices)
    product_detail = models.CharField(
        _("product detail"),
        max_length=200,
        blank=True,
        help_text=_('As the source names it: "46-series (46 mm) cylindrical cells".'),
    )
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
        help_text=_("Leave empty when unknown; never 0."),
    )
    volume_gwh_estimated = models.BooleanField(_("volume estimated"), default=False)
    vehicle_count = models.PositiveIntegerField(
        _("vehicles"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Number of vehicles the volume equips, where the source says."),
    )
    vehicle_count_estimated = models.BooleanField(_("vehicles estimated"), default=False)
    term_years = models.PositiveSmallIntegerField(
        _("term (years)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    announced_on, announced_precision, announced_estimated = precise_date("announced")
    start_on, start_precision, start_estimated = precise_date("start")
    end_on, end_precision, end_estimated = precise_date("end")
    market = models.CharField(
        _("target market or region"), max_length=120, blank=True, help_text=_("China, Europe, ...")
    )
    investment_amount = models.DecimalField(
        _("investment"),
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("The money the source says is invested, in its currency; empty if unknown."),
    )
    investment_currency = models.CharField(
        _("investment currency"), max_length=3, choices=Currency.choices, blank=True
    )
    capacity_value = models.DecimalField(
        _("annual capacity"),
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text=_("The plant's or line's yearly capacity, in its unit; empty if unknown."),
    )
    capacity_unit = models.CharField(
        _("capacity unit"), max_length=8, choices=CapacityUnit.choices, blank=True
    )
    site_name = models.CharField(
        _("plant site"), max_length=200, blank=True, help_text=_("As the source names the place.")
    )
    site_latitude = models.DecimalField(
        _("site latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    site_longitude = models.DecimalField(
        _("site longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    companies = models.ManyToManyField(
        Company, through="DealParty", related_name="deals", verbose_name=_("parties")
    )
    vehicle_models = models.ManyToManyField(
        VehicleModel, blank=True, related_name="deals", verbose_name=_("vehicle models")
    )
    notes = models.TextField(_("notes"), blank=True)
    needs_review = models.BooleanField(
        _("needs review"), default=False, help_text=_("Set by the periodic data checks.")
    )
    review_reason = models.CharField(_("why it needs review"), max_length=300, blank=True)
    completeness = models.PositiveSmallIntegerField(
        _("completeness (%)"),
        default=0,
        help_text=_("Share of the expected facts that are known and sourced; computed."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_("Raised by every write of any part of the deal; guards concurrent edits."),
    )
    facts = models.JSONField(
        _("parties, status steps, vehicle models and citations"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "Written by the services at each version, so the history holds the whole deal."
        ),
    )
    published, unpublished_reason = publication_fields()
    history = HistoricalRecords()

    objects = SlugManager.from_queryset(DealQuerySet)()

    class Meta:
        ordering = ["-announced_on", "title"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        constraints = [
            slug_unique_ignoring_case("deal"),
            models.CheckConstraint(
                condition=Q(volume_gwh__isnull=True) | Q(volume_gwh__gt=0),
                name="deal_volume_gwh_positive",
                violation_error_message=_(
                    "A volume is more than 0 GWh; leave it empty if unknown."
                ),
            ),
            models.CheckConstraint(
                condition=Q(vehicle_count__isnull=True) | Q(vehicle_count__gt=0),
                name="deal_vehicle_count_positive",
                violation_error_message=_(
                    "A vehicle count is at least 1; leave it empty if unknown."
                ),
            ),
            models.CheckConstraint(
                condition=Q(term_years__isnull=True) | Q(term_years__gt=0),
                name="deal_term_years_positive",
                violation_error_message=_(
                    "A term is at least one year; leave it empty if unknown."
                ),
            ),
            models.CheckConstraint(
                condition=Q(start_on__isnull=True)
                | Q(end_on__isnull=True)
                | Q(end_on__gte=F("start_on")),
                name="deal_end_not_before_start",
                violation_error_message=_("The end cannot come before the start."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=DealStatus.values),
                name="deal_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(title_status="") | Q(title_status__in=DealStatus.values),
                name="deal_title_status_valid",
                violation_error_message=_("Unknown status for the headline."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DealKind.values),
                name="deal_kind_valid",
                violation_error_message=_("Unknown kind of deal."),
            ),
            *precision_constraints("announced", "deal"),
            *precision_constraints("start", "deal"),
            *precision_constraints("end", "deal"),
            models.CheckConstraint(
                condition=(Q(investment_amount__isnull=True) & Q(investment_currency=""))
                | (
                    Q(investment_amount__isnull=False, investment_amount__gt=0)
                    & ~Q(investment_currency="")
                ),
                name="deal_investment_with_currency",
                violation_error_message=_(
                    "An investment is more than 0 and has its currency; leave both empty if "
                    "unknown."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(capacity_value__isnull=True) & Q(capacity_unit=""))
                | (Q(capacity_value__isnull=False, capacity_value__gt=0) & ~Q(capacity_unit="")),
                name="deal_capacity_with_unit",
                violation_error_message=_(
                    "A capacity is more than 0 and has its unit; leave both empty if unknown."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(site_latitude__isnull=True) & Q(site_longitude__isnull=True))
                | (
                    # NULL compares as unknown, which a CHECK lets through: say "not null".
                    Q(site_latitude__isnull=False, site_latitude__gte=-90, site_latitude__lte=90)
                    & Q(
                        site_longitude__isnull=False,
                        site_longitude__gte=-180,
                        site_longitude__lte=180,
                    )
                ),
                name="deal_site_coordinates_valid",
                violation_error_message=_(
                    "A site's coordinates are a latitude (-90 to 90) and a longitude (-180 to "
                    "180), both or neither."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "announced_on"], name="deal_status_announced_idx"),
            models.Index(fields=["announced_on", "id"], name="deal_announced_id_idx"),
            # The index for the deals lists' order, (announced_on DESC NULLS LAST, title, id),
            # is made by migration 0002 on PostgreSQL only: SQLite has no NULLS LAST in an index
            # (bench/INDEXES.md).
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dashboard:deal-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def announced_display(self):
        return format_precise(self.announced_on, self.announced_precision)

    @property
    def start_display(self):
        return format_precise(self.start_on, self.start_precision)

    @property
    def end_display(self):
        return format_precise(self.end_on, self.end_precision)

    def clean(self):
        errors = {}
        for prefix in ("announced", "start", "end"):
            errors |= clean_precise_pair(self, prefix)
        if self.start_on and self.end_on and self.end_on < self.start_on:
            errors["end_on"] = _("The end cannot come before the start.")
        if self.volume_gwh is not None and self.volume_gwh <= 0:
            errors["volume_gwh"] = _("A volume is more than 0 GWh; leave it empty if unknown.")
        if (self.investment_amount is None) != (not self.investment_currency):
            errors["investment_currency"] = _(
                "An investment has both an amount and a currency, or neither."
            )
        if (self.capacity_value is None) != (not self.capacity_unit):
            errors["capacity_unit"] = _("A capacity has both a value and a unit, or neither.")
        if (self.site_latitude is None) != (self.site_longitude is None):
            errors["site_longitude"] = _("Give both the latitude and the longitude, or neither.")
        if errors:
            raise ValidationError(errors)


class PartyRole(models.TextChoices):
    SUPPLIER = "supplier", _("supplier")
    CUSTOMER = "customer", _("customer")
    PARTNER = "partner", _("partner")
    MANUFACTURER = "manufacturer", _("manufacturer")
    DEVELOPER = "developer", _("co-developer")
    INVESTOR = "investor", _("investor")


class DealPartyManager(models.Manager):
    def get_by_natural_key(self, deal, company, role):
        return self.get(deal__slug=deal, company__slug=company, role=role)


class DealParty(CatalogueRow):
    Role = PartyRole

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="parties")
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="deal_parties"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    equity_share = models.DecimalField(
        _("equity share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_("The share of the venture or company this party holds, where the source says."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = DealPartyManager()

    class Meta:
        ordering = ["deal", "role", "company__name"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["deal", "company", "role"],
                name="deal_party_unique",
                violation_error_message=_("This company has this role in the deal already."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=PartyRole.values),
                name="deal_party_role_valid",
                violation_error_message=_("Unknown role."),
            ),
            models.CheckConstraint(
                condition=Q(equity_share__isnull=True)
                | Q(equity_share__gt=0, equity_share__lte=100),
                name="deal_party_equity_share_range",
                violation_error_message=_("An equity share is more than 0 and at most 100 %."),
            ),
        ]

    def __str__(self):
        return f"{self.company.name} ({self.get_role_display()})"

    def natural_key(self):
        return (*self.deal.natural_key(), *self.company.natural_key(), self.role)

    natural_key.dependencies = ["partnerships.deal", "partnerships.company"]


class DealEdge(models.Model):
    """One line the supplier maps draw for a deal: from the party that delivers to the party
    that receives (or from the deal's hub to another party), with the deal's status, volume,
    kind, product and year copied beside it, so the maps aggregate one table.

    Derived, never edited: `partnerships/edges.py` rewrites a deal's edges from its parties by
    one rule (`edges.deal_edges`), in the transaction that changes the deal or its parties.
    """

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="edges")
    source = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    source_role = models.CharField(max_length=16, choices=PartyRole.choices)
    target_role = models.CharField(max_length=16, choices=PartyRole.choices)
    status = models.CharField(max_length=16, choices=Deal.Status.choices)
    kind = models.CharField(max_length=24, choices=Deal.Kind.choices)
    product = models.CharField(max_length=24, choices=Deal.Product.choices)
    volume_gwh = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Of the announcement, else of the start.")
    )

    class Meta:
        ordering = ["deal", "id"]
        verbose_name = _("supplier-map edge")
        verbose_name_plural = _("supplier-map edges")
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=F("target")), name="deal_edge_between_two_companies"
            )
        ]

    def __str__(self):
        return f"{self.deal_id}: {self.source_id} → {self.target_id}"


class StatusChangeManager(models.Manager):
    def get_by_natural_key(self, deal, status, effective_on):
        return self.get(deal__slug=deal, status=status, effective_on=effective_on)


class StatusChange(CatalogueRow):
    """One step of a deal's life (reported → in talks → signed → active), dated and sourced."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="status_history")
    status = models.CharField(_("status"), max_length=16, choices=Deal.Status.choices)
    effective_on = models.DateField(
        _("effective"), help_text=_("First day of the period."), validators=DATE_VALIDATORS
    )
    effective_precision = models.CharField(
        _("effective precision"), max_length=8, choices=Precision.choices
    )
    effective_estimated = models.BooleanField(_("effective date estimated"), default=False)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="status_changes"
    )
    quote = models.CharField(_("quoted sentence"), max_length=QUOTE_MAX_LENGTH)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = StatusChangeManager()

    class Meta:
        ordering = ["deal", "effective_on", "id"]
        get_latest_by = ["effective_on", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        constraints = [
            models.UniqueConstraint(
                fields=["deal", "status", "effective_on"],
                name="status_change_unique",
                violation_error_message=_("This status is recorded for this date already."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=Deal.Status.values),
                name="status_change_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(effective_precision__in=Precision.values),
                name="status_change_precision_valid",
                violation_error_message=_("Unknown date precision."),
            ),
            models.CheckConstraint(
                condition=~Q(quote=""),
                name="status_change_quote_not_blank",
                violation_error_message=_("Quote the sentence that states this status."),
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()} · {self.effective_display}"

    def natural_key(self):
        return (*self.deal.natural_key(), self.status, self.effective_on.isoformat())

    natural_key.dependencies = ["partnerships.deal", "partnerships.source"]

    @property
    def effective_display(self):
        return format_precise(self.effective_on, self.effective_precision)

    def clean(self):
        errors = {}
        if self.effective_on and self.effective_precision:
            from partnerships.dates import period_start

            self.effective_on = period_start(self.effective_on, self.effective_precision)
        if self.source_id and self.quote and self.quote not in (self.source.text or ""):
            errors["quote"] = _("The quoted sentence does not appear in the source's text.")
        if errors:
            raise ValidationError(errors)


class ContextEvent(CatalogueRow):
    """A policy or political event the sources tie to the deals: tariffs, an inauguration."""

    class Kind(models.TextChoices):
        POLICY = "policy", _("policy")
        POLITICAL = "political", _("political")
        MARKET = "market", _("market")
        CORPORATE = "corporate", _("corporate")

    slug = slug_field()
    title = models.CharField(_("title"), max_length=200)
    title_ko = models.CharField(
        _("title in Korean"),
        max_length=200,
        blank=True,
        help_text=_("Shown to Korean readers; the English title is shown where this is blank."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    country = CountryField(_("country"), blank=True)
    occurred_on, occurred_precision, occurred_estimated = precise_date("occurred")
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    objects = SlugManager.from_queryset(ContextEventQuerySet)()

    class Meta:
        ordering = ["occurred_on", "title"]
        verbose_name = _("context event")
        verbose_name_plural = _("context events")
        constraints = [
            slug_unique_ignoring_case("context_event"),
            *precision_constraints("occurred", "context_event"),
        ]

    def __str__(self):
        when = self.occurred_display
        return f"{self.title} ({when})" if when else self.title

    def natural_key(self):
        return (self.slug,)

    @property
    def occurred_display(self):
        return format_precise(self.occurred_on, self.occurred_precision)

    def clean(self):
        errors = clean_precise_pair(self, "occurred")
        if errors:
            raise ValidationError(errors)


CITATION_TARGETS = ("company", "deal", "vehicle_model", "context_event", "ownership")


def _exactly_one_of(names):
    """Q: exactly one of the foreign keys `names` is set."""
    return functools.reduce(
        operator.or_,
        (Q(**{f"{name}__isnull": name != chosen for name in names}) for chosen in names),
    )


class CitationManager(models.Manager):
    def get_by_natural_key(self, source, target, target_slug, field, quote):
        return self.get(
            source__slug=source, **{f"{target}__slug": target_slug}, field=field, quote=quote
        )


class Citation(CatalogueRow):
    """The sentence of a source that states a fact about one company, deal, vehicle or event.

    `field` names the fact ("volume_gwh", "state_owned"; empty for the record as a whole) and
    `claim` says in a few words what the sentence supports ("world's largest battery maker").
    """

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="citations"
    )
    quote = models.CharField(_("quoted sentence"), max_length=QUOTE_MAX_LENGTH)
    field = models.CharField(
        _("fact"),
        max_length=40,
        blank=True,
        help_text=_("The field this sentence supports; empty for the record as a whole."),
    )
    claim = models.CharField(_("claim"), max_length=200, blank=True)
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    deal = models.ForeignKey(
        Deal, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    vehicle_model = models.ForeignKey(
        VehicleModel, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    context_event = models.ForeignKey(
        ContextEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    ownership = models.ForeignKey(
        Ownership,
        verbose_name=_("stake"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    history = HistoricalRecords()

    objects = CitationManager()

    class Meta:
        ordering = ["source", "id"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_of(CITATION_TARGETS),
                name="citation_exactly_one_target",
                violation_error_message=_(
                    "A citation supports exactly one company, deal, vehicle model, event or stake."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(quote=""),
                name="citation_quote_not_blank",
                violation_error_message=_("Quote the sentence."),
            ),
            *[
                models.UniqueConstraint(
                    fields=["source", target, "field", "quote"],
                    condition=Q(**{f"{target}__isnull": False}),
                    name=f"citation_unique_{target}",
                    violation_error_message=_("This sentence is cited for this fact already."),
                )
                for target in CITATION_TARGETS
            ],
        ]

    def __str__(self):
        quote = self.quote if len(self.quote) <= 80 else self.quote[:77] + "…"
        return f"“{quote}”"

    @property
    def target(self):
        for name in CITATION_TARGETS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None

    @property
    def target_kind(self):
        for name in CITATION_TARGETS:
            if getattr(self, f"{name}_id"):
                return name
        return ""

    def natural_key(self):
        return (self.source.slug, self.target_kind, self.target.slug, self.field, self.quote)

    natural_key.dependencies = [
        "partnerships.source",
        "partnerships.company",
        "partnerships.deal",
        "partnerships.vehiclemodel",
        "partnerships.contextevent",
        "partnerships.ownership",
    ]

    def clean(self):
        errors = {}
        targets = [name for name in CITATION_TARGETS if getattr(self, f"{name}_id")]
        if len(targets) > 1:
            errors["__all__"] = _(
                "A citation supports exactly one company, deal, vehicle model, event or stake."
            )
        if self.source_id and self.quote and self.quote not in (self.source.text or ""):
            errors["quote"] = _("The quoted sentence does not appear in the source's text.")
        if errors:
            raise ValidationError(errors)


class DataVersion(models.Model):
    """The data version: one row whose `value` grows by one with every write to the catalogue,
    inside the writing transaction (`partnerships/freshness.py`). Every cache key, precomputed
    aggregate and ETag is derived from it, so a committed write is seen by the next reader."""

    value = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="data_version_single_row")]

    def __str__(self):
        return f"data version {self.value}"


class AggregateSnapshot(models.Model):
    """A precomputed aggregate (stats, supply graph, timeline, overview figures) of the whole
    dataset, stored with the data version it was computed from.

    Reads use a snapshot only while its `data_version` equals the current `DataVersion.value`, so
    a stale one is never served: it is recomputed instead. A Celery task rebuilds the snapshots
    after writes and on a schedule, so that readers find them ready (`dashboard/aggregates.py`).
    """

    key = models.CharField(max_length=200, unique=True)
    data_version = models.PositiveBigIntegerField(default=0)
    payload = models.JSONField()
    built_at = models.DateTimeField(default=timezone.now)
    build_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return f"{self.key} @ {self.data_version}"
