from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    """What the catalogue publishes for analysts: the methodology and data dictionary, dated
    data releases, the feed and webhooks of changed deals, and embeddable charts."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "publishing"
    verbose_name = _("Publishing")

    def ready(self):
        from django.db.models.signals import post_save, pre_delete, pre_save

        from partnerships.models import Deal
        from publishing import webhooks

        # Infrastructure only: after a deal's write commits, queue its webhook notification.
        post_save.connect(webhooks.deal_saved, sender=Deal, dispatch_uid="publishing-webhooks")
        # ...and a published deal deleted or unpublished leaves a tombstone to tell.
        pre_save.connect(webhooks.deal_pre_save, sender=Deal, dispatch_uid="publishing-unpublish")
        pre_delete.connect(
            webhooks.deal_pre_delete, sender=Deal, dispatch_uid="publishing-tombstone"
        )
