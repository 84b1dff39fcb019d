from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

# Where each history-keeping model finds the synthetic flag of the row it belongs to.
SYNTHETIC_FLAG = {
    "company": "is_synthetic",
    "source": "is_synthetic",
    "vehiclemodel": "is_synthetic",
    "deal": "is_synthetic",
    "companyalias": "company__is_synthetic",
    "companyidentifier": "company__is_synthetic",
    "dealparty": "deal__is_synthetic",
    "statuschange": "deal__is_synthetic",
    "citation": "source__is_synthetic",
}


class Command(BaseCommand):
    help = (
        "Load every fixture in fixtures/ (the founding article's facts). Rows are matched by "
        "natural key, so loading again updates them and creates no duplicates."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        paths = sorted(Path(settings.BASE_DIR, "fixtures").glob("*.yaml"))
        call_command("loaddata", *map(str, paths), verbosity=options["verbosity"])
        # loaddata saves raw, which records no history; give each new row its first version so
        # that the first edit in the admin shows the value it replaced. Synthetic benchmark rows
        # are bulk-loaded without history on purpose and stay so.
        for model in apps.get_app_config("partnerships").get_models():
            manager = getattr(model, "history", None)
            if manager is None or not hasattr(manager, "bulk_history_create"):
                continue
            missing = model._default_manager.exclude(pk__in=manager.values("id"))
            flag = SYNTHETIC_FLAG.get(model._meta.model_name)
            if flag:
                missing = missing.exclude(**{flag: True})
            manager.bulk_history_create(list(missing), default_change_reason="Loaded from fixtures")
