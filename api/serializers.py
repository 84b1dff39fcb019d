"""Output serializers read prefetched rows only; input serializers check the shape of a
request and hand plain values to a service in `services.py`, which validates and saves.

The deals list is the exception: `deal_list_data` writes the deal rows of
`Deal.objects.for_list()` (the rows the web list and the exports read too) as JSON, because DRF's
nested serializers and model instances cost several times the database's own time on a page of
50 deals. `DealSerializer` still describes those rows (the OpenAPI schema) and a test holds the
two to the same output.
"""

import operator
from decimal import Decimal
from urllib.parse import quote

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from dashboard import graph, timeline
from partnerships import services, titles
from partnerships.dates import Precision
from partnerships.models import (
    DEAL_FIELDS,
    Citation,
    Company,
    ContextEvent,
    Deal,
    DealParty,
    Ownership,
    PartyRole,
    Source,
    StatusChange,
    VehicleModel,
)
from partnerships.querysets import DEAL_DATES, ROW_BOOKKEEPING

# --- fields --------------------------------------------------------------------------------------


@extend_schema_field(
    {"oneOf": [{"type": "string"}, {"type": "integer"}], "description": "slug or id"}
)
class SlugOrIdRelatedField(serializers.RelatedField):
    """A related row named by its slug or its numeric id; shown as its slug."""

    default_error_messages = {
        "does_not_exist": _("No {model} with the id or slug “{value}”."),
        "invalid": _("Give a slug or a numeric id."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, str | int) or isinstance(data, bool):
            self.fail("invalid")
        value = str(data).strip()
        try:
            return self.get_queryset().named(value).get()
        except self.get_queryset().model.DoesNotExist:
            self.fail(
                "does_not_exist",
                model=self.get_queryset().model._meta.verbose_name,
                value=value,
            )

    def to_representation(self, value):
        return value.slug


# Slugs and ids, or a merged graph node ("others-KR"), or a year: a string or an integer.
STRING_OR_INTEGER = {"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": True}


@extend_schema_field(STRING_OR_INTEGER)
class StringOrIntegerField(serializers.Field):
    def to_representation(self, value):
        return value


class OutputSerializer(serializers.ModelSerializer):
    """Only ever serialises: every field is read-only, yet the schema still says which fields
    may be blank (DRF drops `allow_blank` from read-only fields, so the docs would lie)."""

    def get_extra_kwargs(self):
        extra = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra.setdefault(name, {})["read_only"] = True
        return extra

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        allow_blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs


def gwh_field(**kwargs):
    return serializers.DecimalField(
        max_digits=10, decimal_places=3, coerce_to_string=False, **kwargs
    )


def number_field(max_digits, decimal_places, **kwargs):
    """A decimal written as a JSON number, as the lean deals list writes it."""
    return serializers.DecimalField(
        max_digits=max_digits, decimal_places=decimal_places, coerce_to_string=False, **kwargs
    )


# --- small nested outputs ------------------------------------------------------------------------


class CompanyBriefSerializer(OutputSerializer):
    class Meta:
        model = Company
        fields = ["id", "slug", "name"]


class SourceBriefSerializer(OutputSerializer):
    url = serializers.CharField(read_only=True, help_text=_("The document's own address."))

    class Meta:
        model = Source
        fields = ["id", "slug", "title", "publisher", "url", "published_on", "published_precision"]


class CitationSerializer(OutputSerializer):
    source = SourceBriefSerializer(read_only=True)

    class Meta:
        model = Citation
        fields = ["source", "quote", "field", "claim"]


class PartySerializer(OutputSerializer):
    id = serializers.IntegerField(source="company.id", read_only=True)
    slug = serializers.CharField(source="company.slug", read_only=True)
    name = serializers.CharField(source="company.name", read_only=True)
    name_ko = serializers.CharField(source="company.name_ko", read_only=True)
    name_zh = serializers.CharField(source="company.name_zh", read_only=True)
    country = serializers.CharField(source="company.country.code", read_only=True)
    equity_share = number_field(5, 2, read_only=True, allow_null=True)

    class Meta:
        model = DealParty
        fields = [
            "id",
            "slug",
            "name",
            "name_ko",
            "name_zh",
            "country",
            "role",
            "equity_share",
            "note",
        ]


class VehicleBriefSerializer(OutputSerializer):
    maker = CompanyBriefSerializer(read_only=True)

    class Meta:
        model = VehicleModel
        fields = ["id", "slug", "name", "maker", "powertrain"]


class StatusChangeSerializer(OutputSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    effective_display = serializers.CharField(read_only=True)
    source = SourceBriefSerializer(read_only=True)

    class Meta:
        model = StatusChange
        fields = [
            "status",
            "status_label",
            "effective_on",
            "effective_precision",
            "effective_estimated",
            "effective_display",
            "source",
            "quote",
            "note",
        ]


# --- deals ---------------------------------------------------------------------------------------


def _deal_output_fields():
    """`DealSerializer`'s fields, from the deal's own (`DEAL_FIELDS`): the API address and the
    title readers see after the slug, the status's label after the status, each date's label
    after the date, then the related rows and the bookkeeping."""
    yield "id"
    for name in DEAL_FIELDS:
        yield name
        if name == "slug":
            yield from ("api_url", "display_title")
        elif name == "status":
            yield "status_label"
        elif name.endswith("_estimated") and name.removesuffix("_estimated") in DEAL_DATES:
            yield name.replace("_estimated", "_display")
    yield from ("parties", "vehicle_models", "citations", *ROW_BOOKKEEPING)


class DealSerializer(OutputSerializer):
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:deal-detail", lookup_field="slug", read_only=True
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    volume_gwh = gwh_field(read_only=True, allow_null=True)
    investment_amount = number_field(20, 2, read_only=True, allow_null=True)
    capacity_value = number_field(14, 3, read_only=True, allow_null=True)
    site_latitude = number_field(9, 6, read_only=True, allow_null=True)
    site_longitude = number_field(9, 6, read_only=True, allow_null=True)
    announced_display = serializers.CharField(read_only=True)
    start_display = serializers.CharField(read_only=True)
    end_display = serializers.CharField(read_only=True)
    parties = PartySerializer(many=True, read_only=True)
    vehicle_models = VehicleBriefSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)
    display_title = serializers.SerializerMethodField(
        help_text=_(
            "The title readers see, in the request's language: `title` while the deal has the "
            "status it was written under (`title_status`) and the language is English, else "
            "built from the parties, product and status."
        )
    )

    class Meta:
        model = Deal
        fields = list(_deal_output_fields())
        read_only_fields = fields

    def get_display_title(self, deal) -> str:
        return titles.deal_title(deal)


# DRF's own conversion of a datetime (to the current time zone, "Z" for UTC), kept identical.
_DATETIME = serializers.DateTimeField()
PARTY_KEYS = tuple(PartySerializer.Meta.fields)


def _iso(value):
    return value.isoformat() if value else None


def _float(value):
    return None if value is None else float(value)


def _detail_url(request, url_format):
    """A function slug → the deal's absolute API address, as `HyperlinkedIdentityField` writes
    it, from one `reverse()` for the page instead of one per deal."""
    marker = "deal-slug-marker"
    url = reverse("api:deal-detail", kwargs={"slug": marker}, request=request, format=url_format)
    head, _, tail = url.rpartition(marker)
    # reverse() percent-encodes the path with these characters left as they are.
    safe = RFC3986_SUBDELIMS + "/~:@"
    return lambda slug: head + quote(slug, safe=safe) + tail


def _parties_out(parties):
    return [{key: party[key] for key in PARTY_KEYS} for party in parties]


def _json_writer(name):
    """How `deal_list_data` writes a deal row's `name` as `DealSerializer` would: decimals as
    numbers, dates as ISO text, times as DRF writes them; the rest as the row holds it."""
    if name == "parties":
        return lambda row: _parties_out(row["parties"])
    try:
        field = Deal._meta.get_field(name)
    except FieldDoesNotExist:  # a label or a related list: the row holds it ready
        return operator.itemgetter(name)
    if isinstance(field, models.DecimalField):
        return lambda row: _float(row[name])
    if isinstance(field, models.DateTimeField):
        return lambda row: _DATETIME.to_representation(row[name])
    if isinstance(field, models.DateField):
        return lambda row: _iso(row[name])
    return operator.itemgetter(name)


_LIST_WRITERS = [
    (name, _json_writer(name)) for name in DealSerializer.Meta.fields if name != "api_url"
]


def deal_list_data(rows, request, url_format=None):
    """`DealSerializer(deals, many=True).data` for deal rows (`Deal.objects.for_list()`), with no
    query of its own: the rows hold every value, this only writes them as JSON types."""
    detail_url = _detail_url(request, url_format)
    data = []
    for row in rows:
        item = {name: write(row) for name, write in _LIST_WRITERS}
        item["api_url"] = detail_url(row["slug"])
        data.append(item)
    return data


class DealDetailSerializer(DealSerializer):
    status_history = StatusChangeSerializer(many=True, read_only=True)

    class Meta(DealSerializer.Meta):
        fields = [
            *DealSerializer.Meta.fields,
            "status_history",
            "notes",
            "review_reason",
            "published",
            "unpublished_reason",
            "created_at",
        ]
        read_only_fields = fields


class PartyInputSerializer(serializers.Serializer):
    company = SlugOrIdRelatedField(queryset=Company.objects.all())
    role = serializers.ChoiceField(choices=PartyRole.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    equity_share = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        required=False,
        allow_null=True,
        default=None,
    )


class StatusChangeInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Deal.Status.choices)
    effective_on = serializers.DateField(help_text=_("Any day of the period; stored as its start."))
    effective_precision = serializers.ChoiceField(choices=Precision.choices)
    effective_estimated = serializers.BooleanField(required=False, default=False)
    source = SlugOrIdRelatedField(queryset=Source.objects.all())
    quote = serializers.CharField(
        max_length=600, help_text=_("The sentence of the source that states this status.")
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CitationInputSerializer(serializers.Serializer):
    source = SlugOrIdRelatedField(queryset=Source.objects.all())
    quote = serializers.CharField(max_length=600)
    field = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    claim = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WriteSerializer(serializers.ModelSerializer):
    """What an editor sends for one kind of row. The view's `perform_create`/`perform_update`
    pass it to the row's service and put the row the service wrote, read back, in `instance`;
    DRF's `create`/`update` then answer with `data`, which is that row as the resource's read
    serializer shows it (`context["read_serializer"]`), not the fields that were sent.

    A body naming a field the resource does not have is refused, naming the fields it has: a
    mistyped name (`note` for `notes`) would otherwise be ignored, and the write answered 200 as
    if it had been made. `explained` gives a field that is not written here its own message
    (where to write it instead)."""

    explained: dict = {}

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                writable = sorted(
                    name for name, field in self.fields.items() if not field.read_only
                )
                message = _("Unknown field. Fields you can send: %(fields)s.") % {
                    "fields": ", ".join(writable)
                }
                raise serializers.ValidationError(
                    {name: [self.explained.get(name, message)] for name in unknown}
                )
        return super().to_internal_value(data)

    def to_representation(self, instance):
        return self.context["read_serializer"](instance, context=self.context).data


class DealWriteSerializer(WriteSerializer):
    """A deal as sent by an editor. The status is not set directly: send `status_change`, which
    appends a dated, sourced step to the status history and becomes the current status."""

    volume_gwh = gwh_field(required=False, allow_null=True)
    parties = PartyInputSerializer(many=True, required=False)
    vehicle_models = SlugOrIdRelatedField(
        queryset=VehicleModel.objects.all(), many=True, required=False
    )
    status_change = StatusChangeInputSerializer(required=False)
    citations = CitationInputSerializer(many=True, required=False, help_text=_("Added."))
    version = serializers.IntegerField(
        required=False,
        write_only=True,
        help_text=_("The version you read; the write is refused (409) if the deal changed."),
    )

    class Meta:
        model = Deal
        fields = [
            *sorted(services.DEAL_FIELDS),
            "parties",
            "vehicle_models",
            "status_change",
            "citations",
            "version",
        ]
        # Uniqueness and constraints are checked by the model's full_clean in the service.
        validators = []
        extra_kwargs = {"slug": {"validators": []}}

    # A PATCH makes nested fields optional too (DRF passes `partial` down), but a status step,
    # a party or a citation is only meaningful whole.
    NESTED_REQUIRED = {
        "status_change": ("status", "effective_on", "effective_precision", "source", "quote"),
        "parties": ("company", "role"),
        "citations": ("source", "quote"),
    }

    def _check_whole(self, attrs):
        errors = {}
        for name, required in self.NESTED_REQUIRED.items():
            value = attrs.get(name)
            if value is None:
                continue
            items = value if isinstance(value, list) else [value]
            problems = [
                {key: [_("This field is required.")] for key in required if key not in item}
                for item in items
            ]
            if any(problems):
                errors[name] = problems if isinstance(value, list) else problems[0]
        if errors:
            raise serializers.ValidationError(errors)

    def validate(self, attrs):
        self._check_whole(attrs)
        if "status" in self.initial_data:
            raise serializers.ValidationError(
                {"status": _("Set the status with `status_change`, giving its source and quote.")}
            )
        if self.instance is None and not attrs.get("parties"):
            raise serializers.ValidationError({"parties": _("A deal needs at least one party.")})
        return attrs

    def service_arguments(self):
        data = dict(self.validated_data)
        parties = data.pop("parties", None)
        status_change = data.pop("status_change", None)
        arguments = {
            "parties": None
            if parties is None
            else [services.PartyInput(**party) for party in parties],
            "vehicle_models": data.pop("vehicle_models", None),
            "status_change": services.StatusInput(**status_change) if status_change else None,
            "citations": [services.CitationInput(**c) for c in data.pop("citations", [])],
        }
        data.pop("version", None)
        return data, arguments


# --- companies -----------------------------------------------------------------------------------


class StakeSerializer(OutputSerializer):
    """A stake: owner, owned company, tie, share (null when the sources do not give it), the
    dates it was held (`until` null: held still), whether the chain follows it, and the
    sentences that state it."""

    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:stake-detail", lookup_field="slug", read_only=True
    )
    owner = CompanyBriefSerializer(read_only=True)
    owned = CompanyBriefSerializer(read_only=True)
    share_percent = number_field(5, 2, read_only=True, allow_null=True)
    since_display = serializers.CharField(read_only=True)
    until_display = serializers.CharField(read_only=True)
    current = serializers.BooleanField(read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = Ownership
        fields = [
            "id",
            "slug",
            "api_url",
            "owner",
            "owned",
            "tie",
            "share_percent",
            "since_on",
            "since_precision",
            "since_estimated",
            "since_display",
            "until_on",
            "until_precision",
            "until_estimated",
            "until_display",
            "current",
            "controlling",
            "note",
            "citations",
        ]
        read_only_fields = fields


class StakeDetailSerializer(StakeSerializer):
    class Meta(StakeSerializer.Meta):
        fields = [*StakeSerializer.Meta.fields, "published", "unpublished_reason"]
        read_only_fields = fields


class StakeWriteSerializer(WriteSerializer):
    owner = SlugOrIdRelatedField(queryset=Company.objects.all())
    owned = SlugOrIdRelatedField(queryset=Company.objects.all())
    citations = CitationInputSerializer(
        many=True, required=False, help_text=_("Added; a stake is published once cited.")
    )

    class Meta:
        model = Ownership
        fields = [*sorted(services.OWNERSHIP_FIELDS), "citations"]
        validators = []
        extra_kwargs = {"slug": {"validators": [], "required": False}}


class CompanySerializer(OutputSerializer):
    """A company with its parent chain and subsidiaries (from `context["family"]`, one query for
    the whole page) and its deal counts."""

    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:company-detail", lookup_field="slug", read_only=True
    )
    country = CountryField(read_only=True)
    country_name = serializers.CharField(source="country.name", read_only=True)
    parent = CompanyBriefSerializer(read_only=True, allow_null=True)
    # Derived from the stakes (not editable), so DRF would not say the tie may be blank.
    parent_tie = serializers.ChoiceField(
        choices=Company.Tie.choices, allow_blank=True, read_only=True
    )
    parent_chain = serializers.SerializerMethodField()
    subsidiaries = serializers.SerializerMethodField()
    aliases = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    founded_display = serializers.CharField(read_only=True)
    hq_latitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, coerce_to_string=False, read_only=True, allow_null=True
    )
    hq_longitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, coerce_to_string=False, read_only=True, allow_null=True
    )
    parent_share_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, read_only=True, allow_null=True
    )
    deal_count = serializers.IntegerField(read_only=True)
    deals_agreed = serializers.IntegerField(read_only=True)
    deals_under_discussion = serializers.IntegerField(read_only=True)

    class Meta:
        model = Company
        fields = [
            "id",
            "slug",
            "api_url",
            "name",
            "name_ko",
            "name_zh",
            "aliases",
            "country",
            "country_name",
            "chain_role",
            "parent",
            "parent_tie",
            "parent_share_percent",
            "parent_chain",
            "subsidiaries",
            "state_owned",
            "founded_on",
            "founded_precision",
            "founded_estimated",
            "founded_display",
            "hq_city",
            "hq_city_ko",
            "hq_latitude",
            "hq_longitude",
            "deal_count",
            "deals_agreed",
            "deals_under_discussion",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CompanyBriefSerializer(many=True))
    def get_parent_chain(self, company):
        return self.context["family"].parent_chain(company.pk, company.parent_id)

    @extend_schema_field(CompanyBriefSerializer(many=True))
    def get_subsidiaries(self, company):
        return self.context["family"].subsidiaries(company.pk)


class IdentifierSerializer(serializers.Serializer):
    scheme = serializers.CharField()
    value = serializers.CharField()


class CompanyDetailSerializer(CompanySerializer):
    identifiers = IdentifierSerializer(many=True, read_only=True)
    owners = StakeSerializer(
        source="published_stakes",
        many=True,
        read_only=True,
        help_text=_("Stakes in this company, current ones first; `controlling` marks the chain's."),
    )
    holdings = StakeSerializer(
        source="published_holdings",
        many=True,
        read_only=True,
        help_text=_("Stakes this company holds in others."),
    )
    citations = CitationSerializer(many=True, read_only=True)
    deals_url = serializers.SerializerMethodField()

    class Meta(CompanySerializer.Meta):
        fields = [
            *CompanySerializer.Meta.fields,
            "description",
            "identifiers",
            "owners",
            "holdings",
            "citations",
            "deals_url",
            "published",
            "unpublished_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_deals_url(self, company):
        from django.urls import reverse

        url = reverse("api:deal-list") + f"?company={company.slug}"
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class CompanyWriteSerializer(WriteSerializer):
    country = CountryField()
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        help_text=_("Other names people search by; replace the current ones."),
    )
    citations = CitationInputSerializer(
        many=True, required=False, help_text=_("Added; a company is published once cited.")
    )

    class Meta:
        model = Company
        fields = [*sorted(services.COMPANY_FIELDS), "aliases", "citations"]
        validators = []
        extra_kwargs = {name: {"validators": []} for name in ("slug", "name", "name_ko", "name_zh")}

    # The owner columns are derived from the stakes: say where to write them.
    explained = dict.fromkeys(
        ("parent", "parent_tie", "parent_share_percent"),
        _("Derived from the company's stakes: write them at /api/v1/stakes/."),
    )


# --- vehicle models, sources, events -------------------------------------------------------------


class VehicleModelSerializer(OutputSerializer):
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:vehiclemodel-detail", lookup_field="slug", read_only=True
    )
    maker = CompanyBriefSerializer(read_only=True)
    battery_supplier = CompanyBriefSerializer(read_only=True, allow_null=True)
    predecessor = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    launch_display = serializers.CharField(read_only=True)
    deal_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = VehicleModel
        fields = [
            "id",
            "slug",
            "api_url",
            "name",
            "maker",
            "segment",
            "powertrain",
            "launch_on",
            "launch_precision",
            "launch_estimated",
            "launch_display",
            "battery_supplier",
            "chemistry",
            "cell_format",
            "production_site",
            "predecessor",
            "programme",
            "description",
            "deal_count",
            "published",
            "unpublished_reason",
            "updated_at",
        ]
        read_only_fields = fields


class VehicleModelWriteSerializer(WriteSerializer):
    maker = SlugOrIdRelatedField(queryset=Company.objects.all())
    battery_supplier = SlugOrIdRelatedField(
        queryset=Company.objects.all(), required=False, allow_null=True
    )
    predecessor = SlugOrIdRelatedField(
        queryset=VehicleModel.objects.all(), required=False, allow_null=True
    )
    citations = CitationInputSerializer(
        many=True, required=False, help_text=_("Added; a model is published once cited.")
    )

    class Meta:
        model = VehicleModel
        fields = [*sorted(services.VEHICLE_MODEL_FIELDS), "citations"]
        validators = []
        extra_kwargs = {"slug": {"validators": []}}


class SourceCitationSerializer(OutputSerializer):
    target_kind = serializers.CharField(read_only=True)
    target_id = serializers.SerializerMethodField()

    class Meta:
        model = Citation
        fields = ["quote", "field", "claim", "target_kind", "target_id"]

    @extend_schema_field(OpenApiTypes.INT)
    def get_target_id(self, citation):
        kind = citation.target_kind
        return getattr(citation, f"{kind}_id") if kind else None


class SourceSerializer(OutputSerializer):
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:source-detail", lookup_field="slug", read_only=True
    )
    published_display = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True, help_text=_("The document's own address."))
    citations = SourceCitationSerializer(many=True, read_only=True)

    class Meta:
        model = Source
        fields = [
            "id",
            "slug",
            "api_url",
            "kind",
            "title",
            "publisher",
            "language",
            "published_on",
            "published_precision",
            "published_estimated",
            "published_display",
            "url",
            "citations",
            "updated_at",
        ]
        read_only_fields = fields


class SourceDetailSerializer(SourceSerializer):
    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "text", "notes"]
        read_only_fields = fields


class SourceWriteSerializer(WriteSerializer):
    file = serializers.FileField(
        write_only=True,
        required=False,
        help_text=_("The article as a .txt, .md or .html file (UTF-8), instead of `text`."),
    )

    class Meta:
        model = Source
        fields = [*sorted(services.SOURCE_FIELDS), "file"]
        validators = []
        # A new article gets a slug from its title when none is given.
        extra_kwargs = {"slug": {"validators": [], "required": False}, "url": {"validators": []}}

    def validate(self, attrs):
        from ingest.services import text_from_upload

        upload = attrs.pop("file", None)
        if upload is not None:
            if attrs.get("text"):
                raise serializers.ValidationError(
                    {"file": _("Send the article as text or as a file, not both.")}
                )
            try:
                attrs["text"] = text_from_upload(upload)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"file": error.messages}) from error
        return attrs


class ContextEventSerializer(OutputSerializer):
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:contextevent-detail", lookup_field="slug", read_only=True
    )
    country = CountryField(read_only=True, allow_blank=True)
    occurred_display = serializers.CharField(read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = ContextEvent
        fields = [
            "id",
            "slug",
            "api_url",
            "title",
            "title_ko",
            "kind",
            "country",
            "occurred_on",
            "occurred_precision",
            "occurred_estimated",
            "occurred_display",
            "description",
            "citations",
        ]
        read_only_fields = fields


class ContextEventWriteSerializer(WriteSerializer):
    country = CountryField(required=False, allow_blank=True)

    class Meta:
        model = ContextEvent
        fields = sorted(services.CONTEXT_EVENT_FIELDS)
        validators = []
        extra_kwargs = {"slug": {"validators": []}}


# --- aggregates: parameters, and the shapes the docs describe ------------------------------------


class SupplyGraphParams(serializers.Serializer):
    limit = serializers.IntegerField(
        min_value=1,
        max_value=500,
        required=False,
        default=graph.GRAPH_LIMIT,
        help_text=_(
            "Keep this many companies with most deals (default 50); merge the rest per country."
        ),
    )


class TimelineParams(serializers.Serializer):
    include_events = serializers.BooleanField(
        required=False, default=True, help_text=_("Include context events (default true).")
    )
    language = serializers.ChoiceField(
        choices=[("en", "English"), ("ko", "한국어")],
        required=False,
        default="en",
        help_text=_("Language of the date labels."),
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=2000,
        required=False,
        default=timeline.TIMELINE_LIMIT,
        help_text=_(
            "List at most this many deals, the most recent (default 200); `buckets` count all."
        ),
    )


def volume_sum_field():
    return serializers.FloatField(
        allow_null=True,
        help_text=_(
            "Sum of the known volumes (GWh); null when no deal here has one. Unknown volumes"
            " are never counted as 0: see deals_without_volume."
        ),
    )


def without_volume_field():
    return serializers.IntegerField(
        help_text=_("Deals counted here whose volume no source gives (left out of the sum).")
    )


class StatsItemSerializer(serializers.Serializer):
    key = StringOrIntegerField(help_text=_("Status, year (null: undated), KR-CN or product."))
    label = serializers.CharField()
    deals = serializers.IntegerField()
    volume_gwh = volume_sum_field()
    deals_without_volume = without_volume_field()


class CountryCountSerializer(serializers.Serializer):
    country = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class HeadlineSerializer(serializers.Serializer):
    deals = serializers.IntegerField()
    volume_gwh_agreed = volume_sum_field()
    volume_gwh_under_discussion = volume_sum_field()
    deals_without_volume_agreed = without_volume_field()
    deals_without_volume_under_discussion = without_volume_field()
    companies = serializers.IntegerField()
    companies_by_country = CountryCountSerializer(many=True)


class StatsSerializer(serializers.Serializer):
    by_status = StatsItemSerializer(many=True)
    by_year = StatsItemSerializer(many=True)
    by_country_pair = StatsItemSerializer(many=True)
    by_product = StatsItemSerializer(many=True)
    headline = HeadlineSerializer()


class GraphNodeSerializer(serializers.Serializer):
    id = StringOrIntegerField(help_text=_("Company id, or others-<country> for a merged node."))
    slug = serializers.CharField()
    name = serializers.CharField()
    name_ko = serializers.CharField()
    name_zh = serializers.CharField()
    country = serializers.CharField()
    chain_role = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    hq_city = serializers.CharField()
    hq_city_ko = serializers.CharField()
    deal_count = serializers.IntegerField()
    volume_gwh = volume_sum_field()
    deals_without_volume = without_volume_field()
    merged = serializers.BooleanField()


class GraphVehicleSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    maker_id = serializers.IntegerField()


class GraphEdgeSerializer(serializers.Serializer):
    deal_slug = serializers.CharField()
    deal_title = serializers.CharField()
    source = StringOrIntegerField(help_text=_("Node id of the delivering party."))
    target = StringOrIntegerField(help_text=_("Node id of the other party."))
    source_role = serializers.CharField()
    target_role = serializers.CharField()
    status = serializers.CharField()
    kind = serializers.CharField()
    product = serializers.CharField()
    volume_gwh = serializers.FloatField(allow_null=True)
    vehicle_models = GraphVehicleSerializer(many=True)
    deal_count = serializers.IntegerField(help_text=_("Deals this edge stands for."))
    merged = serializers.BooleanField(
        help_text=_("Several deals to or from a merged node, summed; deal_slug is then empty.")
    )


class MergedCountrySerializer(serializers.Serializer):
    """What a merged node ("others-KR") stands for. Not named GraphOthers: a generated client
    names the `others` map of the graph so, and two models of one name drop the graph's type."""

    companies = serializers.IntegerField(help_text=_("Companies merged into this node."))
    slugs = serializers.ListField(
        child=serializers.CharField(), help_text=_("The first 20 of them, by slug.")
    )


class GraphOmittedSerializer(serializers.Serializer):
    edges = serializers.IntegerField()
    deals = serializers.IntegerField()


class GraphSerializer(serializers.Serializer):
    nodes = GraphNodeSerializer(many=True)
    edges = GraphEdgeSerializer(many=True)
    others = serializers.DictField(child=MergedCountrySerializer(), required=False)
    edges_omitted = GraphOmittedSerializer(
        required=False, help_text=_("The weakest edges left out beyond the strongest 1,000.")
    )


class TimelinePartySerializer(serializers.Serializer):
    name = serializers.CharField()
    name_ko = serializers.CharField()
    name_zh = serializers.CharField()
    role = serializers.CharField()
    country = serializers.CharField()


class TimelineItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["deal", "event"])
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    date = serializers.DateField()
    date_end = serializers.DateField()
    precision = serializers.ChoiceField(choices=Precision.choices)
    label = serializers.CharField()
    estimated = serializers.BooleanField()
    status = serializers.CharField(required=False)
    status_label = serializers.CharField(required=False)
    term_start = serializers.DateField(required=False, allow_null=True)
    term_end = serializers.DateField(required=False, allow_null=True)
    term_end_estimated = serializers.BooleanField(required=False)
    parties = TimelinePartySerializer(many=True, required=False)
    volume_gwh = serializers.FloatField(required=False, allow_null=True)
    source_title = serializers.CharField()
    quote = serializers.CharField()


class TimelineBucketSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    deals = serializers.IntegerField()
    volume_gwh = volume_sum_field()
    deals_without_volume = without_volume_field()


class TimelineSerializer(serializers.Serializer):
    items = TimelineItemSerializer(many=True)
    undated = serializers.IntegerField()
    buckets = TimelineBucketSerializer(
        many=True, help_text=_("Every dated deal counted per year and status.")
    )
    total = serializers.IntegerField(help_text=_("Dated deals that match the filters."))
    truncated = serializers.BooleanField(
        help_text=_("True when `items` lists only the most recent `limit` of them.")
    )
