"""The supply graph: companies as nodes, deals as edges (deliverer → customer), summed from the
stored edges (`partnerships/edges.py`, `DealEdge`) as the deals' columns in memory hold them
(`partnerships/columns.py`), bounded in size whatever the number of deals. The database is asked
only for what a drawn node or edge shows: the kept companies, and the deals that are an edge on
their own."""

import sys
from collections import defaultdict

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from dashboard import scope
from partnerships import columns, titles
from partnerships.columns import KINDS, PRODUCTS, ROLES, STATUSES
from partnerships.models import Company, Deal, VehicleModel

# --- supply graph --------------------------------------------------------------------------------

GRAPH_LIMIT = 50  # companies with a node of their own unless asked otherwise
GRAPH_MAX_EDGES = 1000  # the strongest edges; the rest are counted in `edges_omitted`
EVERY_EDGE = sys.maxsize  # as `max_edges`: a CSV lists what its chart left out
OTHERS_SLUGS = 20  # slugs listed per merged country node


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


def _deal_companies(c, mask: np.ndarray):
    """(deal positions, company ids): each pair once, among the parties of the masked deals,
    whatever the company's roles in the deal."""
    rows = mask[c.party_deal] & c.party_first
    return c.party_deal[rows], c.party_company[rows].astype(np.int64)


class Ranking:
    """The parties of the masked deals ranked: most deals first (then GWh, then id), each deal
    counted once per company whatever its roles in it. `pairs` is `_deal_companies(c, mask)`
    when the caller has it already."""

    def __init__(self, c, mask: np.ndarray, *, exclude=None, only=None, pairs=None):
        deals, companies = _deal_companies(c, mask) if pairs is None else pairs
        keep = np.ones(len(companies), dtype=bool)
        if exclude is not None:
            keep &= companies != int(exclude)
        if only is not None:
            keep &= np.isin(companies, np.asarray(list(only), dtype=np.int64))
        deals, companies = deals[keep], companies[keep]
        size = len(c.company_country)
        self.c = c
        self.count, self.milli, self.with_volume = columns.totals(c, deals, companies, size)
        ranked = np.flatnonzero(self.count)
        # Ties broken by id, not name, so that the cut at a limit never depends on a collation.
        self.order = ranked[np.lexsort((ranked, -self.milli[ranked], -self.count[ranked]))]

    def __len__(self):
        return len(self.order)

    def rows(self, limit: int | None = None) -> list[tuple]:
        """(company id, country, deals, GWh, deals without a volume), the first `limit`."""
        c = self.c
        return [
            (
                pk,
                c.countries[c.company_country[pk]],
                int(self.count[pk]),
                columns.gwh(self.milli[pk], self.with_volume[pk]),
                int(self.count[pk] - self.with_volume[pk]),
            )
            for pk in self.order[:limit].tolist()
        ]

    def countries_after(self, limit: int) -> dict[str, int]:
        """{country: companies} of the companies ranked after the first `limit`."""
        codes = np.bincount(self.c.company_country[self.order[limit:]], minlength=1)
        return {self.c.countries[code]: int(n) for code, n in enumerate(codes.tolist()) if n}


def _others(c, mask: np.ndarray, kept: np.ndarray, pairs):
    """The companies beyond the kept ones, per country: [(country, deals, GWh, deals without
    a volume)] (each deal once per country), and {country: (companies, first slugs)}. `pairs`
    is `_deal_companies(c, mask)`."""
    deals, companies = pairs
    others = ~kept[companies]
    deals, companies = deals[others], companies[others]
    country_deals = columns.distinct(
        c.company_country[companies].astype(np.int64) * len(mask) + deals
    )
    country, deals = country_deals // len(mask), country_deals % len(mask)
    count, milli, with_volume = columns.totals(c, deals, country, len(c.countries))
    node_rows = [
        (c.countries[code], int(count[code]), columns.gwh(milli[code], with_volume[code]))
        + (int(count[code] - with_volume[code]),)
        for code in np.flatnonzero(count).tolist()
    ]
    # Each country's companies in slug order, and the first OTHERS_SLUGS of each.
    found = columns.distinct(companies)
    codes = c.company_country[found]
    per_country = np.bincount(codes, minlength=len(c.countries))
    found = found[np.lexsort((c.company_slug_order[found], codes))]
    starts = np.searchsorted(c.company_country[found], np.arange(len(c.countries)))
    slugs = {
        c.countries[code]: (
            int(per_country[code]),
            c.company_slug[found[starts[code] : starts[code] + OTHERS_SLUGS]].tolist(),
        )
        for code in np.flatnonzero(per_country).tolist()
    }
    return node_rows, slugs


def _edges(c, mask, kept, merge, touching, max_edges) -> tuple[list[dict], int, int]:
    """The stored edges of the masked deals summed per pair of nodes (a kept company, else its
    country), status and roles, the `max_edges` strongest first; and the number of the others
    and of their deals."""
    rows = mask[c.edge_deal]
    if touching is not None:
        rows &= (c.edge_source == int(touching)) | (c.edge_target == int(touching))
    deal = c.edge_deal[rows]
    source, target = c.edge_source[rows].astype(np.int64), c.edge_target[rows].astype(np.int64)
    shift = len(c.countries)  # the country nodes, below the company ids
    if merge:
        source = np.where(kept[source], source + shift, c.company_country[source])
        target = np.where(kept[target], target + shift, c.company_country[target])
    else:
        source, target = source + shift, target + shift
    drawn = source != target  # two merged companies of one country draw no line
    deal, source, target = deal[drawn], source[drawn], target[drawn]
    source_role, target_role = c.edge_source_role[rows][drawn], c.edge_target_role[rows][drawn]
    nodes = len(c.company_country) + shift
    key = (source * nodes + target) * len(STATUSES) + c.status[deal]
    key = (key * len(ROLES) + source_role) * len(ROLES) + target_role
    groups, inverse = np.unique(key, return_inverse=True)
    if not len(groups):
        return [], 0, 0
    order = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[order], np.arange(len(groups)))
    count, milli, with_volume = columns.totals(c, deal, inverse, len(groups))
    first = np.minimum.reduceat(c.deal_id[deal][order], starts)
    kinds, products = c.kind[deal][order], c.product[deal][order]
    same_kind = np.minimum.reduceat(kinds, starts) == np.maximum.reduceat(kinds, starts)
    same_product = np.minimum.reduceat(products, starts) == np.maximum.reduceat(products, starts)
    group_kind = kinds[starts]
    group_product = products[starts]

    rest, target_roles = np.divmod(groups, len(ROLES))
    rest, source_roles = np.divmod(rest, len(ROLES))
    rest, statuses = np.divmod(rest, len(STATUSES))
    sources, targets = np.divmod(rest, nodes)
    # The nodes as the API names them ("others-KR" for a country), for the order's ties.
    present = np.union1d(sources, targets)
    names = {n: _node_name(c, n, shift) for n in present.tolist()}
    # Each node's place among the names in string order: sorting by it sorts by the name.
    by_name = sorted(range(len(present)), key=lambda i: str(names[int(present[i])]))
    name_rank = np.empty(len(present), dtype=np.int64)
    name_rank[by_name] = np.arange(len(present))
    source_names = name_rank[np.searchsorted(present, sources)]
    target_names = name_rank[np.searchsorted(present, targets)]
    # Ties broken down to the deal, so that two computations (a snapshot and a live read)
    # list the same edges in the same order.
    strongest = np.lexsort(
        (
            np.where(count == 1, first, 0),
            np.array(ROLES)[target_roles],
            np.array(ROLES)[source_roles],
            target_names,
            np.array(STATUSES)[statuses],
            source_names,
            -milli,
            -count,
        )
    )
    shown, hidden = strongest[:max_edges], strongest[max_edges:]
    edges = [
        {
            "deal_id": int(first[i]) if count[i] == 1 else None,
            "deal_slug": "",
            "deal_title": f"{count[i]} deals",
            "source": names[int(sources[i])],
            "target": names[int(targets[i])],
            "source_role": ROLES[source_roles[i]],
            "target_role": ROLES[target_roles[i]],
            "status": STATUSES[statuses[i]],
            "kind": KINDS[group_kind[i]] if same_kind[i] else "",
            "product": PRODUCTS[group_product[i]] if same_product[i] else "",
            "volume_gwh": columns.gwh(milli[i], with_volume[i]),
            "vehicle_models": [],
            "deal_count": int(count[i]),
            "merged": bool(count[i] > 1),
        }
        for i in shown.tolist()
    ]
    return edges, len(hidden), int(count[hidden].sum())


def _node_name(c, node: int, shift: int):
    """A node's id in the graph: the company's id, or "others-KR" for a country's node."""
    return node - shift if node >= shift else f"others-{c.countries[node]}"


def supply_graph(
    deals_qs: QuerySet,
    limit: int | None = GRAPH_LIMIT,
    *,
    kept_ids: list | None = None,
    touching: int | None = None,
    ranked: list | None = None,
    max_edges: int | None = None,
) -> dict:
    """Companies as nodes and deals as edges (deliverer → customer), counted over the deals'
    columns in memory (`partnerships/columns.py`) and titled from the database in three queries
    (the kept companies, and the deals that are an edge on their own with their parties). The
    `limit` companies with most deals keep their own node; the others are merged into one node
    per country. Edges are summed per pair of nodes, status and roles (`deal_count`; a single
    deal keeps its slug and vehicle models), and only the `max_edges` strongest are listed
    (GRAPH_MAX_EDGES unless given; `edges_omitted` counts the rest), so the output is bounded
    whatever the data's size.

    A company's own map names its nodes (`kept_ids`, in that order) and draws only the edges
    `touching` it, as the whole graph draws them; `ranked` gives their `Ranking` rows
    when the caller has them already."""
    tables = scope.tables()
    c = columns.current()
    mask = columns.mask_of(deals_qs, c)
    pairs = _deal_companies(c, mask)
    if ranked is not None:
        kept_ids = kept_ids if kept_ids is not None else [row[0] for row in ranked]
    elif kept_ids is None:
        ranked = Ranking(c, mask, pairs=pairs).rows(limit)
    else:
        order = {pk: index for index, pk in enumerate(kept_ids)}
        ranking = Ranking(c, mask, only=kept_ids, pairs=pairs)
        ranked = sorted(ranking.rows(), key=lambda row: order[row[0]])
    merge = limit is not None or kept_ids is not None
    kept_ids = [row[0] for row in ranked]
    kept = np.zeros(len(c.company_country), dtype=bool)
    kept[[pk for pk in kept_ids if pk < len(kept)]] = True
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

    others = {}
    if merge:
        other_nodes, others = _others(c, mask, kept, pairs)
        for country, deal_count, gwh, without_volume in other_nodes:
            nodes.append(others_node(country, deal_count, gwh, without_volume))

    max_edges = GRAPH_MAX_EDGES if max_edges is None else max_edges
    edges, omitted, omitted_deals = _edges(c, mask, kept, merge, touching, max_edges)
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
        graph["others"] = {
            country: {"companies": count, "slugs": slugs}
            for country, (count, slugs) in sorted(others.items())
        }
    if omitted:
        graph["edges_omitted"] = {"edges": omitted, "deals": omitted_deals}
    return graph
