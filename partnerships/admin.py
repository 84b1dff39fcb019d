from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
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


class DealAdminForm(forms.ModelForm):
    """Carries the version the editor opened, so that saving over someone else's newer edit is
    refused with a message instead of silently overwriting it."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Deal
        # What the API may write, plus the review flags only editors here set by hand.
        fields = sorted(services.DEAL_FIELDS | {"needs_review", "review_reason"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The stored version, not the instance's: the history page's "revert" edits an old
            # copy of the deal, which carries the version it had then.
            stored = Deal.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
            self.fields["seen_version"].initial = stored.first() or self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None:
            # Locks the row for the rest of the admin's save transaction.
            current = (
                Deal.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current is not None and current != seen:
                raise forms.ValidationError(
                    _(
                        "Someone else saved this deal while you were editing it (version "
                        "%(current)s; you opened version %(seen)s). Your changes were not saved: "
                        "open the deal again to see theirs."
                    ),
                    code="stale",
                    params={"current": current, "seen": seen},
                )
            if current is not None:
                # Saving raises the stored version, also when reverting to an old copy.
                self.instance.version = current
        return cleaned


@admin.register(Deal)
class DealAdmin(HistoryAdmin):
    form = DealAdminForm
    list_display = [
        "title",
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
    readonly_fields = ["status", "completeness", "version", "created_at", "updated_at"]
    inlines = [DealPartyInline, StatusChangeInline, DealVehicleInline, DealCitationInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status", "market", "notes", "seen_version"]}),
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.deal_sync_status(deal=form.instance)
        # Scored now, with its parties and citations saved, not only by the daily task.
        services.deal_score(deal=form.instance)


class CompanyAliasInline(admin.TabularInline):
    model = CompanyAlias
    extra = 0


class CompanyIdentifierInline(admin.TabularInline):
    model = CompanyIdentifier
    extra = 0


@admin.register(Company)
class CompanyAdmin(HistoryAdmin):
    list_display = ["name", "name_ko", "name_zh", "country", "chain_role", "parent", "deal_count"]
    list_filter = ["country", "chain_role", "state_owned"]
    ordering = ["name"]
    search_fields = ["name", "name_ko", "name_zh", "slug", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [CompanyAliasInline, CompanyIdentifierInline, CompanyCitationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
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
            {"fields": ["parent", "parent_tie", "parent_share_percent", "state_owned"]},
        ),
        (
            _("Founding and headquarters"),
            {
                "fields": [
                    ("founded_on", "founded_precision", "founded_estimated"),
                    "hq_city",
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


@admin.register(VehicleModel)
class VehicleModelAdmin(HistoryAdmin):
    list_display = ["name", "maker", "segment", "powertrain", "launch_display", "battery_supplier"]
    list_filter = ["powertrain", "chemistry", "cell_format"]
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


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["title", "publisher", "kind", "published_display", "language"]
    list_filter = ["kind", "language"]
    search_fields = ["title", "publisher", "url", "slug"]
    prepopulated_fields = {"slug": ["title"]}

    @admin.display(description=_("published"), ordering="published_on")
    def published_display(self, obj):
        return obj.published_display


@admin.register(ContextEvent)
class ContextEventAdmin(HistoryAdmin):
    list_display = ["title", "kind", "country", "occurred_display"]
    list_filter = ["kind"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [EventCitationInline]

    @admin.display(description=_("occurred"), ordering="occurred_on")
    def occurred_display(self, obj):
        return obj.occurred_display


@admin.register(Citation)
class CitationAdmin(HistoryAdmin):
    list_display = ["__str__", "source", "field", "claim"]
    list_filter = ["source"]
    search_fields = ["quote", "claim"]
    autocomplete_fields = ["source", "company", "deal", "vehicle_model", "context_event"]
    list_select_related = ["source"]
