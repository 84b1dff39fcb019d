"""The deals as columns in memory, one copy per data version, and the deal filters as
predicates that run on that copy or in the database.

Why: the filtered maps, timeline and a company's page count over tens of thousands of deals.
The database reads every matching row of three or four tables for each of them (about a second
at 200,000 deals); numpy arrays of the same facts answer the same counts in tens of
milliseconds (README, "Performance").

How it stays true:
- A copy is read for one data version (`freshness.current()`, read *before* the rows, so a copy
  is never older than its version) and kept per process for that version only; the worker
  stores it in Django's cache after a write (`dashboard.aggregates.refresh`), where a web
  process finds it when its own copy is not current. A committed write moves the version, so the
  next reader uses a new copy: no reader sees data older than the last committed write.
- Every deal filter is a `Predicate` with two readings of one rule, side by side: `q()` for the
  database and `mask()` for the columns (a property test holds them equal on random deals). A
  queryset records the predicates that built it (`DealQuerySet.where`); `mask_of` uses the
  columns only when those predicates rebuild exactly the queryset's SQL, and otherwise asks the
  database for the ids (a text search, a hand-built filter), so an aggregate is never computed
  on another set of deals than the one it was given.
"""

import datetime
import functools
import threading
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q

from partnerships import freshness
from partnerships.dates import Precision, period_start
from partnerships.models import Company, Deal, DealEdge, DealParty, PartyRole

STATUSES = list(Deal.Status.values)
KINDS = list(Deal.Kind.values)
PRODUCTS = list(Deal.Product.values)
ROLES = list(PartyRole.values)
PRECISIONS = ["", *Precision.values]
# A copy is only ever read for its own version; the worker's refresh (every few minutes) puts
# the current one back if it expired.
CACHE_SECONDS = 3600
SHAPE = 3  # moved when the fields of `Columns` change: a copy pickled by older code is not read


def _codes(values, choices):
    """Choice values as their positions in `choices` (int8)."""
    index = {value: position for position, value in enumerate(choices)}
    return np.fromiter((index[value] for value in values), dtype=np.int8, count=len(values))


def _ordinals(dates):
    """Dates as day numbers, 0 for none."""
    return np.fromiter(
        (day.toordinal() if day else 0 for day in dates), dtype=np.int32, count=len(dates)
    )


def _milli(value) -> int:
    """A volume (GWh, three decimals in the database) in MWh, exactly; -1 for unknown."""
    return -1 if value is None else int(Decimal(value) * 1000)


@dataclass(frozen=True)
class Columns:
    """Every deal (published or not) as arrays in the order of `deal_id`, and its parties, stored
    edges and vehicle models as arrays of row positions in those (`party_deal`, ...). Parties
    and vehicle models are in deal order, the rows of deal `i` from `party_starts[i]` to
    `party_starts[i + 1]`."""

    version: str  # the data version's tag
    number: int  # and its number: a process never goes back to an older copy
    deal_id: np.ndarray
    published: np.ndarray
    status: np.ndarray  # positions in STATUSES
    kind: np.ndarray
    product: np.ndarray
    milli_gwh: np.ndarray  # int64, -1 where the volume is unknown
    announced: np.ndarray  # day numbers, 0 where unknown
    announced_precision: np.ndarray  # positions in PRECISIONS
    start: np.ndarray
    year: np.ndarray  # of the announcement, else the start (`dates.deal_year`); 0 undated
    party_deal: np.ndarray
    party_company: np.ndarray
    party_role: np.ndarray
    party_first: np.ndarray  # the first row of its (deal, company) pair: count each pair once
    party_country: np.ndarray  # the party's country, a position in `countries`
    party_starts: np.ndarray
    edge_deal: np.ndarray
    edge_source: np.ndarray
    edge_target: np.ndarray
    edge_source_role: np.ndarray
    edge_target_role: np.ndarray
    vehicle_deal: np.ndarray
    vehicle_model: np.ndarray
    vehicle_starts: np.ndarray
    company_country: np.ndarray  # by company id: a position in `countries`, -1 for no company
    countries: tuple
    company_slug: np.ndarray  # by company id (an object array)
    company_slug_order: np.ndarray  # by company id: its slug's place in sorted order
    # Masks already evaluated on this copy, by the filter's SQL (`mask_of`): a page asks for
    # the same filter's deals several times.
    masks: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def known_volume(self):
        return self.milli_gwh >= 0

    def country_code(self, country: str) -> int:
        """The country's position in `countries`, -1 when no company is there."""
        return self.countries.index(country) if country in self.countries else -1

    def positions(self, deal_ids) -> np.ndarray:
        """Row positions of the given deal ids (present ones only)."""
        ids = np.asarray(sorted(set(deal_ids)), dtype=np.int64)
        at = np.searchsorted(self.deal_id, ids)
        found = at < len(self.deal_id)
        at, ids = at[found], ids[found]
        return at[self.deal_id[at] == ids]

    def deals_where(self, rows: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """A mask of the deals that have at least one of the given rows (a mask over the party
        or vehicle rows, whose `starts` are given): a deal has one where the running count of
        rows moves within its range, three times faster than scattering the rows' deals."""
        counted = np.zeros(len(rows) + 1, dtype=np.int32)
        np.cumsum(rows, out=counted[1:])
        return counted[starts[1:]] > counted[starts[:-1]]


def load(version: freshness.Version) -> Columns:
    """Reads the columns from the database, all five tables in one snapshot (so an edge never
    names a company the copy lacks). The caller read `version` before: rows written after it
    make the copy newer than its version, never older."""
    outer = connection.in_atomic_block
    with transaction.atomic(savepoint=False):  # no savepoint: the query budgets stay as they are
        if connection.vendor == "postgresql" and not outer:
            # The first statement of the transaction: its reads share one snapshot (SQLite's
            # reads in one transaction do already). Inside an outer transaction (a test's)
            # the level can no longer be set, and the reads see what that one sees.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _read(version)


def _read(version: freshness.Version) -> Columns:
    deals = list(
        Deal.objects.order_by("id").values_list(
            "id",
            "published",
            "status",
            "kind",
            "product",
            "volume_gwh",
            "announced_on",
            "announced_precision",
            "start_on",
        )
    )
    deal_id = np.fromiter((row[0] for row in deals), dtype=np.int64, count=len(deals))
    announced = _ordinals([row[6] for row in deals])
    start = _ordinals([row[8] for row in deals])
    year = np.fromiter(
        ((row[6] or row[8]).year if (row[6] or row[8]) else 0 for row in deals),
        dtype=np.int16,
        count=len(deals),
    )
    parties = list(DealParty.objects.values_list("deal_id", "company_id", "role"))
    edges = list(
        DealEdge.objects.values_list(
            "deal_id", "source_id", "target_id", "source_role", "target_role"
        )
    )
    vehicles = list(Deal.vehicle_models.through.objects.values_list("deal_id", "vehiclemodel_id"))
    companies = list(Company.objects.values_list("id", "country", "slug"))
    # Read in one snapshot, every row names a deal and companies read here; inside an outer
    # transaction at READ COMMITTED a write may land between the reads: its rows wait for the
    # next version's copy rather than be counted against another deal.
    known_deals = {row[0] for row in deals}
    known_companies = {row[0] for row in companies}
    parties = [row for row in parties if row[0] in known_deals and row[1] in known_companies]
    edges = [
        row
        for row in edges
        if row[0] in known_deals and row[1] in known_companies and row[2] in known_companies
    ]
    vehicles = [row for row in vehicles if row[0] in known_deals]
    countries = tuple(sorted({str(country) for _pk, country, _slug in companies}))
    size = max((pk for pk, _country, _slug in companies), default=0) + 1
    company_country = np.full(size, -1, dtype=np.int16)
    company_slug = np.full(size, "", dtype=object)
    company_slug_order = np.zeros(size, dtype=np.int32)
    for pk, country, slug in companies:
        company_country[pk] = countries.index(str(country))
        company_slug[pk] = slug
    for place, (pk, _country, _slug) in enumerate(sorted(companies, key=lambda row: row[2])):
        company_slug_order[pk] = place

    def ints(rows, column, dtype=np.int64):  # ids are 64-bit
        return np.fromiter((row[column] for row in rows), dtype=dtype, count=len(rows))

    def in_deal_order(rows):
        """The rows sorted by their deal's position, with those positions."""
        positions = np.searchsorted(deal_id, ints(rows, 0)).astype(np.int32)
        order = np.argsort(positions, kind="stable")
        return [rows[i] for i in order.tolist()], positions[order]

    def starts(positions):
        return np.searchsorted(positions, np.arange(len(deal_id) + 1)).astype(np.int64)

    parties, party_deal = in_deal_order(parties)
    vehicles, vehicle_deal = in_deal_order(vehicles)
    party_company = ints(parties, 1)

    return Columns(
        version=version.tag,
        number=version.number,
        deal_id=deal_id,
        published=np.fromiter((row[1] for row in deals), dtype=bool, count=len(deals)),
        status=_codes([row[2] for row in deals], STATUSES),
        kind=_codes([row[3] for row in deals], KINDS),
        product=_codes([row[4] for row in deals], PRODUCTS),
        milli_gwh=np.fromiter((_milli(row[5]) for row in deals), np.int64, count=len(deals)),
        announced=announced,
        announced_precision=_codes([row[7] for row in deals], PRECISIONS),
        start=start,
        year=year,
        party_deal=party_deal,
        party_company=party_company,
        party_role=_codes([row[2] for row in parties], ROLES),
        party_first=_first_of_pairs(party_deal, party_company),
        party_country=company_country[party_company],
        party_starts=starts(party_deal),
        edge_deal=np.searchsorted(deal_id, ints(edges, 0)).astype(np.int32),
        edge_source=ints(edges, 1),
        edge_target=ints(edges, 2),
        edge_source_role=_codes([row[3] for row in edges], ROLES),
        edge_target_role=_codes([row[4] for row in edges], ROLES),
        vehicle_deal=vehicle_deal,
        vehicle_model=ints(vehicles, 1),
        vehicle_starts=starts(vehicle_deal),
        company_country=company_country,
        countries=countries,
        company_slug=company_slug,
        company_slug_order=company_slug_order,
    )


def totals(c: Columns, deals: np.ndarray, groups: np.ndarray, size: int):
    """Per group (`groups`: each row's group among `size`, `deals`: its deal's position): the
    rows, the sum of their known volumes in MWh, and the rows with a known volume. Every
    aggregate over the columns counts this way, so a group's GWh is None, never 0, when none of
    its deals knows a volume (`gwh`)."""
    known = c.known_volume[deals]
    return (
        np.bincount(groups, minlength=size),
        np.bincount(groups[known], weights=c.milli_gwh[deals][known], minlength=size),
        np.bincount(groups[known], minlength=size),
    )


def gwh(milli, with_volume) -> float | None:
    """A group's volume as pages and the API give it: None when no deal of it knows one."""
    return float(milli) / 1000 if with_volume else None


def _first_of_pairs(deals: np.ndarray, companies: np.ndarray) -> np.ndarray:
    """True for one row of each (deal, company) pair: a company with two roles in a deal
    counts once."""
    keys = deals.astype(np.int64) * (int(companies.max(initial=0)) + 1) + companies
    order = np.argsort(keys, kind="stable")
    first = np.ones(len(keys), dtype=bool)
    first[order[1:]] = keys[order[1:]] != keys[order[:-1]]
    return first


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (by sorting: faster than numpy's hashing here)."""
    values = np.sort(values)
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


# The process's copy: one version at a time, shared by the threads of a process.
_copy: dict = {}
_lock = threading.Lock()


def cache_key(version: freshness.Version) -> str:
    return freshness.key("deal-columns", SHAPE, version=version)


def current(version: freshness.Version | None = None) -> Columns:
    """The columns at the current data version: the process's copy, else the one the worker
    left in the cache, else read now (and left in the cache for the other processes)."""
    version = freshness.current() if version is None else version
    columns = _copy.get("columns")
    if columns is not None and columns.version == version.tag:
        return columns
    with _lock:
        kept = _copy.get("columns")
        if kept is not None and kept.version == version.tag:
            return kept
        columns = cache.get(cache_key(version))
        if columns is None:
            columns = load(version)
            cache.set(cache_key(version), columns, CACHE_SECONDS)
        # A request that read the version just before a write may still ask for the older
        # copy: it gets it, but the process keeps the newer one for the readers after it.
        if kept is None or columns.number >= kept.number:
            _copy["columns"] = columns
    return columns


def forget() -> None:
    """Drops the process's copy (tests that count queries on a cold start)."""
    _copy.clear()


def forget_masks() -> None:
    """Drops the filters' masks the process's copy keeps (the benchmark's uncached reads)."""
    columns = _copy.get("columns")
    if columns is not None:
        columns.masks.clear()


def build(version: freshness.Version) -> bool:
    """Leaves the columns for `version` in the cache unless they are there: the worker's job
    after a write, so that web processes do not each read the tables. True when it read them."""
    if cache.has_key(cache_key(version)):  # not get(): that would fetch 15 MB to drop them
        return False
    columns = load(version)
    cache.set(cache_key(version), columns, CACHE_SECONDS)
    _copy["columns"] = columns
    return True


# --- predicates ----------------------------------------------------------------------------------


def _party_exists(**conditions):
    return Exists(DealParty.objects.filter(deal=OuterRef("pk"), **conditions))


class Predicate:
    """One deal filter, read by the database (`q`) and by the columns (`mask`)."""

    def q(self) -> Q:
        raise NotImplementedError

    def mask(self, c: Columns) -> np.ndarray:
        raise NotImplementedError


@dataclass(frozen=True)
class Published(Predicate):
    def q(self):
        return Q(published=True)

    def mask(self, c):
        return c.published


@dataclass(frozen=True)
class HasParty(Predicate):
    """A party among `companies` (ids), with `role`, from `country`: each given condition holds
    for one and the same party."""

    companies: tuple | None = None
    role: str | None = None
    country: str | None = None

    def q(self):
        conditions = {}
        if self.companies is not None:
            conditions["company__in"] = list(self.companies)
        if self.role is not None:
            conditions["role"] = self.role
        if self.country is not None:
            conditions["company__country"] = self.country
        return Q(_party_exists(**conditions))

    def mask(self, c):
        rows = np.ones(len(c.party_deal), dtype=bool)
        if self.companies is not None and len(self.companies) == 1:
            rows &= c.party_company == self.companies[0]  # a company's page: 20 times faster
        elif self.companies is not None:
            rows &= np.isin(c.party_company, np.asarray(self.companies, dtype=np.int64))
        if self.role is not None:
            rows &= c.party_role == ROLES.index(self.role)
        if self.country is not None:
            rows &= c.party_country == c.country_code(self.country)
        return c.deals_where(rows, c.party_starts)


@dataclass(frozen=True)
class TwoPartiesFrom(Predicate):
    """Two different companies of `country` among the parties (a KR-KR pair)."""

    country: str

    def q(self):
        other_party = DealParty.objects.filter(
            deal=OuterRef("deal"), company__country=self.country
        ).exclude(company=OuterRef("company"))
        return Q(
            Exists(
                DealParty.objects.filter(deal=OuterRef("pk"), company__country=self.country).filter(
                    Exists(other_party)
                )
            )
        )

    def mask(self, c):
        rows = c.party_country == c.country_code(self.country)
        pairs = np.unique(
            c.party_deal[rows].astype(np.int64) * len(c.company_country) + c.party_company[rows]
        )
        deals, counts = np.unique(pairs // len(c.company_country), return_counts=True)
        mask = np.zeros(len(c.deal_id), dtype=bool)
        mask[deals[counts >= 2]] = True
        return mask


@dataclass(frozen=True)
class Among(Predicate):
    """The deal's `field` (status, kind or product) is one of `values`."""

    field: str
    values: tuple

    CHOICES = {"status": STATUSES, "kind": KINDS, "product": PRODUCTS}

    def q(self):
        return Q(**{f"{self.field}__in": list(self.values)})

    def mask(self, c):
        choices = self.CHOICES[self.field]
        codes = [choices.index(value) for value in self.values]
        return np.isin(getattr(c, self.field), np.asarray(codes, dtype=np.int8))


@dataclass(frozen=True)
class VolumeAtLeast(Predicate):
    gwh: Decimal

    def q(self):
        return Q(volume_gwh__gte=self.gwh)

    def mask(self, c):
        # The database compares the stored three decimals: so do the MWh here, exactly.
        bound = (Decimal(self.gwh) * 1000).to_integral_value(rounding="ROUND_CEILING")
        return c.known_volume & (c.milli_gwh >= int(bound))


@dataclass(frozen=True)
class VolumeAtMost(Predicate):
    gwh: Decimal

    def q(self):
        return Q(volume_gwh__lte=self.gwh)

    def mask(self, c):
        bound = (Decimal(self.gwh) * 1000).to_integral_value(rounding="ROUND_FLOOR")
        return c.known_volume & (c.milli_gwh <= int(bound))


@dataclass(frozen=True)
class InYear(Predicate):
    """Announced in `year`, else started in it (`dates.deal_year`)."""

    year: int

    def q(self):
        # Two lookups rather than a year of a COALESCE, so an index on either date serves it.
        return Q(announced_on__year=self.year) | Q(
            announced_on__isnull=True, start_on__year=self.year
        )

    def mask(self, c):
        return c.year == self.year


@dataclass(frozen=True)
class AnnouncedFrom(Predicate):
    """Announced on or after `day`; a deal announced "in 2025" overlaps "from 2025-07-01", so
    each precision compares with the start of its period that holds the bound."""

    day: datetime.date

    def q(self):
        overlaps = Q()
        for precision in Precision.values:
            overlaps |= Q(
                announced_precision=precision,
                announced_on__gte=period_start(self.day, precision),
            )
        return overlaps

    def mask(self, c):
        mask = np.zeros(len(c.deal_id), dtype=bool)
        for precision in Precision.values:
            bound = period_start(self.day, precision).toordinal()
            mask |= (c.announced_precision == PRECISIONS.index(precision)) & (c.announced >= bound)
        return mask & (c.announced > 0)


@dataclass(frozen=True)
class AnnouncedUntil(Predicate):
    day: datetime.date

    def q(self):
        return Q(announced_on__lte=self.day)

    def mask(self, c):
        return (c.announced > 0) & (c.announced <= self.day.toordinal())


@dataclass(frozen=True)
class NamesVehicleModel(Predicate):
    model: int

    def q(self):
        through = Deal.vehicle_models.through
        return Q(Exists(through.objects.filter(deal=OuterRef("pk"), vehiclemodel=self.model)))

    def mask(self, c):
        return c.deals_where(c.vehicle_model == self.model, c.vehicle_starts)


def predicates_of(deals_qs) -> tuple:
    return getattr(deals_qs.query, "deal_predicates", ())


MASKS_KEPT = 64  # per copy of the columns: 200 KB each at 200,000 deals


def _sql(deals_qs) -> str | None:
    try:
        return str(deals_qs.order_by().values("pk").query)
    except Exception:  # noqa: BLE001 (EmptyResultSet and the like: let the database say)
        return None


@functools.lru_cache(maxsize=256)
def _rebuilt_sql(predicates: tuple, vendor: str) -> str | None:
    """The SQL of the deals the predicates alone select: it depends on nothing else, and a
    request would otherwise compile it again (2 to 5 ms)."""
    rebuilt = Deal.objects.all()
    for predicate in predicates:
        rebuilt = rebuilt.where(predicate)
    return _sql(rebuilt)


def rebuilds(deals_qs, sql: str | None = None) -> bool:
    """True when the predicates `deals_qs` recorded give exactly its SQL: nothing else (a text
    search, an ordering aside) narrows it."""
    sql = _sql(deals_qs) if sql is None else sql
    if sql is None:
        return False
    predicates = predicates_of(deals_qs)
    try:
        rebuilt = _rebuilt_sql(predicates, connection.vendor)
    except TypeError:  # a predicate holding a list: not hashable, so compiled afresh
        rebuilt = _rebuilt_sql.__wrapped__(predicates, connection.vendor)
    return rebuilt == sql


def mask_of(deals_qs, c: Columns) -> np.ndarray:
    """The published deals of `deals_qs` as a mask over `c` (read-only): by the columns when its
    predicates say all it is, else by the ids the database finds."""
    sql = _sql(deals_qs)
    found = c.masks.get(sql) if sql is not None else None
    if found is not None:
        return found
    mask = c.published.copy()
    if rebuilds(deals_qs, sql):
        for predicate in predicates_of(deals_qs):
            mask &= predicate.mask(c)
    else:
        ids = deals_qs.order_by().values_list("pk", flat=True)
        found = np.zeros(len(c.deal_id), dtype=bool)
        found[c.positions(ids)] = True
        mask &= found
    mask.flags.writeable = False  # shared by the readers of this copy
    if sql is not None:
        with _lock:
            if len(c.masks) >= MASKS_KEPT:
                c.masks.pop(next(iter(c.masks)))
            c.masks[sql] = mask
    return mask
