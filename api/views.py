"""REST endpoints. Each one validates its input, calls one query or service, and serialises
the result; the reads are the models' QuerySet methods (`querysets.py`: rows, details) and
`dashboard/` (aggregates), the writes live in `services.py`.

Rows are addressed by slug (`/api/v1/deals/catl-hyundai-46-series/`); a numeric id works too.
"""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import APIException, Throttled, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api import exports
from api import serializers as s
from api.conditional import ConditionalGet, ConditionalListMixin
from api.pagination import LimitOffsetNoCountPagination
from api.parsers import JSONBodyParser
from api.renderers import CSVRenderer, FastJSONRenderer, GeoJSONRenderer, XLSXRenderer
from config.throttling import sign_in_failed, sign_in_wait
from dashboard import aggregates, graph, scope, timeline
from partnerships import freshness, queries, services
from partnerships.filters import (
    DEPRECATED_SINCE,
    CompanyFilter,
    ContextEventFilter,
    DealFilter,
    SourceFilter,
    StakeFilter,
    VehicleModelFilter,
    deprecated_in,
    unknown_parameter_message,
    unknown_parameters,
)
from partnerships.models import Company, ContextEvent, Deal, Ownership, Source, VehicleModel
from publishing.middleware import add_link

# The ETag of a deal's detail, `"deal-<id>-v<version>-d<data version tag>-<language>"`, as
# If-Match sends it back; only the deal's own version is compared for a write (the short
# `"deal-<id>-v<version>"` of earlier releases is still taken).
DEAL_ETAG = re.compile(r'"deal-(\d+)-v(\d+)(?:-d[\d.]+-[\w-]+)?"')


def deal_etag(pk, version) -> str:
    """The deal's version names its own fields; its detail also shows other rows (its parties'
    names, its sources) and labels in the reader's language, so the data version and the
    language are part of the tag: a 304 is never an answer with a stale party name."""
    return f'"deal-{pk}-v{version}-d{freshness.current().tag}-{get_language() or ""}"'


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Someone changed this row since you read it; read it again.")
    default_code = "conflict"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The If-Match version is not the current one.")
    default_code = "precondition_failed"


def call_service(function, **kwargs):
    """Run a write; the model's validation errors become 400 field errors."""
    try:
        return function(**kwargs)
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else error.messages
        if isinstance(detail, dict) and "__all__" in detail:
            detail["non_field_errors"] = detail.pop("__all__")
        raise serializers.ValidationError(detail) from None
    except ProtectedError as error:
        raise Conflict(_("Other rows still refer to this one.")) from error


class FormatMixin:
    """An unknown `?format=` is a 400 naming the formats on offer, not a bare 404."""

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force=force)
        except Http404:
            offered = sorted({renderer.format for renderer in self.get_renderers()})
            raise serializers.ValidationError(
                {"format": [_("Unknown format; this address offers: %s.") % ", ".join(offered)]}
            ) from None


class StrictParametersMixin:
    """An unknown query parameter is a 400 naming the ones this address takes: `stauts=signed`
    is a typo to report, not a request for every deal.

    Taken: the filters of the view's FilterSet (lists and aggregates), `format`, the page's
    `limit` and `offset` on lists, and the fields of an aggregate's `params_serializer`."""

    def allowed_parameters(self) -> set[str]:
        allowed = {"format"}
        action = getattr(self, "action", None)
        if action in {None, "list"}:
            filterset_class = getattr(self, "filterset_class", None)
            if filterset_class is not None:
                allowed |= set(filterset_class.base_filters)
            if getattr(self, "pagination_class", None) is not None:
                allowed |= {"limit", "offset"}
        if (params := getattr(self, "params_serializer", None)) is not None:
            allowed |= set(params().fields)
        return allowed

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        allowed = self.allowed_parameters()
        unknown = unknown_parameters(request.query_params, allowed)
        if unknown:
            message = unknown_parameter_message(allowed)
            raise serializers.ValidationError({name: [message] for name in unknown})

    def finalize_response(self, request, response, *args, **kwargs):
        """A request that used an old name (`min_gwh`, `ordering=gwh`) is answered as asked,
        with RFC 9745's `Deprecation` header, a link to the docs that list the current names,
        and `X-Deprecated-Parameters` naming what to change."""
        response = super().finalize_response(request, response, *args, **kwargs)
        filterset_class = getattr(self, "filterset_class", None)
        listing = getattr(self, "action", None) in {None, "list"}
        used = []
        if filterset_class is not None and listing:
            used = deprecated_in(request.query_params, filterset_class)
        if used:
            response["Deprecation"] = f"@{DEPRECATED_SINCE}"
            response["X-Deprecated-Parameters"] = ", ".join(used)
            add_link(response, f'<{reverse("api-docs")}>; rel="deprecation"')
        return response


class FilterWhenAskedBackend(DjangoFilterBackend):
    """django-filter, skipped when the request names none of the filters: a FilterSet copies
    every filter and builds a form on each request (about 1 ms for the deals), and with no values
    it returns the queryset unchanged. Every list and aggregate uses it."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        asked = request.query_params.keys()
        if filterset_class and not filterset_class.base_filters.keys() & asked:
            return queryset
        return super().filter_queryset(request, queryset, view)


class ResourceViewSet(
    StrictParametersMixin,
    FormatMixin,
    ConditionalListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and update one kind of row; lists also as CSV and XLSX.

    Subclasses name their queries (`list_queryset`, `detail_object`), serializers, export
    columns and the services that create and update.
    """

    lookup_field = "slug"
    lookup_value_regex = "[^/]+"
    # Writes nest lists and objects (parties, status_change), which only JSON carries.
    parser_classes = [JSONBodyParser]
    filter_backends = [FilterWhenAskedBackend]
    pagination_class = LimitOffsetNoCountPagination
    export_renderers = [CSVRenderer, XLSXRenderer]
    export_columns = []
    export_name = ""
    output_serializer = None
    detail_serializer = None
    write_serializer = None

    def get_renderers(self):
        # Only lists export; a single row or a write answers in JSON.
        renderers = [JSONRenderer()]
        if getattr(self, "action", None) in {"list", None}:
            renderers += [renderer() for renderer in self.export_renderers]
        return renderers

    def get_serializer_class(self):
        if self.action in {"create", "update", "partial_update"}:
            return self.write_serializer
        if self.action == "retrieve":
            return self.detail_serializer or self.output_serializer
        return self.output_serializer

    def get_queryset(self):
        return self.list_queryset()

    def list_queryset(self):
        raise NotImplementedError

    def detail_object(self, value):
        return get_object_or_404(self.list_queryset().named(value))

    def is_editor(self):
        """Editors (who may change this kind of row) also reach its unpublished rows, to
        complete them; lists, exports and aggregates never show those."""
        model = self.write_serializer.Meta.model
        permission = f"{model._meta.app_label}.change_{model._meta.model_name}"
        return self.request.user.has_perm(permission)

    def get_object(self):
        obj = self.detail_object(self.kwargs[self.lookup_field])
        self.check_object_permissions(self.request, obj)
        return obj

    def build_list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        export = request.accepted_renderer.format
        if export == "xlsx" and (too_many := exports.xlsx_too_many(queryset)):
            raise serializers.ValidationError({"format": [too_many]})
        if export in {"csv", "xlsx"}:
            header, rows = self.export_table(queryset)
            query = exports.filter_query(request.GET)
            return exports.table_response(export, header, rows, self.export_name, query)
        if export == "geojson":
            return self.geojson(queryset)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def export_table(self, queryset):
        return exports.queryset_rows(queryset, self.export_columns)

    def geojson(self, queryset):
        raise NotImplementedError

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["read_serializer"] = self.detail_serializer or self.output_serializer
        return context

    # DRF's `create` and `update` validate the body, call these hooks and answer with the
    # serializer's `data`: the row the service wrote, read back as a reader sees it.
    def perform_create(self, serializer):
        serializer.instance = self.read_back(self.perform_write(serializer, None))

    def perform_update(self, serializer):
        serializer.instance = self.read_back(self.perform_write(serializer, serializer.instance))

    def read_back(self, obj):
        return self.detail_object(str(obj.pk))

    def get_success_headers(self, data):
        # DRF would take a field named `url` for the new row's address; a source's `url` is
        # its article's. The row's own address is its `api_url`.
        # str(): the field gives DRF's Hyperlink, and a WSGI server takes only plain str.
        return {"Location": str(data["api_url"])} if "api_url" in data else {}

    def perform_write(self, serializer, instance):
        """Call the service that creates (`instance` None) or updates the row; return the row."""
        raise NotImplementedError


def resource_schema(output, detail=None, write=None, geojson=False):
    """The documented requests and answers of a resource: pages of `output` or every row as
    CSV, XLSX (or GeoJSON); `detail` for one row and for what a write sends back."""
    detail = detail or output
    return extend_schema_view(
        list=list_schema(output, geojson),
        retrieve=extend_schema(responses=detail),
        create=extend_schema(request=write, responses={201: detail}),
        update=extend_schema(request=write, responses=detail),
        partial_update=extend_schema(request=write, responses=detail),
    )


def list_schema(serializer, geojson=False):
    """A list's documented answers: a page of JSON, or every row as CSV, XLSX (or GeoJSON)."""
    formats = ["csv", "xlsx"] + (["geojson"] if geojson else [])
    responses = {
        200: serializer(many=True),
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV"),
        (200, XLSXRenderer.media_type): OpenApiResponse(
            OpenApiTypes.BINARY, description="Excel workbook"
        ),
    }
    if geojson:
        responses[(200, GeoJSONRenderer.media_type)] = OpenApiResponse(
            OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection"
        )
    return extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=formats,
                description=_(
                    "Download every matching row (filters apply, no pages) instead of JSON;"
                    " the Accept header works too."
                ),
            )
        ],
        responses=responses,
    )


# --- deals ---------------------------------------------------------------------------------------


@resource_schema(s.DealSerializer, s.DealDetailSerializer, s.DealWriteSerializer, geojson=True)
class DealViewSet(mixins.DestroyModelMixin, ResourceViewSet):
    """Deals with their parties, volume, dates, vehicle models and the sentences that state them.

    The detail adds the status history. Writes: `parties` is a list of
    `{company: slug-or-id, role, note}` and replaces the current parties; `vehicle_models` is a
    list of slugs or ids; `citations` adds `{source, quote, field, claim}`; the status changes only
    through `status_change: {status, effective_on, effective_precision, source, quote}`, which
    appends a step to the history. Send `version` (or an If-Match header with the ETag of the
    detail) to refuse the write if the deal changed since you read it.
    """

    queryset = Deal.objects.filter(published=True)
    filterset_class = DealFilter
    output_serializer = s.DealSerializer
    detail_serializer = s.DealDetailSerializer
    write_serializer = s.DealWriteSerializer
    export_renderers = [CSVRenderer, XLSXRenderer, GeoJSONRenderer]
    export_name = "deals"

    def list_queryset(self):
        return Deal.objects.for_list()

    def detail_object(self, value):
        deals = Deal.objects.for_detail(include_unpublished=self.is_editor())
        return get_object_or_404(deals.named(value))

    def get_renderers(self):
        renderers = super().get_renderers()
        if getattr(self, "action", None) == "list":
            # The page is plain dicts of JSON types (`build_list`): orjson encodes them.
            renderers[0] = FastJSONRenderer()
        return renderers

    def build_list(self, request):
        if request.accepted_renderer.format != "json":
            return super().build_list(request)
        # A page of deal rows written as JSON (`s.deal_list_data`), not `DealSerializer`: the
        # same JSON for a fraction of the time (bench/INDEXES.md, section 5).
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = s.deal_list_data(rows, request=request, url_format=self.format_kwarg)
        return self.get_paginated_response(data)

    def export_table(self, queryset):
        return exports.deal_table(queryset)

    def geojson(self, queryset):
        rows = queryset.iterator(chunk_size=exports.CHUNK_SIZE)
        return exports.geojson_response(exports.deals_geojson(rows), "deals")

    def retrieve(self, request, *args, **kwargs):
        # Django's conditional GET against the deal's ETag (`deal_etag`), before it is serialised.
        deal = self.get_object()
        etag = deal_etag(deal.pk, deal.version)
        response = get_conditional_response(request, etag=etag)
        if response is not None and response.status_code == status.HTTP_412_PRECONDITION_FAILED:
            raise PreconditionFailed()  # the API's JSON error, as a write's stale If-Match gets
        response = response or Response(self.get_serializer(deal).data)
        response["ETag"] = etag
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        """A deal written answers with its new version as its ETag, for the next If-Match."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.action in {"create", "update", "partial_update"} and response.status_code < 300:
            response["ETag"] = deal_etag(response.data["id"], response.data["version"])
        return response

    @staticmethod
    def _if_match_versions(request, deal):
        """The versions of this deal an If-Match header accepts (None: any). The service
        compares them with the row it has locked; compared here, two writers holding the same
        ETag would both pass."""
        if_match = request.headers.get("If-Match", "").strip()
        if not if_match or if_match == "*":
            return None
        return {
            int(version)
            for pk, version in DEAL_ETAG.findall(if_match)
            if int(pk) == deal.pk and len(version) < 10
        }

    def perform_write(self, serializer, instance):
        fields, children = serializer.service_arguments()
        if instance is None:
            return call_service(services.deal_create, fields=fields, **children)
        try:
            return call_service(
                services.deal_update,
                deal=instance,
                fields=fields,
                expected_version=serializer.validated_data.get("version"),
                if_match_versions=self._if_match_versions(self.request, instance),
                **children,
            )
        except services.PreconditionError as error:
            raise PreconditionFailed() from error
        except services.StaleVersionError as error:
            raise Conflict(
                _("The deal is at version %(version)s now; read it again.")
                % {"version": error.current_version}
            ) from error

    def perform_destroy(self, instance):
        call_service(services.deal_delete, deal=instance)


# --- companies -----------------------------------------------------------------------------------


@resource_schema(
    s.CompanySerializer, s.CompanyDetailSerializer, s.CompanyWriteSerializer, geojson=True
)
class CompanyViewSet(ResourceViewSet):
    """Companies with their other names, parent chain, subsidiaries and deal counts.

    Writes take `parent` as a slug or id and `aliases` as a list of names (replacing the current
    ones). As GeoJSON (`?format=geojson`) the companies with known headquarters are points.
    """

    queryset = Company.objects.filter(published=True)
    filterset_class = CompanyFilter
    output_serializer = s.CompanySerializer
    detail_serializer = s.CompanyDetailSerializer
    write_serializer = s.CompanyWriteSerializer
    export_renderers = [CSVRenderer, XLSXRenderer, GeoJSONRenderer]
    export_columns = exports.COMPANY_COLUMNS
    export_name = "companies"

    def list_queryset(self):
        return Company.objects.for_list().prefetch_related("aliases")

    def detail_object(self, value):
        companies = Company.objects.for_detail(include_unpublished=self.is_editor())
        return get_object_or_404(companies.named(value))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action in {"list", "retrieve", "create", "update", "partial_update"}:
            context["family"] = queries.CompanyFamily()
        return context

    def geojson(self, queryset):
        return exports.geojson_response(exports.companies_geojson(queryset), "companies")

    def perform_write(self, serializer, instance):
        fields = dict(serializer.validated_data)
        aliases = fields.pop("aliases", None)
        citations = [services.CitationInput(**c) for c in fields.pop("citations", [])]
        if instance is None:
            return call_service(
                services.company_create, fields=fields, aliases=aliases or [], citations=citations
            )
        return call_service(
            services.company_update,
            company=instance,
            fields=fields,
            aliases=aliases,
            citations=citations,
        )


@resource_schema(s.StakeSerializer, s.StakeDetailSerializer, s.StakeWriteSerializer)
class StakeViewSet(mixins.DestroyModelMixin, ResourceViewSet):
    """Stakes: who owns how much of whom, since and until when, on whose word.

    Writes go through the services: a stake is published once `citations` state it (an
    unsourced one is kept for the editors and never listed); the owned company's controlling
    owner (`parent` on the company) follows its current stake marked `controlling`.
    """

    queryset = Ownership.objects.filter(published=True)
    filterset_class = StakeFilter
    output_serializer = s.StakeSerializer
    detail_serializer = s.StakeDetailSerializer
    write_serializer = s.StakeWriteSerializer
    export_columns = exports.STAKE_COLUMNS
    export_name = "stakes"

    def list_queryset(self):
        return Ownership.objects.for_list()

    def detail_object(self, value):
        rows = Ownership.objects.for_list(include_unpublished=self.is_editor())
        return get_object_or_404(rows.named(value))

    def perform_write(self, serializer, instance):
        fields = dict(serializer.validated_data)
        citations = [services.CitationInput(**c) for c in fields.pop("citations", [])]
        if instance is None:
            return call_service(services.ownership_create, fields=fields, citations=citations)
        return call_service(
            services.ownership_update, ownership=instance, fields=fields, citations=citations
        )

    def perform_destroy(self, instance):
        call_service(services.ownership_delete, ownership=instance)


# --- vehicle models, sources, context events -----------------------------------------------------


@resource_schema(s.VehicleModelSerializer, write=s.VehicleModelWriteSerializer)
class VehicleModelViewSet(ResourceViewSet):
    """Vehicle models with their maker, battery supplier and the number of deals naming them."""

    queryset = VehicleModel.objects.filter(published=True)
    filterset_class = VehicleModelFilter
    output_serializer = s.VehicleModelSerializer
    write_serializer = s.VehicleModelWriteSerializer
    export_columns = exports.VEHICLE_MODEL_COLUMNS
    export_name = "vehicle-models"

    def list_queryset(self):
        return VehicleModel.objects.for_list()

    def detail_object(self, value):
        vehicles = VehicleModel.objects.for_list(include_unpublished=self.is_editor())
        return get_object_or_404(vehicles.named(value))

    def perform_write(self, serializer, instance):
        fields = dict(serializer.validated_data)
        citations = [services.CitationInput(**c) for c in fields.pop("citations", [])]
        if instance is None:
            return call_service(services.vehicle_model_create, fields=fields, citations=citations)
        return call_service(
            services.vehicle_model_update,
            vehicle_model=instance,
            fields=fields,
            citations=citations,
        )


@resource_schema(s.SourceSerializer, s.SourceDetailSerializer, s.SourceWriteSerializer)
class SourceViewSet(ResourceViewSet):
    """Sources and the sentences quoted from them; the detail adds the full text."""

    queryset = Source.objects.all()
    filterset_class = SourceFilter
    # An article may come as an uploaded file (multipart) as well as JSON text.
    parser_classes = [JSONBodyParser, MultiPartParser]
    output_serializer = s.SourceSerializer
    detail_serializer = s.SourceDetailSerializer
    write_serializer = s.SourceWriteSerializer
    export_columns = exports.SOURCE_COLUMNS
    export_name = "sources"

    def list_queryset(self):
        return Source.objects.for_list()

    def detail_object(self, value):
        sources = Source.objects.prefetch_related("citations").order_by("id")
        return get_object_or_404(sources.named(value))

    def create(self, request, *args, **kwargs):
        # The same article again is answered with the stored source, 200 rather than 201:
        # nothing was created, so there is no new address to give either.
        response = super().create(request, *args, **kwargs)
        if not self.created:
            response.status_code = status.HTTP_200_OK
            del response["Location"]
        return response

    def perform_write(self, serializer, instance):
        fields = dict(serializer.validated_data)
        if instance is None:
            # Queues the article's reading into drafts.
            source, self.created = call_service(services.source_submit, fields=fields)
            return source
        return call_service(services.source_update, source=instance, fields=fields)


@resource_schema(s.ContextEventSerializer, write=s.ContextEventWriteSerializer)
class ContextEventViewSet(ResourceViewSet):
    """Policy, political and market events the sources tie to the deals."""

    queryset = ContextEvent.objects.all()
    filterset_class = ContextEventFilter
    output_serializer = s.ContextEventSerializer
    write_serializer = s.ContextEventWriteSerializer
    export_columns = exports.CONTEXT_EVENT_COLUMNS
    export_name = "context-events"

    def list_queryset(self):
        return ContextEvent.objects.for_list()

    def perform_write(self, serializer, instance):
        fields = dict(serializer.validated_data)
        if instance is None:
            return call_service(services.context_event_create, fields=fields)
        return call_service(services.context_event_update, context_event=instance, fields=fields)


EXPORT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["csv", "xlsx"],
    description=_("Download the result as a table instead of JSON; the Accept header works too."),
)


def table_responses(serializer):
    return {
        200: serializer,
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV"),
        (200, XLSXRenderer.media_type): OpenApiResponse(
            OpenApiTypes.BINARY, description="Excel workbook"
        ),
    }


# --- sign-in ------------------------------------------------------------------------------------


class ThrottledObtainAuthToken(ObtainAuthToken):
    """`POST /api/v1/auth/token/`: DRF's token exchange behind the sign-in throttle."""

    def post(self, request, *args, **kwargs):
        username = str(request.data.get("username", ""))[:150]
        wait = sign_in_wait(request, username)
        if wait is not None:
            raise Throttled(wait)
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            sign_in_failed(request, username)
            raise


# --- aggregates ----------------------------------------------------------------------------------


class DealAggregateView(StrictParametersMixin, FormatMixin, generics.GenericAPIView):
    """Base of the aggregates: the deal filters apply, then one query function runs."""

    queryset = Deal.objects.all()
    filterset_class = DealFilter
    filter_backends = [FilterWhenAskedBackend]
    pagination_class = None
    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]
    params_serializer = None
    export_name = ""

    def get(self, request, *args, **kwargs):
        conditional = ConditionalGet(request)
        if conditional.not_modified is not None:
            return conditional.stamp(conditional.not_modified)
        params = {}
        if self.params_serializer is not None:
            checked = self.params_serializer(data=request.query_params)
            checked.is_valid(raise_exception=True)
            params = checked.validated_data
        deals = self.filter_queryset(self.get_queryset())
        build = lambda: self.compute(deals, **params)  # noqa: E731
        if scope.is_whole(deals):
            # Every deal: the precomputed snapshot, or computed now and stored for the next.
            name, parts = self.snapshot_key(**params), ()
        else:
            # A filter's answer is shared until the next write, per language and the
            # parameters this view reads, under the filter as the database reads it: another
            # spelling of the same filter must not store another copy.
            parts = (scope.filter_key(deals), sorted(params.items()), get_language())
            name = self.export_name
        result = aggregates.read(name, build, version=conditional.version, parts=parts)
        export = request.accepted_renderer.format
        if export in {"csv", "xlsx"}:
            header, rows = self.table(result)
            response = exports.table_response(
                export, header, rows, self.export_name, exports.filter_query(request.GET)
            )
            return conditional.stamp(response)
        return conditional.stamp(Response(result))

    def compute(self, deals, **params):
        raise NotImplementedError

    def snapshot_key(self, **params):
        raise NotImplementedError

    def table(self, result):
        """The result as a header and rows, for CSV and XLSX."""
        raise NotImplementedError


class StatsView(DealAggregateView):
    """Deal counts and GWh by status, announced year, country pair and product, plus the
    headline figures; for the deals that match the filters."""

    export_name = "stats"

    @extend_schema(
        filters=True, parameters=[EXPORT_PARAMETER], responses=table_responses(s.StatsSerializer)
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def compute(self, deals):
        return aggregates.stats_payload(deals)

    def snapshot_key(self):
        return aggregates.stats_key(get_language())

    def table(self, result):
        return exports.stats_rows(result)


class SupplyGraphView(DealAggregateView):
    """Companies as nodes, deals as edges (deliverer → customer) with volume, status and roles.

    `limit` keeps the N companies with most deals (50 unless asked) and merges the others into
    one node per country ("others-KR"). Edges are summed per pair of nodes, status and roles
    (`deal_count`); a single deal's edge keeps its slug. At most the 1,000 strongest edges are
    listed (`edges_omitted` counts the rest), so the answer stays small at any data size."""

    params_serializer = s.SupplyGraphParams
    export_name = "supply-graph-edges"

    @extend_schema(
        filters=True,
        parameters=[s.SupplyGraphParams, EXPORT_PARAMETER],
        responses=table_responses(s.GraphSerializer),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def compute(self, deals, limit=graph.GRAPH_LIMIT):
        return graph.supply_graph(deals, limit=limit)

    def snapshot_key(self, limit=graph.GRAPH_LIMIT):
        return aggregates.supply_graph_key(limit)

    def table(self, result):
        return exports.supply_graph_rows(result)


class TimelineView(DealAggregateView):
    """Dated deals and context events in date order, each with its date precision and label:
    the `limit` most recent deals (200 unless asked; `truncated` says whether that is all of
    them). `buckets` count every dated deal per year and status; deals without any date are
    counted in `undated`."""

    params_serializer = s.TimelineParams
    export_name = "timeline"

    @extend_schema(
        filters=True,
        parameters=[s.TimelineParams, EXPORT_PARAMETER],
        responses=table_responses(s.TimelineSerializer),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def compute(self, deals, include_events=True, language="en", limit=timeline.TIMELINE_LIMIT):
        return aggregates.timeline_payload(deals, include_events, language, limit)

    def snapshot_key(self, include_events=True, language="en", limit=timeline.TIMELINE_LIMIT):
        return aggregates.timeline_key(language, include_events, limit, get_language())

    def table(self, result):
        return exports.timeline_rows(result)
