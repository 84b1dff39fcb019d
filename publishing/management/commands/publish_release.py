"""Publish the next numbered data release of the whole dataset."""

from django.core.management.base import BaseCommand

from publishing.releases import release_publish


class Command(BaseCommand):
    help = "Publish a numbered, dated data release (a Frictionless data package with checksums)."

    def add_arguments(self, parser):
        parser.add_argument("--notes", default="", help="What this release is for.")

    def handle(self, *args, notes, **options):
        release = release_publish(notes=notes)
        tables = release.changes["tables"]
        self.stdout.write(
            f"Release {release.number}: "
            + ", ".join(f"{name} {count}" for name, count in release.row_counts.items())
        )
        for name, change in tables.items():
            if change["added"] or change["changed"] or change["removed"]:
                self.stdout.write(
                    f"  {name}: +{change['added']} ~{change['changed']} -{change['removed']}"
                )
        return None
