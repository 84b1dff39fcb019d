from django.db import migrations, models

# The deals lists' order is announced_on DESC NULLS LAST, title, id (queries.DEFAULT_DEAL_ORDER).
# PostgreSQL reads a page of it from this index instead of sorting every deal (bench/INDEXES.md).
# SQLite cannot declare NULLS LAST in an index, and sorts nulls last in descending order anyway,
# so the index is made on PostgreSQL only and is not in the model's Meta.
LIST_ORDER_INDEX = (
    "CREATE INDEX IF NOT EXISTS deal_list_order_idx "
    "ON partnerships_deal (announced_on DESC NULLS LAST, title, id)"
)


def create_list_order_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LIST_ORDER_INDEX)


def drop_list_order_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS deal_list_order_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="company",
            index=models.Index(fields=["updated_at"], name="company_updated_at_idx"),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(fields=["updated_at"], name="deal_updated_at_idx"),
        ),
        migrations.AddIndex(
            model_name="source",
            index=models.Index(fields=["updated_at"], name="source_updated_at_idx"),
        ),
        migrations.AddIndex(
            model_name="vehiclemodel",
            index=models.Index(fields=["updated_at"], name="vehicle_model_updated_at_idx"),
        ),
        migrations.RunPython(create_list_order_index, drop_list_order_index),
    ]
