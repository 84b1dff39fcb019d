"""Figures and product words of a sentence: GWh, vehicle counts, terms in years, cell formats,
chemistries and products, each with the span of words it was read from."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from partnerships.models import Chemistry, Deal


@dataclass(frozen=True)
class Quantity:
    field: str  # volume_gwh, vehicle_count, term_years, cell_format, chemistry, product, ...
    value: object
    start: int
    end: int
    estimated: bool = False


NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
}
SCALE = {"thousand": 1_000, "million": 1_000_000, "만": 10_000, "万": 10_000, "억": 100_000_000}
APPROX = (
    r"(?P<approx>about|around|approximately|roughly|some|nearly|almost|up to|more than|over"
    r"|약|近|约)?\s*"
)
NUMBER = r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
WORD_NUMBER = r"(?P<word>" + "|".join(NUMBER_WORDS) + r")"

GWH = re.compile(
    APPROX + NUMBER + r"\s*(?:gigawatt[- ]hours?(?:\s*\(GWh\))?|GWh|기가와트시|吉瓦时)(?![a-z])",
    re.IGNORECASE,
)
MWH = re.compile(APPROX + NUMBER + r"\s*(?:megawatt[- ]hours?|MWh)\b", re.IGNORECASE)
VEHICLES = re.compile(
    APPROX
    + NUMBER
    + r"\s*(?P<scale>thousand|million|만|万)?\s*"
    + r"(?:(?:electric|new|pure electric|passenger)\s+)?"
    + r"(?:vehicles|cars|EVs|units|대|辆)",
    re.IGNORECASE,
)
TERM = re.compile(
    r"(?:over|for|during|across)\s+(?:the\s+)?(?:next\s+|following\s+|coming\s+)?"
    rf"(?:{NUMBER}|{WORD_NUMBER})\s+years"
    rf"|(?:{NUMBER.replace('num', 'num2')}|{WORD_NUMBER.replace('word', 'word2')})[- ]year\s+"
    r"(?:contract|deal|agreement|supply|term|period|partnership)"
    r"|(?P<num3>\d+)\s*년\s*(?:간|동안)",
    re.IGNORECASE,
)
CELL_FORMATS = [
    (
        r"\b46[- ]?series\b|\b46\s?mm\b|\b4680\b|\b4695\b|\b46\d0\b|\bcylindrical\b|원통형|圆柱",
        "cylindrical",
    ),
    (r"\bprismatic\b|각형|方形|方壳", "prismatic"),
    (r"\bpouch(?:-type)?\b|파우치|软包", "pouch"),
]
CELL_DETAIL = re.compile(
    r"\b46[- ]?series(?:\s*\(46\s?mm[^)]*\))?|\b46\s?mm\b|\b4680\b|\b4695\b", re.IGNORECASE
)
CHEMISTRIES = [
    (r"\bNCMA\b|\bNCM\b|nickel[- ]cobalt[- ]manganese|삼원계|三元", Chemistry.NCM),
    (r"\bNCA\b|nickel[- ]cobalt[- ]alumin(?:i)?um", Chemistry.NCA),
    (r"\bLMFP\b|lithium manganese iron phosphate", Chemistry.LMFP),
    (r"\bLFP\b|lithium[- ]iron[- ]phosphate|\bLiFePO4\b|리튬인산철|磷酸铁锂", Chemistry.LFP),
    (r"sodium[- ]ion|\bNa-ion\b|나트륨이온|钠离子", Chemistry.SODIUM_ION),
]
# Most specific first: "cathode materials for batteries" is cathode, not cells.
PRODUCTS = [
    (r"\bcopper foil|\bbattery foil|\bfoils?\b|동박|铜箔", Deal.Product.FOIL),
    (r"\bcathodes?\b|\bprecursors?\b|양극재|正极", Deal.Product.CATHODE),
    (r"\banodes?\b|음극재|负极", Deal.Product.ANODE),
    (r"\belectrolytes?\b|전해액|电解液", Deal.Product.ELECTROLYTE),
    (r"\bseparators?\b|분리막|隔膜", Deal.Product.SEPARATOR),
    (r"\b(?:battery\s+)?packs?\b|배터리 팩", Deal.Product.BATTERY_PACKS),
    (r"\bbatter(?:y|ies)\b|\bcells?\b|배터리|电池", Deal.Product.BATTERY_CELLS),
    (r"\bvehicles?\b|\bcars?\b|\bSUVs?\b|\bEVs?\b|차량|汽车", Deal.Product.VEHICLES),
]


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _span(match, group="num"):
    """The match without leading blanks: the words an editor sees marked."""
    text = match.group(0)
    lead = len(text) - len(text.lstrip())
    return match.start() + lead, match.end()


def find_quantities(sentence: str) -> list[Quantity]:
    found: list[Quantity] = []
    for match in GWH.finditer(sentence):
        value = _decimal(match["num"])
        if value and value > 0:
            found.append(Quantity("volume_gwh", value, *_span(match), bool(match["approx"])))
    for match in MWH.finditer(sentence):
        value = _decimal(match["num"])
        if value and value > 0:
            found.append(Quantity("volume_gwh", value / 1000, *_span(match), bool(match["approx"])))
    for match in VEHICLES.finditer(sentence):
        value = _decimal(match["num"])
        if not value:
            continue
        value *= SCALE.get((match["scale"] or "").lower(), 1)
        # "46 series" or a model year is not a fleet; a fleet has a few hundred vehicles at least.
        if value >= 100 and value == int(value):
            found.append(
                Quantity("vehicle_count", int(value), *_span(match), bool(match["approx"]))
            )
    for match in TERM.finditer(sentence):
        raw = match["num"] or match["num2"] or match["num3"]
        word = match["word"] or match["word2"]
        years = int(Decimal(raw)) if raw else NUMBER_WORDS[word.lower()]
        if 0 < years <= 50:
            found.append(Quantity("term_years", years, *_span(match)))
    for pattern, value in CELL_FORMATS:
        match = re.search(pattern, sentence, re.IGNORECASE)
        if match:
            found.append(Quantity("cell_format", value, match.start(), match.end()))
            break
    detail = CELL_DETAIL.search(sentence)
    if detail:
        found.append(Quantity("product_detail", detail[0], detail.start(), detail.end()))
    for pattern, value in CHEMISTRIES:
        match = re.search(pattern, sentence, re.IGNORECASE)
        if match:
            found.append(Quantity("chemistry", value.value, match.start(), match.end()))
            break
    for pattern, value in PRODUCTS:
        for match in re.finditer(pattern, sentence, re.IGNORECASE):
            found.append(Quantity("product", value.value, match.start(), match.end()))
    return found


def product_of(quantities: list[Quantity]) -> str:
    """The most specific product named: materials before cells before vehicles."""
    order = [value.value for _, value in PRODUCTS]
    named = [q.value for q in quantities if q.field == "product"]
    return min(named, key=order.index) if named else ""


def products_in_order(quantities: list[Quantity]) -> list[str]:
    """Products in the order written, each once: "cathode materials and electrolytes"."""
    seen, ordered = set(), []
    for quantity in sorted((q for q in quantities if q.field == "product"), key=lambda q: q.start):
        if quantity.value not in seen:
            seen.add(quantity.value)
            ordered.append(quantity.value)
    return ordered


def first(quantities: list[Quantity], field: str) -> Quantity | None:
    return next((q for q in quantities if q.field == field), None)
