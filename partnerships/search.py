"""Word search, the same on every page and in the API, on PostgreSQL and SQLite alike.

A search is split into words; a row matches when *every* word matches one of its names, in any
order and any script: "Hyundai CALB", "LG Chery", "46 series", "현대 CATL". A word matches a
deal through its title, slug, product (as the source names it, or its kind of product), the names
and aliases of its parties (English, Korean, Chinese) and the names of its vehicle models.

Each word is a case-insensitive `icontains`, which PostgreSQL serves from the trigram indexes of
migrations 0004 and 0010 (UPPER(column) gin_trgm_ops) and SQLite by a scan, so both databases
return the same rows. Deals are ranked by where their words matched (title first, then parties,
then products and vehicle models); an explicit `ordering` overrides the rank.
"""

import re

from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.lookups import IsNull

from partnerships.models import Company, CompanyAlias, Deal, DealParty
from partnerships.querysets import DEFAULT_DEAL_ORDER

MAX_WORDS = 8  # words beyond are ignored: each word costs a few index lookups
WORD_RE = re.compile(r"\S+")

# How a search finds the deals of the companies it matches depends on how many there are
# (bench/INDEXES.md, section 6). Up to this many, they are named by id, so that PostgreSQL can
# combine the trigram indexes of the title and slug with the primary key instead of testing
# every deal. Above it, they are common enough that a page of the list fills after testing a
# few hundred deals, each with one index lookup of its parties.
SEARCH_DEAL_IDS_MAX = 2000

# At most this many matches are ranked; a search matching more lists them newest first.
RANK_MAX = 1000
# Points for where a word matched; the rank of a deal is the sum over its words.
RANK_TITLE = 4
RANK_PARTY = 2
RANK_OTHER = 1


def search_words(text: str) -> list[str]:
    """The distinct words of a search, in order, without NUL (which PostgreSQL refuses)."""
    words = []
    for word in WORD_RE.findall(text.replace("\x00", "")):
        if word.casefold() not in {w.casefold() for w in words}:
            words.append(word)
    return words[:MAX_WORDS]


def companies_matching(text):
    """Companies whose English, Korean or Chinese name, slug or an alias contains `text`, as a
    subquery for `__in`.

    A UNION rather than `OR EXISTS (alias)`: PostgreSQL prices any OR with a subquery at half
    the table, and can read each arm from its trigram index (bench/INDEXES.md, section 6)."""
    names = Company.objects.filter(
        Q(name__icontains=text)
        | Q(name_ko__icontains=text)
        | Q(name_zh__icontains=text)
        | Q(slug__icontains=text)
    )
    aliases = CompanyAlias.objects.filter(name__icontains=text)
    return names.order_by().values("pk").union(aliases.order_by().values("company_id"), all=True)


def companies_matching_words(text) -> QuerySet:
    """Companies each word of `text` names (a name, native name, slug or alias)."""
    companies = Company.objects.all()
    for word in search_words(text):
        companies = companies.filter(pk__in=companies_matching(word))
    return companies


def deals_of_companies_matching(text):
    """A condition on deals: a party's name contains `text` (one query to choose how)."""
    companies = companies_matching(text)
    deal_ids = list(
        DealParty.objects.filter(company__in=companies)
        .order_by()
        .values_list("deal_id", flat=True)[: SEARCH_DEAL_IDS_MAX + 1]
    )
    if len(deal_ids) <= SEARCH_DEAL_IDS_MAX:  # all of them
        return Q(pk__in=set(deal_ids))
    # A scalar subquery rather than EXISTS: PostgreSQL would turn an EXISTS under OR into a
    # hash of every matching party (100k rows for "energy", 40-130 ms), where testing the deals
    # in list order one by one fills a page in about a millisecond.
    first_party = DealParty.objects.filter(deal=OuterRef("pk"), company__in=companies)
    return Q(IsNull(Subquery(first_party.values("pk")[:1]), False))


def _products_named(word: str) -> list[str]:
    """The product kinds whose value or label (in the reader's language) contains `word`."""
    word = word.casefold()
    return [
        value
        for value, label in Deal.Product.choices
        if word in value.replace("_", " ") or word in str(label).casefold()
    ]


def _deals_of_vehicles_matching(word: str) -> Q:
    through = Deal.vehicle_models.through.objects.filter(vehiclemodel__name__icontains=word)
    return Q(pk__in=through.values("deal_id"))


def deal_word_conditions(word: str) -> tuple[Q, Q, Q]:
    """Where one word may match a deal: (title or slug, a party, product or vehicle model)."""
    title = Q(title__icontains=word) | Q(slug__icontains=word)
    party = deals_of_companies_matching(word)
    other = Q(product_detail__icontains=word) | _deals_of_vehicles_matching(word)
    if products := _products_named(word):
        other |= Q(product__in=products)
    return title, party, other


def deals_matching(queryset: QuerySet, text: str, *, rank: bool = True) -> QuerySet:
    """The deals of `queryset` that every word of `text` matches, ranked best first when
    `rank` (ties keep the list's order: newest announced first).

    Ranking sorts every match, so it costs as much as the matches are many (70 ms for the 6,000
    deals "battery" finds among 10,000). So the matches are read first, up to `RANK_MAX` ids in
    one query: at most that many are ranked; more keep the list's order, newest first, which a
    page reads without looking at the rest."""
    words = search_words(text)
    if not words:
        return queryset
    score = Value(0)
    for word in words:
        title, party, other = deal_word_conditions(word)
        queryset = queryset.filter(title | party | other)
        score = score + Case(When(title, then=Value(RANK_TITLE)), default=Value(0))
        score = score + Case(When(party, then=Value(RANK_PARTY)), default=Value(0))
        score = score + Case(When(other, then=Value(RANK_OTHER)), default=Value(0))
    if not rank:
        return queryset
    ids = list(queryset.order_by().values_list("pk", flat=True)[: RANK_MAX + 1])
    if not ids or len(ids) > RANK_MAX:
        # None: the conditions already match nothing (an empty `pk__in` would make raw-SQL
        # readers such as the supply graph fail to compile the query).
        return queryset
    return (
        queryset.filter(pk__in=ids)
        .annotate(search_rank=score)
        .order_by(F("search_rank").desc(), *DEFAULT_DEAL_ORDER)
    )


def vehicles_matching_words(queryset: QuerySet, text: str) -> QuerySet:
    """Vehicle models each word of `text` names: the model's name or slug, or its maker's."""
    for word in search_words(text):
        queryset = queryset.filter(
            Q(name__icontains=word)
            | Q(slug__icontains=word)
            | Q(maker__in=companies_matching(word))
        )
    return queryset
