from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = _("Korea–China partnerships")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from partnerships import edges, freshness

        edges.connect_signals()
        freshness.connect_signals()
