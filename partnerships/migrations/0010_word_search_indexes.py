from django.db import migrations

# Word search (`partnerships/search.py`) also matches the product as the source names it and
# vehicle model names; trigram indexes like those of 0004, on PostgreSQL only.
TRIGRAM_INDEXES = {
    "deal_product_detail_trgm_idx": ("partnerships_deal", "product_detail"),
    "vehiclemodel_name_trgm_idx": ("partnerships_vehiclemodel", "name"),
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0009_deal_money_capacity_site"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
