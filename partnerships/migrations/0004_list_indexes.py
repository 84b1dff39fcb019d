from django.db import migrations

# Trigram indexes for the search of the deals list (`filters.DealFilter.filter_search`) and of
# companies (`filters.companies_matching`): `icontains` compiles to UPPER(column) LIKE
# UPPER('%text%') on PostgreSQL, which a GIN index of UPPER(column) with gin_trgm_ops serves, and
# whose statistics give the planner a real estimate of how many rows match (bench/INDEXES.md,
# section 6). SQLite has no such index and needs none at its sizes, so they are made on
# PostgreSQL only and are not in the models' Meta.
TRIGRAM_INDEXES = {
    "deal_title_trgm_idx": ("partnerships_deal", "title"),
    "deal_slug_trgm_idx": ("partnerships_deal", "slug"),
    "company_name_trgm_idx": ("partnerships_company", "name"),
    "company_name_ko_trgm_idx": ("partnerships_company", "name_ko"),
    "company_name_zh_trgm_idx": ("partnerships_company", "name_zh"),
    "company_slug_trgm_idx": ("partnerships_company", "slug"),
    "company_alias_name_trgm_idx": ("partnerships_companyalias", "name"),
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # A trusted extension: the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )
    # The statistics of the indexed expressions, which the planner needs to choose between an
    # index and a walk in list order; autovacuum would gather them only after many writes.
    for table in sorted({table for table, _column in TRIGRAM_INDEXES.values()}):
        schema_editor.execute(f"ANALYZE {table}")


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0003_aggregate_snapshot"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
