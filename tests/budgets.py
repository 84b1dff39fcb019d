"""Queries per request, as the README's "Query budgets" table states them."""

FILTERS = "country_pair=KR-CN&status_group=agreed&min_volume_gwh=1"
# Cold: no answer stored for the current data version, as for the first reader after a write;
# stored: a repeat visit, whose answers a snapshot or the cache holds.
#          cold, stored
BUDGETS = {
    # The footer's "last updated" shares the page's one read of the data version.
    "/": (22, 6),
    "/deals/": (6, 6),
    f"/deals/?{FILTERS}": (6, 6),
    "/deals/{deal}/": (7, 7),
    # Cold, its vehicle models are counted apart from the first 30 (cheaper than a window).
    "/companies/{company}/": (21, 9),
    "/api/v1/deals/": (5, 5),
    f"/api/v1/deals/?{FILTERS}": (5, 5),
    # A search reads its party matches, then up to 1,000 matching ids to rank (search.py).
    "/api/v1/deals/?q=energy": (7, 7),
    # Its ETag names the data version (a renamed party is another ETag): one read of it.
    "/api/v1/deals/{deal}/": (6, 6),
    # Cold, the aggregates read the deals' columns (five queries, once per data version).
    "/api/v1/supply-graph/": (12, 2),
    "/api/v1/stats/": (8, 2),
    "/api/v1/timeline/": (13, 2),
}
# The CSV export of every deal: the data version and one streamed query.
EXPORT_QUERIES = 2
