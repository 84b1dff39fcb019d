from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from simple_history.admin import SimpleHistoryAdmin

from partnerships import services
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
)

admin.site.site_header = _("Korea–China partnerships")
admin.site.site_title = _("Partnerships admin")
admin.site.index_title = _("Edit companies, deals and their sources")


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin with the two things its revert form lacks.

    Posting an old version back is a change, so it needs the change permission: the library
    lets anyone who may view the history post it. And it runs in one transaction, as the
    admin's own change form does, so a form that locks its row (the deal's version check) can.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "quote", "field", "claim"]


class DealCitationInline(CitationInline):
    fk_name = "deal"


class CompanyCitationInline(CitationInline):
    fk_name = "company"


class VehicleCitationInline(CitationInline):
    fk_name = "vehicle_model"


class EventCitationInline(CitationInline):
    fk_name = "context_event"


class StakeCitationInline(CitationInline):
    fk_name = "ownership"


class DealPartyInline(admin.TabularInline):
    model = DealParty
    extra = 0
    min_num = 1
    autocomplete_fields = ["company"]
    fields = ["company", "role", "equity_share", "note"]


class DealVehicleInline(admin.TabularInline):
    model = Deal.vehicle_models.through
    extra = 0
    autocomplete_fields = ["vehiclemodel"]
    verbose_name = _("vehicle model")
    verbose_name_plural = _("vehicle models")


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    autocomplete_fields = ["source"]
    fields = [
        "status",
        "effective_on",
        "effective_precision",
        "effective_estimated",
        "source",
        "quote",
        "note",
    ]


class PartyCountryFilter(admin.SimpleListFilter):
    title = _("party country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        used = Company.objects.values_list("country", flat=True).distinct()
        return sorted(((code, countries.name(code)) for code in used), key=lambda c: str(c[1]))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(parties__company__country=self.value()).distinct()
        return queryset


class AnnouncedYearFilter(admin.SimpleListFilter):
    title = _("year announced")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Deal.objects.filter(announced_on__isnull=False).dates("announced_on", "year")
        return [(str(d.year), str(d.year)) for d in reversed(years)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(announced_on__year=int(self.value()))
        return queryset


class ServiceRefused(Exception):
    """A service refused the admin's write (`error`, a ValidationError): the form is shown again
    with the error, and nothing is saved (the admin's transaction rolls back)."""

    def __init__(self, error: ValidationError):
        super().__init__(error)
        self.error = error


def _error_items(error: ValidationError):
    if hasattr(error, "error_dict"):
        return error.message_dict.items()
    return [(NON_FIELD_ERRORS, error.messages)]


def _rows(formset):
    """The cleaned rows an inline formset holds after validation, deleted and blank ones left
    out."""
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if data and not data.get("DELETE"):
            yield data


def _citations(rows):
    return [
        services.CitationInput(
            source=row["source"],
            quote=row["quote"],
            field=row.get("field", ""),
            claim=row.get("claim", ""),
        )
        for row in rows
    ]


class ServiceAdmin(HistoryAdmin):
    """An admin whose forms and inlines validate as usual but write through
    `partnerships.services` (`write`), so the rules (citations for publication, the stale-edit
    check, the version) are the same as the API's and draft approval's. A write the service
    refuses shows the form again with its message."""

    def write(self, request, form, rows: dict, change: bool):
        raise NotImplementedError

    def revert_fields(self, form):
        return {name: form.cleaned_data[name] for name in form.cleaned_data if name in form.fields}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refused = getattr(request, "service_refused", None)
        if refused is None:
            return form_class

        class RefusedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                for field, messages in _error_items(refused):
                    if field in self.fields:
                        self.add_error(field, messages)
                    else:
                        where = "" if field == NON_FIELD_ERRORS else f"{field}: "
                        self.add_error(None, [f"{where}{message}" for message in messages])
                return cleaned

        return RefusedForm

    def _with_refusal(self, view, request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ServiceRefused as refused:
            request.service_refused = refused.error
            return view(request, *args, **kwargs)

    def changeform_view(self, request, *args, **kwargs):
        return self._with_refusal(super().changeform_view, request, *args, **kwargs)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request.history_version_id = version_id
        return self._with_refusal(
            super().history_form_view, request, object_id, version_id, extra_context
        )

    def save_model(self, request, obj, form, change):
        # The admin's own save is skipped: `save_related` writes the row with its inlines.
        # History → Revert calls only this, with the old version's fields on the form.
        if getattr(request, "history_version_id", None) is not None:
            self._call(self.revert, request, obj, form)

    def revert(self, request, obj, form):
        raise NotImplementedError

    def _call(self, function, *args):
        try:
            saved = function(*args)
        except services.StaleVersionError as error:
            raise ServiceRefused(
                ValidationError(
                    _(
                        "Someone else saved this deal while you were editing it (version "
                        "%(current)s now). Your changes were not saved: open the deal again to "
                        "see theirs."
                    )
                    % {"current": error.current_version}
                )
            ) from error
        except ValidationError as error:
            raise ServiceRefused(error) from error
        return saved

    def save_related(self, request, form, formsets, change):
        rows = {formset.model: list(_rows(formset)) for formset in formsets}
        saved = self._call(self.write, request, form, rows, change)
        form.instance.pk = saved.pk
        form.instance.refresh_from_db()
        for formset in formsets:
            # What the admin's change message reads; the services wrote the rows.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        self.delete(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete(obj)

    def delete(self, obj):
        obj.delete()


class DealAdminForm(forms.ModelForm):
    """Carries the version the editor opened; the services refuse the save when someone saved
    the deal since (`services.StaleVersionError`)."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Deal
        # What the API may write, plus the review flags only editors here set by hand.
        fields = sorted(services.DEAL_FIELDS | services.DEAL_REVIEW_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The stored version, not the instance's: the history page's "revert" edits an old
            # copy of the deal, which carries the version it had then.
            stored = Deal.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
            self.fields["seen_version"].initial = stored.first() or self.instance.version


@admin.register(Deal)
class DealAdmin(ServiceAdmin):
    form = DealAdminForm
    list_display = [
        "title",
        "published",
        "kind",
        "status",
        "volume_gwh",
        "vehicle_count",
        "announced_display",
        "completeness",
        "needs_review",
    ]
    list_filter = [
        "status",
        "kind",
        "product",
        PartyCountryFilter,
        AnnouncedYearFilter,
        "needs_review",
        "published",
    ]
    search_fields = [
        "title",
        "slug",
        "product_detail",
        "parties__company__name",
        "parties__company__name_ko",
        "parties__company__name_zh",
        "parties__company__aliases__name",
    ]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "status",
        "published",
        "unpublished_reason",
        "completeness",
        "version",
        "created_at",
        "updated_at",
    ]
    inlines = [DealPartyInline, StatusChangeInline, DealVehicleInline, DealCitationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("published", "unpublished_reason"),
                    ("title", "title_status"),
                    "slug",
                    "kind",
                    "status",
                    "market",
                    "notes",
                    "seen_version",
                ]
            },
        ),
        (
            _("Product and volume"),
            {
                "fields": [
                    "product",
                    "product_detail",
                    "cell_format",
                    "chemistry",
                    ("volume_gwh", "volume_gwh_estimated"),
                    ("vehicle_count", "vehicle_count_estimated"),
                ]
            },
        ),
        (
            _("Money, capacity and site"),
            {
                "fields": [
                    ("investment_amount", "investment_currency"),
                    ("capacity_value", "capacity_unit"),
                    "site_name",
                    ("site_latitude", "site_longitude"),
                ]
            },
        ),
        (
            _("Dates and term"),
            {
                "fields": [
                    ("announced_on", "announced_precision", "announced_estimated"),
                    ("start_on", "start_precision", "start_estimated"),
                    ("end_on", "end_precision", "end_estimated"),
                    "term_years",
                ]
            },
        ),
        (
            _("Review"),
            {
                "fields": [
                    "needs_review",
                    "review_reason",
                    "completeness",
                    "version",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description=_("announced"), ordering="announced_on")
    def announced_display(self, obj):
        return obj.announced_display

    def write(self, request, form, rows, change):
        fields = {
            name: value
            for name, value in form.cleaned_data.items()
            if name in services.DEAL_FIELDS | services.DEAL_REVIEW_FIELDS
        }
        parties = [
            services.PartyInput(
                company=row["company"],
                role=row["role"],
                note=row.get("note", ""),
                equity_share=row.get("equity_share"),
            )
            for row in rows.get(DealParty, [])
        ]
        steps = [
            services.StatusInput(
                status=row["status"],
                effective_on=row["effective_on"],
                effective_precision=row["effective_precision"],
                effective_estimated=row.get("effective_estimated", False),
                source=row["source"],
                quote=row["quote"],
                note=row.get("note", ""),
            )
            for row in rows.get(StatusChange, [])
        ]
        vehicle_models = [row["vehiclemodel"] for row in rows.get(Deal.vehicle_models.through, [])]
        citations = _citations(rows.get(Citation, []))
        if not change:
            return services.deal_create(
                fields=fields,
                parties=parties,
                vehicle_models=vehicle_models,
                status_history=steps,
                citations=citations,
            )
        return services.deal_update(
            deal=form.instance,
            fields=fields,
            parties=parties,
            vehicle_models=vehicle_models,
            status_history=steps,
            all_citations=citations,
            expected_version=form.cleaned_data.get("seen_version"),
        )

    def revert(self, request, obj, form):
        record = Deal.history.filter(id=obj.pk, history_id=request.history_version_id).first()
        return services.deal_revert(
            deal=obj,
            fields={
                name: value
                for name, value in form.cleaned_data.items()
                if name in services.DEAL_FIELDS | services.DEAL_REVIEW_FIELDS
            },
            facts=record.facts if record is not None else {},
            expected_version=form.cleaned_data.get("seen_version"),
        )

    def delete(self, obj):
        services.deal_delete(deal=obj)


class CompanyAliasInline(admin.TabularInline):
    model = CompanyAlias
    extra = 0


class CompanyIdentifierInline(admin.TabularInline):
    model = CompanyIdentifier
    extra = 0


STAKE_FIELDS = [
    "owner",
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
]


class StakeInlineForm(forms.ModelForm):
    """A stake in the company, with a sentence to cite for it: a stake is published only once
    a citation states it (more citations: on the stake's own page)."""

    source = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        required=False,
        label=_("cite: source"),
        widget=AutocompleteSelect(Citation._meta.get_field("source"), admin.site),
    )
    quote = forms.CharField(
        required=False,
        max_length=600,
        label=_("cite: quoted sentence"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Ownership
        fields = STAKE_FIELDS

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("source")) != bool(cleaned.get("quote")):
            raise ValidationError(_("A citation needs both its source and its quoted sentence."))
        return cleaned


class StakeInline(admin.StackedInline):
    """The company's owners. Written by `services.company_set_stakes` (the one write path)."""

    model = Ownership
    form = StakeInlineForm
    fk_name = "owned"
    extra = 0
    autocomplete_fields = ["owner"]
    show_change_link = True
    verbose_name = _("owner's stake")
    verbose_name_plural = _("owners (stakes in this company)")
    readonly_fields = ["published", "unpublished_reason", "cited"]
    fields = [
        ("owner", "tie", "share_percent", "controlling"),
        ("since_on", "since_precision", "since_estimated"),
        ("until_on", "until_precision", "until_estimated"),
        "note",
        ("source", "quote"),
        ("published", "unpublished_reason", "cited"),
    ]

    @admin.display(description=_("citations"))
    def cited(self, obj):
        return obj.citations.count() if obj.pk else 0


# The controlling owner, shown on the company and derived from its stakes (never edited).
COMPANY_DERIVED = ["parent", "parent_tie", "parent_share_percent"]


@admin.register(Company)
class CompanyAdmin(ServiceAdmin):
    list_display = [
        "name",
        "published",
        "name_ko",
        "name_zh",
        "country",
        "chain_role",
        "parent",
        "deal_count",
    ]
    list_filter = ["published", "country", "chain_role", "state_owned"]
    readonly_fields = ["published", "unpublished_reason", *COMPANY_DERIVED]
    ordering = ["name"]
    search_fields = ["name", "name_ko", "name_zh", "slug", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CompanyAliasInline, CompanyIdentifierInline, StakeInline, CompanyCitationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("published", "unpublished_reason"),
                    "name",
                    "slug",
                    "name_ko",
                    "name_zh",
                    "country",
                    "chain_role",
                    "description",
                ]
            },
        ),
        (
            _("Ownership"),
            {
                "fields": ["state_owned", *COMPANY_DERIVED],
                "description": _(
                    "The controlling owner is derived from the stakes below (the current one "
                    "marked controlling, once cited)."
                ),
            },
        ),
        (
            _("Founding and headquarters"),
            {
                "fields": [
                    ("founded_on", "founded_precision", "founded_estimated"),
                    ("hq_city", "hq_city_ko"),
                    ("hq_latitude", "hq_longitude"),
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("parent")
            .annotate(deal_count=Count("deal_parties__deal", distinct=True))
        )

    @admin.display(description=_("deals"), ordering="deal_count")
    def deal_count(self, obj):
        return obj.deal_count

    def write(self, request, form, rows, change):
        fields = {name: form.cleaned_data[name] for name in services.COMPANY_FIELDS}
        arguments = {
            "fields": fields,
            "aliases": [row["name"] for row in rows.get(CompanyAlias, [])],
            "identifiers": [
                (row["scheme"], row["value"]) for row in rows.get(CompanyIdentifier, [])
            ],
        }
        citations = _citations(rows.get(Citation, []))
        if not change:
            company = services.company_create(**arguments, citations=citations)
        else:
            company = services.company_update(
                company=form.instance, **arguments, all_citations=citations
            )
        stakes = [
            services.StakeInput(
                pk=row["id"].pk if row.get("id") else None,
                **{name: row.get(name) for name in STAKE_FIELDS if name in row},
                citations=_citations([row] if row.get("source") else []),
            )
            for row in rows.get(Ownership, [])
        ]
        services.company_set_stakes(company=company, stakes=stakes)
        return company

    def revert(self, request, obj, form):
        fields = {name: form.cleaned_data[name] for name in services.COMPANY_FIELDS}
        return services.company_update(company=obj, fields=fields)


@admin.register(VehicleModel)
class VehicleModelAdmin(ServiceAdmin):
    list_display = [
        "name",
        "published",
        "maker",
        "segment",
        "powertrain",
        "launch_display",
        "battery_supplier",
    ]
    list_filter = ["published", "powertrain", "chemistry", "cell_format"]
    readonly_fields = ["published", "unpublished_reason"]
    search_fields = [
        "name",
        "slug",
        "programme",
        "maker__name",
        "maker__name_ko",
        "maker__name_zh",
    ]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["maker", "battery_supplier", "predecessor"]
    list_select_related = ["maker", "battery_supplier"]
    inlines = [VehicleCitationInline]

    @admin.display(description=_("launch"), ordering="launch_on")
    def launch_display(self, obj):
        return obj.launch_display

    def write(self, request, form, rows, change):
        fields = {name: form.cleaned_data[name] for name in services.VEHICLE_MODEL_FIELDS}
        citations = _citations(rows.get(Citation, []))
        if not change:
            return services.vehicle_model_create(fields=fields, citations=citations)
        return services.vehicle_model_update(
            vehicle_model=form.instance, fields=fields, all_citations=citations
        )

    def revert(self, request, obj, form):
        fields = {name: form.cleaned_data[name] for name in services.VEHICLE_MODEL_FIELDS}
        return services.vehicle_model_update(vehicle_model=obj, fields=fields)


@admin.register(Source)
class SourceAdmin(ServiceAdmin):
    list_display = ["title", "publisher", "kind", "published_display", "language"]
    list_filter = ["kind", "language"]
    search_fields = ["title", "publisher", "url", "slug"]
    prepopulated_fields = {"slug": ["title"]}

    @admin.display(description=_("published"), ordering="published_on")
    def published_display(self, obj):
        return obj.published_display

    def write(self, request, form, rows, change):
        fields = {name: form.cleaned_data[name] for name in services.SOURCE_FIELDS}
        if not change:
            return services.source_create(fields=fields)
        return services.source_update(source=form.instance, fields=fields)

    def revert(self, request, obj, form):
        fields = {name: form.cleaned_data[name] for name in services.SOURCE_FIELDS}
        return services.source_update(source=obj, fields=fields)


@admin.register(ContextEvent)
class ContextEventAdmin(ServiceAdmin):
    list_display = ["title", "kind", "country", "occurred_display"]
    list_filter = ["kind"]
    search_fields = ["title", "title_ko", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [EventCitationInline]

    @admin.display(description=_("occurred"), ordering="occurred_on")
    def occurred_display(self, obj):
        return obj.occurred_display

    def write(self, request, form, rows, change):
        fields = {name: form.cleaned_data[name] for name in services.CONTEXT_EVENT_FIELDS}
        citations = _citations(rows.get(Citation, []))
        if not change:
            return services.context_event_create(fields=fields, citations=citations)
        return services.context_event_update(
            context_event=form.instance, fields=fields, all_citations=citations
        )

    def revert(self, request, obj, form):
        fields = {name: form.cleaned_data[name] for name in services.CONTEXT_EVENT_FIELDS}
        return services.context_event_update(context_event=obj, fields=fields)


class StakeAdminForm(forms.ModelForm):
    class Meta:
        model = Ownership
        fields = ["slug", "owned", *STAKE_FIELDS]


@admin.register(Ownership)
class OwnershipAdmin(ServiceAdmin):
    """A stake with all its citations; written by `services.ownership_create/update`."""

    form = StakeAdminForm
    list_display = [
        "__str__",
        "published",
        "tie",
        "share_percent",
        "since_display",
        "until_display",
        "controlling",
    ]
    list_filter = ["published", "controlling", "tie"]
    search_fields = ["slug", "owner__name", "owned__name", "owner__name_ko", "owned__name_ko"]
    autocomplete_fields = ["owner", "owned"]
    list_select_related = ["owner", "owned"]
    readonly_fields = ["published", "unpublished_reason"]
    inlines = [StakeCitationInline]

    @admin.display(description=_("since"), ordering="since_on")
    def since_display(self, obj):
        return obj.since_display

    @admin.display(description=_("until"), ordering="until_on")
    def until_display(self, obj):
        return obj.until_display

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "slug" in form.base_fields:
            form.base_fields["slug"].required = False
            form.base_fields["slug"].help_text = _("Left empty: made from the two companies.")
        return form

    def write(self, request, form, rows, change):
        fields = {
            name: form.cleaned_data[name]
            for name in services.OWNERSHIP_FIELDS
            if name in form.cleaned_data
        }
        citations = _citations(rows.get(Citation, []))
        if not change:
            return services.ownership_create(fields=fields, citations=citations)
        return services.ownership_update(
            ownership=form.instance, fields=fields, all_citations=citations
        )

    def revert(self, request, obj, form):
        fields = {
            name: form.cleaned_data[name]
            for name in services.OWNERSHIP_FIELDS
            if name in form.cleaned_data
        }
        return services.ownership_update(ownership=obj, fields=fields)

    def delete(self, obj):
        services.ownership_delete(ownership=obj)


@admin.register(Citation)
class CitationAdmin(ServiceAdmin):
    list_display = ["__str__", "source", "field", "claim"]
    list_filter = ["source"]
    search_fields = ["quote", "claim"]
    autocomplete_fields = [
        "source",
        "company",
        "deal",
        "vehicle_model",
        "context_event",
        "ownership",
    ]
    list_select_related = ["source"]

    def write(self, request, form, rows, change):
        return services.citation_save(citation=form.instance)

    def revert(self, request, obj, form):
        return services.citation_save(citation=obj)

    def delete(self, obj):
        services.citation_delete(citation=obj)
