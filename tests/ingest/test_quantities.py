"""Figures and product words read from a sentence."""

from decimal import Decimal

import pytest

from ingest.quantities import find_quantities, product_of, products_in_order


def values(sentence, field):
    return [q.value for q in find_quantities(sentence) if q.field == field]


FOUNDING = (
    "LG Energy Solution plans to supply a total of 8 gigawatt-hours (GWh) of batteries to "
    "Chery Automobile's subsidiary over the next six years, enough to equip about 120,000 "
    "electric vehicles."
)


def test_founding_sentence_gives_gwh_term_and_vehicles():
    """The founding article's supply sentence yields 8 GWh, six years and about 120,000 EVs."""
    found = {q.field: q for q in find_quantities(FOUNDING)}
    assert found["volume_gwh"].value == Decimal("8")
    assert found["term_years"].value == 6
    assert found["vehicle_count"].value == 120_000
    assert found["vehicle_count"].estimated is True
    assert FOUNDING[found["volume_gwh"].start : found["volume_gwh"].end].startswith("8 giga")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("a 30 GWh contract", Decimal("30")),
        ("about 1.5GWh of cells", Decimal("1.5")),
        ("500 MWh of storage batteries", Decimal("0.5")),
        ("연간 10기가와트시 규모", Decimal("10")),
    ],
)
def test_gwh_in_any_spelling(sentence, expected):
    """GWh figures are read whether written 'GWh', 'gigawatt-hours', MWh or in Korean."""
    assert values(sentence, "volume_gwh") == [expected]


@pytest.mark.parametrize(
    ("sentence", "years"),
    [
        ("over the next six years", 6),
        ("a 10-year supply contract", 10),
        ("signed a five-year contract", 5),
        ("for 3 years", 3),
    ],
)
def test_terms_in_years(sentence, years):
    """Contract terms are read from 'over the next six years' and 'a 10-year contract'."""
    assert values(sentence, "term_years") == [years]


def test_vehicle_counts_with_scale_words():
    """'1.2 million vehicles' is 1,200,000; '46 series' is no fleet."""
    assert values("enough for 1.2 million cars", "vehicle_count") == [1_200_000]
    assert values("46 series cylindrical batteries", "vehicle_count") == []


def test_cell_format_chemistry_and_detail():
    """'46 series (46mm in diameter) cylindrical' and 'prismatic NCM' give format and chemistry."""
    text = "a supply contract for 46 series (46mm in diameter) cylindrical batteries"
    assert values(text, "cell_format") == ["cylindrical"]
    assert values(text, "product_detail") == ["46 series (46mm in diameter)"]
    text = "a prismatic NCM (nickel-cobalt-manganese) battery made by CATL"
    assert values(text, "cell_format") == ["prismatic"]
    assert values(text, "chemistry") == ["NCM"]
    assert values("LFP cathode", "chemistry") == ["LFP"]


def test_most_specific_product_wins():
    """'battery foil (a thin copper film used in batteries)' is foil, not battery cells."""
    found = find_quantities("a supply contract for battery foil used in batteries")
    assert product_of(found) == "foil"
    assert product_of(find_quantities("to supply electrolytes to CATL")) == "electrolyte"


def test_products_in_written_order():
    """'cathode materials and electrolytes' lists cathode, then electrolyte."""
    found = find_quantities("to supply cathode materials and electrolytes")
    assert products_in_order(found) == ["cathode", "electrolyte"]
