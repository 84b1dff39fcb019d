"""Precision and recall of the extraction, field by field, against curated facts.

Curated facts come from the database (the deals and companies cited to a source, as the
founding article's fixtures hold them) or from a JSON test case (fixtures/ingest_eval/). Deals
are compared by the pair of companies they join, so a deal of three parties counts as three
pairs; each deal fact (role, kind, status, GWh, ...) is compared together with its pair.
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from pathlib import Path

from django.db.models import Q

from ingest.extract import Extraction, extract, newest_step
from ingest.matching import CompanyIndex, name_variants, normalise

FIELDS = (
    "companies",
    "deals",
    "roles",
    "kind",
    "status",
    "product",
    "volume_gwh",
    "vehicle_count",
    "term_years",
    "start",
)


@dataclass(frozen=True)
class FieldScore:
    field: str
    expected: int
    found: int
    correct: int

    @property
    def precision(self) -> float | None:
        return self.correct / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.expected if self.expected else None


def _empty():
    return {name: set() for name in FIELDS}


def _add_deal(facts, keys, roles, **values):
    """Record one deal: its pairs, and each value beside each pair."""
    keys = sorted(set(keys))
    for pair in combinations(keys, 2):
        pair = frozenset(pair)
        facts["deals"].add(pair)
        for key, role in roles:
            if key in pair:
                facts["roles"].add((pair, key, role))
        for name, value in values.items():
            if value not in (None, ""):
                facts[name].add((pair, value))


def _gwh(value):
    return None if value is None else Decimal(value).normalize()


def _date(value, precision):
    return f"{value.isoformat()}/{precision}" if value else None


def facts_from_extraction(extraction: Extraction) -> dict:
    facts = _empty()
    for mentions in extraction.mentions.values():
        facts["companies"] |= {m.key for m in mentions if m.company is not None}
    facts["companies"] |= {"new:" + normalise(c.name) for c in extraction.companies}
    for deal in extraction.deals:
        _add_deal(
            facts,
            [p.key for p in deal.parties],
            [(p.key, str(p.role)) for p in deal.parties],
            kind=str(deal.kind),
            status=str(deal.status),
            product=deal.product,
            volume_gwh=_gwh(deal.volume_gwh),
            vehicle_count=deal.vehicle_count,
            term_years=deal.term_years,
            start=_date(deal.start.date.value, deal.start.date.precision) if deal.start else None,
        )
    return facts


def facts_from_case(case: dict) -> dict:
    """Curated facts of a JSON test case's "expected" block."""
    expected = case["expected"]
    facts = _empty()
    facts["companies"] = set(expected.get("companies", []))
    facts["companies"] |= {"new:" + normalise(name) for name in expected.get("new_companies", [])}
    for deal in expected.get("deals", []):
        parties = deal["parties"]  # {key: role}; a new company's key is "new:<name>"
        start = deal.get("start")  # "2026-07-01/half"
        _add_deal(
            facts,
            list(parties),
            list(parties.items()),
            kind=deal.get("kind"),
            status=deal.get("status"),
            product=deal.get("product"),
            volume_gwh=_gwh(deal.get("volume_gwh")),
            vehicle_count=deal.get("vehicle_count"),
            term_years=deal.get("term_years"),
            start=start,
        )
    return facts


def facts_from_database(source) -> dict:
    """Curated facts of a source in the database: the deals and companies cited to it."""
    from partnerships.models import Company, Deal

    facts = _empty()
    deals = (
        Deal.objects.filter(Q(citations__source=source) | Q(status_history__source=source))
        .distinct()
        .prefetch_related("parties__company")
    )
    for deal in deals:
        parties = list(deal.parties.all())
        facts["companies"] |= {p.company.slug for p in parties}
        _add_deal(
            facts,
            [p.company.slug for p in parties],
            [(p.company.slug, p.role) for p in parties],
            kind=deal.kind,
            status=deal.status,
            product=deal.product,
            volume_gwh=_gwh(deal.volume_gwh),
            vehicle_count=deal.vehicle_count,
            term_years=deal.term_years,
            start=_date(deal.start_on, deal.start_precision),
        )
    cited = Company.objects.filter(citations__source=source).values_list("slug", flat=True)
    facts["companies"] |= set(cited)
    return facts


def score(expected: dict, found: dict) -> list[FieldScore]:
    return [
        FieldScore(
            field=name,
            expected=len(expected[name]),
            found=len(found[name]),
            correct=len(expected[name] & found[name]),
        )
        for name in FIELDS
    ]


def score_case(case: dict) -> list[FieldScore]:
    published = datetime.date.fromisoformat(case["published_on"])
    extraction = extract(case["text"], published, CompanyIndex.from_dicts(case["companies"]))
    return score(facts_from_case(case), facts_from_extraction(extraction))


def score_source(source) -> list[FieldScore]:
    published = source.published_on or source.created_at.date()
    extraction = extract(source.text, published, CompanyIndex.from_database())
    return score(facts_from_database(source), facts_from_extraction(extraction))


def load_cases(directory: Path) -> list[tuple[str, dict]]:
    return [
        (path.stem, json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(Path(directory).glob("*.json"))
    ]


# ---------------------------------------------------------------------------------------------
# Annotated sets, per field and per language: the held-out gold set (fixtures/ingest_gold/) and
# the development set the rules are tuned on (fixtures/ingest_dev/).

GOLD_FIELDS = (
    "companies",
    "country",
    "pairs",
    "roles",
    "kind",
    "status",
    "status_steps",
    "product",
    "numbers",
    "site",
    "term_years",
    "dates",
)
NUMBER_FIELDS = ("volume_gwh", "capacity", "investment", "equity")


def _amount(value) -> str:
    return str(Decimal(str(value)).normalize()) if value not in (None, "") else ""


def _gold_empty():
    return {name: set() for name in GOLD_FIELDS}


def _gold_add(facts, parties: dict, values: dict):
    """One deal's facts: its pairs, roles, and each value beside each pair."""
    keys = sorted(parties)
    for pair in combinations(keys, 2):
        pair = frozenset(pair)
        facts["pairs"].add(pair)
        for key, role in parties.items():
            if key in pair:
                facts["roles"].add((pair, key, role))
        for name, value in values.items():
            if name == "equity":
                for key, share in value.items():
                    if key in pair:
                        facts["numbers"].add((pair, "equity", key, _amount(share)))
            elif name in NUMBER_FIELDS:
                facts["numbers"].add((pair, name, value))
            elif name == "site":
                facts["site"].add((pair, value))
            elif value not in (None, ""):
                facts[name].add((pair, value))
                if name == "status":
                    facts["status_steps"].add((pair, value))


def gold_facts(article: dict) -> dict:
    facts = _gold_empty()
    facts["companies"] = set(article["known"]) | {n["key"] for n in article["new"]}
    facts["country"] = {(n["key"], n["country"]) for n in article["new"]}
    for deal in article["deals"]:
        values = {
            "kind": deal.get("kind"),
            "status": deal.get("status"),
            "product": deal.get("product"),
            "term_years": deal.get("term_years"),
            "equity": deal.get("equity", {}),
        }
        if deal.get("volume_gwh"):
            values["volume_gwh"] = _amount(deal["volume_gwh"])
        if deal.get("capacity"):
            values["capacity"] = (_amount(deal["capacity"]["value"]), deal["capacity"]["unit"])
        if deal.get("investment"):
            money = deal["investment"]
            values["investment"] = (_amount(money["amount"]), money["currency"])
        if deal.get("site"):
            values["site"] = normalise(deal["site"][0])
        _gold_add(facts, deal["parties"], values)
        pair_set = [frozenset(p) for p in combinations(sorted(deal["parties"]), 2)]
        for prefix, value in (("start", deal.get("start")), ("at", _gold_at(deal))):
            if value:
                facts["dates"] |= {(pair, prefix, value) for pair in pair_set}
    return facts


def _gold_at(deal):
    return deal.get("status_on") or deal.get("announced")


def _gold_keys(article: dict):
    """normalised spelling -> gold key, for the companies the article should propose."""
    spellings = {}
    for company in article["new"]:
        for name in company["names"]:
            for variant in name_variants(name):
                spellings[normalise(variant)] = company["key"]
    return spellings


def extraction_gold_facts(extraction: Extraction, article: dict) -> dict:
    """The extraction's facts in the gold set's keys: a proposal counts as the gold company
    when it is one of the spellings the annotation accepts."""
    spellings = _gold_keys(article)
    site_spellings = {
        normalise(spelling): normalise(deal["site"][0])
        for deal in article["deals"]
        for spelling in deal.get("site", [])
    }

    def key_of(mention) -> str:
        if mention.company is not None or mention.refers_to is not None:
            return mention.key
        for variant in name_variants(mention.text):
            if normalise(variant) in spellings:
                return spellings[normalise(variant)]
        return mention.key

    facts = _gold_empty()
    steps: dict[frozenset, list] = {}
    for mentions in extraction.mentions.values():
        facts["companies"] |= {key_of(m) for m in mentions}
    for proposal in (p for p in extraction.companies if p.country):  # "" claims nothing
        key = spellings.get(normalise(proposal.name), "new:" + normalise(proposal.name))
        facts["country"].add((key, proposal.country))
    for deal in extraction.deals:
        parties = {}
        for party in deal.parties:
            source = party.mention.refers_to or party.mention
            parties.setdefault(key_of(source), str(party.role))
        values = {
            "kind": str(deal.kind),
            "status": str(deal.status),
            "product": deal.product,
            "term_years": deal.term_years,
            "equity": {},
        }
        if deal.volume_gwh is not None:
            values["volume_gwh"] = _amount(deal.volume_gwh)
        capacity = getattr(deal, "capacity_value", None)
        if capacity is not None:
            values["capacity"] = (_amount(capacity), deal.capacity_unit)
        amount = getattr(deal, "investment_amount", None)
        if amount is not None:
            values["investment"] = (_amount(amount), deal.investment_currency)
        for party in deal.parties:
            share = getattr(party, "equity_share", None)
            if share is not None:
                source = party.mention.refers_to or party.mention
                values["equity"][key_of(source)] = share
        site = getattr(deal, "site_name", "")
        if site:
            values["site"] = site_spellings.get(normalise(site), normalise(site))
        _gold_add(facts, parties, values)
        pairs = [frozenset(p) for p in combinations(sorted(parties), 2)]
        if deal.start is not None:
            value = _date(deal.start.date.value, deal.start.date.precision)
            facts["dates"] |= {(pair, "start", value) for pair in pairs}
        for pair in pairs:
            steps.setdefault(pair, []).append(deal)
    # The gold gives each deal its newest step; a deal read from several sentences has a step
    # from each ("앞서 … 보도했다", then "부인했다"). Its status and status date are those of
    # the newest, as approving the drafts leaves the deal (`deal_status_refresh`); every
    # sentence's own status is still scored, as "status_steps".
    published = datetime.date.fromisoformat(article["published_on"])
    facts["status_steps"], facts["status"] = facts["status"], set()
    for pair, deals in steps.items():
        newest = newest_step(deals, published)
        facts["status"].add((pair, str(newest.status)))
        if newest.status_date is not None:
            mention = newest.status_date
            facts["dates"].add((pair, "at", _date(mention.date.value, mention.date.precision)))
    return facts


def score_gold_article(article: dict, index: CompanyIndex, text: str) -> list[FieldScore]:
    published = datetime.date.fromisoformat(article["published_on"])
    extraction = extract(text, published, index)
    expected, found = gold_facts(article), extraction_gold_facts(extraction, article)
    return [
        FieldScore(
            field=name,
            expected=len(expected[name]),
            found=len(found[name]),
            correct=len(expected[name] & found[name]),
        )
        for name in GOLD_FIELDS
    ]


# The annotation file of an annotated set: the held-out gold set, or the development set.
ANNOTATION_FILES = ("gold.json", "dev.json")


def annotations_of(directory: Path) -> Path | None:
    """The annotation file of an annotated folder (gold.json or dev.json), or None."""
    return next(
        (Path(directory) / name for name in ANNOTATION_FILES if (Path(directory) / name).is_file()),
        None,
    )


def score_gold(directory: Path) -> dict[str, list[FieldScore]]:
    """Field scores per language ('en', 'ko', 'zh', and 'all'), summed over the articles of an
    annotated folder (the gold set's format; the development set shares it)."""
    gold = json.loads(annotations_of(directory).read_text(encoding="utf-8"))
    index = CompanyIndex.from_dicts(gold["known_companies"])
    totals: dict[str, dict[str, list[int]]] = {}
    for article in gold["articles"]:
        text = (Path(directory) / article["file"]).read_text(encoding="utf-8")
        for row in score_gold_article(article, index, text):
            for language in (article["language"], "all"):
                counts = totals.setdefault(language, {}).setdefault(row.field, [0, 0, 0])
                counts[0] += row.expected
                counts[1] += row.found
                counts[2] += row.correct
    return {
        language: [FieldScore(name, *fields[name]) for name in GOLD_FIELDS]
        for language, fields in totals.items()
    }
