"""Counts and volumes of a set of deals: the headline figures, and deals and GWh by status, year,
country pair and product. A volume is summed over the deals that state one, null when none does,
with the count of deals without a volume beside each sum."""

from collections import defaultdict

from django.db.models import Count, Q, QuerySet, Sum

from dashboard import scope
from partnerships.countries import country_name, country_pair_key
from partnerships.dates import deal_year
from partnerships.models import Deal

# --- headline figures ----------------------------------------------------------------------------


def headline_figures(deals_qs: QuerySet) -> dict:
    """Deal count, agreed and discussed GWh, and the companies involved by country: 2 queries."""
    agreed, discussed = Q(status__in=Deal.AGREED), Q(status__in=Deal.UNDER_DISCUSSION)
    unknown = Q(volume_gwh__isnull=True)
    totals = scope.deals_in_scope(deals_qs).aggregate(
        deals=Count("pk"),
        volume_gwh_agreed=Sum("volume_gwh", filter=agreed),
        volume_gwh_under_discussion=Sum("volume_gwh", filter=discussed),
        deals_without_volume_agreed=Count("pk", filter=agreed & unknown),
        deals_without_volume_under_discussion=Count("pk", filter=discussed & unknown),
    )
    by_country = (
        scope.parties_of(deals_qs)
        .values("company__country")
        .annotate(count=Count("company", distinct=True))
        .order_by("-count", "company__country")
    )
    companies_by_country = [
        {
            "country": row["company__country"],
            "name": country_name(row["company__country"]),
            "count": row["count"],
        }
        for row in by_country
    ]
    return {
        "deals": totals["deals"],
        "volume_gwh_agreed": scope.gwh_sum(totals["volume_gwh_agreed"]),
        "volume_gwh_under_discussion": scope.gwh_sum(totals["volume_gwh_under_discussion"]),
        "deals_without_volume_agreed": totals["deals_without_volume_agreed"],
        "deals_without_volume_under_discussion": totals["deals_without_volume_under_discussion"],
        "companies": sum(row["count"] for row in companies_by_country),
        "companies_by_country": companies_by_country,
    }


# --- stats ---------------------------------------------------------------------------------------

_COUNTRY_PAIRS_SQL = """
SELECT x.a, x.b, COUNT(*), SUM(d.volume_gwh), COUNT(d.volume_gwh)
FROM (
    SELECT DISTINCT p1.deal_id,
        CASE WHEN c1.country < c2.country THEN c1.country ELSE c2.country END AS a,
        CASE WHEN c1.country < c2.country THEN c2.country ELSE c1.country END AS b
    FROM {party} p1
    JOIN {party} p2 ON p2.deal_id = p1.deal_id AND p2.id > p1.id
    JOIN {company} c1 ON c1.id = p1.company_id
    JOIN {company} c2 ON c2.id = p2.company_id
    WHERE {condition}
) x JOIN {deal} d ON d.id = x.deal_id
GROUP BY x.a, x.b
"""


def _rolled_up(rows, field, labels, order=None):
    """Deals and volume per value of `field`: `volume_gwh` sums the known volumes (None when
    none is known) and `deals_without_volume` counts the others."""
    totals = defaultdict(lambda: [0, None, 0])
    for row in rows:
        total = totals[row[field]]
        total[0] += row["deals"]
        if row["gwh"] is not None:
            total[1] = (total[1] or 0.0) + float(row["gwh"])
        total[2] += row["without_volume"]
    items = [
        {
            "key": key,
            "label": labels(key),
            "deals": deals,
            "volume_gwh": gwh,
            "deals_without_volume": without,
        }
        for key, (deals, gwh, without) in totals.items()
    ]
    return sorted(items, key=order or _by_size)


def _by_size(item):
    return (-item["deals"], -(item["volume_gwh"] or 0), item["key"])


def stats(deals_qs: QuerySet) -> dict:
    """Deal counts and GWh by status, year, country pair and product: 2 queries. A deal's year
    is that of its announcement, else its start (`deal_year`), as on the timeline and in the year
    filter, so that the three count the same deals; "undated" has neither.

    A deal with parties from three countries counts once in each of its country pairs; a deal
    between two companies of one country counts under e.g. "KR-KR".
    """
    status_labels = dict(Deal.Status.choices)
    status_order = list(Deal.Status.values)
    product_labels = dict(Deal.Product.choices)
    rows = list(
        scope.deals_in_scope(deals_qs)
        .annotate(year=deal_year())
        .values("status", "year", "product")
        .annotate(
            deals=Count("pk"),
            gwh=Sum("volume_gwh"),
            without_volume=Count("pk", filter=Q(volume_gwh__isnull=True)),
        )
        .order_by()
    )
    by_status = _rolled_up(
        rows,
        "status",
        lambda key: str(status_labels.get(key, key)),
        order=lambda item: status_order.index(item["key"]),
    )
    by_year = _rolled_up(
        rows,
        "year",
        lambda key: str(key) if key else "undated",
        order=lambda item: (item["key"] is None, item["key"] or 0),
    )
    by_product = _rolled_up(rows, "product", lambda key: str(product_labels.get(key, key)))

    condition, params = scope.deal_condition(deals_qs, "p1.deal_id")
    sql = _COUNTRY_PAIRS_SQL.format(condition=condition, **scope.tables())
    by_country_pair = []
    for first, second, deals, gwh, with_volume in scope.fetch(sql, params):
        key = country_pair_key(first, second)
        by_country_pair.append(
            {
                "key": key,
                "label": " – ".join(country_name(code) for code in key.split("-")),
                "deals": deals,
                "volume_gwh": scope.gwh_sum(gwh),
                "deals_without_volume": deals - with_volume,
            }
        )
    by_country_pair.sort(key=_by_size)
    return {
        "by_status": by_status,
        "by_year": by_year,
        "by_country_pair": by_country_pair,
        "by_product": by_product,
    }
