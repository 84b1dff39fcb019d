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
# "1,500 MWh储能电池": \b finds no boundary between a Latin unit and a Han character.
MWH = re.compile(APPROX + NUMBER + r"\s*(?:megawatt[- ]hours?|MWh(?![a-z])|兆瓦时)", re.IGNORECASE)
# "60万千瓦时", "1.2亿千瓦时": kilowatt-hours count as a volume only with a scale word; a bare
# "75千瓦时" is one pack's energy, not a deal's.
KWH = re.compile(APPROX + NUMBER + r"\s*(?P<scale>万|亿)\s*(?:千瓦时|kWh(?![a-z]))", re.IGNORECASE)
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
    r"|(?P<num3>\d+)\s*년\s*(?:간|동안)"
    # "在五年内", "为期三年": a Chinese term, in figures or in words.
    r"|(?:为期|(?:合同)?期限为?|合同期为?)\s*(?P<zh1>[一二两三四五六七八九十]+|\d{1,2})\s*年"
    r"|(?<![\d一二两三四五六七八九十])(?P<zh2>[一二两三四五六七八九十]+|\d{1,2})\s*年(?:内|间|期)"
    # "2027年至2031年间每年供应": a range of years, both counted.
    r"|(?P<y1>(?:19|20)\d\d)\s*年?\s*(?:至|到|－|—|~)\s*(?P<y2>(?:19|20)\d\d)\s*年",
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
    (r"\bcathodes?\b|\bprecursors?\b|양극재|전구체|正极|前驱体", Deal.Product.CATHODE),
    # Graphite, not graphene (石墨烯, 그래핀), is an anode material.
    (r"\banodes?\b|\bgraphite\b|음극재|흑연|负极|石墨(?!烯)", Deal.Product.ANODE),
    (r"\belectrolytes?\b|전해액|电解液", Deal.Product.ELECTROLYTE),
    (r"\bseparators?\b|분리막|隔膜", Deal.Product.SEPARATOR),
    (r"\b(?:battery\s+)?packs?\b|배터리 팩|电池包|电池组|电池系统", Deal.Product.BATTERY_PACKS),
    (r"\bbatter(?:y|ies)\b|\bcells?\b|배터리|电池", Deal.Product.BATTERY_CELLS),
    (r"\bvehicles?\b|\bcars?\b|\bSUVs?\b|\bEVs?\b|차량|汽车", Deal.Product.VEHICLES),
]


CHINESE_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _chinese_number(text: str) -> int:
    """十 → 10, 十五 → 15, 二十 → 20, 五 → 5: the small numbers a term is written in."""
    if "十" not in text:
        return CHINESE_DIGITS.get(text, 0)
    tens, _, ones = text.partition("十")
    return CHINESE_DIGITS.get(tens, 1) * 10 + CHINESE_DIGITS.get(ones, 0)


CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_integer(text: str) -> int:
    """三十 → 30, 一百二十 → 120, 两千五百 → 2500, 十二 → 12: a whole number below ten
    thousand written in Chinese numerals (0 when it is not one)."""
    total, digit = 0, None
    for char in text:
        if char in CHINESE_DIGITS:
            digit = CHINESE_DIGITS[char]
        elif char in "零〇":
            digit = None
        elif char in CHINESE_UNITS:
            total += (1 if digit is None else digit) * CHINESE_UNITS[char]
            digit = None
        else:
            return 0
    return total + (digit or 0)


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
    for match in KWH.finditer(sentence):
        value = _decimal(match["num"])
        if value and value > 0:
            gwh = _plain(value * MONEY_SCALE[match["scale"]] / 10**6)
            found.append(Quantity("volume_gwh", gwh, *_span(match), bool(match["approx"])))
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
        chinese = match["zh1"] or match["zh2"]
        if match["y1"]:
            years = int(match["y2"]) - int(match["y1"]) + 1
        elif chinese:
            years = int(chinese) if chinese.isdigit() else _chinese_number(chinese)
        else:
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


# --- money, capacity, equity and plant sites -------------------------------------------------

MONEY_SCALE = {
    "thousand": 10**3,
    "million": 10**6,
    "mn": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "trillion": 10**12,
    "만": 10**4,
    "万": 10**4,
    "백만": 10**6,
    "百万": 10**6,
    "千万": 10**7,
    "억": 10**8,
    "亿": 10**8,
    "조": 10**12,
    "万亿": 10**12,
}
CURRENCY_WORDS = {
    "원": "KRW",
    "won": "KRW",
    "krw": "KRW",
    "韩元": "KRW",
    "달러": "USD",
    "dollars": "USD",
    "usd": "USD",
    "美元": "USD",
    "$": "USD",
    "us$": "USD",
    "위안": "CNY",
    "yuan": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "元": "CNY",
    "人民币": "CNY",
    "유로": "EUR",
    "euros": "EUR",
    "eur": "EUR",
    "€": "EUR",
    "欧元": "EUR",
    "엔": "JPY",
    "yen": "JPY",
    "日元": "JPY",
}
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
MONEY_PATTERNS = [
    # Korean: 1조2000억원, 3500억 원, 2억 달러, 500만 달러
    re.compile(
        rf"(?:(?P<jo>{_NUM})\s*조\s*)?(?:(?P<eok>{_NUM})\s*억\s*)?(?:(?P<man>{_NUM})\s*만\s*)?"
        r"(?P<cur>원|달러|위안|유로|엔)(?![가-힣]{0,1}(?:화|가량)?\s*규모의?\s*(?:매출|수주))"
    ),
    # Chinese: 35亿元, 12亿美元, 人民币2亿元, 5000万元
    re.compile(
        rf"(?:人民币\s*)?(?P<num>{_NUM})\s*(?P<scale>万亿|千万|百万|亿|万)?\s*"
        r"(?P<cur>美元|韩元|欧元|日元|人民币|元)"
    ),
    # Chinese numerals: 三十亿元, 一百二十亿韩元, 五千万美元 (a scale word is required)
    re.compile(
        # "数十亿元", "几十亿元" are no amount.
        r"(?:人民币\s*)?(?<![数几])(?P<zhnum>[一二两三四五六七八九十百千零〇]+)\s*"
        r"(?P<scale>万亿|千万|百万|亿|万)\s*"
        r"(?P<cur>美元|韩元|欧元|日元|人民币|元)"
    ),
    # English: $450 million, US$1.2 billion, KRW 350 billion, RMB 2 billion
    re.compile(
        rf"(?P<cur>US\$|\$|€|KRW|RMB|CNY|USD|EUR)\s?(?P<num>{_NUM})\s*"
        r"(?P<scale>thousand|million|billion|trillion|mn|bn)?\b",
        re.IGNORECASE,
    ),
    # English: 2.1 billion yuan, 1.5 trillion won, 300 million dollars
    re.compile(
        rf"(?P<num>{_NUM})\s*(?P<scale>thousand|million|billion|trillion)?\s*"
        r"(?P<cur>yuan|won|dollars|euros|yen)\b",
        re.IGNORECASE,
    ),
]
PHASE_BEFORE = re.compile(
    r"(?:首期|一期|二期|三期|第[一二三]期|首批|first[- ]phase|initial|1단계|2단계)"
    r"[^.。,，;；]{0,8}$",
    re.IGNORECASE,
)
INVESTMENT_CUE = re.compile(
    r"invest|funding|spend|acquir|\bbuy|\bstake|투자|들여|투입|인수|지분|投资(?!者)|出资|收购|入股|"
    r"股权|认购|参股",
    re.IGNORECASE,
)
CAPACITY_BEFORE = re.compile(
    r"(?:annual|yearly|capacity|capacity of|연산|연간|생산\s*능력|年产能|年产|产能|规划产能)"
    r"[^.。,，]{0,25}$",
    re.IGNORECASE,
)
# "annual", "연간" and "a year" say per year, not what a plant makes: "연간 3GWh를 공급" is a
# supply volume. Only the word capacity (연산, 年产), or a plant in the sentence, makes a capacity.
EXPLICIT_CAPACITY = re.compile(r"capacity|연산|생산\s*능력|年产|产能", re.IGNORECASE)
CAPACITY_AFTER = re.compile(
    r"^\s*(?:of\s+)?(?:annual\s+|yearly\s+)?(?:(?:production\s+)?capacity|a year|per year|"
    r"annually)",
    re.IGNORECASE,
)
TONS = re.compile(
    rf"(?P<num>{_NUM})\s*(?P<scale>thousand|만|万)?\s*(?P<rest>(?<=[만万])\d{{1,4}})?\s*"
    r"(?:tonnes|tons|ton|t|톤|吨)(?![A-Za-z])",
    re.IGNORECASE,
)
# "年产能五万吨", "十二万吨/年", "两万五千吨": tons in Chinese numerals, with what follows 万.
# "数十万吨" and "几十万吨" are no figure, and no number is read from its middle.
TONS_ZH = re.compile(
    r"(?<![数几\d一二两三四五六七八九十百千万零])(?P<zhnum>[一二两三四五六七八九十百千]+)\s*"
    r"(?P<scale>万)?(?P<rest>(?<=万)[零一二两三四五六七八九十百千]+)?\s*吨"
)
PERCENT = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)\s*(?:%|％|percent\b|per cent\b|퍼센트)"
    # "百分之二十五", "百分之19.9": the share written out, in numerals or figures.
    r"|百分之(?:(?P<zhpct>[一二两三四五六七八九十百]+)|(?P<pctnum>\d+(?:\.\d+)?))"
    # "持有六成股份": tenths of a company. Only before 股份/股权, as "七成" is a share of
    # anything ("七成营收来自海外").
    r"|(?<![一二两三四五六七八九十])(?P<cheng>[一二两三四五六七八九])成(?=的?(?:股份|股权|权益))",
    re.IGNORECASE,
)
EQUITY_CUE = re.compile(
    # "本公司出资比例为60%": a filing gives each party's share as its part of the capital.
    # "出资占比51%": the same, as a proportion.
    r"stake|\bown|\bhold|\bshare|equity|지분|보유|持股|股权|股份|占股|出资(?:比例|占比)",
    re.IGNORECASE,
)
PLANT_WORDS = re.compile(
    r"plant|factory|facility|facilities|assembl|production line|complex|\bto produce\b|"
    r"공장|플랜트|생산\s*기지|라인|설비|工厂|基地|产线|生产线|项目|建厂",
    re.IGNORECASE,
)
NOT_PLACES = {
    "China", "Korea", "South", "North", "Europe", "Asia", "America", "Japan", "The", "January",
    "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "H1", "H2", "Q1", "Q2", "Q3", "Q4",
}  # fmt: skip
SITE_EN = re.compile(
    r"\bin\s+(?P<place>[A-Z][a-z]+(?:[- ][A-Z][a-z]+)?)"
    r"(?=\s*(?:,\s*(?:[A-Z][a-z]+\s+)?(?:province|Province|South Korea|Korea|China|state)\b"
    r"|[.,;]|\s+(?:and|with|to|by|from|starting|in|that|which|for)\b|$))"
)
SITE_KO = re.compile(r"(?<![가-힣])(?P<place>(?:[가-힣]{2,4}\s)?[가-힣]{2,4})에\s")
SITE_ZH = re.compile(
    # "在韩国全罗北道群山市": the country before the place is no part of it.
    r"(?:在|于|落户|位于)(?:韩国|中国)?(?P<place>[\u4E00-\u9FFF]{2,8}?)"
    # "在江西宜春共同成立": an adverb between the place and its verb is no part of the place.
    r"(?:共同|联合|合作|合资|正式|分别|将)?(?:成立|建设|建立|投资|设立|新建|兴建|建厂|投建|打造|的)"
)


# "项目落户浙江湖州，", "工厂拟建在韩国庆尚北道浦项市，": the place a project settles in or is
# built in, at the end of its clause.
SITE_ZH_SETTLED = re.compile(
    r"(?:落户|建在|设在|选址)(?:于|在)?(?:韩国|中国)?(?P<place>[\u4E00-\u9FFF]{2,8}?)"
    r"(?=[，。；,;]|$)"
)
# "在韩国的工厂生产": a country alone is no plant's site.
ZH_NOT_SITES = {"韩国", "中国", "国内", "海外", "境外", "当地", "本地", "美国", "日本", "欧洲"}


def _plain(value: Decimal) -> Decimal:
    """2.1E+9 as 2100000000: whole numbers written out, as the database stores them."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _money_value(match) -> Decimal | None:
    groups = match.groupdict()
    if "jo" in groups:
        parts = [(groups["jo"], 10**12), (groups["eok"], 10**8), (groups["man"], 10**4)]
        if not any(value for value, _ in parts):
            return None
        return sum((_decimal(value) * scale for value, scale in parts if value), Decimal(0))
    if groups.get("zhnum"):
        value = Decimal(chinese_integer(groups["zhnum"]))
    else:
        value = _decimal(groups["num"])
    if not value:
        return None
    return value * MONEY_SCALE.get((groups.get("scale") or "").lower(), 1)


def find_money(sentence: str) -> list[Quantity]:
    """Amounts with their currency ("3500억원", "35亿元", "$450 million", "2.1 billion yuan")
    as ("investment", (amount, currency)), when the sentence speaks of investing or buying."""
    if not INVESTMENT_CUE.search(sentence):
        return []
    found: list[Quantity] = []
    for pattern in MONEY_PATTERNS:
        for match in pattern.finditer(sentence):
            amount = _money_value(match)
            currency = CURRENCY_WORDS.get(match["cur"].lower())
            start, end = _span(match)
            if not amount or amount <= 0 or currency is None:
                continue
            if any(start < q.end and end > q.start for q in found):
                continue
            approx = bool(re.search(r"(?:about|around|some|약|约|近)\s*$", sentence[:start]))
            found.append(Quantity("investment", (_plain(amount), currency), start, end, approx))
    # "首期投资4.5亿元，总投资达12亿元": a phase's amount is part of the deal's, so it comes
    # after any other amount the sentence gives, and the deal takes the first.
    return sorted(found, key=lambda q: (bool(PHASE_BEFORE.search(sentence[: q.start])), q.start))


def _is_capacity(sentence: str, start: int, end: int) -> bool:
    cue = CAPACITY_BEFORE.search(sentence[:start]) or CAPACITY_AFTER.match(sentence[end:])
    if cue is None:
        return False
    return bool(EXPLICIT_CAPACITY.search(cue[0]) or PLANT_WORDS.search(sentence))


def find_capacity(sentence: str) -> list[Quantity]:
    """A yearly capacity: "annual capacity of 50,000 tons", "연산 3만t", "年产能20GWh"."""
    found: list[Quantity] = []
    for match in GWH.finditer(sentence):
        start, end = _span(match)
        value = _decimal(match["num"])
        if value and _is_capacity(sentence, start, end):
            found.append(Quantity("capacity", (_plain(value), "GWh"), start, end))
    for match in TONS.finditer(sentence):
        start, end = _span(match)
        value = _decimal(match["num"])
        if not value or not _is_capacity(sentence, start, end):
            continue
        value *= MONEY_SCALE.get((match["scale"] or "").lower(), 1)
        value += int(match["rest"] or 0)  # 4만5000t
        found.append(Quantity("capacity", (_plain(value), "t"), start, end))
    for match in TONS_ZH.finditer(sentence):
        start, end = _span(match)
        value = Decimal(chinese_integer(match["zhnum"]))
        if value and _is_capacity(sentence, start, end):
            value *= MONEY_SCALE.get(match["scale"] or "", 1)
            value += chinese_integer(match["rest"] or "")  # 两万五千吨
            found.append(Quantity("capacity", (_plain(value), "t"), start, end))
    return found


def find_equity(sentence: str) -> list[Quantity]:
    """Percentages of a sentence about stakes and shares ("own 51%", "지분 60%", "持股45%")."""
    if not EQUITY_CUE.search(sentence):
        return []
    found = []
    for match in PERCENT.finditer(sentence):
        if match["zhpct"]:
            value = Decimal(chinese_integer(match["zhpct"]))
        elif match["cheng"]:
            value = Decimal(CHINESE_DIGITS[match["cheng"]] * 10)
        else:
            value = _decimal(match["num"] or match["pctnum"])
        if value and 0 < value <= 100:
            found.append(Quantity("equity", _plain(value), *_span(match)))
    return found


def find_site(sentence: str, taken: list[tuple[int, int]]) -> Quantity | None:
    """The place a plant is in ("a plant in Yancheng", "창사에 … 공장", "在合肥成立"), when
    the sentence speaks of a plant; `taken` are the spans of company names, never a place."""
    if not PLANT_WORDS.search(sentence):
        return None

    def free(start, end):
        return all(end <= s or start >= e for s, e in taken)

    for match in SITE_EN.finditer(sentence):
        place = match["place"]
        if place.split()[0] not in NOT_PLACES and free(*match.span("place")):
            return Quantity("site", place, *match.span("place"))
    for pattern in (SITE_ZH, SITE_ZH_SETTLED):
        for match in pattern.finditer(sentence):
            if free(*match.span("place")) and match["place"] not in ZH_NOT_SITES:
                return Quantity("site", match["place"], *match.span("place"))
    for match in SITE_KO.finditer(sentence):
        start, end = match.span("place")
        place = _korean_place(match["place"])
        if place and free(start, end):
            return Quantity("site", place, end - len(place), end)
    return None


def _korean_place(text: str) -> str:
    """The place name at the end of `text`, or '': by kiwipiepy, its last word is a proper
    noun ("포항", "모로코"), not a date or a noun such as "지난달" or "시장"; or, as Korean
    writes Chinese places the analyser does not know, a province or city by its ending
    ("광시성 류저우", "쓰촨성", "창저우시"). A first word that is no place is left out
    ("합작공장을 모로코")."""
    from ingest.names import _kiwi

    def one_word(word):
        tokens = _kiwi().tokenize(word)
        return tokens[0].tag if len(tokens) == 1 else ""

    words = text.split()
    last = words[-1]
    province = re.compile(r"[가-힣]{2,}(?:성|시|현)$")
    if not (one_word(last) == "NNP" or (province.match(last) and one_word(last))):
        if not (len(words) == 2 and province.match(words[0]) and one_word(words[0])):
            return ""
        if not one_word(last):
            return ""
    if len(words) == 2 and (one_word(words[0]) == "NNP" or province.match(words[0])):
        return text
    return last
