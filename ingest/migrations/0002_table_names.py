from django.db import migrations

MODELS = ["draft", "draftparty", "ingestionrun"]


def move_content_types(apps, schema_editor):
    """Keep the content types (and so the permissions that groups hold) of the moved models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="ingest", model=model).exists():
            ContentType.objects.filter(app_label="partnerships", model=model).update(
                app_label="ingest"
            )


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="ingest", model__in=MODELS).update(
        app_label="partnerships"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(move_content_types, restore_content_types),
        migrations.AlterModelTable(
            name="draft",
            table=None,
        ),
        migrations.AlterModelTable(
            name="draftparty",
            table=None,
        ),
        migrations.AlterModelTable(
            name="ingestionrun",
            table=None,
        ),
    ]
