"""Would an in-process columnar copy answer a filtered supply graph at 200k deals in 100 ms?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partnerships_bench \\
        .venv/bin/python bench/columnar_probe.py

A probe, not the product: it reads the deals, parties and stored edges of a database the
benchmark filled (`generate_synthetic --deals 200000`) into numpy arrays, then times, side by
side in the same run, the benchmark's example filter (KR-CN, agreed, at least 1 GWh) and the
graph's groupings (company ranking, the others per country, the edges per pair of nodes, status
and roles) over the arrays, against the same filter and the product's own filtered graph in
PostgreSQL. It checks that both count the same matching deals and the same partners.
The README ("Performance") records what it measured and what it means for the design.
"""

import math
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from dashboard import graph  # noqa: E402
from partnerships.filters import DealFilter  # noqa: E402
from partnerships.models import Deal, DealParty, PartyRole  # noqa: E402

RUNS = 30
FILTER = {"country_pair": "KR-CN", "status_group": "agreed", "min_gwh": "1"}
STATUSES = list(Deal.Status.values)
ROLES = list(PartyRole.values)
GRAPH_LIMIT = graph.GRAPH_LIMIT


def _codes(values, column):
    """SQL giving a text column's position in `values` (1-based), so every column is an int4."""
    array = ", ".join(f"'{value}'" for value in values)
    return f"COALESCE(array_position(ARRAY[{array}]::text[], {column}::text), 0)"


def int_columns(cursor, sql, ncols):
    """int4 columns of a query without NULLs, read with COPY BINARY and viewed by numpy as
    fixed-width records (a field count, then a length and a value per column)."""
    buffer = bytearray()
    with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)") as copy:
        for chunk in copy:
            buffer += chunk
    fields = [("count", ">i2")]
    for index in range(ncols):
        fields += [(f"length{index}", ">i4"), (f"value{index}", ">i4")]
    # 19 bytes of header before the first record, a 2-byte trailer after the last.
    records = np.frombuffer(memoryview(buffer)[19:-2], dtype=np.dtype(fields))
    return [records[f"value{index}"].astype(np.int32) for index in range(ncols)]


def load(cursor):
    # The SQL is written from the models' own choices, never from input.
    deal_sql = (
        "SELECT id::int4, published::int, "  # noqa: S608
        f"{_codes(STATUSES, 'status')}, COALESCE((volume_gwh * 1000)::int4, -1) "
        "FROM partnerships_deal ORDER BY id"
    )
    deal_id, published, status, milli_gwh = int_columns(cursor, deal_sql, 4)
    party_deal, party_company = int_columns(
        cursor, "SELECT deal_id::int4, company_id::int4 FROM partnerships_dealparty", 2
    )
    edge_sql = (
        "SELECT deal_id::int4, source_id::int4, target_id::int4, "  # noqa: S608
        f"{_codes(ROLES, 'source_role')}, {_codes(ROLES, 'target_role')} "
        "FROM partnerships_dealedge"
    )
    edge_deal, source, target, source_role, target_role = int_columns(cursor, edge_sql, 5)
    cursor.execute("SELECT id, country FROM partnerships_company")
    companies = cursor.fetchall()
    countries = sorted({country for _, country in companies})
    country_of = np.zeros(max(pk for pk, _ in companies) + 1, dtype=np.int16)
    for pk, country in companies:
        country_of[pk] = countries.index(country)
    volume = np.where(milli_gwh < 0, np.nan, milli_gwh / 1000)
    return {
        "published": published.astype(bool),
        "status": status,
        "volume": volume,
        "party_deal": np.searchsorted(deal_id, party_deal).astype(np.int32),
        "party_company": party_company,
        "edge_deal": np.searchsorted(deal_id, edge_deal).astype(np.int32),
        "source": source,
        "target": target,
        "source_role": source_role,
        "target_role": target_role,
        "country_of": country_of,
        "countries": countries,
    }


def columnar_graph(c):
    """The example filter and the graph's four groupings over the arrays; returns what the
    checks compare (matching deals, partners ranked, edge groups)."""
    n = len(c["status"])
    party_country = c["country_of"][c["party_company"]]
    has_kr = np.zeros(n, bool)
    has_kr[c["party_deal"][party_country == c["countries"].index("KR")]] = True
    has_cn = np.zeros(n, bool)
    has_cn[c["party_deal"][party_country == c["countries"].index("CN")]] = True
    agreed = [STATUSES.index(status) + 1 for status in Deal.AGREED]
    mask = c["published"] & has_kr & has_cn & np.isin(c["status"], agreed) & (c["volume"] >= 1)

    # Ranking: each deal once per company, most deals, then GWh, then id.
    size = len(c["country_of"])
    chosen = mask[c["party_deal"]]
    pairs = np.unique(c["party_deal"][chosen].astype(np.int64) * size + c["party_company"][chosen])
    pair_deal, pair_company = pairs // size, (pairs % size).astype(np.int32)
    deals = np.bincount(pair_company, minlength=size)
    volume = c["volume"][pair_deal]
    known = ~np.isnan(volume)
    gwh = np.bincount(pair_company[known], weights=volume[known], minlength=size)
    order = np.lexsort((np.arange(size), -gwh, -deals))
    ranked = order[deals[order] > 0]
    kept = np.zeros(size, bool)
    kept[ranked[:GRAPH_LIMIT]] = True

    # The others, per country: deals (each once per country) and companies.
    others = ~kept[pair_company]
    other_country = c["country_of"][pair_company[others]].astype(np.int64)
    np.bincount(np.unique(other_country * n + pair_deal[others]) // n)
    np.unique(pair_company[others])

    # Edges per pair of nodes (a kept company, or its country), status and roles.
    chosen = mask[c["edge_deal"]]
    source, target = c["source"][chosen], c["target"][chosen]
    shift = 1000  # room for the country nodes below the company ids
    source_node = np.where(kept[source], source, -1 - c["country_of"][source]) + shift
    target_node = np.where(kept[target], target, -1 - c["country_of"][target]) + shift
    key = source_node.astype(np.int64) * (size + shift) + target_node
    key = (key * 16 + c["status"][c["edge_deal"][chosen]]) * 16 + c["source_role"][chosen]
    key = key * 16 + c["target_role"][chosen]
    groups, inverse = np.unique(key, return_inverse=True)
    np.bincount(inverse, minlength=len(groups))
    edge_volume = c["volume"][c["edge_deal"][chosen]]
    known = ~np.isnan(edge_volume)
    np.bincount(inverse[known], weights=edge_volume[known], minlength=len(groups))
    return int(mask.sum()), [int(pk) for pk in ranked[:GRAPH_LIMIT]]


def timed(function, runs=RUNS):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[math.ceil(len(times) * 0.95) - 1], result


def main():
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn, conn.cursor() as cursor:
        start = time.perf_counter()
        columns = load(cursor)
        load_ms = (time.perf_counter() - start) * 1000
    megabytes = sum(a.nbytes for a in columns.values() if isinstance(a, np.ndarray)) / 1e6
    deals = DealFilter(FILTER, queryset=Deal.objects.all()).qs
    p50, p95, (matching, top) = timed(lambda: columnar_graph(columns))
    sql_p50, sql_p95, sql_matching = timed(lambda: deals.published().count(), runs=10)
    graph_p50, graph_p95, sql_graph = timed(
        lambda: graph.supply_graph(deals, limit=GRAPH_LIMIT), runs=5
    )
    ranked = [row[0] for row in graph.company_ranking(deals, limit=GRAPH_LIMIT)]
    assert matching == sql_matching, (matching, sql_matching)
    assert top == ranked, "the columnar ranking differs from the database's"
    parties, edges = DealParty.objects.count(), len(columns["source"])
    print(f"{len(columns['status']):,} deals, {parties:,} parties, {edges:,} edges")
    print(f"load (COPY BINARY into numpy): {load_ms:,.0f} ms, arrays {megabytes:.1f} MB")
    print(f"columnar filter + graph groupings: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"PostgreSQL, the filter alone (count): p50 {sql_p50:.1f} ms, p95 {sql_p95:.1f} ms")
    print(f"PostgreSQL, the product's filtered graph: p50 {graph_p50:.0f}, p95 {graph_p95:.0f} ms")
    print(f"same matching deals ({matching:,}) and the same {len(top)} companies ranked: yes")
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
