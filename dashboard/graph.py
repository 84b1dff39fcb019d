"""The supply graph: companies as nodes, deals as edges (deliverer → customer), summed by the
database from the stored edges (`partnerships/edges.py`, `DealEdge`), bounded in size whatever the
number of deals."""

from collections import defaultdict

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from dashboard import scope
from partnerships import titles
from partnerships.models import Company, Deal, DealEdge, VehicleModel

# --- supply graph --------------------------------------------------------------------------------

GRAPH_LIMIT = 50  # companies with a node of their own unless asked otherwise
GRAPH_MAX_EDGES = 1000  # the strongest edges; the rest are counted in `edges_omitted`
OTHERS_SLUGS = 20  # slugs listed per merged country node


# The stored edges (`DealEdge`, one row per line a deal draws), grouped per pair of nodes,
# status and roles: a company among the kept ones is its own node, any other is merged into its
# country's node. `{src_kept}`/`{dst_kept}` say whether an end keeps its own node.
_EDGES_SQL = """
SELECT
    CASE WHEN {src_kept} THEN e.source_id END,
    CASE WHEN {src_kept} THEN '' ELSE cs.country END,
    CASE WHEN {dst_kept} THEN e.target_id END,
    CASE WHEN {dst_kept} THEN '' ELSE ct.country END,
    e.status, e.source_role, e.target_role,
    COUNT(*), SUM(e.volume_gwh), COUNT(e.volume_gwh), MIN(e.deal_id),
    MIN(e.kind), MAX(e.kind), MIN(e.product), MAX(e.product)
FROM {edge} e
JOIN {company} cs ON cs.id = e.source_id
JOIN {company} ct ON ct.id = e.target_id
WHERE {condition} AND {touching}
GROUP BY 1, 2, 3, 4, 5, 6, 7
"""

# Ties broken by id, not name: names sort by the database's collation, which differs between
# PostgreSQL's locales and SQLite, and the cut at `limit` must not.
_RANK_SQL = """
SELECT x.company_id, c.country, COUNT(*) AS deals, SUM(d.volume_gwh),
       COUNT(*) - COUNT(d.volume_gwh)
FROM (SELECT DISTINCT dp.deal_id, dp.company_id FROM {party} dp WHERE {condition}) x
JOIN {deal} d ON d.id = x.deal_id
JOIN {company} c ON c.id = x.company_id
GROUP BY x.company_id, c.country
ORDER BY deals DESC, COALESCE(SUM(d.volume_gwh), 0) DESC, x.company_id
"""

_OTHERS_DEALS_SQL = """
SELECT x.country, COUNT(*), SUM(d.volume_gwh), COUNT(*) - COUNT(d.volume_gwh)
FROM (
    SELECT DISTINCT c.country, dp.deal_id
    FROM {party} dp JOIN {company} c ON c.id = dp.company_id
    WHERE {condition} AND dp.company_id NOT IN ({kept})
) x JOIN {deal} d ON d.id = x.deal_id
GROUP BY x.country
"""

_OTHERS_COMPANIES_SQL = """
SELECT country, slug, companies FROM (
    SELECT c.country, c.slug,
           ROW_NUMBER() OVER (PARTITION BY c.country ORDER BY c.slug) AS rn,
           COUNT(*) OVER (PARTITION BY c.country) AS companies
    FROM {company} c
    WHERE c.id IN (SELECT dp.company_id FROM {party} dp WHERE {condition})
      AND c.id NOT IN ({kept})
) y
WHERE rn <= {slugs}
ORDER BY country, slug
"""


# The slug, title and vehicle models of the deals that are an edge on their own. Run even when
# there are none (`_id_list` gives NULL), so the query count never depends on the data.
_SINGLE_DEALS_SQL = """
SELECT d.id, d.slug, d.title, d.title_status, d.kind, d.product, d.status,
       v.slug, v.name, v.maker_id
FROM {deal} d
LEFT JOIN {through} t ON t.deal_id = d.id
LEFT JOIN {vehicle} v ON v.id = t.vehiclemodel_id
WHERE d.id IN ({deals})
ORDER BY d.id, v.name, v.id
"""


# Their parties, for their titles (`titles.deal_title`); run even when there are none.
_SINGLE_PARTIES_SQL = """
SELECT p.deal_id, p.role, c.name, c.name_ko
FROM {party} p JOIN {company} c ON c.id = p.company_id
WHERE p.deal_id IN ({deals})
ORDER BY p.deal_id, p.role, c.name, c.id
"""


def others_node(country, deal_count, volume_gwh, deals_without_volume):
    """The node standing for a country's companies beyond a graph's limit."""
    return {
        "id": f"others-{country}",
        "slug": "",
        "name": f"Others ({country})",
        "name_ko": "",
        "name_zh": "",
        "country": country,
        "chain_role": "",
        "lat": None,
        "lon": None,
        "hq_city": "",
        "hq_city_ko": "",
        "deal_count": deal_count,
        "volume_gwh": volume_gwh,
        "deals_without_volume": deals_without_volume,
        "merged": True,
    }


def _edge_node(kept_id, country):
    return kept_id if kept_id is not None else f"others-{country}"


def company_ranking(
    deals_qs: QuerySet, *, limit: int | None = None, exclude=None, only=None
) -> list[tuple]:
    """(company id, country, deals, GWh, deals without a volume) for the parties of `deals_qs`,
    most deals first (then GWh, then id), each deal counted once per company whatever its roles
    in it: one query. The GWh is the sum of the known volumes, None when none is known.
    `exclude` leaves one company out, `only` keeps the listed ones."""
    condition, params = scope.deal_condition(deals_qs, "dp.deal_id")
    if exclude is not None:
        condition += f" AND dp.company_id <> {int(exclude)}"
    if only is not None:
        condition += f" AND dp.company_id IN ({scope.id_list(only)})"
    sql = _RANK_SQL.format(condition=condition, **scope.tables())
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return scope.fetch(sql, params)


def supply_graph(
    deals_qs: QuerySet,
    limit: int | None = GRAPH_LIMIT,
    *,
    kept_ids: list | None = None,
    touching: int | None = None,
    ranked: list | None = None,
    edge_deals: QuerySet | None = None,
) -> dict:
    """Companies as nodes and deals as edges (deliverer → customer), aggregated by the database
    in seven queries (five without `limit`; one of them reads the parties of the deals that are
    an edge on their own, for their titles). The `limit` companies with most deals keep their own
    node; the others are merged into one node per country. Edges are summed per pair of nodes,
    status and roles (`deal_count`; a single deal keeps its slug and vehicle models), and only
    the GRAPH_MAX_EDGES strongest are listed, so the output is bounded whatever the data's size.

    A company's own map names its nodes (`kept_ids`, in that order) and draws only the edges
    `touching` it, as the whole graph draws them; `ranked` gives their `company_ranking` rows
    when the caller has them already (one query fewer). `edge_deals` narrows the edges by a
    wider queryset than `deals_qs` where that draws the same edges (every deal, for a company's
    map: the edges touching it are those of its deals), which spares the database a filter."""
    tables = scope.tables()
    condition, params = scope.deal_condition(deals_qs, "dp.deal_id")
    if ranked is not None:
        kept_ids = kept_ids if kept_ids is not None else [row[0] for row in ranked]
    elif kept_ids is None:
        ranked = company_ranking(deals_qs, limit=limit)
    else:
        order = {pk: index for index, pk in enumerate(kept_ids)}
        ranked = sorted(company_ranking(deals_qs, only=kept_ids), key=lambda row: order[row[0]])
    merge = limit is not None or kept_ids is not None
    kept_ids = [row[0] for row in ranked]
    kept = scope.id_list(kept_ids)
    companies = {
        row["id"]: row
        for row in Company.objects.filter(pk__in=kept_ids).values(
            "id",
            "slug",
            "name",
            "name_ko",
            "name_zh",
            "country",
            "chain_role",
            "hq_latitude",
            "hq_longitude",
            "hq_city",
            "hq_city_ko",
        )
    }
    nodes = [
        {
            "id": company_id,
            "slug": companies[company_id]["slug"],
            "name": companies[company_id]["name"],
            "name_ko": companies[company_id]["name_ko"],
            "name_zh": companies[company_id]["name_zh"],
            "country": companies[company_id]["country"],
            "chain_role": companies[company_id]["chain_role"],
            "lat": scope.number(companies[company_id]["hq_latitude"]),
            "lon": scope.number(companies[company_id]["hq_longitude"]),
            "hq_city": companies[company_id]["hq_city"],
            "hq_city_ko": companies[company_id]["hq_city_ko"],
            "deal_count": deal_count,
            "volume_gwh": scope.gwh_sum(gwh),
            "deals_without_volume": without_volume,
            "merged": False,
        }
        for company_id, _country, deal_count, gwh, without_volume in ranked
    ]

    others = defaultdict(lambda: {"companies": 0, "slugs": []})
    if merge:
        sql = _OTHERS_COMPANIES_SQL.format(
            condition=condition, kept=kept, slugs=OTHERS_SLUGS, **tables
        )
        for country, slug, count in scope.fetch(sql, params):
            others[country]["companies"] = count
            others[country]["slugs"].append(slug)
        sql = _OTHERS_DEALS_SQL.format(condition=condition, kept=kept, **tables)
        for country, deal_count, gwh, without_volume in sorted(scope.fetch(sql, params)):
            nodes.append(others_node(country, deal_count, scope.gwh_sum(gwh), without_volume))

    edge_condition, edge_params = scope.deal_condition(
        deals_qs if edge_deals is None else edge_deals, "e.deal_id"
    )
    sql = _EDGES_SQL.format(
        condition=edge_condition,
        src_kept=f"e.source_id IN ({kept})" if merge else "1 = 1",
        dst_kept=f"e.target_id IN ({kept})" if merge else "1 = 1",
        touching=(
            "1 = 1"
            if touching is None
            else f"(e.source_id = {int(touching)} OR e.target_id = {int(touching)})"
        ),
        edge=connection.ops.quote_name(DealEdge._meta.db_table),
        **tables,
    )
    grouped = []
    for row in scope.fetch(sql, edge_params):
        (src_id, src_country, dst_id, dst_country, status, src_role, dst_role) = row[:7]
        count, gwh, with_gwh, first_deal = row[7:11]
        kind_lo, kind_hi, product_lo, product_hi = row[11:]
        source, target = _edge_node(src_id, src_country), _edge_node(dst_id, dst_country)
        if source == target:
            continue
        grouped.append(
            {
                "deal_id": first_deal if count == 1 else None,
                "deal_slug": "",
                "deal_title": f"{count} deals",
                "source": source,
                "target": target,
                "source_role": src_role,
                "target_role": dst_role,
                "status": status,
                "kind": kind_lo if kind_lo == kind_hi else "",
                "product": product_lo if product_lo == product_hi else "",
                "volume_gwh": scope.number(gwh) if with_gwh else None,
                "vehicle_models": [],
                "deal_count": count,
                "merged": count > 1,
            }
        )
    grouped.sort(
        # Ties broken down to the deal, so that two computations (a snapshot and a live read)
        # list the same edges in the same order whatever order the database returned them in.
        key=lambda e: (
            -e["deal_count"],
            -(e["volume_gwh"] or 0),
            str(e["source"]),
            e["status"],
            str(e["target"]),
            e["source_role"],
            e["target_role"],
            e["deal_id"] or 0,
        )
    )
    edges, omitted = grouped[:GRAPH_MAX_EDGES], grouped[GRAPH_MAX_EDGES:]
    single = defaultdict(list)
    for edge in edges:
        if edge["deal_id"] is not None:
            single[edge["deal_id"]].append(edge)
    sql = _SINGLE_DEALS_SQL.format(
        deals=scope.id_list(single),
        deal=tables["deal"],
        through=connection.ops.quote_name(Deal.vehicle_models.through._meta.db_table),
        vehicle=connection.ops.quote_name(VehicleModel._meta.db_table),
    )
    parties = defaultdict(list)
    sql_parties = _SINGLE_PARTIES_SQL.format(deals=scope.id_list(single), **tables)
    for deal_id, role, name, name_ko in scope.fetch(sql_parties, []):
        parties[deal_id].append({"role": role, "name": name, "name_ko": name_ko})
    titled = set()
    for deal_id, slug, title, title_status, kind, product, status, *vehicle in scope.fetch(sql, []):
        model_slug, name, maker_id = vehicle
        if deal_id not in titled:
            titled.add(deal_id)
            facts = {
                "title": title,
                "title_status": title_status,
                "kind": kind,
                "product": product,
                "status": status,
                "parties": parties[deal_id],
            }
            # The graph is read in any language: the API gives the English title, each chart
            # the one of its reader (`deal_titles`, not part of the API's shape).
            by_language = {
                code: titles.deal_title(facts, code) for code, _name in settings.LANGUAGES
            }
        for edge in single[deal_id]:
            edge.update(deal_slug=slug, deal_title=by_language["en"], deal_titles=by_language)
            if model_slug is not None:
                edge["vehicle_models"].append(
                    {"slug": model_slug, "name": name, "maker_id": maker_id}
                )
    for edge in edges:
        del edge["deal_id"]
    # Stable for readers: strongest first, as ranked above.
    graph = {"nodes": nodes, "edges": edges}
    if others:
        graph["others"] = {country: dict(info) for country, info in sorted(others.items())}
    if omitted:
        graph["edges_omitted"] = {
            "edges": len(omitted),
            "deals": sum(e["deal_count"] for e in omitted),
        }
    return graph
