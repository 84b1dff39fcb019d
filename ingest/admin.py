"""The review queue and the ingestion state of each article, in the admin.

An editor pastes or uploads an article on the source form; saving it queues the reading. The
drafts land in "Drafts (review queue)": each shows its sentence with the matched words marked
and a confidence, and is approved (creating or updating the real records, with the citation),
edited first, or rejected.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ingest import services
from ingest.models import Draft, DraftParty, IngestionRun
from partnerships import services as core
from partnerships.admin import SourceAdmin
from partnerships.models import Source
from partnerships.services import SOURCE_FIELDS


def marked_sentence_html(sentence: str, marks: list) -> str:
    """The sentence with each matched span in a <mark> titled with what was read there."""
    pieces, position = [], 0
    for start, end, label in sorted(marks or [], key=lambda mark: mark[0]):
        if start < position or end > len(sentence):
            continue
        pieces.append(escape(sentence[position:start]))
        pieces.append(format_html('<mark title="{}">{}</mark>', label, sentence[start:end]))
        position = end
    pieces.append(escape(sentence[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped above


class SourceSubmitForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")
    upload = forms.FileField(
        label=_("or upload the article"),
        required=False,
        help_text=_("A .txt, .md or .html file in UTF-8; its text replaces the text above."),
    )

    class Meta:
        model = Source
        fields = list(SOURCE_FIELDS)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload:
            try:
                cleaned["text"] = services.text_from_upload(upload)
            except ValidationError as error:
                self.add_error("upload", error)
                return cleaned
            self.instance.text = cleaned["text"]
        if self.instance.pk is None:
            duplicate = services.source_find_duplicate(
                text=cleaned.get("text") or "", url=cleaned.get("url") or ""
            )
            if duplicate is not None:
                raise ValidationError(duplicate_message(duplicate))
        return cleaned


def duplicate_message(source):
    return _("This article is here already, as “%(title)s”; it gets no new drafts.") % {
        "title": source.title
    }


class IngestionRunInline(admin.TabularInline):
    model = IngestionRun
    extra = 0
    can_delete = False
    fields = ["status", "attempts", "drafts_created", "queued_at", "finished_at", "error"]
    readonly_fields = fields
    ordering = ["-queued_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False


# Approving a draft creates or changes companies and deals, with their citations, so it needs
# those permissions as well as the draft's own.
APPROVE_PERMISSIONS = (
    "ingest.change_draft",
    "partnerships.add_company",
    "partnerships.add_deal",
    "partnerships.change_deal",
    "partnerships.add_citation",
)
# Reading an article again writes drafts from it: an edit of the source's consequences.
REREAD_PERMISSIONS = ("partnerships.change_source",)


@admin.action(description=_("Read the selected articles again"), permissions=["reread"])
def read_again(modeladmin, request, queryset):
    for source in queryset:
        services.ingestion_enqueue(source=source)
    modeladmin.message_user(
        request,
        ngettext(
            "Queued %(count)d article; drafts found before are not made again.",
            "Queued %(count)d articles; drafts found before are not made again.",
            queryset.count(),
        )
        % {"count": queryset.count()},
    )


class IngestingSourceAdmin(SourceAdmin):
    """The source admin, plus: saving a new article with text queues its reading."""

    form = SourceSubmitForm
    list_display = [*SourceAdmin.list_display, "ingestion", "pending_drafts"]
    inlines = [*SourceAdmin.inlines, IngestionRunInline]
    actions = [*(SourceAdmin.actions or []), read_again]

    def has_reread_permission(self, request):
        return request.user.has_perms(REREAD_PERMISSIONS)

    def get_queryset(self, request):
        latest = IngestionRun.objects.filter(source=OuterRef("pk")).order_by("-queued_at", "-id")
        return (
            super()
            .get_queryset(request)
            .annotate(
                ingestion_status=Subquery(latest.values("status")[:1]),
                pending_count=Count("drafts", filter=Q(drafts__state=Draft.State.PENDING)),
            )
        )

    @admin.display(description=_("reading"), ordering="ingestion_status")
    def ingestion(self, obj):
        if not obj.ingestion_status:
            return "—"
        return IngestionRun.Status(obj.ingestion_status).label

    @admin.display(description=_("drafts to review"), ordering="pending_count")
    def pending_drafts(self, obj):
        if not obj.pending_count:
            return 0
        url = reverse("admin:ingest_draft_changelist")
        return format_html(
            '<a href="{}?source__id__exact={}&state__exact=pending">{}</a>',
            url,
            obj.pk,
            obj.pending_count,
        )

    def write(self, request, form, rows, change):
        if change:
            return super().write(request, form, rows, change)
        fields = {name: form.cleaned_data[name] for name in core.SOURCE_FIELDS}
        source, created = core.source_submit(fields=fields)
        if not created:
            # Another editor saved this article a moment ago, after this form had looked for
            # it: the message the form gives when it finds it, not "added successfully".
            raise ValidationError(duplicate_message(source))
        if source.text.strip():
            messages.info(
                request, _("The article is queued; its drafts appear in the review queue.")
            )
        return source


if admin.site.is_registered(Source):
    admin.site.unregister(Source)
admin.site.register(Source, IngestingSourceAdmin)


@admin.register(IngestionRun)
class IngestionRunAdmin(admin.ModelAdmin):
    list_display = [
        "source",
        "status",
        "attempts",
        "drafts_created",
        "notice",
        "queued_at",
        "started_at",
        "finished_at",
        "short_error",
    ]
    list_filter = ["status"]
    search_fields = ["source__title", "error"]
    list_select_related = ["source"]
    readonly_fields = [
        "source",
        "status",
        "attempts",
        "drafts_created",
        "task_id",
        "queued_at",
        "started_at",
        "finished_at",
        "error",
    ]
    actions = ["run_again"]

    def has_add_permission(self, request):
        return False

    def has_reread_permission(self, request):
        return request.user.has_perms(REREAD_PERMISSIONS)

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return obj.error if len(obj.error) <= 120 else obj.error[:117] + "…"

    @admin.action(description=_("Run the selected articles again"), permissions=["reread"])
    def run_again(self, request, queryset):
        sources = {run.source for run in queryset.select_related("source")}
        for source in sources:
            services.ingestion_enqueue(source=source)
        self.message_user(request, _("Queued %(count)d articles.") % {"count": len(sources)})


class DraftPartyInline(admin.TabularInline):
    model = DraftParty
    extra = 0
    autocomplete_fields = ["company"]
    fields = ["name", "company", "role", "equity_share"]


@admin.action(description=_("Approve the selected drafts"), permissions=["approve"])
def approve_drafts(modeladmin, request, queryset):
    approved = 0
    for draft in queryset.filter(state=Draft.State.PENDING).order_by("kind", "id"):
        # Companies first ("company" sorts before "deal"), so deals can name them.
        try:
            services.draft_approve(draft=draft, user=request.user)
            approved += 1
        except ValidationError as error:
            modeladmin.message_user(
                request, f"{draft}: {' '.join(error.messages)}", level=messages.ERROR
            )
    if approved:
        modeladmin.message_user(
            request, _("Approved %(count)d drafts.") % {"count": approved}, messages.SUCCESS
        )


@admin.action(description=_("Reject the selected drafts"), permissions=["change"])
def reject_drafts(modeladmin, request, queryset):
    rejected = 0
    for draft in queryset.filter(state=Draft.State.PENDING):
        services.draft_reject(draft=draft, user=request.user)
        rejected += 1
    modeladmin.message_user(request, _("Rejected %(count)d drafts.") % {"count": rejected})


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    change_form_template = "admin/ingest/draft/change_form.html"
    list_display = ["__str__", "kind", "state", "confidence", "marked", "source", "created_at"]
    list_filter = ["state", "kind", "deal_kind", "status", "source"]
    search_fields = ["title", "company_name", "sentence", "parties__name"]
    list_select_related = ["source"]
    actions = [approve_drafts, reject_drafts]
    autocomplete_fields = ["deal", "company"]
    readonly_fields = [
        "marked",
        "source",
        "kind",
        "state",
        "confidence",
        "reviewed_by",
        "reviewed_at",
        "created_at",
    ]
    deal_fieldsets = [
        (None, {"fields": ["marked", "source", "state", "confidence"]}),
        (
            _("Deal"),
            {
                "fields": [
                    "title",
                    "deal_kind",
                    "status",
                    ("status_on", "status_precision", "status_estimated"),
                    "product",
                    "product_detail",
                    ("cell_format", "chemistry"),
                    "volume_gwh",
                    ("vehicle_count", "vehicle_count_estimated"),
                    "term_years",
                    ("investment_amount", "investment_currency"),
                    ("capacity_value", "capacity_unit"),
                    "site_name",
                    ("start_on", "start_precision"),
                    ("end_on", "end_precision"),
                ]
            },
        ),
        (_("Review"), {"fields": ["deal", "reviewed_by", "reviewed_at", "created_at"]}),
    ]
    company_fieldsets = [
        (None, {"fields": ["marked", "source", "state", "confidence"]}),
        (_("Company"), {"fields": ["company_name", "company_country"]}),
        (_("Review"), {"fields": ["company", "reviewed_by", "reviewed_at", "created_at"]}),
    ]

    notice_fieldsets = [
        (None, {"fields": ["marked", "source", "state", "title"]}),
        (_("Review"), {"fields": ["reviewed_by", "reviewed_at", "created_at"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_approve_permission(self, request, obj=None):
        return request.user.has_perms(APPROVE_PERMISSIONS)

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.kind == Draft.Kind.COMPANY:
            return self.company_fieldsets
        if obj is not None and obj.kind == Draft.Kind.NOTICE:
            return self.notice_fieldsets
        return self.deal_fieldsets

    def get_inlines(self, request, obj):
        return [DraftPartyInline] if obj is not None and obj.kind == Draft.Kind.DEAL else []

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state != Draft.State.PENDING:
            # A reviewed draft is the record of what was decided; it no longer changes.
            return [f.name for f in Draft._meta.fields] + ["marked"]
        return self.readonly_fields

    @admin.display(description=_("sentence"))
    def marked(self, obj):
        return marked_sentence_html(obj.sentence, obj.marks)

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_approve"] = self.has_approve_permission(request)
        return super().render_change_form(request, context, *args, **kwargs)

    def response_change(self, request, obj):
        if "_approve" in request.POST and not self.has_approve_permission(request, obj):
            raise PermissionDenied
        for flag, service, verb in (
            ("_approve", services.draft_approve, _("approved")),
            ("_reject", services.draft_reject, _("rejected")),
        ):
            if flag in request.POST:
                try:
                    service(draft=obj, user=request.user)
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                    return HttpResponseRedirect(request.path)
                self.message_user(
                    request, _("“%(draft)s” %(verb)s.") % {"draft": obj, "verb": verb}
                )
                return HttpResponseRedirect(reverse("admin:ingest_draft_changelist"))
        return super().response_change(request, obj)
