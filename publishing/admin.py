"""Staff publish releases and manage webhook subscriptions here; both logs are read-only."""

from django import forms
from django.contrib import admin, messages
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from partnerships.filters import DealFilter
from partnerships.models import Deal
from publishing import releases
from publishing.models import (
    DealWithdrawal,
    Release,
    ReleaseFile,
    WebhookDelivery,
    WebhookSubscription,
)


class ReleaseFileInline(admin.TabularInline):
    model = ReleaseFile
    fields = ["name", "media_type", "size", "sha256"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    """ "Add data release" publishes the next release of the whole dataset (the staff action);
    `manage.py publish_release` does the same from a shell."""

    list_display = ["number", "published_at", "published_by", "data_version", "notes"]
    readonly_fields = [
        "number",
        "published_at",
        "published_by",
        "data_version",
        "data_updated_at",
        "row_counts",
        "changes",
    ]
    inlines = [ReleaseFileInline]

    def get_fields(self, request, obj=None):
        return ["notes"] if obj is None else ["notes", *self.readonly_fields]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:  # only the notes can be edited afterwards
            obj.save(update_fields=["notes"])
            return
        published = releases.release_publish(notes=obj.notes, user=request.user)
        obj.__dict__.update({k: v for k, v in published.__dict__.items() if k != "_state"})
        obj._state.adding = False
        self.message_user(
            request,
            _("Release %(number)s published: %(deals)s deals.")
            % {"number": published.number, "deals": published.row_counts.get("deals", 0)},
            messages.SUCCESS,
        )


class WebhookSubscriptionForm(forms.ModelForm):
    class Meta:
        model = WebhookSubscription
        fields = ["url", "description", "filter", "secret", "active"]

    def clean_filter(self):
        """The filter must be one the deals page accepts, so it cannot silently match nothing."""
        text = self.cleaned_data["filter"].strip().lstrip("?")
        filterset = DealFilter(QueryDict(text), queryset=Deal.objects.none(), extra_parameters=())
        if not filterset.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
            )
            raise forms.ValidationError(problems)
        return text


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ["__str__", "url", "filter", "active", "consecutive_failures", "paused_reason"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    readonly_fields = ["consecutive_failures", "paused_reason", "created_by", "created_at"]
    actions = ["resume"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        if obj.active and "active" in form.changed_data:
            obj.consecutive_failures, obj.paused_reason = 0, ""
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Resume the selected subscriptions"), permissions=["change"])
    def resume(self, request, queryset):
        count = queryset.update(active=True, consecutive_failures=0, paused_reason="")
        self.message_user(request, _("%(count)s resumed.") % {"count": count})


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every event, its body, attempts and the last outcome."""

    list_display = [
        "created_at",
        "subscription",
        "event",
        "deal_id",
        "deal_version",
        "state",
        "attempts",
        "response_status",
        "error",
    ]
    list_filter = ["state", "event"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DealWithdrawal)
class DealWithdrawalAdmin(admin.ModelAdmin):
    """Tombstones: published deals since deleted or unpublished, as the feed and webhooks told
    them. Written by the writes themselves, never by hand."""

    list_display = ["withdrawn_at", "event", "slug", "title", "last_version", "reason"]
    list_filter = ["event"]
    search_fields = ["slug", "title"]
    readonly_fields = [field.name for field in DealWithdrawal._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
