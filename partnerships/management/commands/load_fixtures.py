from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Load every fixture in fixtures/ (the founding article's facts). Rows are matched by "
        "natural key, so loading again updates them and creates no duplicates."
    )

    def handle(self, *args, **options):
        paths = sorted(Path(settings.BASE_DIR, "fixtures").glob("*.yaml"))
        call_command("loaddata", *map(str, paths), verbosity=options["verbosity"])
