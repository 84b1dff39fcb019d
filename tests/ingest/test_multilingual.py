"""Deals between companies the database has never seen, read in English, Korean and Chinese.

These development examples are what the rules were written against; the held-out gold set in
fixtures/ingest_gold/ is only scored (manage.py score_extraction --gold), never tuned on.
"""

import datetime

import pytest

from ingest.extract import extract
from ingest.matching import CompanyIndex

PUBLISHED = datetime.date(2026, 5, 14)
EMPTY = CompanyIndex([])


def deals(text, index=EMPTY):
    """(parties with roles, kind, status) of every deal read from the text."""
    found = extract(text, PUBLISHED, index)
    return [
        (
            {p.mention.name: str(p.role) for p in d.parties},
            str(d.kind),
            str(d.status),
        )
        for d in found.deals
    ]


def proposals(text):
    return [c.name for c in extract(text, PUBLISHED, EMPTY).companies]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "국내 배터리 기업 나래에너지는 중국 전기차업체 충칭창위안자동차에 20GWh 규모의 "
            "배터리를 공급하는 계약을 체결했다.",
            ({"나래에너지": "supplier", "충칭창위안자동차": "customer"}, "supply", "signed"),
        ),
        (
            "진우소재와 중국 푸젠하이촨전지는 합작법인을 세우기로 합의했다.",
            ({"진우소재": "partner", "푸젠하이촨전지": "partner"}, "joint_venture", "signed"),
        ),
        (
            "효산셀은 중국 저장루이펑리튬과 진행하던 양극재 공급 협의를 중단했다.",
            ({"저장루이펑리튬": "supplier", "효산셀": "customer"}, "supply", "cancelled"),
        ),
        (
            "우리모빌리티는 중국 산둥진위안그룹이 자사 지분 15%를 인수한다는 보도를 부인했다.",
            (
                {"산둥진위안그룹": "investor", "우리모빌리티": "partner"},
                "investment",
                "not_finalized",
            ),
        ),
        (
            "나래에너지와 중국 상하이가오다전지는 전고체 배터리 공동개발을 협의하고 있다.",
            (
                {"나래에너지": "developer", "상하이가오다전지": "developer"},
                "joint_development",
                "in_talks",
            ),
        ),
        (
            "나래에너지는 중국 산둥진위안그룹으로부터 양극재를 공급받는 계약을 체결했다.",
            ({"산둥진위안그룹": "supplier", "나래에너지": "customer"}, "supply", "signed"),
        ),
        (
            "한결소재는 중국 베이징신위안동력그룹과 리튬 공급을 위한 업무협약(MOU)을 맺었다.",
            ({"한결소재": "partner", "베이징신위안동력그룹": "partner"}, "cooperation", "signed"),
        ),
    ],
)
def test_korean_deals(text, expected):
    """Korean wording sets kind, roles and status (공급, 합작, 지분, 협의, 중단, 부인)."""
    assert deals(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "福建海川电池与韩国罗莱能源签署供货协议，海川电池将向罗莱能源供应磷酸铁锂电池。",
            ({"福建海川电池": "supplier", "罗莱能源": "customer"}, "supply", "signed"),
        ),
        (
            "浙江瑞丰锂能与韩国晋宇材料宣布成立合资公司。",
            ({"浙江瑞丰锂能": "partner", "晋宇材料": "partner"}, "joint_venture", "signed"),
        ),
        (
            "山东金源集团否认将入股韩国效山电池公司。",
            (
                {"山东金源集团": "investor", "效山电池公司": "partner"},
                "investment",
                "not_finalized",
            ),
        ),
        (
            "重庆长远汽车与韩国美好电池的电池供应合作已经终止。",
            ({"美好电池": "supplier", "重庆长远汽车": "customer"}, "supply", "cancelled"),
        ),
        (
            "北京新源动力正与韩国大力汽车洽谈电池供应事宜。",
            ({"北京新源动力": "supplier", "大力汽车": "customer"}, "supply", "in_talks"),
        ),
        (
            "重庆长远汽车将向韩国美好电池采购磷酸铁锂电池。",
            ({"美好电池": "supplier", "重庆长远汽车": "customer"}, "supply", "signed"),
        ),
        (
            "上海高达科技收购韩国青山材料20%的股权。",
            ({"上海高达科技": "investor", "青山材料": "partner"}, "investment", "signed"),
        ),
    ],
)
def test_chinese_deals(text, expected):
    """Chinese wording sets kind, roles and status (供应, 合资, 入股, 洽谈, 终止, 否认)."""
    assert deals(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Naree Energy denied a report that it would take a 10% stake in Chongqing Changyuan "
            "Auto.",
            (
                {"Naree Energy": "investor", "Chongqing Changyuan Auto": "partner"},
                "investment",
                "not_finalized",
            ),
        ),
        (
            "Hyosan Cell has ended talks with Zhejiang Ruifeng Lithium over a cathode joint "
            "venture.",
            (
                {"Hyosan Cell": "partner", "Zhejiang Ruifeng Lithium": "partner"},
                "joint_venture",
                "cancelled",
            ),
        ),
        (
            "Shandong Jinyuan Group, Hanul Chemical and Beijing Xinyuan Power signed a memorandum "
            "of understanding to cooperate on battery recycling.",
            (
                {
                    "Shandong Jinyuan Group": "partner",
                    "Hanul Chemical": "partner",
                    "Beijing Xinyuan Power": "partner",
                },
                "cooperation",
                "signed",
            ),
        ),
    ],
)
def test_english_deals_between_unknown_companies(text, expected):
    """Unknown English names take part in deals; denials and ended talks are status steps."""
    assert deals(text) == [expected]


def test_denial_is_not_a_signed_deal():
    """A denial that mentions signing ("未…签署") is not_finalized, never signed."""
    found = deals("广西华达电池否认与韩国东进材料签署任何股权协议。")
    assert [status for _, _, status in found] == ["not_finalized"]


NAME_CASES = [
    ("双方将共同开发动力电池，并向重庆长远汽车供应磷酸铁锂电池。", ["重庆长远汽车"]),
    ("양사는 경북 포항에 연산 2만t 규모의 양극재 공장을 짓는다.", []),
    (
        "浙江瑞丰锂能股份有限公司与韩国效山电池公司签署合作协议。",
        ["浙江瑞丰锂能股份有限公司", "效山电池公司"],
    ),
    (
        "국내 배터리 기업 나래에너지는 중국 전기차업체 충칭창위안자동차와 협의 중이다.",
        ["나래에너지", "충칭창위안자동차"],
    ),
    (
        "Korea's Jinwoo Materials will supply cathodes to Fujian Haichuan Battery Co.",
        ["Jinwoo Materials", "Fujian Haichuan Battery Co."],
    ),
]


@pytest.mark.parametrize(("text", "names"), NAME_CASES)
def test_names_not_fragments(text, names):
    """Names are proposed whole; places, products and clause words are not names."""
    assert proposals(text) == names


def test_proposal_linked_to_known_company_by_spelling():
    """'Hyundai Motors' is the known Hyundai Motor, not a new company."""
    index = CompanyIndex.from_dicts([{"slug": "hyundai-motor", "name": "Hyundai Motor"}])
    found = extract(
        "Hyundai Motors will buy cells from Chinese battery maker Ganfeng Cell.",
        PUBLISHED,
        index,
    )
    keys = {p.key for d in found.deals for p in d.parties}
    assert "hyundai-motor" in keys
    assert [c.name for c in found.companies] == ["Ganfeng Cell"]


@pytest.mark.parametrize(
    ("text", "countries"),
    [
        (
            "국내 배터리 기업 나래에너지는 중국 전기차업체 충칭창위안자동차와 계약했다.",
            {"나래에너지": "KR", "충칭창위안자동차": "CN"},
        ),
        ("福建海川电池与韩国罗莱能源签署供货协议。", {"福建海川电池": "CN", "罗莱能源": "KR"}),
        (
            "Korea's Jinwoo Materials will supply Chinese carmaker Changyuan Auto.",
            {"Jinwoo Materials": "KR", "Changyuan Auto": "CN"},
        ),
    ],
)
def test_proposals_take_the_country_the_nearest_words_give(text, countries):
    """'중국 …업체 X', '韩国X', "Korea's X": the cue nearest the name sets its country, and a
    Chinese province at the start of a name says China."""
    found = extract(text, PUBLISHED, EMPTY)
    assert {c.name: c.country for c in found.companies} == countries
