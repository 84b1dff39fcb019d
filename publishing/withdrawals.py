"""Deals that readers could see and no longer can (deleted, or unpublished): their tombstones,
and whether a filter of the deals page followed them.

A deleted deal's rows are gone, so the deals page's filter (`DealFilter`, which queries the
database) cannot be asked whether it matched. The tombstone keeps the deal's last published
state (`snapshot`: its own fields, its parties with their names, aliases and countries, its
vehicle models) and `matches` applies the filter's *validated values* to it, one rule per
filter. `tests/publishing/test_withdrawals.py` checks, for every published deal of the founding
article and a filter of each kind, that `matches` on a snapshot says what `DealFilter` says on the
live row, and fails when `DealFilter` gains a filter without a rule here.

How a tombstone is told: a deal's write (admin, API, draft approval, a citation removed, a
company withdrawn) that takes a published deal out of reach records a `DealWithdrawal` in the
same transaction (`webhooks.deal_pre_save`/`deal_pre_delete`, signals as infrastructure); after
the commit `tasks.notify_withdrawal` records a delivery per matching subscription and POSTs it
like any other event; the feed lists the tombstones its filter matches.
"""

import datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.http import QueryDict

from partnerships.dates import period_start
from partnerships.filters import STATUS_GROUPS, DealFilter, deprecated_parameters
from partnerships.models import Company, CompanyAlias, Deal, DealParty
from partnerships.ownership import controlled
from partnerships.search import search_words
from publishing.models import DealWithdrawal

SNAPSHOT_FIELDS = (
    "title",
    "title_status",
    "slug",
    "status",
    "kind",
    "product",
    "product_detail",
    "volume_gwh",
    "announced_on",
    "announced_precision",
    "start_on",
    "version",
    "updated_at",
)


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def snapshot(deal: Deal) -> dict:
    """The deal as readers last saw it: `deal` holds the columns of its last published version
    (the row as stored before the write that withdraws it); parties and vehicle models are read
    now, before the write's delete removes them."""
    aliases = Prefetch("company__aliases", queryset=CompanyAlias.objects.order_by("name"))
    parties = (
        DealParty.objects.filter(deal_id=deal.pk)
        .select_related("company")
        .prefetch_related(aliases)
        .order_by("role", "company__name", "id")
    )
    vehicles = Deal.vehicle_models.through.objects.filter(deal_id=deal.pk).select_related(
        "vehiclemodel"
    )
    return {
        "id": deal.pk,
        **{name: _json(getattr(deal, name)) for name in SNAPSHOT_FIELDS},
        "parties": [
            {
                "company_id": party.company_id,
                "slug": party.company.slug,
                "name": party.company.name,
                "name_ko": party.company.name_ko,
                "name_zh": party.company.name_zh,
                "aliases": [alias.name for alias in party.company.aliases.all()],
                "country": party.company.country.code,
                "role": party.role,
            }
            for party in parties
        ],
        "vehicle_models": [
            {
                "id": link.vehiclemodel_id,
                "slug": link.vehiclemodel.slug,
                "name": link.vehiclemodel.name,
            }
            for link in vehicles
        ],
    }


def record(*, deal: Deal, event: str, reason: str = "") -> DealWithdrawal:
    """The tombstone of `deal` (its last published state), in the caller's transaction."""
    return DealWithdrawal.objects.create(
        deal_id=deal.pk,
        slug=deal.slug,
        title=deal.title,
        event=event,
        reason=reason[:300],
        last_version=deal.version,
        snapshot=snapshot(deal),
    )


# --- a filter applied to a snapshot ------------------------------------------------------------


def _date(text):
    return datetime.date.fromisoformat(text) if text else None


def _volume(deal):
    return None if deal["volume_gwh"] is None else Decimal(deal["volume_gwh"])


def _company(deal, company, data):
    role = data.get("role")
    return any(
        p["company_id"] == company.pk and (not role or p["role"] == role) for p in deal["parties"]
    )


def group_of(company: Company) -> frozenset[int]:
    """The ids `group=` stands for: the company and every company it controls now, read as
    `DealFilter.filter_group` reads them (the group is today's, even for a deal since deleted:
    a follower of Geely's group is told of a Polestar deal withdrawn)."""
    parents = dict(Company.objects.filter(parent__isnull=False).values_list("id", "parent_id"))
    return frozenset([company.pk, *controlled(company.pk, parents)])


def _group(deal, members, data):
    return any(p["company_id"] in members for p in deal["parties"])


def _role(deal, role, data):
    if data.get("company"):
        return True  # applied with the company
    return any(p["role"] == role for p in deal["parties"])


def _country_pair(deal, pair, data):
    first, second = pair
    if first != second:
        countries = {p["country"] for p in deal["parties"]}
        return first in countries and second in countries
    return len({p["company_id"] for p in deal["parties"] if p["country"] == first}) >= 2


def _announced_after(deal, after, data):
    on = _date(deal["announced_on"])
    return on is not None and on >= period_start(after, deal["announced_precision"])


def _announced_before(deal, before, data):
    on = _date(deal["announced_on"])
    return on is not None and on <= before


def _year(deal, year, data):
    on = _date(deal["announced_on"]) or _date(deal["start_on"])
    return on is not None and on.year == year


def _products_named(word):
    word = word.casefold()
    return {
        value
        for value, label in Deal.Product.choices
        if word in value.replace("_", " ") or word in str(label).casefold()
    }


def _words(deal, text, data):
    """Every word matches a name, as `search.deal_word_conditions` reads them: title or slug,
    a party's names, slug or aliases, the product as the source names it or its kind, a vehicle
    model's name."""
    names = [deal["title"], deal["slug"], deal["product_detail"]]
    for party in deal["parties"]:
        names += [party["name"], party["name_ko"], party["name_zh"], party["slug"]]
        names += party["aliases"]
    names += [vehicle["name"] for vehicle in deal["vehicle_models"]]
    names = [name.casefold() for name in names if name]
    return all(
        any(word.casefold() in name for name in names) or deal["product"] in _products_named(word)
        for word in search_words(text)
    )


def _at_least(deal, bound, data):
    return _volume(deal) is not None and _volume(deal) >= bound


def _at_most(deal, bound, data):
    return _volume(deal) is not None and _volume(deal) <= bound


# One rule per filter of `DealFilter` (its deprecated names are folded into the current ones).
RULES = {
    "company": _company,
    "group": _group,
    "role": _role,
    "country": lambda deal, code, data: any(p["country"] == code for p in deal["parties"]),
    "country_pair": _country_pair,
    "kind": lambda deal, kinds, data: deal["kind"] in kinds,
    "status": lambda deal, statuses, data: deal["status"] in statuses,
    "status_group": lambda deal, group, data: deal["status"] in STATUS_GROUPS[group],
    "product": lambda deal, products, data: deal["product"] in products,
    "min_volume_gwh": _at_least,
    "max_volume_gwh": _at_most,
    "announced_after": _announced_after,
    "announced_before": _announced_before,
    "year": _year,
    "vehicle_model": lambda deal, vehicle, data: any(
        v["id"] == vehicle.pk for v in deal["vehicle_models"]
    ),
    "q": _words,
    "ordering": lambda deal, ordering, data: True,
}


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _compiled(cleaned: dict) -> dict:
    """The non-empty validated values, with what a rule would otherwise query once per
    tombstone resolved once here (a group's members)."""
    data = {name: v for name, v in cleaned.items() if not _empty(v)}
    if "group" in data:
        data["group"] = group_of(data["group"])
    return data


def compile_filter(query) -> dict | None:
    """The validated values of a deals-page filter (a query string or QueryDict), or None when
    it does not validate (a company since renamed: it follows nothing)."""
    params = query if isinstance(query, QueryDict) else QueryDict(query)
    filterset = DealFilter(params, queryset=Deal.objects.none())
    if not filterset.is_valid():
        return None
    return _compiled(filterset.form.cleaned_data)


def filter_values(filterset) -> dict | None:
    """The validated values of a filterset already validated (the feed's), as `compile_filter`
    gives them."""
    if not filterset.is_valid():
        return None
    return _compiled(filterset.form.cleaned_data)


def matches(deal: dict, data: dict | None) -> bool:
    """Whether a snapshot passes a compiled filter (`compile_filter`)."""
    if data is None:
        return False
    return all(RULES[name](deal, value, data) for name, value in data.items())


def rule_names() -> set[str]:
    """The filters `DealFilter` applies, deprecated names aside: each must have a rule."""
    return set(DealFilter.base_filters) - set(deprecated_parameters(DealFilter))
