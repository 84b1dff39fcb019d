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

from ingest.extract import Extraction, extract
from ingest.matching import CompanyIndex, normalise

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
