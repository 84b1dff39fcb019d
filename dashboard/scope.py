"""What an aggregate reads: the published deals of a filtered queryset, and the raw-SQL helpers
the aggregates share.

Every aggregate (`dashboard/stats.py`, `timeline.py`, `graph.py`) takes a Deal queryset (usually
filtered by `filters.DealFilter`, never sliced) and costs a fixed number of queries however many
rows match: the stats are counted by the database (GROUP BY), the graph and the timeline over the
deals' columns in memory (`partnerships/columns.py`, which reads the same filter). Outputs are
plain dicts and lists with JSON-ready values: Decimal becomes float, dates ISO strings. The
unfiltered ones are also precomputed (`dashboard/aggregates.py`).
"""

from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from partnerships.models import Company, Deal, DealParty


def number(value):
    """A database number as JSON: Decimal becomes float."""
    return float(value) if isinstance(value, Decimal) else value


def _ids(deals_qs):
    return deals_qs.order_by().values("pk")


def _is_published_filter(node) -> bool:
    return (
        getattr(node, "lookup_name", None) == "exact"
        and getattr(getattr(node, "lhs", None), "target", None) is not None
        and node.lhs.target.name == "published"
        and node.lhs.target.model is Deal
        and node.rhs is True
    )


def is_whole(deals_qs: QuerySet) -> bool:
    """True when `deals_qs` is every published deal (or every deal): the aggregates then read the
    tables directly rather than through `IN (every id)`, which the database would build first."""
    where = deals_qs.query.where
    if deals_qs.query.distinct or where.negated or where.connector != "AND":
        return False
    return all(_is_published_filter(child) for child in where.children)


def filter_key(deals_qs: QuerySet) -> str:
    """What a filtered aggregate is stored under: the filter's SQL, parameters written in.
    Parameters nobody filters by leave no trace in it, and equal filters written differently
    (`company=CATL` and `company=catl`, `min_volume_gwh=1` and `1.00`) give one key, so a new
    spelling never stores another copy of the same answer."""
    try:
        return str(deals_qs.order_by().query)
    except EmptyResultSet:  # a filter no row can match
        return "empty"


def deals_in_scope(deals_qs: QuerySet) -> QuerySet:
    if is_whole(deals_qs):
        return Deal.objects.published()
    return Deal.objects.published().filter(pk__in=_ids(deals_qs))


def parties_of(deals_qs: QuerySet) -> QuerySet:
    if is_whole(deals_qs):
        return DealParty.objects.filter(deal__published=True)
    return DealParty.objects.filter(deal__in=_ids(deals_qs.published()))


def deal_condition(deals_qs: QuerySet, column: str) -> tuple[str, list]:
    """A SQL condition keeping `column` (a deal id) to the published deals of `deals_qs`, with
    its parameters."""
    sql, params = _ids(deals_qs.published()).query.sql_with_params()
    return f"{column} IN ({sql})", list(params)


def id_list(ids) -> str:
    """Integer ids written into SQL; int() makes sure nothing else can be. Never empty."""
    return ", ".join(str(int(pk)) for pk in ids) or "NULL"


def tables():
    return {
        "deal": connection.ops.quote_name(Deal._meta.db_table),
        "party": connection.ops.quote_name(DealParty._meta.db_table),
        "company": connection.ops.quote_name(Company._meta.db_table),
    }


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def gwh_sum(value) -> float | None:
    """A sum of volumes: None when no deal in the group has a known volume, never 0 for
    unknown (the count of deals without a volume is reported beside it)."""
    return None if value is None else float(value)


def gwh_sum_of(values) -> float | None:
    """`gwh_sum` over sums already made: None when none of them knows a volume."""
    known = [value for value in values if value is not None]
    return float(sum(known)) if known else None
