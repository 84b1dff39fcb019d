import json
import multiprocessing
import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import JSONField, Max
from django.utils import translation

from bench.synthetic import SLUG_PREFIX, TABLE_ORDER, DealVehicleModel, Generator, Sizes
from partnerships import edges, freshness
from partnerships.models import (
    Citation,
    Company,
    CompanyAlias,
    Deal,
    DealEdge,
    DealParty,
    Ownership,
    Source,
    StatusChange,
    VehicleModel,
)


class Command(BaseCommand):
    help = (
        "Fill the database with a synthetic dataset for benchmarks: companies across Asia, deals "
        "with parties, status histories and citations, vehicle models and sources. Rows are "
        "slugged 'syn-'; --delete removes them all again. Never writes "
        "to fixtures/. Deterministic for a --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--deals", type=int, default=10_000, help="Number of deals.")
        parser.add_argument("--companies", type=int, help="Default: deals / 20.")
        parser.add_argument("--vehicle-models", type=int, help="Default: deals / 10.")
        parser.add_argument("--sources", type=int, help="Default: deals / 4.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        parser.add_argument(
            "--delete", action="store_true", help="Remove every synthetic row, and do nothing else."
        )
        parser.add_argument(
            "--replace", action="store_true", help="Remove synthetic rows first, then generate."
        )

    def handle(self, *args, **options):
        if options["delete"]:
            counts = delete_synthetic()
            self.stdout.write(f"Deleted {sum(counts.values())} synthetic rows.")
            freshness.bump()  # bulk writes send no signals
            return
        for name in ("deals", "companies", "vehicle_models", "sources"):
            if options[name] is not None and options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")
        if options["deals"] < 1:
            raise CommandError("--deals must be at least 1.")
        if options["replace"]:
            delete_synthetic()
        elif Deal.objects.filter(slug__startswith=SLUG_PREFIX).exists():
            raise CommandError("Synthetic data exists already; pass --replace or run --delete.")
        sizes = Sizes.scaled(
            options["deals"],
            companies=options["companies"],
            vehicle_models=options["vehicle_models"],
            sources=options["sources"],
        )
        started = time.perf_counter()
        phases = {}
        with translation.override("en"):
            counts = generate_synthetic(sizes, seed=options["seed"], phases=phases)
        elapsed = time.perf_counter() - started
        total = sum(counts.values())
        detail = ", ".join(f"{model._meta.model_name}: {n}" for model, n in counts.items())
        self.stdout.write(
            f"Wrote {total} synthetic rows in {elapsed:.1f} s ({total / elapsed:,.0f} rows/s) "
            f"with seed {options['seed']}: {detail}."
        )
        if options["verbosity"] > 1:
            self.stdout.write("Seconds per step: " + json.dumps(phases))
        freshness.bump()  # bulk writes send no signals


def generate_synthetic(sizes: Sizes, *, seed: int, phases: dict | None = None) -> dict:
    """Write a synthetic dataset in one transaction; returns the rows written per model, and
    fills `phases` with the seconds each step took."""
    phases = {} if phases is None else phases
    clock = time.perf_counter()
    server_cpu = _server_cpu_seconds()
    client_cpu = _own_cpu_seconds()

    def phase(name):
        nonlocal clock
        now = time.perf_counter()
        phases[name] = round(phases.get(name, 0) + now - clock, 2)
        clock = now

    bases = {
        model: (model._default_manager.aggregate(top=Max("id"))["top"] or 0) + 1
        for model in TABLE_ORDER
    }
    taken = set()
    for names in Company.objects.values_list("name", "name_ko", "name_zh"):
        taken.update(name for name in names if name)
    generator = Generator(sizes, seed, bases, taken_names=taken)
    postgres = connection.vendor == "postgresql"
    write = copy_rows if postgres else insert_rows
    counts = dict.fromkeys(TABLE_ORDER, 0)
    with transaction.atomic(), connection.cursor() as cursor:
        unchecked = postgres and _superuser(cursor)
        rebuild = []
        if unchecked:
            # Per-row foreign-key triggers would triple the load time; the rows are checked
            # below with one anti-join per foreign key instead, before the transaction commits.
            # Checks still pending from earlier in the transaction run now, as an index cannot
            # be dropped while they wait.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL session_replication_role = replica")
            rebuild = drop_secondary_indexes(cursor)
        phase("prepare")
        for chunk in chunks_in_background(generator) if postgres else generator.generate():
            for model in TABLE_ORDER:
                rows = chunk.get(model)
                if rows:
                    write(generator.tables[model], rows)
                    counts[model] += len(rows)
        phase("generate and copy")
        for definition in rebuild:
            cursor.execute(definition)
        phase("rebuild indexes")
        if unchecked:
            cursor.execute("SET LOCAL session_replication_role = origin")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            check_references(cursor, bases)
            phase("check references")
        if postgres:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(TABLE_ORDER)):
                cursor.execute(sql)
        # COPY sends no signals: the supplier maps' edges are derived here, by the same rule.
        counts[DealEdge] = edges.rebuild(
            deal_ids=Deal.objects.filter(slug__startswith=SLUG_PREFIX).values("pk")
        )
        phase("edges")
    phase("commit")
    if postgres:
        # Fresh statistics for the planner; outside a transaction also VACUUM, which fills the
        # visibility map so that index-only scans need no heap visits.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for model in (*TABLE_ORDER, DealEdge):
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
        phase("analyze")
        # CPU seconds per side, which say what the machine could do when nothing else runs.
        if server_cpu is not None:
            phases["cpu server"] = round(_server_cpu_seconds() - server_cpu, 1)
    phases["cpu generator and client"] = round(_own_cpu_seconds() - client_cpu, 1)
    return counts


def _own_cpu_seconds():
    mine = os.times()
    return mine.user + mine.system + mine.children_user + mine.children_system


def _server_cpu_seconds():
    """CPU time of this connection's PostgreSQL backend, when it runs on this machine."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _produce(generator, queue):
    try:
        for chunk in generator.generate():
            queue.put({model._meta.label: rows for model, rows in chunk.items() if rows})
    except Exception as error:  # handed to the parent, which raises it
        queue.put(error)
    queue.put(None)


def chunks_in_background(generator):
    """The generator's chunks, made in a child process while this one copies the previous chunk
    and PostgreSQL stores it: the three overlap on a 2-core machine."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=3)
    child = context.Process(target=_produce, args=(generator, queue), daemon=True)
    child.start()
    models = {model._meta.label: model for model in TABLE_ORDER}
    try:
        while (chunk := queue.get()) is not None:
            if isinstance(chunk, Exception):
                raise chunk
            yield {models[label]: rows for label, rows in chunk.items()}
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def drop_secondary_indexes(cursor):
    """Drop the indexes that back no constraint (foreign-key lookups, conditional uniques) and
    return the statements that rebuild them: one sorted build after the load is several times
    faster than updating them row by row. Inside the transaction, so a failure restores them,
    and a rebuilt unique index still rejects duplicates."""
    tables = [model._meta.db_table for model in TABLE_ORDER]
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        JOIN pg_class c ON c.relname = i.indexname
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)
        ORDER BY i.indexname
        """,
        [tables],
    )
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [definition for _name, definition in found]


def _superuser(cursor):
    cursor.execute("SHOW is_superuser")
    return cursor.fetchone()[0] == "on"


def check_references(cursor, bases):
    """Fail (and so roll back) if a new row points to a row that does not exist."""
    quote = connection.ops.quote_name
    for model in TABLE_ORDER:
        table = quote(model._meta.db_table)
        for field in model._meta.concrete_fields:
            if not field.is_relation:
                continue
            target = field.related_model._meta
            sql = (
                f"SELECT c.id FROM {table} c WHERE c.id >= %s AND c.{quote(field.column)} IS NOT "  # noqa: S608
                f"NULL AND NOT EXISTS (SELECT 1 FROM {quote(target.db_table)} p "
                f"WHERE p.{quote(target.pk.column)} = c.{quote(field.column)}) LIMIT 1"
            )
            cursor.execute(sql, [bases[model]])
            broken = cursor.fetchone()
            if broken:
                raise CommandError(
                    f"Synthetic {model._meta.model_name} {broken[0]} has a dangling {field.name}."
                )


def copy_rows(table, rows):
    """COPY into PostgreSQL: an order of magnitude faster than INSERT for big tables."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in table.columns)
    sql = f"COPY {quote(table.model._meta.db_table)} ({columns}) FROM STDIN"
    # COPY's text format takes JSON as text: the JSON fields' values (defaults included) are
    # encoded here, as the field would encode them for an INSERT.
    encoded = [i for i, field in enumerate(table.fields) if isinstance(field, JSONField)]
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            if encoded:
                row = list(row)
                for index in encoded:
                    row[index] = None if row[index] is None else json.dumps(row[index])
            copy.write_row(row)


def insert_rows(table, rows, batch=2000):
    """Plain multi-row INSERTs for SQLite and other databases, values prepared by the fields."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in table.columns)
    placeholders = ", ".join(["%s"] * len(table.columns))
    sql = f"INSERT INTO {quote(table.model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    prepare = [field.get_db_prep_save for field in table.fields]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            prepared = [
                [p(value, connection) for p, value in zip(prepare, row, strict=True)]
                for row in rows[start : start + batch]
            ]
            cursor.executemany(sql, prepared)


def delete_synthetic() -> dict:
    """Remove every synthetic row with set-based DELETEs: no per-row signals or history, which at
    200k deals would take minutes."""
    quote = connection.ops.quote_name

    def table(model):
        return quote(model._meta.db_table)

    # Every synthetic company, source, vehicle model and deal is slugged with SLUG_PREFIX.
    synthetic = f"slug LIKE '{SLUG_PREFIX}%'"
    synthetic_deals = f"SELECT id FROM {table(Deal)} WHERE {synthetic}"  # noqa: S608
    synthetic_sources = f"SELECT id FROM {table(Source)} WHERE {synthetic}"  # noqa: S608
    synthetic_companies = f"SELECT id FROM {table(Company)} WHERE {synthetic}"  # noqa: S608
    synthetic_models = f"SELECT id FROM {table(VehicleModel)} WHERE {synthetic}"  # noqa: S608
    synthetic_stakes = f"SELECT id FROM {table(Ownership)} WHERE {synthetic}"  # noqa: S608
    statements = [
        (DealVehicleModel, f"deal_id IN ({synthetic_deals})"),
        (Citation, f"deal_id IN ({synthetic_deals}) OR source_id IN ({synthetic_sources})"),
        (StatusChange, f"deal_id IN ({synthetic_deals})"),
        (DealParty, f"deal_id IN ({synthetic_deals})"),
        (DealEdge, f"deal_id IN ({synthetic_deals})"),
        (Deal, synthetic),
        (Citation, f"company_id IN ({synthetic_companies})"),
        (Citation, f"ownership_id IN ({synthetic_stakes})"),
        (Ownership, synthetic),
        (Citation, f"vehicle_model_id IN ({synthetic_models})"),
        (VehicleModel, synthetic),
        (Source, synthetic),
        (CompanyAlias, f"company_id IN ({synthetic_companies})"),
        (Company, synthetic),
    ]
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Synthetic rows point at each other (parents, predecessors); checks wait for COMMIT.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model, condition in statements:
            cursor.execute(f"DELETE FROM {table(model)} WHERE {condition}")  # noqa: S608
            counts[model] = counts.get(model, 0) + max(cursor.rowcount, 0)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return counts
