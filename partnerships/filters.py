"""The one filter vocabulary of the API and the web pages, so both count the same deals.

Every parameter is validated by a form field: an unknown company, status or country,
`min_volume_gwh=abc`,
a negative volume or a date range that ends before it starts is a field error (400 in the API, a
message on a page), never an empty result that looks like "no deals".
"""

import functools
import re
from decimal import Decimal

import django_filters
import django_filters.fields
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from partnerships import columns
from partnerships.models import (
    Company,
    CompanyAlias,
    ContextEvent,
    Deal,
    Ownership,
    PartyRole,
    Source,
    VehicleModel,
)
from partnerships.ownership import controlled
from partnerships.querysets import slug_or_id_lookup
from partnerships.search import (  # noqa: F401 (companies_matching: the pages' search)
    companies_matching,
    companies_matching_words,
    deals_matching,
    vehicles_matching_words,
)

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
# Two countries, by code or name: KR-CN, Korea-China, 한국/중국.
COUNTRY_PAIR_RE = re.compile(r"^([^-–—/_]+?)\s*[-–—/_]\s*([^-–—/_]+)$")


# --- form fields -------------------------------------------------------------------------------


class SlugOrIdField(forms.ModelChoiceField):
    """A row named by its slug (`catl`) or its numeric id (`12`), or by its name: `CATL`,
    `LG Energy Solution`, `현대자동차`, `宁德时代` or an alias, in any case.

    The model's manager names the rows a text may mean (`named`); two or more are an error that
    lists their slugs, so a name never silently picks one of several rows."""

    default_error_messages = {
        "invalid_choice": _("No %(model)s with the id, slug, name or alias “%(value)s”."),
        "ambiguous": _("“%(value)s” names several rows (%(slugs)s); give one of these slugs."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        matches = rows_named(self.queryset, value)
        params = {"model": self.queryset.model._meta.verbose_name, "value": value}
        if not matches:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params=params
            )
        if len(matches) > 1:
            slugs = ", ".join(row.slug for row in matches)
            raise forms.ValidationError(
                self.error_messages["ambiguous"],
                code="ambiguous",
                params={**params, "slugs": slugs},
            )
        return matches[0]

    def validate(self, value):
        forms.Field.validate(self, value)


def rows_named(queryset, value: str) -> list:
    """The rows `value` names: by id or slug first, else by any name or alias, ignoring case.
    At most a handful of indexed queries; a slug or id wins over a name."""
    if "\x00" in value:  # no name has one; SQLite would cut at it, PostgreSQL refuse it
        return []
    lookup = slug_or_id_lookup(value)
    if "pk" in lookup:
        return list(queryset.filter(**lookup)[:1])
    found = list(queryset.filter(slug__iexact=value)[:2])
    if found:
        return found
    model = queryset.model
    names = Q(name__iexact=value)
    if model is Company:
        names |= Q(name_ko__iexact=value) | Q(name_zh__iexact=value)
        names |= Q(pk__in=CompanyAlias.objects.filter(name__iexact=value).values("company_id"))
    return list(queryset.filter(names).order_by("slug")[:5])


# Common names of the countries the data is about that the ISO names do not cover.
COUNTRY_ALIASES = {
    "korea": "KR",
    "republic of korea": "KR",
    "한국": "KR",
    "남한": "KR",
    "韩国": "KR",
    "韓國": "KR",
    "中国": "CN",
    "中國": "CN",
    "prc": "CN",
    "日本": "JP",
    "usa": "US",
    "us": "US",
    "united states of america": "US",
    "미국": "US",
    "美国": "US",
    "uk": "GB",
}


@functools.lru_cache(maxsize=512)
def country_code(value: str) -> str | None:
    """An ISO alpha-2 code for a code or a name in English, Korean or Chinese, or None.

    Memoized: a name lookup walks every country's name in three languages (7 ms), and every
    filtered request asks it, often for an empty value."""
    text = value.strip()
    if not text:
        return None
    if len(text) == 2 and text.upper() in countries:
        return text.upper()
    if code := COUNTRY_ALIASES.get(text.casefold()):
        return code
    for language in ("en", "ko", "zh-hans"):
        if code := countries.by_name(text, language=language):
            return code
    return None


def choice_value(choices, text: str) -> str:
    """The choice `text` means: its value or its label in any case, with spaces, hyphens or
    underscores alike (`Not finalized`, `not-finalized` → `not_finalized`); else `text`."""
    wanted = re.sub(r"[\s_-]+", "_", text.strip().casefold())
    for value, label in choices:
        for name in (str(value), str(label)):
            if re.sub(r"[\s_-]+", "_", name.casefold()) == wanted:
                return str(value)
    return text.strip()


def invalid_choice_message(choices):
    """A choice error that lists what is valid (`kind=news` says which kinds exist)."""
    listed = ", ".join(str(value) for value, _label in choices if value != "")
    return _("“%(value)s” is not one of: ") + listed.replace("%", "%%") + "."


class ListedChoicesMixin:
    """Choice fields that take a label as well as a value and list the values when refusing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages["invalid_choice"] = invalid_choice_message(self.choices)


class CommaMultipleChoiceField(ListedChoicesMixin, forms.MultipleChoiceField):
    """Several values given repeated (`status=a&status=b`) or comma-separated (`status=a,b`)."""

    def to_python(self, value):
        values = super().to_python(value)
        return [
            choice_value(self.choices, part)
            for item in values
            for part in item.split(",")
            if part.strip()
        ]


class CountryCodeField(forms.ChoiceField):
    """A country by its ISO 3166 alpha-2 code or its name (`KR`, `kr`, `Korea`, `한국`, `中国`)."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        return country_code(value) or value

    def validate(self, value):
        forms.Field.validate(self, value)
        if value and value not in countries:
            raise forms.ValidationError(
                _("Unknown country “%(value)s”; give an ISO code (KR, CN, JP) or a name."),
                code="invalid_choice",
                params={"value": value},
            )


class CountryPairField(forms.CharField):
    """Two ISO codes such as `KR-CN`; the order does not matter."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        match = COUNTRY_PAIR_RE.match(value)
        if not match:
            raise forms.ValidationError(
                _("Give two countries like KR-CN (codes or names)."), code="invalid"
            )
        pair = tuple(country_code(code) or code.strip() for code in match.groups())
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


class ListedChoiceField(ListedChoicesMixin, django_filters.fields.ChoiceField):
    """One choice, by value or label; a refusal lists the values."""

    def to_python(self, value):
        value = super().to_python(value)
        return choice_value(self.choices, value) if value else value


class ListedChoiceFilter(django_filters.ChoiceFilter):
    field_class = ListedChoiceField


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering that always ends on the id, so pages never repeat or skip rows, and puts rows
    with an unknown value last on every database (PostgreSQL would put NULLs first).

    Orderings are named as the fields are (`volume_gwh`, `announced_on`); `aliases` keeps the
    older names working (`gwh`, `announced`), listed in the schema as such."""

    def __init__(self, *args, fields=(), aliases=None, **kwargs):
        self.aliases = aliases or {}
        fields = self.normalize_fields(fields)
        choices = self.build_choices(fields, {})
        for alias, name in self.aliases.items():
            label = _("old name of %(name)s") % {"name": name}
            choices += [(alias, label), (f"-{alias}", label)]
        listed = ", ".join(fields.values())
        refusal = _("“%(value)s” is not one of: ") + listed + _("; prefix - to reverse.")
        kwargs.setdefault("error_messages", {"invalid_choice": refusal})
        super().__init__(*args, fields=fields, choices=choices, **kwargs)

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        name = param.lstrip("-")
        name = self.aliases.get(name, name)
        return ("-" if descending else "") + self.param_map.get(name, name)

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


class StrictForm(forms.Form):
    """A filter form that refuses parameters it does not know (`stauts=signed` is a typo, not
    "every deal"), naming the ones it takes, and checks that ranges do not end before they start.

    `extra_parameters` are what the page takes besides the filters (`page`); it is None where
    the caller checks the parameters itself (the API, which also takes `limit`, `format`...)."""

    extra_parameters = None
    # {old name: current name} of parameters renamed so that one concept has one name; the old
    # name still works (`DeprecatedAliasMixin`), folded here into the current one.
    deprecated_parameters: dict = {}

    def clean(self):
        data = super().clean()
        given_as = {}  # a range error names the parameter the request gave
        for old, new in self.deprecated_parameters.items():
            value = data.pop(old, None)
            if value is None:
                continue
            if data.get(new) is None:
                data[new], given_as[new] = value, old
            elif data[new] != value:
                self.add_error(
                    old,
                    _("%(old)s is the old name of %(new)s; give only %(new)s.")
                    % {"old": old, "new": new},
                )
        pairs = [
            (
                "min_volume_gwh",
                "max_volume_gwh",
                _("The maximum volume is below the minimum."),
            ),
            ("announced_after", "announced_before", _("The end date comes before the start.")),
            ("occurred_after", "occurred_before", _("The end date comes before the start.")),
        ]
        for low, high, message in pairs:
            low_value, high_value = data.get(low), data.get(high)
            if low_value is not None and high_value is not None and high_value < low_value:
                self.add_error(given_as.get(high, high), message)
        if self.extra_parameters is not None:
            allowed = set(self.fields) | set(self.extra_parameters)
            for name in unknown_parameters(self.data, allowed):
                # Not a field, so not `add_error`: the error is keyed by the parameter itself.
                self._errors[name] = self.error_class([unknown_parameter_message(allowed)])
        return data


RangeCheckForm = StrictForm  # the name other modules knew


def unknown_parameters(params, allowed) -> list[str]:
    return sorted(name for name in params if name not in allowed)


def unknown_parameter_message(allowed) -> str:
    return _("Unknown parameter; this address takes: %(names)s.") % {
        "names": ", ".join(sorted(allowed))
    }


class DeprecatedAliasMixin:
    """The old name of a renamed parameter: validated as the current one, then folded into it
    by `StrictForm.clean`, so it filters once. Listed in the schema as deprecated
    (`api.schema`) and answered with a `Deprecation` header (`api.views`)."""

    def __init__(self, *args, replaced_by: str, **kwargs):
        self.replaced_by = replaced_by
        kwargs["label"] = _("Deprecated: the old name of %(name)s, still accepted.") % {
            "name": replaced_by
        }
        kwargs["method"] = self.ignore  # the folded value is applied by the current name
        super().__init__(*args, **kwargs)

    @staticmethod
    def ignore(queryset, name, value):
        return queryset


class DeprecatedNumberAlias(DeprecatedAliasMixin, django_filters.NumberFilter):
    pass


class VolumeFilter(django_filters.NumberFilter):
    """A bound on a volume, the number in its shortest form: `1`, `1.0` and `1.00` make one
    query, so a filtered answer is stored once for all three (its cache key is the query)."""

    def filter(self, qs, value):
        if value is None:
            return qs
        # normalize() alone would write 100 as 1E+2.
        whole = value == value.to_integral_value()
        value = value.quantize(Decimal(1)) if whole else value.normalize()
        bound = columns.VolumeAtLeast if self.lookup_expr == "gte" else columns.VolumeAtMost
        return qs.where(bound(value))


class ChoicesFilter(CommaMultipleChoiceFilter):
    """Several values of one of the deal's choice fields (`columns.Among`)."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.where(columns.Among(self.field_name, tuple(value)))


def deprecated_parameters(filterset_class) -> dict[str, str]:
    """{old name: current name} of a FilterSet's deprecated parameters."""
    return {
        name: filter_.replaced_by
        for name, filter_ in filterset_class.base_filters.items()
        if isinstance(filter_, DeprecatedAliasMixin)
    }


# When the old names below became deprecated (RFC 9745's `Deprecation: @<seconds>`): the day
# the parameters took the names of the fields they filter.
DEPRECATED_SINCE = 1796169600  # 2026-12-02T00:00:00Z


def deprecated_in(params, filterset_class) -> list[str]:
    """The old names `params` uses: renamed parameters (`min_gwh`) and old ordering values
    (`ordering=gwh`), as `name` or `ordering=value`."""
    used = [name for name in deprecated_parameters(filterset_class) if name in params]
    ordering = filterset_class.base_filters.get("ordering")
    if isinstance(ordering, StableOrderingFilter) and "ordering" in params:
        for value in params.getlist("ordering"):
            for part in value.split(","):
                if part.strip().lstrip("-") in ordering.aliases:
                    used.append(f"ordering={part.strip()}")
    return used


def current_names(params, filterset_class):
    """`params` (a QueryDict) with the old names of renamed parameters given their current
    name, for a page's filter form to show what a saved address asked for."""
    renamed = deprecated_parameters(filterset_class)
    if not renamed.keys() & params.keys():
        return params
    params = params.copy()
    for old, new in renamed.items():
        if old in params:
            values = params.pop(old)
            if new not in params:
                params.setlist(new, values)
    return params


class StrictFilterSet(django_filters.FilterSet):
    """A FilterSet whose form refuses unknown parameters once `extra_parameters` is set, and
    takes the old names of renamed parameters (`deprecated_parameters`)."""

    def __init__(self, *args, extra_parameters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_parameters = extra_parameters

    @property
    def form(self):
        form = super().form
        form.extra_parameters = self.extra_parameters
        form.deprecated_parameters = deprecated_parameters(type(self))
        return form

    def deprecated_used(self) -> list[str]:
        """The old parameter names this request used."""
        return [name for name in deprecated_parameters(type(self)) if name in self.data]


class DealFilter(StrictFilterSet):
    company = SlugOrIdFilter(
        queryset=Company.objects.all(),
        method="filter_company",
        label=_(
            "Company as any party: its slug, id, English, Korean or Chinese name or an alias,"
            " in any case"
        ),
    )
    group = SlugOrIdFilter(
        queryset=Company.objects.all(),
        method="filter_group",
        label=_(
            "Company or any company it controls down its ownership chain (its controlling "
            "stakes): slug, id, name or alias. Minority stakes do not count"
        ),
    )
    role = ListedChoiceFilter(
        choices=PartyRole.choices,
        method="filter_role",
        label=_("Party role; with `company`, that company's role"),
    )
    country = CountryFilter(
        method="filter_country",
        label=_("Country of any party: ISO alpha-2 code or name (KR, Korea, 한국, 中国)"),
    )
    country_pair = CountryPairFilter(
        method="filter_country_pair",
        label=_("Two countries, one party from each, either direction: KR-CN"),
    )
    kind = ChoicesFilter(choices=Deal.Kind.choices, label=_("Kind of deal"))
    status = ChoicesFilter(choices=Deal.Status.choices, label=_("Current status; several allowed"))
    status_group = ListedChoiceFilter(
        choices=STATUS_GROUP_CHOICES, method="filter_status_group", label=_("Status group")
    )
    product = ChoicesFilter(choices=Deal.Product.choices, label=_("Product"))
    # Named after the field they bound (`volume_gwh`); `min_gwh`/`max_gwh` were their names
    # until December 2026 and still work.
    min_volume_gwh = VolumeFilter(
        field_name="volume_gwh",
        lookup_expr="gte",
        min_value=0,
        max_value=MAX_GWH,
        label=_("Volume at least (GWh); deals of unknown volume drop out"),
    )
    max_volume_gwh = VolumeFilter(
        field_name="volume_gwh",
        lookup_expr="lte",
        min_value=0,
        max_value=MAX_GWH,
        label=_("Volume at most (GWh); deals of unknown volume drop out"),
    )
    min_gwh = DeprecatedNumberAlias(replaced_by="min_volume_gwh", min_value=0, max_value=MAX_GWH)
    max_gwh = DeprecatedNumberAlias(replaced_by="max_volume_gwh", min_value=0, max_value=MAX_GWH)
    announced_after = django_filters.DateFilter(
        method="filter_announced_after",
        label=_("Announced on or after (a deal whose announced period overlaps counts)"),
    )
    announced_before = django_filters.DateFilter(
        method="filter_announced_before", label=_("Announced on or before")
    )
    year = django_filters.NumberFilter(
        method="filter_year",
        min_value=1900,
        max_value=2100,
        label=_("Year of the deal: announced, else started"),
    )
    vehicle_model = SlugOrIdFilter(
        queryset=VehicleModel.objects.all(),
        method="filter_vehicle_model",
        label=_("Vehicle model named in the deal: its slug, id or name, in any case"),
    )
    q = django_filters.CharFilter(
        method="filter_search",
        label=_(
            "Words, each of which must match the title, product, a party's name or alias"
            " (English, Korean, Chinese) or a vehicle model, in any order; ranked"
        ),
    )
    ordering = StableOrderingFilter(
        fields=["announced_on", "volume_gwh", "title", "status", "updated_at"],
        aliases={"announced": "announced_on", "gwh": "volume_gwh", "updated": "updated_at"},
        label=_(
            "Order by announced_on, volume_gwh, title, status or updated_at; prefix - to"
            " reverse. Unknown values sort last."
        ),
    )

    class Meta:
        model = Deal
        form = StrictForm
        fields = []

    # Each filter is a predicate (`partnerships.columns`): the database and the aggregates'
    # in-memory columns read the same rule.

    def filter_company(self, queryset, name, company):
        role = self.form.cleaned_data.get("role") or None
        return queryset.where(columns.HasParty(companies=(company.pk,), role=role))

    def filter_group(self, queryset, name, company):
        # `company` stays the company as a party, so a company page, its counts and the list
        # agree; `group` adds what it controls: Geely Holding's group holds Polestar and Volvo
        # Cars, not Renault Korea (Geely Automobile's third is a minority stake).
        parents = dict(Company.objects.filter(parent__isnull=False).values_list("id", "parent_id"))
        members = [company.pk, *controlled(company.pk, parents)]
        return queryset.where(columns.HasParty(companies=tuple(members)))

    def filter_role(self, queryset, name, role):
        if self.form.cleaned_data.get("company"):
            return queryset  # applied together with the company
        return queryset.where(columns.HasParty(role=role))

    def filter_country(self, queryset, name, country):
        return queryset.where(columns.HasParty(country=country))

    def filter_country_pair(self, queryset, name, pair):
        first, second = pair
        if first != second:
            return queryset.where(columns.HasParty(country=first)).where(
                columns.HasParty(country=second)
            )
        return queryset.where(columns.TwoPartiesFrom(first))

    def filter_year(self, queryset, name, year):
        # The same date as the timeline and the stats' years (`dates.deal_year`).
        return queryset.where(columns.InYear(int(year)))

    def filter_status_group(self, queryset, name, group):
        return queryset.where(columns.Among("status", STATUS_GROUPS[group]))

    def filter_announced_after(self, queryset, name, after):
        return queryset.where(columns.AnnouncedFrom(after))

    def filter_announced_before(self, queryset, name, before):
        return queryset.where(columns.AnnouncedUntil(before))

    def filter_vehicle_model(self, queryset, name, model):
        return queryset.where(columns.NamesVehicleModel(model.pk))

    def filter_search(self, queryset, name, text):
        # Ranked unless the request orders the list itself (`ordering` is applied after).
        return deals_matching(queryset, text)


class CompanyFilter(StrictFilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Words, each of which must match a name (English, Korean, Chinese) or an alias"),
    )
    country = CountryFilter(label=_("Country: ISO alpha-2 code or name"))
    chain_role = CommaMultipleChoiceFilter(
        choices=Company._meta.get_field("chain_role").choices, label=_("Role in the chain")
    )
    parent = SlugOrIdFilter(
        queryset=Company.objects.all(), label=_("Parent company: slug, id, name or alias")
    )
    ordering = StableOrderingFilter(
        fields=["name", "country", "updated_at"],
        aliases={"updated": "updated_at"},
        label=_("Order by name, country or updated_at; prefix - to reverse"),
    )

    class Meta:
        model = Company
        form = StrictForm
        fields = []

    def filter_search(self, queryset, name, text):
        return queryset.filter(pk__in=companies_matching_words(text).values("pk"))


class StakeFilter(StrictFilterSet):
    owner = SlugOrIdFilter(
        queryset=Company.objects.all(), label=_("Owner: slug, id, name or alias")
    )
    owned = SlugOrIdFilter(
        queryset=Company.objects.all(), label=_("Owned company: slug, id, name or alias")
    )
    current = django_filters.BooleanFilter(
        field_name="until_on",
        lookup_expr="isnull",
        label=_("true: stakes still held (no end date); false: ended ones"),
    )
    controlling = django_filters.BooleanFilter(label=_("true: the stakes ownership chains follow"))

    class Meta:
        model = Ownership
        form = StrictForm
        fields = []


class VehicleModelFilter(StrictFilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Words, each of which must match the model's or its maker's name"),
    )
    maker = SlugOrIdFilter(
        queryset=Company.objects.all(), label=_("Maker: slug, id, name or alias")
    )
    battery_supplier = SlugOrIdFilter(
        queryset=Company.objects.all(), label=_("Battery supplier: slug, id, name or alias")
    )
    powertrain = CommaMultipleChoiceFilter(
        choices=VehicleModel.Powertrain.choices, label=_("Powertrain")
    )
    ordering = StableOrderingFilter(
        fields=["name", "launch_on", "updated_at"],
        aliases={"launch": "launch_on", "updated": "updated_at"},
        label=_("Order by name, launch_on or updated_at; prefix - to reverse"),
    )

    class Meta:
        model = VehicleModel
        form = StrictForm
        fields = []

    def filter_search(self, queryset, name, text):
        return vehicles_matching_words(queryset, text)


class SourceFilter(StrictFilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search title or publisher"))
    kind = CommaMultipleChoiceFilter(choices=Source.Kind.choices, label=_("Kind of source"))
    language = ListedChoiceFilter(
        choices=Source._meta.get_field("language").choices, label=_("Language")
    )
    ordering = StableOrderingFilter(
        fields=["published_on", "title", "updated_at"],
        aliases={"published": "published_on", "updated": "updated_at"},
        label=_("Order by published_on, title or updated_at; prefix - to reverse"),
    )

    class Meta:
        model = Source
        form = StrictForm
        fields = []

    def filter_search(self, queryset, name, text):
        text = text.strip()
        if not text:
            return queryset
        return queryset.filter(Q(title__icontains=text) | Q(publisher__icontains=text))


class ContextEventFilter(StrictFilterSet):
    kind = CommaMultipleChoiceFilter(choices=ContextEvent.Kind.choices, label=_("Kind of event"))
    country = CountryFilter(label=_("Country: ISO alpha-2 code or name"))
    occurred_after = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="gte", label=_("Occurred on or after")
    )
    occurred_before = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="lte", label=_("Occurred on or before")
    )

    class Meta:
        model = ContextEvent
        form = StrictForm
        fields = []
