"""Pages of a list without counting every row.

Django's Paginator runs an exact COUNT(*) over the whole filtered set, which costs more than the
page itself on a large table (0.5 s for 200,000 deals). Here a list counts its rows only up to
`COUNT_LIMIT` and then says "more than 1,000"; each page reads one row more than it shows to
know whether a next page exists, so `?page=N` still reaches every row.
"""

from math import ceil

PAGE_SIZE = 25
COUNT_LIMIT = 1_000


class Page:
    """One page of rows, its number, and the list's total (exact, or capped at the limit).

    Reads like Django's Page where the templates use it: `number`, `has_previous`,
    `has_next`, `previous_page_number`, `next_page_number`, `has_other_pages`, `num_pages`.
    """

    def __init__(self, object_list, number, total, capped, has_next, per_page=PAGE_SIZE):
        self.object_list = object_list
        self.number = number
        self.total = total
        self.capped = capped
        self.has_next = has_next
        self.per_page = per_page

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_previous or self.has_next

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1

    @property
    def num_pages(self):
        """The last page's number, or None while the total is only known to exceed the limit."""
        return None if self.capped else max(1, ceil(self.total / self.per_page))


def capped_count(queryset, limit=None):
    """(count, capped): the rows of `queryset` counted up to `limit` (COUNT_LIMIT by default),
    and whether there are more. One query, a COUNT over a subquery that stops at limit + 1."""
    limit = COUNT_LIMIT if limit is None else limit
    count = queryset.order_by().values("pk")[: limit + 1].count()
    return min(count, limit), count > limit


# Far past any list (25 × 10^7 rows), and an offset every database takes.
MAX_PAGE = 10**7


def page_number(value):
    """The page asked for: a missing, malformed or non-positive number is the first page; one
    past MAX_PAGE is MAX_PAGE (an empty page, not a database error)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def get_page(rows, number, total, capped=False, per_page=PAGE_SIZE):
    """Page `number` of the ordered queryset `rows`, given the list's total from `capped_count`
    (or an exact total known otherwise). A number past a known last page shows the last page,
    as Django's `Paginator.get_page` does; past a capped total the page is simply empty."""
    if not capped:
        number = min(number, max(1, ceil(total / per_page)))
    offset = (number - 1) * per_page
    # One row more than the page shows: whether a next page exists, without a count.
    fetched = list(rows[offset : offset + per_page + 1])
    return Page(
        fetched[:per_page],
        number,
        total,
        capped,
        has_next=len(fetched) > per_page,
        per_page=per_page,
    )
