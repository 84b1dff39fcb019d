from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models.signals import post_save

from partnerships import edges
from partnerships.models import Company, Deal, DealParty, Ownership, VehicleModel


class Command(BaseCommand):
    help = (
        "Load every fixture in fixtures/ (the founding article's facts and the coverage set). "
        "Rows are matched by natural key, so loading again updates them and creates no duplicates."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "names",
            nargs="*",
            help="Only these fixtures (file names in fixtures/, e.g. 000_founding_article.yaml).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        folder = Path(settings.BASE_DIR, "fixtures")
        paths = sorted(folder.glob("*.yaml"))
        if options["names"]:
            unknown = set(options["names"]) - {path.name for path in paths}
            if unknown:
                raise CommandError(f"No such fixture in fixtures/: {', '.join(sorted(unknown))}.")
            paths = [path for path in paths if path.name in options["names"]]
        loaded = defaultdict(set)

        def collect(sender, instance, raw=False, **kwargs):
            if raw:
                loaded[sender].add(instance.pk)

        post_save.connect(collect, weak=False, dispatch_uid="load_fixtures.collect")
        try:
            call_command("loaddata", *map(str, paths), verbosity=options["verbosity"])
        finally:
            post_save.disconnect(dispatch_uid="load_fixtures.collect")
        from partnerships import services

        services.fixtures_settle(
            company_ids=loaded[Company],
            vehicle_model_ids=loaded[VehicleModel],
            deal_ids=loaded[Deal],
            ownership_ids=loaded[Ownership],
        )
        # loaddata saves raw, which records no history: give each loaded row without one its
        # first version, so that the first edit in the admin shows the value it replaced. Only
        # the rows the fixtures hold: anything else in the database is left as it is.
        for model, pks in loaded.items():
            manager = getattr(model, "history", None)
            if manager is None or not hasattr(manager, "bulk_history_create"):
                continue
            missing = model._default_manager.filter(pk__in=pks).exclude(pk__in=manager.values("id"))
            manager.bulk_history_create(list(missing), default_change_reason="Loaded from fixtures")
        # Raw saves leave the supplier maps' edges alone: derive those of the loaded deals.
        touched = set(loaded[Deal]) | set(
            DealParty.objects.filter(pk__in=loaded[DealParty]).values_list("deal_id", flat=True)
        )
        edges.rebuild(deal_ids=touched)
