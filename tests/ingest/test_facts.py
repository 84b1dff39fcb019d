"""Money, yearly capacity, equity shares and plant sites, with their units, in three languages.

Development examples (the rules were written against these, never against the gold set).
"""

import datetime
from decimal import Decimal

import pytest

from ingest.extract import extract
from ingest.matching import CompanyIndex
from ingest.quantities import find_capacity, find_equity, find_money, find_site

PUBLISHED = datetime.date(2026, 5, 14)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("진우소재는 1조2000억원을 투자한다.", "1200000000000", "KRW"),
        ("양사는 3500억 원을 투자해 공장을 짓는다.", "350000000000", "KRW"),
        ("세 회사는 3억 달러를 들여 공장을 세운다.", "300000000", "USD"),
        ("双方计划总投资18亿元。", "1800000000", "CNY"),
        ("该公司将投资5000万美元。", "50000000", "USD"),
        ("The partners will invest $1.2 billion.", "1200000000", "USD"),
        ("The venture will spend 1.5 trillion won.", "1500000000000", "KRW"),
        ("Ruifeng will invest 2.1 billion yuan in the plant.", "2100000000", "CNY"),
    ],
)
def test_money_with_currency(text, amount, currency):
    """만/억/조, 万/亿 and million/billion/trillion scale the number; the currency is kept."""
    [money] = find_money(text)
    assert money.value == (Decimal(amount), currency)


def test_money_without_an_investment_is_not_an_investment():
    """A price or revenue figure in a sentence about no investment is not read as one."""
    assert find_money("올해 매출은 3000억원으로 늘었다.") == []
    assert find_money("Revenue rose to $2 billion last year.") == []


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("경북 포항에 연산 2만t 규모의 양극재 공장을 짓는다.", "20000", "t"),
        ("연간 8GWh 규모의 셀 공장을 세운다.", "8", "GWh"),
        ("建设年产能12GWh的电池工厂。", "12", "GWh"),
        ("建设年产3万吨正极材料工厂。", "30000", "t"),
        ("a plant with an annual capacity of 40,000 tonnes", "40000", "t"),
        ("a 30 GWh a year cell plant", "30", "GWh"),
    ],
)
def test_capacity_with_unit(text, value, unit):
    """A yearly capacity in GWh or tons, in each language."""
    [capacity] = find_capacity(text)
    assert capacity.value == (Decimal(value), unit)


def test_supply_volume_is_not_a_capacity():
    """'supply 20 GWh of cells' is a volume; it is no plant's capacity."""
    assert find_capacity("Naree Energy will supply 20 GWh of cells to Changyuan Auto.") == []


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("Naree Energy will own 60% of the venture.", "60"),
        ("합작법인 지분은 진우소재가 55%를 보유한다.", "55"),
        ("罗莱能源持股40%。", "40"),
    ],
)
def test_equity_share(text, share):
    [equity] = find_equity(text)
    assert equity.value == Decimal(share)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("They will build a cathode plant in Tongling, Anhui province.", "Tongling"),
        ("a cell plant in Ulsan with 30 GWh a year", "Ulsan"),
        ("세 회사는 충남 당진에 배터리 공장을 세운다.", "충남 당진"),
        ("双方将在江苏常州建设电池工厂。", "江苏常州"),
    ],
)
def test_plant_site(text, place):
    """The place a plant is built, in each language; dates and companies are no places."""
    assert find_site(text, []).value == place


def test_no_site_without_a_plant():
    assert find_site("The deal was signed in Seoul.", []) is None
    assert find_site("지난달에 공장 설립을 발표했다.", []) is None


def _deal_facts(text):
    found = extract(text, PUBLISHED, CompanyIndex([]))
    facts = {}
    for deal in found.deals:
        for name in (
            "investment_amount",
            "investment_currency",
            "capacity_value",
            "capacity_unit",
            "site_name",
        ):
            if getattr(deal, name) not in (None, ""):
                facts.setdefault(name, getattr(deal, name))
        for party in deal.parties:
            if party.equity_share is not None:
                facts.setdefault("equity", {})[party.mention.name] = party.equity_share
        if deal.start is not None:
            facts.setdefault("start", deal.start.date.value.isoformat())
    return facts


def test_joint_venture_facts_across_sentences_korean():
    """Later sentences about the same venture add its money, capacity, share, site and start."""
    facts = _deal_facts(
        "진우소재와 중국 푸젠하이촨전지가 합작법인을 세우기로 합의했다. "
        "양사는 1조2000억원을 투자해 경북 포항에 연산 2만t 규모의 양극재 공장을 짓는다. "
        "합작법인 지분은 진우소재가 55%를 보유한다. 공장은 내년 하반기 가동될 예정이다."
    )
    assert facts["investment_amount"] == Decimal("1200000000000")
    assert facts["investment_currency"] == "KRW"
    assert (facts["capacity_value"], facts["capacity_unit"]) == (Decimal("20000"), "t")
    assert facts["site_name"] == "경북 포항"
    assert facts["equity"] == {"진우소재": Decimal("55")}
    assert facts["start"].startswith("2027-07-01")


def test_joint_venture_facts_chinese():
    facts = _deal_facts(
        "浙江瑞丰锂能与韩国罗莱能源宣布成立合资公司，双方计划总投资18亿元，在江苏常州建设"
        "年产能12GWh的电池工厂。罗莱能源持股40%。"
    )
    assert (facts["investment_amount"], facts["investment_currency"]) == (
        Decimal("1800000000"),
        "CNY",
    )
    assert (facts["capacity_value"], facts["capacity_unit"]) == (Decimal("12"), "GWh")
    assert facts["site_name"] == "江苏常州"
    assert facts["equity"] == {"罗莱能源": Decimal("40")}


def test_investor_holds_the_share_it_buys():
    """'X buys 20% of Y': the 20% is X's stake, whichever name is nearer the figure."""
    facts = _deal_facts("上海高达科技以5亿元收购韩国青山材料20%的股权。")
    assert facts["equity"] == {"上海高达科技": Decimal("20")}
    assert facts["investment_amount"] == Decimal("500000000")
