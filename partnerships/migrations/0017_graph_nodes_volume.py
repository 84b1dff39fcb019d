"""The supply graph's nodes changed shape (`gwh`, 0 when unknown, became `volume_gwh`, null when
unknown, with `deals_without_volume`): answers stored before this release, in snapshots and in
the cache, are keyed on a data version that has not moved, so they would be served in the old
shape until the next write. Dropping the snapshots and moving the version retires them all.
An aggregate whose shape changes gets a migration like this one.
"""

from django.db import migrations
from django.db.models import F
from django.utils import timezone


def retire_stored_aggregates(apps, schema_editor):
    apps.get_model("partnerships", "AggregateSnapshot").objects.all().delete()
    apps.get_model("partnerships", "DataVersion").objects.filter(pk=1).update(
        value=F("value") + 1, changed_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0016_parents_to_stakes")]

    operations = [
        migrations.RunPython(retire_stored_aggregates, migrations.RunPython.noop, elidable=True)
    ]
