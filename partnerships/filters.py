"""The one filter vocabulary of the API and the web pages, so both count the same deals.

Every parameter is validated by a form field: an unknown company, status or country, `min_gwh=abc`,
a negative volume or a date range that ends before it starts is a field error (400 in the API, a
message on a page), never an empty result that looks like "no deals".
"""

import re
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.lookups import IsNull
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from partnerships.dates import Precision, period_start
from partnerships.models import (
    Company,
    CompanyAlias,
    ContextEvent,
    Deal,
    DealParty,
    PartyRole,
    Source,
    VehicleModel,
)
from partnerships.queries import slug_or_id_lookup

STATUS_GROUPS = {
    "agreed": tuple(Deal.AGREED),
    "discussion": tuple(Deal.UNDER_DISCUSSION),
    "ended": (Deal.Status.CANCELLED,),
}
STATUS_GROUP_CHOICES = [
    ("agreed", _("agreed (signed, active, completed)")),
    ("discussion", _("under discussion (reported, in talks, not finalized)")),
    ("ended", _("ended (cancelled)")),
]
# The largest volume the column holds (10 digits, 3 decimals).
MAX_GWH = Decimal("9999999.999")
COUNTRY_PAIR_RE = re.compile(r"^([A-Za-z]{2})\s*[-–—/_]\s*([A-Za-z]{2})$")


# --- form fields -------------------------------------------------------------------------------


class SlugOrIdField(forms.ModelChoiceField):
    """A row named by its slug (`catl`) or its numeric id (`12`)."""

    default_error_messages = {"invalid_choice": _("No %(model)s with the id or slug “%(value)s”.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        lookup = slug_or_id_lookup(value)
        try:
            return self.queryset.get(**lookup)
        except self.queryset.model.DoesNotExist:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"model": self.queryset.model._meta.verbose_name, "value": value},
            ) from None

    def validate(self, value):
        forms.Field.validate(self, value)


class CommaMultipleChoiceField(forms.MultipleChoiceField):
    """Several values given repeated (`status=a&status=b`) or comma-separated (`status=a,b`)."""

    def to_python(self, value):
        values = super().to_python(value)
        return [part.strip() for item in values for part in item.split(",") if part.strip()]


class CountryCodeField(forms.ChoiceField):
    """An ISO 3166 alpha-2 code, in either case."""

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class CountryPairField(forms.CharField):
    """Two ISO codes such as `KR-CN`; the order does not matter."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        match = COUNTRY_PAIR_RE.match(value)
        if not match:
            raise forms.ValidationError(_("Give two country codes like KR-CN."), code="invalid")
        pair = tuple(code.upper() for code in match.groups())
        unknown = [code for code in pair if code not in countries]
        if unknown:
            raise forms.ValidationError(
                _("Unknown country code: %(codes)s."),
                code="invalid_choice",
                params={"codes": ", ".join(unknown)},
            )
        return pair


# --- filters -----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class SlugOrIdFilter(django_filters.Filter):
    field_class = SlugOrIdField


def country_choices():
    return list(countries)


@extend_schema_field(OpenApiTypes.STR)
class CountryFilter(django_filters.Filter):
    field_class = CountryCodeField

    def __init__(self, *args, **kwargs):
        # A callable, read only when a country is given: every request copies the filters and
        # builds their form fields, and copying 250 countries each time cost ~2 ms a request.
        kwargs.setdefault("choices", country_choices)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class CountryPairFilter(django_filters.Filter):
    field_class = CountryPairField


class CommaMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = CommaMultipleChoiceField


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering that always ends on the id, so pages never repeat or skip rows, and puts rows
    with an unknown value last on every database (PostgreSQL would put NULLs first)."""

    def filter(self, qs, value):
        fields = [self.get_ordering_value(param) for param in value or [] if param]
        if not fields:
            return qs
        order = []
        for field in fields:
            descending = field.startswith("-")
            expression = F(field.lstrip("-"))
            order.append(
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
            )
        return qs.order_by(*order, "id")


class RangeCheckForm(forms.Form):
    """Checks between fields: a range must not end before it starts."""

    def clean(self):
        data = super().clean()
        pairs = [
            ("min_gwh", "max_gwh", _("The maximum volume is below the minimum.")),
            ("announced_after", "announced_before", _("The end date comes before the start.")),
            ("occurred_after", "occurred_before", _("The end date comes before the start.")),
        ]
        for low, high, message in pairs:
            low_value, high_value = data.get(low), data.get(high)
            if low_value is not None and high_value is not None and high_value < low_value:
                self.add_error(high, message)
        return data


def _party_exists(**conditions):
    return Exists(DealParty.objects.filter(deal=OuterRef("pk"), **conditions))


class DealFilter(django_filters.FilterSet):
    company = SlugOrIdFilter(
        queryset=Company.objects.all(),
        method="filter_company",
        label=_("Company (id or slug), as any party"),
    )
    role = django_filters.ChoiceFilter(
        choices=PartyRole.choices,
        method="filter_role",
        label=_("Party role; with `company`, that company's role"),
    )
    country = CountryFilter(
        method="filter_country",
        label=_("Country of any party (ISO alpha-2)"),
    )
    country_pair = CountryPairFilter(
        method="filter_country_pair",
        label=_("Two countries, one party from each, either direction: KR-CN"),
    )
    kind = CommaMultipleChoiceFilter(choices=Deal.Kind.choices, label=_("Kind of deal"))
    status = CommaMultipleChoiceFilter(
        choices=Deal.Status.choices, label=_("Current status; several allowed")
    )
    status_group = django_filters.ChoiceFilter(
        choices=STATUS_GROUP_CHOICES, method="filter_status_group", label=_("Status group")
    )
    product = CommaMultipleChoiceFilter(choices=Deal.Product.choices, label=_("Product"))
    min_gwh = django_filters.NumberFilter(
        field_name="volume_gwh",
        lookup_expr="gte",
        min_value=0,
        max_value=MAX_GWH,
        label=_("Volume at least (GWh)"),
    )
    max_gwh = django_filters.NumberFilter(
        field_name="volume_gwh",
        lookup_expr="lte",
        min_value=0,
        max_value=MAX_GWH,
        label=_("Volume at most (GWh)"),
    )
    announced_after = django_filters.DateFilter(
        method="filter_announced_after",
        label=_("Announced on or after (a deal whose announced period overlaps counts)"),
    )
    announced_before = django_filters.DateFilter(
        field_name="announced_on", lookup_expr="lte", label=_("Announced on or before")
    )
    year = django_filters.NumberFilter(
        field_name="announced_on",
        lookup_expr="year",
        min_value=1900,
        max_value=2100,
        label=_("Year announced"),
    )
    vehicle_model = SlugOrIdFilter(
        queryset=VehicleModel.objects.all(),
        field_name="vehicle_models",
        label=_("Vehicle model (id or slug)"),
    )
    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Search the title and the parties' names in English, Korean, Chinese, aliases"),
    )
    ordering = StableOrderingFilter(
        fields=[
            ("announced_on", "announced"),
            ("volume_gwh", "gwh"),
            ("title", "title"),
            ("status", "status"),
            ("updated_at", "updated"),
        ],
        label=_("Order by announced, gwh, title, status or updated; prefix - to reverse"),
    )

    class Meta:
        model = Deal
        form = RangeCheckForm
        fields = []

    def filter_company(self, queryset, name, company):
        role = self.form.cleaned_data.get("role")
        return queryset.filter(_party_exists(company=company, **({"role": role} if role else {})))

    def filter_role(self, queryset, name, role):
        if self.form.cleaned_data.get("company"):
            return queryset  # applied together with the company
        return queryset.filter(_party_exists(role=role))

    def filter_country(self, queryset, name, country):
        return queryset.filter(_party_exists(company__country=country))

    def filter_country_pair(self, queryset, name, pair):
        first, second = pair
        if first != second:
            return queryset.filter(
                _party_exists(company__country=first), _party_exists(company__country=second)
            )
        other_party = DealParty.objects.filter(
            deal=OuterRef("deal"), company__country=first
        ).exclude(company=OuterRef("company"))
        return queryset.filter(
            Exists(
                DealParty.objects.filter(deal=OuterRef("pk"), company__country=first).filter(
                    Exists(other_party)
                )
            )
        )

    def filter_status_group(self, queryset, name, group):
        return queryset.filter(status__in=STATUS_GROUPS[group])

    def filter_announced_after(self, queryset, name, after):
        # A deal announced "in 2025" overlaps "after 2025-07-01": compare with the start of the
        # period of each precision that contains the bound.
        overlaps = Q()
        for precision in Precision.values:
            overlaps |= Q(
                announced_precision=precision, announced_on__gte=period_start(after, precision)
            )
        return queryset.filter(overlaps)

    def filter_search(self, queryset, name, text):
        text = text.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(title__icontains=text) | Q(slug__icontains=text) | deals_of_companies_matching(text)
        )


# How a search finds the deals of the companies it matches depends on how many there are
# (bench/INDEXES.md, section 6). Up to this many, they are named by id, so that PostgreSQL can
# combine the trigram indexes of the title and slug with the primary key instead of testing
# every deal. Above it, they are common enough that a page of the list fills after testing a
# few hundred deals, each with one index lookup of its parties.
SEARCH_DEAL_IDS_MAX = 2000


def deals_of_companies_matching(text):
    """A condition on deals: a party's name contains `text` (one query to choose how)."""
    companies = companies_matching(text)
    deal_ids = list(
        DealParty.objects.filter(company__in=companies)
        .order_by()
        .values_list("deal_id", flat=True)[: SEARCH_DEAL_IDS_MAX + 1]
    )
    if len(deal_ids) <= SEARCH_DEAL_IDS_MAX:  # all of them
        return Q(pk__in=set(deal_ids))
    # A scalar subquery rather than EXISTS: PostgreSQL would turn an EXISTS under OR into a
    # hash of every matching party (100k rows for "energy", 40-130 ms), where testing the deals
    # in list order one by one fills a page in about a millisecond.
    first_party = DealParty.objects.filter(deal=OuterRef("pk"), company__in=companies)
    return Q(IsNull(Subquery(first_party.values("pk")[:1]), False))


def companies_matching(text):
    """Companies whose English, Korean or Chinese name, slug or an alias contains `text`, as a
    subquery for `__in`.

    A UNION rather than `OR EXISTS (alias)`: PostgreSQL prices any OR with a subquery at half
    the table, and can read each arm from its trigram index (bench/INDEXES.md, section 6)."""
    names = Company.objects.filter(
        Q(name__icontains=text)
        | Q(name_ko__icontains=text)
        | Q(name_zh__icontains=text)
        | Q(slug__icontains=text)
    )
    aliases = CompanyAlias.objects.filter(name__icontains=text)
    return names.order_by().values("pk").union(aliases.order_by().values("company_id"), all=True)


class CompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search", label=_("Search names in English, Korean, Chinese and aliases")
    )
    country = CountryFilter(label=_("Country (ISO alpha-2)"))
    chain_role = CommaMultipleChoiceFilter(
        choices=Company._meta.get_field("chain_role").choices, label=_("Role in the chain")
    )
    parent = SlugOrIdFilter(queryset=Company.objects.all(), label=_("Parent company"))
    ordering = StableOrderingFilter(
        fields=[("name", "name"), ("country", "country"), ("updated_at", "updated")],
        label=_("Order by name, country or updated; prefix - to reverse"),
    )

    class Meta:
        model = Company
        fields = []

    def filter_search(self, queryset, name, text):
        text = text.strip()
        return queryset.filter(pk__in=companies_matching(text)) if text else queryset


class VehicleModelFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search model or maker name"))
    maker = SlugOrIdFilter(queryset=Company.objects.all(), label=_("Maker (id or slug)"))
    battery_supplier = SlugOrIdFilter(
        queryset=Company.objects.all(), label=_("Battery supplier (id or slug)")
    )
    powertrain = CommaMultipleChoiceFilter(
        choices=VehicleModel.Powertrain.choices, label=_("Powertrain")
    )
    ordering = StableOrderingFilter(
        fields=[("name", "name"), ("launch_on", "launch"), ("updated_at", "updated")],
        label=_("Order by name, launch or updated; prefix - to reverse"),
    )

    class Meta:
        model = VehicleModel
        fields = []

    def filter_search(self, queryset, name, text):
        text = text.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(name__icontains=text)
            | Q(slug__icontains=text)
            | Q(maker__in=companies_matching(text))
        )


class SourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search title or publisher"))
    kind = CommaMultipleChoiceFilter(choices=Source.Kind.choices, label=_("Kind of source"))
    language = django_filters.ChoiceFilter(
        choices=Source._meta.get_field("language").choices, label=_("Language")
    )
    ordering = StableOrderingFilter(
        fields=[("published_on", "published"), ("title", "title"), ("updated_at", "updated")],
        label=_("Order by published, title or updated; prefix - to reverse"),
    )

    class Meta:
        model = Source
        fields = []

    def filter_search(self, queryset, name, text):
        text = text.strip()
        if not text:
            return queryset
        return queryset.filter(Q(title__icontains=text) | Q(publisher__icontains=text))


class ContextEventFilter(django_filters.FilterSet):
    kind = CommaMultipleChoiceFilter(choices=ContextEvent.Kind.choices, label=_("Kind of event"))
    country = CountryFilter(label=_("Country (ISO alpha-2)"))
    occurred_after = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="gte", label=_("Occurred on or after")
    )
    occurred_before = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="lte", label=_("Occurred on or before")
    )

    class Meta:
        model = ContextEvent
        form = RangeCheckForm
        fields = []
