"""Rules written against the development set (fixtures/ingest_dev/), one behaviour per test, in
each language. The sentences here are new development examples in the same style, not copies
of the set's articles and never of the gold set's."""

import datetime
from decimal import Decimal

import pytest

from ingest.extract import extract, newest_step
from ingest.matching import CompanyIndex
from ingest.names import chinese_names, korean_names
from ingest.quantities import find_capacity, find_quantities, find_site
from ingest.relative_dates import find_dates

PUBLISHED = datetime.date(2026, 6, 18)  # a Thursday
EMPTY = CompanyIndex([])


def _deals(text, published=PUBLISHED):
    return extract(text, published, EMPTY).deals


def _names(found):
    return [f.text for f in found]


# --- Korean -------------------------------------------------------------------------------


def test_korean_name_after_a_cue_read_in_its_sentence():
    """A name without a company word ("…사이클", "…정밀", "…셀텍") is a proper noun in its
    sentence after "업체"/"기업", though the word alone falls apart into common nouns."""
    sentence = "국내 재활용 업체 블루사이클과 중국 니켈 생산업체 윈난쥔펑니켈이 손을 잡았다."
    assert _names(korean_names(sentence)) == ["블루사이클", "윈난쥔펑니켈"]


@pytest.mark.parametrize("word", ["폐배터리", "2차전지"])
def test_korean_prefix_or_number_before_company_word_is_no_name(word):
    """ "폐배터리" (waste batteries) and "2차전지" (rechargeable cells) end in a company word and
    are things, not names."""
    assert _names(korean_names(f"업계는 {word} 시장이 커질 것으로 본다.")) == []


def test_korean_tons_written_with_man_and_a_remainder():
    """연산 4만5000t is 45,000 tons, not 5,000."""
    [capacity] = find_capacity("연산 3만2000t 규모의 양극재 공장을 세운다.")
    assert capacity.value == (Decimal("32000"), "t")


def test_korean_yearly_supply_is_a_volume_not_a_capacity():
    """ "연간 4GWh를 공급" is how much is supplied a year; no plant, so no capacity."""
    text = "미래셀은 중국 상하이훙신자동차에 연간 4GWh 규모의 배터리를 공급한다."
    assert find_capacity(text) == []
    [deal] = _deals(text)
    assert deal.volume_gwh == Decimal("4") and deal.capacity_value is None


def test_korean_half_of_a_year_in_figures_and_month_of_last_year():
    """ "2029년 하반기" is H2 2029; "지난해 10월" is October of the year before publication."""
    found = find_dates("양사는 지난해 10월부터 논의했고 2029년 하반기 가동한다.", PUBLISHED)
    assert [(str(d.date), d.role) for d in found] == [("Oct 2025", "start"), ("H2 2029", "at")]


def test_korean_talks_only_reported_are_talks():
    """ "협의하고 있는 것으로 알려졌다" is in talks, not a bare report."""
    [deal] = _deals("미래셀은 중국 저장훙신자동차와 배터리 공급을 협의하고 있는 것으로 알려졌다.")
    assert deal.status == "in_talks"


def test_korean_sentence_going_on_about_the_deal_keeps_its_status():
    """A later sentence naming the same companies with no words on how far along ("지분은 A가
    60%, B가 40%를 갖는다") is the same deal, signed, not a new "reported" one."""
    found = _deals(
        "국내 소재 업체 한울머티리얼즈와 중국 리튬 업체 칭하이란톈리튬이 합작법인을 세우기로 "
        "합의했다. 합작법인 지분은 한울머티리얼즈가 60%, 칭하이란톈리튬이 40%를 갖는다."
    )
    assert [(d.kind, d.status) for d in found] == [("joint_venture", "signed")] * 2
    assert {p.mention.name: p.equity_share for p in found[1].parties} == {
        "한울머티리얼즈": Decimal("60"),
        "칭하이란톈리튬": Decimal("40"),
    }


def test_korean_both_companies_investing_in_the_venture_is_the_venture():
    """ "양사는 3억 달러를 투자해 공장을 짓는다" after a joint venture: money spent on it, not a
    stake one takes in the other."""
    found = _deals(
        "국내 배터리 업체 한울셀은 중국 완성차 업체 안후이쥔마자동차와 합작법인을 세운다. "
        "양사는 3억 달러를 투자해 안후이성 우후에 공장을 짓는다."
    )
    assert [d.kind for d in found] == ["joint_venture", "joint_venture"]
    assert (found[1].investment_amount, found[1].investment_currency) == (
        Decimal("300000000"),
        "USD",
    )


def test_korean_earlier_report_is_not_the_newest_step():
    """ "앞서 … 보도했다" after a dated denial: the report is history (undated, so it would
    otherwise take the publication date and end the deal "reported")."""
    found = _deals(
        "국내 배터리 업체 한울셀은 중국 완성차 업체 안후이쥔마자동차와 합작공장을 세운다는 "
        "보도를 10일 부인했다. 앞서 중국 매체는 양사가 합작공장을 짓는다고 보도했다."
    )
    assert [d.status for d in found] == ["not_finalized", "reported"]
    assert found[1].earlier and newest_step(found, PUBLISHED).status == "not_finalized"


def test_korean_talks_since_a_past_month_date_the_talks():
    """ "지난해 11월부터 협의해 왔다": when talks began (the step's date), not the deal's start;
    and the step is told as earlier."""
    found = _deals(
        "한울셀은 중국 안후이쥔마자동차와 추진하던 합작 협상을 중단했다고 5일 밝혔다. "
        "양사는 지난해 11월부터 합작공장 설립을 협의해 왔다.",
    )
    talks = found[-1]
    assert talks.status == "in_talks" and talks.earlier
    assert talks.start is None and str(talks.status_date.date) == "Nov 2025"
    assert newest_step(found, PUBLISHED).status == "cancelled"


# --- Chinese ------------------------------------------------------------------------------


def test_chinese_name_after_a_descriptor_whatever_jieba_tags_it():
    """After "…企业"/"车企"/"制造商" a name jieba does not know ("一川材料": a numeral; "未来":
    a time word) is read whole, and the descriptor is no part of it."""
    sentence = "韩国负极企业一川材料与国内车企广州锐泰汽车签署协议。"
    assert _names(chinese_names(sentence)) == ["一川材料", "广州锐泰汽车"]


def test_chinese_product_words_end_to_end_are_no_name():
    """ "磷酸铁锂正极材料" is a product, though it ends in a company word."""
    assert _names(chinese_names("建设年产5万吨磷酸铁锂正极材料项目。")) == []


def test_chinese_respectively_gives_each_share_its_party():
    """ "B和C分别持股30%和20%": B holds 30, C 20; the share before goes to A."""
    found = _deals(
        "江苏恒川锂业与韩国晋明材料、韩国大洋能源宣布成立合资公司。"
        "合资公司中，恒川锂业持股50%，晋明材料和大洋能源分别持股30%和20%。"
    )
    shares = {p.mention.name: p.equity_share for p in found[-1].parties}
    assert shares == {
        "江苏恒川锂业": Decimal("50"),
        "晋明材料": Decimal("30"),
        "大洋能源": Decimal("20"),
    }


@pytest.mark.parametrize(
    ("text", "years"),
    [("将在五年内供应", 5), ("签署为期三年的采购协议", 3), ("为期十年的协议", 10)],
)
def test_chinese_term_in_words(text, years):
    """A term written in Chinese numerals or figures with 为期/年内."""
    assert [q.value for q in find_quantities(text) if q.field == "term_years"] == [years]


def test_chinese_year_figures_are_no_term():
    """ "2027年内投产" is a year, not a 2027-year term."""
    assert [q for q in find_quantities("2027年内投产") if q.field == "term_years"] == []


def test_chinese_half_year_in_figures_and_month_of_last_year():
    found = find_dates("双方曾于去年3月签署协议，项目预计2028年下半年投产。", PUBLISHED)
    assert [str(d.date) for d in found] == ["Mar 2025", "H2 2028"]


def test_chinese_site_without_the_adverb_before_its_verb():
    """ "在江西赣州共同建设…工厂": the place is 江西赣州, not "江西赣州共同"."""
    assert find_site("三方将在江西赣州共同建设电池工厂。", []).value == "江西赣州"


def test_chinese_stake_in_a_described_company():
    """ "收购韩国隔膜企业X…股权": X is invested in, though its description stands between."""
    [deal] = _deals("安徽恒达科技以6亿元收购韩国隔膜企业大韩材料10%的股权。")
    assert {p.mention.name: str(p.role) for p in deal.parties} == {
        "安徽恒达科技": "investor",
        "大韩材料": "partner",
    }


def test_chinese_company_named_twice_is_on_one_side():
    """ "向现代汽车供应…，用于现代汽车…": the carmaker is the customer only."""
    index = CompanyIndex.from_dicts(
        [
            {
                "slug": "hyundai-motor",
                "name": "Hyundai Motor",
                "name_zh": "现代汽车",
                "chain_role": "automaker",
            }
        ]
    )
    found = extract(
        "湖南恒驰电池将向现代汽车供应电池，用于现代汽车在欧洲销售的电动车。", PUBLISHED, index
    )
    assert {(p.key, str(p.role)) for d in found.deals for p in d.parties} == {
        ("new:湖南恒驰电池", "supplier"),
        ("hyundai-motor", "customer"),
    }


def test_chinese_deal_sentence_dates_the_deal_and_delivery_starts_it():
    """ "交易已于5月6日完成交割" dates the stake; "首批…下半年交付" starts a supply."""
    stake = _deals("安徽恒达科技收购韩国隔膜企业大韩材料15%的股权。交易已于6月2日完成交割。")
    assert str(stake[-1].status_date.date) == "2 Jun 2026"
    supply = _deals("湖南恒驰电池与韩国大洋能源签署电池供应协议。首批电池预计今年下半年交付。")
    assert str(supply[-1].start.date) == "H2 2026"


def test_chinese_both_parties_investing_in_a_plant_is_the_venture():
    """ "双方将投资15亿元…建设工厂" after a joint venture: money spent on it, not a stake."""
    found = _deals(
        "江苏恒川锂业与韩国晋明材料宣布成立合资公司。双方将投资15亿元在安徽芜湖建设正极材料工厂。"
    )
    assert [d.kind for d in found] == ["joint_venture", "joint_venture"]
    assert found[1].investment_amount == Decimal("1500000000")
    assert found[1].site_name == "安徽芜湖"


def test_chinese_step_told_as_earlier_is_not_the_newest():
    """ "双方曾于去年3月签署协议" after "宣布终止": the deal ends cancelled."""
    found = _deals(
        "韩国铜箔企业大山电子与广东恒拓新能源于6月10日宣布终止合资建厂计划。"
        "双方曾于去年3月签署协议，拟投资10亿元建设铜箔项目。"
    )
    assert [d.status for d in found] == ["cancelled", "signed"]
    assert found[1].earlier and newest_step(found, PUBLISHED).status == "cancelled"


def test_chinese_agreement_reference_keeps_the_deal_kind():
    """ "根据备忘录，X将为Y供应…" goes on about the MOU: a cooperation, not a new supply deal."""
    found = _deals(
        "恒川锂业与韩国晋明材料签署战略合作备忘录。根据协议，恒川锂业将为晋明材料供应碳酸锂。"
    )
    assert [d.kind for d in found] == ["cooperation", "cooperation"]


# --- English ------------------------------------------------------------------------------


def test_english_name_after_what_the_firm_makes():
    """ "anode maker Daesan Carbon": a name though it ends in no industry word."""
    found = extract("Busan-based anode maker Hwasan Carbon said it would expand.", PUBLISHED, EMPTY)
    assert [c.name for c in found.companies] == ["Hwasan Carbon"]


def test_english_short_form_and_repeated_cue_name_are_the_proposal():
    """ "Shengfeng" alone, and "Hwasan Carbon" again without its cue, are the companies
    proposed before."""
    found = extract(
        "Anode maker Hwasan Carbon agreed to form a joint venture with China's Guizhou Lanfeng "
        "New Energy. Hwasan Carbon will own 40% of the venture and Lanfeng the remaining 60%.",
        PUBLISHED,
        EMPTY,
    )
    shares = {p.mention.name: p.equity_share for p in found.deals[-1].parties}
    assert shares == {"Hwasan Carbon": Decimal("40"), "Guizhou Lanfeng New Energy": Decimal("60")}


def test_english_weekday_is_the_latest_such_day():
    """ "said on Tuesday" in a Thursday article is two days before."""
    [found] = find_dates("The company said on Tuesday it had agreed.", PUBLISHED)
    assert found.date.value == datetime.date(2026, 6, 16)


def test_english_buyer_of_a_stake_is_the_investor():
    """ "Y denied a report that X would buy a 25% stake in the company": X invests, in Y."""
    index = CompanyIndex.from_dicts([{"slug": "kia", "name": "Kia", "chain_role": "automaker"}])
    found = extract(
        "Korean battery maker Daeil Energy denied a report that Kia would buy a 20% stake in "
        "the company for $200 million.",
        PUBLISHED,
        index,
    )
    [deal] = found.deals
    assert deal.status == "not_finalized"
    assert {p.key: (str(p.role), p.equity_share) for p in deal.parties} == {
        "kia": ("investor", Decimal("20")),
        "new:daeil energy": ("partner", None),
    }


def test_english_starts_production_dates_the_start():
    """ "when it starts production in the second half of 2027" is the deal's start."""
    found = _deals(
        "Anode maker Hwasan Carbon and China's Guizhou Lanfeng New Energy agreed to form a joint "
        "venture. The partners will build a plant that starts production in the second half of "
        "2028."
    )
    assert str(found[-1].start.date) == "H2 2028"


# --- second round: fresh sentences written after the first pass -----------------------------


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("양사는 5억 달러를 투자해 광시성 류저우에 공장을 짓는다.", "광시성 류저우"),
        ("양사는 쓰촨성에 배터리 공장을 짓는다.", "쓰촨성"),
        ("양사는 연산 3만t 규모의 합작공장을 모로코에 짓기로 했다.", "모로코"),
    ],
)
def test_korean_site_chinese_province_and_no_half_word(text, place):
    """Chinese provinces written in Hangul ("…성"), and no part of the word before the place
    ("합작공장을 모로코" is 모로코)."""
    assert find_site(text, []).value == place


def test_korean_site_is_no_common_noun():
    """ "소형 전기차에 들어갈 … 공장": a car is no place."""
    assert find_site("소형 전기차에 들어갈 배터리 공장을 짓는다.", []) is None


def test_korean_particle_kept_inside_an_unseen_name_is_dropped():
    """The analyser reads "장시간펑리튬과" as one proper noun before "의": the name is
    장시간펑리튬, and the ended talks are read."""
    found = extract(
        "한울셀은 중국 리튬 업체 장시간펑리튬과의 리튬 공급 협상이 최종 무산됐다고 밝혔다.",
        PUBLISHED,
        EMPTY,
    )
    assert [c.name for c in found.companies] == ["한울셀", "장시간펑리튬"]
    assert [d.status for d in found.deals] == ["cancelled"]


@pytest.mark.parametrize(
    "text",
    [
        "중국 항저우루이펑에너지가 국내 업체 한울셀과 배터리 공급 계약을 맺었다는 보도에 대해 "
        "한울셀은 "
        '"결정된 바 없다"고 밝혔다.',
        "江苏恒川锂业与韩国晋明材料的供货协议尚未敲定。",
    ],
)
def test_nothing_decided_is_not_finalized(text):
    """ "결정된 바 없다", "尚未敲定": not finalized, whatever the sentence says was signed."""
    assert [d.status for d in _deals(text)] == ["not_finalized"]


def test_chinese_plan_to_set_up_is_signed_and_share_goes_to_the_nearest_mention():
    """ "拟出资…设立合资公司" is an announced plan (signed); "其中X持股60%" is X's share, though
    X was named first at the start of the sentence under a longer name."""
    [deal] = _deals(
        "浙江恒鑫新材料拟出资3.2亿美元，与韩国电池材料企业大韩化学在匈牙利共同设立合资公司，"
        "其中恒鑫新材料持股60%。"
    )
    assert deal.status == "signed"
    assert {p.mention.name: p.equity_share for p in deal.parties} == {
        "浙江恒鑫新材料": Decimal("60"),
        "大韩化学": None,
    }


def test_english_joint_plant_is_a_joint_venture():
    """ "would invest $450 million in a joint cathode plant" is a joint venture, announced."""
    [deal] = _deals(
        "Chinese battery maker Guangxi Hengtong Power and Korea's Seojin Chemical said they would "
        "invest $450 million in a joint cathode plant in Morocco with an annual capacity of "
        "30,000 tonnes."
    )
    assert (deal.kind, deal.status, deal.site_name) == ("joint_venture", "signed", "Morocco")
    assert (deal.capacity_value, deal.capacity_unit) == (Decimal("30000"), "t")


@pytest.mark.parametrize(
    ("text", "shares"),
    [
        (
            "Korea's Hanil Materials and China's Guangxi Hengtong Power will form a 50-50 joint "
            "venture.",
            {"Hanil Materials": Decimal("50"), "Guangxi Hengtong Power": Decimal("50")},
        ),
        (
            "江苏恒川锂业与韩国晋明材料宣布成立合资公司，双方各持股50%。",
            {"江苏恒川锂业": Decimal("50"), "晋明材料": Decimal("50")},
        ),
        (
            "한울소재와 중국 후난창싱신소재는 합작법인을 세우고 지분을 50%씩 나눠 갖는다.",
            {"한울소재": Decimal("50"), "후난창싱신소재": Decimal("50")},
        ),
        (
            "한울소재와 중국 후난창싱신소재는 60대 40 비율로 합작법인을 세운다.",
            {"한울소재": Decimal("60"), "후난창싱신소재": Decimal("40")},
        ),
    ],
)
def test_shares_each_and_by_ratio(text, shares):
    """ "各持股50%", "50%씩", "a 50-50 joint venture", "60대 40 비율": every party's share, and
    the venture announced ("세운다", "will form")."""
    [deal] = _deals(text)
    assert deal.status == "signed"
    assert {p.mention.name: p.equity_share for p in deal.parties} == shares


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("한울셀과 중국 안후이쥔마자동차의 합작 협상이 결렬됐다.", "cancelled"),
        ("江苏恒川锂业与韩国晋明材料的合资计划已经告吹。", "cancelled"),
        ("한울셀은 중국 안후이쥔마자동차와 배터리 공급을 검토하고 있다.", "in_talks"),
        ("江苏恒川锂业正与韩国晋明材料接洽正极材料供应事宜。", "in_talks"),
    ],
)
def test_more_words_for_ended_talks_and_talks(text, status):
    """결렬 and 告吹 end talks; 검토 and 接洽 are talks."""
    assert [d.status for d in _deals(text)] == [status]


def test_chinese_provide_a_product_is_supply():
    """ "为X提供磷酸铁锂电池": a supply, the provider the supplier."""
    [deal] = _deals("湖南恒驰电池将为韩国大洋能源提供磷酸铁锂电池。")
    assert deal.kind == "supply"
    assert {p.mention.name: str(p.role) for p in deal.parties} == {
        "湖南恒驰电池": "supplier",
        "大洋能源": "customer",
    }


# --- Chinese, third round: shapes the development set's zh08–zh13 brought ---------------------


def test_chinese_two_names_joined_inside_one_word_are_two_names():
    """jieba may keep the conjunction with the next name ("和大韩"): "…新材料和大韩化学" is
    two companies, never one."""
    found = _names(chinese_names("湖北江润新材料和大韩化学分别持股60%和40%。"))
    assert found == ["湖北江润新材料", "大韩化学"]


def test_chinese_verb_between_place_and_company_word_is_part_of_the_name():
    """ "宁波拓能科技": jieba reads 拓能 as a verb; between a place and a company word it is the
    name's own."""
    assert _names(chinese_names("苏州拓能电池近日宣布扩产。")) == ["苏州拓能电池"]


@pytest.mark.parametrize(
    "sentence",
    [
        "该订单金额约占公司去年营业收入的12%。",
        "比亚迪将向韩国车企供应刀片电池。",
        "双方正洽谈电动大巴电池供应事宜。",
        "现代汽车计划采用磷酸铁锂刀片电池。",
    ],
)
def test_chinese_clauses_and_products_ending_in_a_company_word_are_no_names(sentence):
    """ "…约占公司" is a clause; "刀片电池", "电动大巴电池" are things."""
    assert _names(chinese_names(sentence)) == []


def _roles(deal):
    return {p.mention.name: str(p.role) for p in deal.parties}


def test_chinese_a_chosen_supplier_supplies():
    """ "X已选定Y为其电池供应商": Y supplies X, and the choice is made."""
    [deal] = _deals("韩国大洋汽车已选定浙江恒峰电池为其电动车型的电池供应商。")
    assert (deal.kind, deal.status) == ("supply", "signed")
    assert _roles(deal) == {"大洋汽车": "customer", "浙江恒峰电池": "supplier"}


def test_chinese_an_order_won_is_a_supply_to_the_one_who_placed_it():
    """ "X获得Y…订单": X supplies Y; an order's value is no investment."""
    [deal] = _deals("江西恒峰新材料宣布，公司获得韩国电池企业大洋能源约5亿元的正极材料订单。")
    assert (deal.kind, deal.status, deal.product) == ("supply", "signed", "cathode")
    assert _roles(deal) == {"江西恒峰新材料": "supplier", "大洋能源": "customer"}
    assert deal.investment_amount is None


def test_chinese_no_agreement_yet_during_talks_is_talks():
    """ "正与…洽谈…，双方尚未达成最终协议": talks go on; not a denial."""
    [deal] = _deals("江苏恒川锂业正与韩国晋明材料洽谈正极材料供应，双方尚未达成最终协议。")
    assert deal.status == "in_talks"


def test_chinese_no_such_plan_is_a_denial():
    """ "双方并无相关合作计划", in answer to a report: not finalized."""
    [deal] = _deals(
        "针对江苏恒川锂业将向韩国晋明材料供应正极材料的传闻，恒川锂业表示双方并无相关合作计划。"
    )
    assert deal.status == "not_finalized"


def test_chinese_a_purchase_agreement_signed_with_x_makes_x_the_seller():
    """ "X终止与Y签订的…采购协议": Y sold to X."""
    [deal] = _deals("韩国晋明材料宣布终止与江西恒峰锂业签订的碳酸锂采购协议。")
    assert deal.status == "cancelled"
    assert _roles(deal) == {"晋明材料": "customer", "江西恒峰锂业": "supplier"}


def test_chinese_contract_term_quarter_precursor_and_korean_site():
    """ "合同期为四年" is a term; "明年一季度" a quarter; 前驱体 is cathode material;
    "在韩国全罗北道群山市合资建设" places the plant in Gunsan, without the country."""
    fields = {q.field: q.value for q in find_quantities("合同期为四年，供应三元前驱体。")}
    assert fields["term_years"] == 4 and fields["product"] == "cathode"
    [date] = find_dates("将于明年一季度开始供货。", PUBLISHED)
    assert (str(date.date.value), date.date.precision) == ("2027-01-01", "quarter")
    site = find_site("双方将在韩国全罗北道群山市合资建设前驱体工厂。", [])
    assert site.value == "全罗北道群山市"


def test_chinese_a_sentence_about_the_project_goes_on_about_the_venture():
    """ "项目总投资…，A和B分别持股…": the joint venture's money and shares, not a new stake; and
    "据悉" about a deal already signed does not make it merely reported."""
    found = _deals(
        "浙江恒峰新材料与韩国晋明材料签署协议，双方将在韩国忠清南道合资建设正极材料工厂。"
        "项目总投资8亿美元，恒峰新材料和晋明材料分别持股55%和45%。"
        "据悉，工厂预计2028年投产。"
    )
    assert {d.kind for d in found} == {"joint_venture"}
    assert {d.status for d in found} == {"signed"}
    assert {d.investment_currency for d in found if d.investment_amount} == {"USD"}


# --- found in review: what the third round must not read --------------------------------------

KNOWN = CompanyIndex.from_dicts(
    [
        {"slug": "catl", "name": "CATL", "name_zh": "宁德时代", "chain_role": "battery_cells",
         "country": "CN"},
        {"slug": "hyundai", "name": "Hyundai Motor", "name_zh": "现代汽车",
         "chain_role": "automaker", "country": "KR"},
    ]
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "no cooperation before" beside a signing is no denial
        ("宁德时代与现代汽车签署电池供货协议，此前双方没有合作过。", [("supply", "signed")]),
        ("宁德时代将向现代汽车供应电池，项目没有改变原计划。", [("supply", "signed")]),
        # orders that link no two parties are no deal
        ("今年上半年宁德时代获得的订单同比增长，现代汽车销量则有所下滑。", []),
        ("现代汽车今年订单下滑，宁德时代出货量增长。", []),
    ],
)
def test_chinese_third_round_reads_nothing_it_should_not(text, expected):
    found = extract(text, PUBLISHED, KNOWN).deals
    assert [(d.kind, d.status) for d in found] == expected


def test_chinese_a_supplier_named_without_being_chosen_keeps_its_role():
    """ "现代汽车为其供应商宁德时代提供了资金支持": Hyundai does something for its supplier; CATL
    stays the supplier."""
    found = extract("现代汽车为其供应商宁德时代供应资金。", PUBLISHED, KNOWN).deals
    assert all({p.key: str(p.role) for p in d.parties}.get("hyundai") != "supplier" for d in found)


@pytest.mark.parametrize(
    "sentence", ["宁德时代与现代汽车在广东运营电池工厂。", "宁德时代将在四川开发锂业项目。"]
)
def test_chinese_a_place_after_zai_and_a_verb_is_no_name(sentence):
    assert _names(chinese_names(sentence)) == []


def test_chinese_names_joined_a_thousand_times_are_read_without_recursion():
    """The split of joined names is a loop: 5 KB of "大韩化学和" is read, not a RecursionError."""
    found = chinese_names("大韩化学和" * 1000)
    assert {f.text for f in found} == {"大韩化学"}


# --- Chinese, fourth round: shapes the development set's zh14–zh19 brought --------------------


@pytest.mark.parametrize(
    "text",
    [
        "山东鲁恒电池已于上月起开始向韩国天宇汽车批量交付磷酸铁锂电芯。",
        "山东鲁恒电池为韩国天宇汽车配套供应的电芯已实现量产。",
        "据悉，山东鲁恒电池目前正稳定向韩国天宇汽车供货。",
    ],
)
def test_chinese_deliveries_under_way_are_active(text):
    """ "已开始…交付", "已实现量产", "正稳定供货": the deal is running, even when the reporter
    heard it second-hand (据悉)."""
    [deal] = _deals(text)
    assert (deal.kind, deal.status) == ("supply", "active")


def test_chinese_deliveries_to_come_are_not_active():
    """ "将于明年开始供货" is a plan: only 已 or 正 says deliveries are under way."""
    [deal] = _deals("山东鲁恒电池与韩国天宇汽车签署协议，将于明年开始供货。")
    assert deal.status == "signed"


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # a plant already producing is background to the signing, the news
        ("山东鲁恒电池与韩国天宇汽车签署供货协议，鲁恒电池的淄博工厂已于去年投产。", "signed"),
        # a halt in the shares' trading ends no deal
        ("山东鲁恒电池与韩国天宇汽车签署供货协议，公司股票暂停交易一天。", "signed"),
    ],
)
def test_chinese_fourth_round_reads_no_more_than_it_should(text, status):
    [deal] = _deals(text)
    assert deal.status == status


def test_chinese_suspended_plan_and_no_agreement_signed():
    """ "暂停…合资建厂计划" ends the plan, as 搁置 and 中止 do; "未签署任何供货协议", in
    answer to a rumour, is a denial."""
    [suspended] = _deals("韩国汉江化学宣布暂停与江西昌河锂业合资建设正极材料工厂的计划。")
    assert (suspended.kind, suspended.status) == ("joint_venture", "cancelled")
    [denied] = _deals("对于将向韩国汉江化学供货的传闻，江西昌河锂业称双方未签署任何供货协议。")
    assert denied.status == "not_finalized"


def test_chinese_investor_platform_is_no_investment_and_a_described_customer():
    """ "在投资者互动平台表示" speaks to shareholders, not of an investment; "为韩国电池企业X
    配套" makes X the customer whatever describes it."""
    [deal] = _deals("浙江华跃新材料在投资者互动平台表示，公司为韩国电池企业明成能源供货隔膜。")
    assert (deal.kind, deal.product) == ("supply", "separator")
    assert _roles(deal) == {"浙江华跃新材料": "supplier", "明成能源": "customer"}
    assert deal.investment_amount is None


def test_chinese_subscribing_shares_of_a_company_named_twice():
    """ "与X商谈…，拟认购X的股份": X is invested in by both of its mentions."""
    [deal] = _deals("湖北博远科技正与韩国富山电池商谈，拟认购富山电池8%的股份。")
    assert deal.kind == "investment"
    assert _roles(deal) == {"湖北博远科技": "investor", "富山电池": "partner"}
    assert {p.mention.name: p.equity_share for p in deal.parties}["湖北博远科技"] == Decimal("8")


def test_chinese_the_company_as_subject_goes_on_about_the_last_one():
    """ "公司同时透露，…与韩国X…合资项目已终止": 公司 is the company of the sentence before."""
    found = _deals(
        "浙江华跃新材料今日发布公告称，公司经营情况正常。"
        "公司同时透露，与韩国汉江化学的铜箔合资项目已终止，该项目原计划投资6000万元。"
    )
    [deal] = found
    assert (deal.kind, deal.status) == ("joint_venture", "cancelled")
    assert {p.key for p in deal.parties} == {"new:浙江华跃新材料", "new:汉江化学"}
    assert deal.investment_amount == Decimal("60000000")


def test_chinese_a_signing_date_is_no_start_and_a_year_range_is_start_and_term():
    """ "按照去年5月签订的合同…供货": the date is the signing's; "2028年至2030年间" starts in
    2028 and runs three years."""
    [deal] = _deals("按照双方去年5月签订的合同，山东鲁恒电池向韩国天宇汽车供货。")
    assert deal.start is None and str(deal.status_date.date) == "May 2025"
    [deal] = _deals("山东鲁恒电池将在2028年至2030年间每年向韩国天宇汽车供应电池。")
    assert (str(deal.start.date), deal.term_years) == ("2028", 3)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("双方将共同投资三十亿元建设工厂。", Decimal("3000000000")),
        ("该公司拟出资一百二十亿韩元入股。", Decimal("12000000000")),
        ("项目总投资两千五百万美元。", Decimal("25000000")),
    ],
)
def test_chinese_numerals_in_money(text, amount):
    """Amounts in Chinese numerals with a scale: 三十亿元, 一百二十亿韩元, 两千五百万美元."""
    from ingest.quantities import find_money

    [money] = find_money(text)
    assert money.value[0] == amount


def test_chinese_numerals_without_a_scale_or_investment_are_no_money():
    from ingest.quantities import chinese_integer, find_money

    assert find_money("合同总额约二十亿元。") == []  # a contract's value, no investment
    assert find_money("公司投资了三元材料。") == []
    assert find_money("双方将投资数十亿元。") == []  # tens of billions: no amount
    assert [chinese_integer(t) for t in ("十二", "三十", "一百零五", "两千")] == [12, 30, 105, 2000]


def test_chinese_site_settled_in_pack_venture_no_name():
    """ "项目落户安徽芜湖，" places the plant; "电池包公司" is the venture to be set up, a
    product (battery packs), not a company's name."""
    site = find_site("据悉，该项目落户安徽芜湖，规划年产能5GWh。", [])
    assert site.value == "安徽芜湖"
    assert _names(chinese_names("双方将合资成立电池包公司。")) == []
    assert {q.value for q in find_quantities("生产动力电池包。") if q.field == "product"} >= {
        "battery_packs"
    }


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("山东鲁恒电池每年向汉江化学供应锂盐。", ["山东鲁恒电池", "汉江化学"]),
        ("这有助于公司稳定关键原材料供应。", []),
    ],
)
def test_chinese_no_preposition_or_bare_company_word_starts_a_name(sentence, names):
    """jieba may join 向 to the name after it ("向汉江"); a run that begins with 公司 is a
    clause about the company, not a name."""
    assert _names(chinese_names(sentence)) == names


def test_chinese_city_before_a_name_makes_it_chinese():
    """ "佛山…", "湖州…": a city of the battery industry at the start of a name."""
    found = extract("佛山华跃新材料将向韩国明成能源供应隔膜。", PUBLISHED, EMPTY)
    assert {c.name: c.country for c in found.companies}["佛山华跃新材料"] == "CN"


# --- Chinese, fifth round: shapes the development set's zh20–zh27 brought --------------------


def test_chinese_bracketed_short_name_is_the_company_not_a_second_party():
    """ "X有限公司（以下简称“X储能”）与Y签署…供货协议": the short name in brackets is X's, not
    a second party the supply goes to, and X储能 is no second proposal."""
    found = extract(
        "广西宏川储能科技有限公司（以下简称“宏川储能”）与韩国大山汽车签署电池包供货协议。"
        "宏川储能表示，首批产品将于明年交付。",
        PUBLISHED,
        EMPTY,
    )
    assert _roles(found.deals[0]) == {
        "广西宏川储能科技有限公司": "supplier",
        "大山汽车": "customer",
    }
    assert {c.name for c in found.companies} == {"广西宏川储能科技有限公司", "大山汽车"}


def test_chinese_english_name_in_brackets_is_the_same_company():
    """ "金浦化学（Gimpo Chemical）": the English name beside the Chinese one names no third
    party of the venture, and written alone later it is still 金浦化学."""
    found = extract(
        "韩国材料企业金浦化学（Gimpo Chemical）与湖北楚源锂业签署合资协议。"
        "Gimpo Chemical将持有合资公司60%的股权。",
        PUBLISHED,
        EMPTY,
    )
    assert [p.mention.name for p in found.deals[0].parties] == ["金浦化学", "湖北楚源锂业"]
    assert {c.name for c in found.companies} == {"金浦化学", "湖北楚源锂业"}


def test_latin_name_written_against_chinese_words_is_proposed():
    """ "储能企业Sobaek Power签署": Chinese writes a Latin name with no space before it."""
    found = extract("江苏恒辉电池与韩国储能企业Sobaek Power签署供货协议。", PUBLISHED, EMPTY)
    assert {c.name: c.country for c in found.companies}["Sobaek Power"] == "KR"
    [deal] = found.deals
    assert {p.mention.name for p in deal.parties} == {"江苏恒辉电池", "Sobaek Power"}


def test_chinese_kinds_of_graphite_are_products_not_names():
    """ "天然石墨负极材料" is a product (anode), not a company's name."""
    assert _names(chinese_names("双方将建设年产3万吨天然石墨负极材料项目。")) == []
    products = {q.value for q in find_quantities("公司供应人造石墨。") if q.field == "product"}
    assert products == {"anode"}
    assert [q for q in find_quantities("公司研发石墨烯涂层。") if q.field == "product"] == []


def test_chinese_filing_calls_itself_this_company_and_gives_capital_shares():
    """A filing names itself once ("（以下简称“本公司”）") and then writes 本公司; "出资比例为
    55%" is that party's share of the venture; "双方" later stands for the names, not for 本公司."""
    found = _deals(
        "湖北楚源锂业股份有限公司（以下简称“本公司”）与韩国金浦化学签署合资协议。"
        "合资公司总投资5亿元，本公司出资比例为55%，金浦化学出资比例为45%。"
        "双方将尽快完成工商登记。"
    )
    shares = {p.mention.name: p.equity_share for p in found[1].parties}
    assert shares == {"湖北楚源锂业股份有限公司": Decimal("55"), "金浦化学": Decimal("45")}
    assert all(p.mention.refers_to.refers_to is None for p in found[2].parties)


def test_chinese_part_of_a_month_and_a_full_date():
    """ "11月下旬" is November (the latest up to a month ahead); "2025年9月3日" is a day, not
    September."""
    [late] = find_dates("双方于11月下旬签署协议。", PUBLISHED)
    assert (str(late.date), late.date.precision) == ("Nov 2025", "month")
    [day] = find_dates("公司于2025年9月3日签署协议。", PUBLISHED)
    assert day.date.precision == "day" and day.date.value == datetime.date(2025, 9, 3)


def test_chinese_month_before_a_country_name_is_no_part_of_a_month():
    """ "3月中签署" is mid-March; in "1-3月中国动力电池装车量", 中 begins 中国."""
    [mid] = find_dates("双方于3月中签署协议。", PUBLISHED)
    assert mid.date.precision == "month"
    assert find_dates("1-3月中国动力电池装车量同比增长。", PUBLISHED) == []


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("韩国大山汽车12日宣布，江苏恒辉电池将于明年起向其供货。", "2027"),
        ("江苏恒辉电池12日在业绩说明会上表示，将于明年起向韩国大山汽车供货。", "2027"),
        ("韩国大山汽车本月与江苏恒辉电池签署供货协议。", None),
        ("江苏恒辉电池本月称，公司与韩国大山汽车没有任何供货安排。", None),
    ],
)
def test_chinese_date_before_the_news_words_dates_the_news_not_a_start(text, start):
    """ "12日宣布", "12日在…上表示": the date of the news, though deliveries (供货) follow;
    "供货协议", "供货安排" name the deal and start nothing."""
    [deal] = _deals(text)
    assert (str(deal.start.date) if deal.start else None) == start
    assert deal.status_date.date.value.month == 6


def test_chinese_undated_rumour_is_older_than_the_dated_answer():
    """ "近日有传闻称…", then "对此，X15日回应称…不实": the answer is the deal's newest step."""
    found = _deals(
        "近日有传闻称，江苏恒辉电池将向韩国大山汽车供应电池。对此，恒辉电池15日回应称，该传闻不实。"
    )
    assert newest_step(found, PUBLISHED).status == "not_finalized"


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("江苏恒辉电池与韩国大山汽车达成合作意向，拟合资建设电池工厂。", "in_talks"),
        ("江苏恒辉电池拟入股韩国金浦化学，双方计划于明年签署正式协议。", "in_talks"),
        ("韩国金浦化学称与江苏恒辉电池确有接触，但合作细节尚未最终敲定。", "in_talks"),
        ("韩国金浦化学表示，与江苏恒辉电池的合资事宜尚未最终敲定。", "not_finalized"),
        ("江苏恒辉电池与韩国金浦化学合资的工厂已于上月中旬正式投产。", "active"),
    ],
)
def test_chinese_intent_contact_and_a_plant_producing(text, status):
    """An intent (达成合作意向), a binding agreement still to sign (计划…签署正式协议) and
    contact not yet settled (确有接触，尚未最终敲定) are talks; "尚未最终敲定" alone denies, as
    尚未敲定 does; "已于…正式投产" is running."""
    [deal] = _deals(text)
    assert deal.status == status


def test_chinese_supply_framework_agreement_is_a_supply():
    """ "供货框架协议" frames supplies: a supply contract, not a cooperation."""
    [deal] = _deals("江苏恒辉电池与韩国大山汽车签署长期供货框架协议。")
    assert deal.kind == "supply"


def test_chinese_date_of_an_agreement_that_ended_is_not_the_end():
    """ "于去年5月达成…意向，…双方已终止合作": May is when they agreed, not when it ended."""
    [deal] = _deals("江苏恒辉电池与韩国金浦化学于去年5月达成合资意向，目前双方已终止合作。")
    assert deal.status == "cancelled" and deal.status_date is None


def test_chinese_site_built_in_and_no_country_for_a_site():
    """ "工厂拟建在…牙山市，" and "在安徽合肥合资建厂" place a plant; "在韩国的工厂" names only a
    country, which is no site."""
    assert find_site("合资工厂拟建在韩国忠清南道牙山市，规划年产能5GWh。", []).value == (
        "忠清南道牙山市"
    )
    assert find_site("双方计划在安徽合肥合资建厂。", []).value == "安徽合肥"
    assert find_site("电池将在韩国的工厂生产。", []) is None


def test_chinese_pack_maker_name_ends_in_battery_systems():
    """ "湖南星拓电池系统" is a name whole; "动力电池系统" alone is a product."""
    assert _names(chinese_names("湖南星拓电池系统与韩国大山汽车洽谈合作。")) == [
        "湖南星拓电池系统",
        "大山汽车",
    ]
    assert _names(chinese_names("公司生产动力电池系统。")) == []


# --- Chinese, sixth round: numbers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "gwh"),
    [
        ("天华储能将向韩国海松电力供应350兆瓦时储能电池。", Decimal("0.35")),
        ("天华储能将向韩国海松电力供应约1,500 MWh储能电池。", Decimal("1.5")),
        ("天华储能将向韩国海松电力供应总计80万千瓦时的储能系统。", Decimal("0.8")),
        ("天华储能将向韩国海松电力供应1.2亿千瓦时电池。", Decimal("120")),
    ],
)
def test_chinese_megawatt_and_kilowatt_hours_are_a_volume_in_gwh(text, gwh):
    """兆瓦时 is MWh; 万千瓦时 and 亿千瓦时 are kilowatt-hours by ten thousands and hundred
    millions; each is read in GWh."""
    [volume] = [q for q in find_quantities(text) if q.field == "volume_gwh"]
    assert volume.value == gwh


def test_chinese_kilowatt_hours_without_a_scale_are_no_volume():
    """ "单车带电量75千瓦时" is one pack's energy, not what a deal supplies."""
    assert [
        q for q in find_quantities("该车型单车带电量75千瓦时。") if q.field == "volume_gwh"
    ] == []


@pytest.mark.parametrize(
    ("text", "tons"),
    [
        ("双方合资建设的负极材料工厂设计年产能八万吨。", Decimal("80000")),
        ("该项目规划年产十二万吨磷酸铁锂正极材料。", Decimal("120000")),
        ("合资工厂年产能为三千吨。", Decimal("3000")),
        # What follows 万 is part of the number, not a figure of its own (it was read as 5000).
        ("新工厂设计年产能两万五千吨。", Decimal("25000")),
        ("该基地年产能为一万零五百吨。", Decimal("10500")),
    ],
)
def test_chinese_tons_in_numerals_are_a_capacity(text, tons):
    """年产能八万吨, 年产十二万吨, 三千吨, 两万五千吨: a capacity written in Chinese numerals."""
    [capacity] = find_capacity(text)
    assert capacity.value == (tons, "t")


def test_chinese_tons_that_are_no_figure_are_no_capacity():
    """ "数十万吨", "几十万吨" give no number; tons without a capacity word are no capacity."""
    assert find_capacity("合资工厂年产能达数十万吨。") == []
    assert find_capacity("合资工厂年产能达几十万吨。") == []
    assert find_capacity("该公司去年出口了三万吨原料。") == []


@pytest.mark.parametrize(
    ("text", "shares"),
    [
        ("宏达锂业将持有合资公司百分之五十一的股份。", [Decimal("51")]),
        ("交易完成后，宏达锂业持股比例为百分之十二。", [Decimal("12")]),
        ("宏达锂业将持有百分之19.9的股权。", [Decimal("19.9")]),
        ("合资公司中，宏达锂业持有七成股份，韩方持有三成的股份。", [Decimal("70"), Decimal("30")]),
        ("宏达锂业出资占比65%。", [Decimal("65")]),
    ],
)
def test_chinese_shares_in_words_tenths_and_as_a_proportion(text, shares):
    """百分之五十一, 百分之19.9, 七成股份 (seven tenths) and 出资占比 give equity shares."""
    from ingest.quantities import find_equity

    assert [q.value for q in find_equity(text)] == shares


def test_chinese_tenths_of_anything_but_shares_are_no_equity():
    """ "七成营收来自海外" is a share of revenue, not of the company, though the sentence is
    about a stake (持股)."""
    from ingest.quantities import find_equity

    assert find_equity("公司持股的子公司七成营收来自海外。") == []


def test_chinese_a_phase_amount_gives_way_to_the_total():
    """ "一期投资3亿元，总投资10亿元": the deal's investment is the total, whichever comes
    first; a phase's amount alone is still the only figure given."""
    from ingest.quantities import find_money

    [first, *_] = find_money("双方合资建厂，一期投资3亿元，项目总投资10亿元。")
    assert first.value == (Decimal("1000000000"), "CNY")
    [only] = find_money("双方合资建厂，首期投资3亿元。")
    assert only.value == (Decimal("300000000"), "CNY")


def test_chinese_amount_with_its_conversion_in_brackets_is_the_first_written():
    """ "3.5亿美元（约合人民币25亿元）": the amount the article gives, not its conversion."""
    [deal] = _deals(
        "宏达锂业将以3.5亿美元（约合人民币25亿元）收购韩国新元化学20%的股权。",
    )
    assert (deal.investment_amount, deal.investment_currency) == (Decimal("350000000"), "USD")


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("韩国电池企业永和能源与重庆川锂科技签署合资协议。", ["永和能源", "重庆川锂科技"]),
        ("此后，明与电子持有合资公司40%股份。", ["明与电子"]),
        ("该公司主营锂和新材料业务。", []),
    ],
)
def test_chinese_one_character_and_he_before_a_company_word_is_one_name(sentence, names):
    """ "永和能源": 和 after one character joins no two names (one character is no name); a
    material before it ("锂和新材料") is still two things."""
    assert _names(chinese_names(sentence)) == names


# --- Chinese, seventh round: how zh34–zh38 name the parties ---------------------------------


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("韩国材料企业HS化学与浙江凯越电池签署供货协议。", ["HS化学", "浙江凯越电池"]),
        ("公司将供应6GWh电池，另有LFP电池和EV电池。", []),
    ],
)
def test_chinese_latin_capitals_before_a_company_word_begin_a_name(sentence, names):
    """ "HS化学": Latin capitals written against a company word are the start of a name, though
    jieba tags them a foreign word; a unit after a figure ("6GWh电池") or a product's letters
    ("LFP电池") are no name."""
    assert _names(chinese_names(sentence)) == names


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("福建永盛锂电将向韩国东进汽车供应电池。", ["福建永盛锂电", "东进汽车"]),
        ("该车型搭载磷酸铁锂电池和锰酸锂电池。", []),
    ],
)
def test_chinese_name_ending_in_lithium_battery_word(sentence, names):
    """ "…锂电" ends a company's name as 锂业 and 锂能 do; a cathode salt before 锂电池
    ("磷酸铁锂电池") is a product, not a name cut at 锂电."""
    assert _names(chinese_names(sentence)) == names


def test_chinese_subsidiary_word_is_no_name():
    """ "…的全资子公司" says what a company is to its parent, not who it is: 子公司 is a
    descriptor, as 企业 is, and the name if any comes after it."""
    assert _names(chinese_names("该企业为韩国大洋集团的全资子公司。")) == ["大洋集团"]
    assert _names(chinese_names("其控股子公司负责运营。")) == []


def test_chinese_time_phrase_and_preposition_read_as_one_word_start_no_name():
    """ "两年内向X供应": jieba reads 内向 as one word; the name after it is X alone."""
    assert _names(chinese_names("公司计划两年内向湖北晨光新能源交付电芯。")) == ["湖北晨光新能源"]


@pytest.mark.parametrize(
    "sentence",
    [
        "韩国明洋集团旗下的明洋化学与江西泰和锂业签署供货协议，将向泰和锂业供应电解液。",
        "韩国明洋集团的全资子公司明洋化学与江西泰和锂业签署供货协议，将向泰和锂业供应电解液。",
    ],
)
def test_chinese_parent_named_before_its_subsidiary_is_no_party(sentence):
    """ "X集团旗下的Y", "X的全资子公司Y": Y signs; X only says whose Y is."""
    [deal] = _deals(sentence)
    assert {p.mention.name for p in deal.parties} == {"明洋化学", "江西泰和锂业"}


def test_chinese_both_sides_after_a_sentence_that_named_two_without_a_deal():
    """ "X与Y举行会谈。会后，双方签署…": 双方 is the two named just before, though that
    sentence gave no deal."""
    [deal] = _deals(
        "韩国电池企业大川能源与四川蜀锂科技昨日在成都举行会谈。"
        "会谈结束后，双方签署合资协议，将在四川遂宁合资建设电池工厂。"
    )
    assert {p.mention.name for p in deal.parties} == {"大川能源", "四川蜀锂科技"}
    assert str(deal.kind) == "joint_venture"


def test_chinese_a_share_for_each_party_after_a_venture_is_the_ventures():
    """ "X持股70%，Y持股30%" after their joint venture: the venture's shares, not a stake
    bought; one share alone after a venture may still be a stake."""
    deals = _deals(
        "韩国大川能源与四川蜀锂科技签署合资协议，将合资建设电池工厂。"
        "据介绍，蜀锂科技持股70%，大川能源持股30%。"
    )
    assert [str(d.kind) for d in deals] == ["joint_venture", "joint_venture"]
    shares = {p.mention.name: p.equity_share for p in deals[1].parties}
    assert shares == {"四川蜀锂科技": Decimal("70"), "大川能源": Decimal("30")}


@pytest.mark.parametrize(
    "sentence",
    [
        "韩国电力设备企业大元电气昨日与浙江海阔储能科技签署供货合同，海阔储能将为大元电气供应储能电池系统。",
        "韩国电力设备企业大元电气昨日与浙江海阔储能科技签署采购协议，海阔储能将向大元电气供应电芯。",
    ],
)
def test_chinese_company_named_again_after_wei_in_the_next_clause_receives(sentence):
    """ "A与B签署供货合同，B将为A供应…": the first clause gives no roles (A, named first, was
    taken for the supplier); A named again after 为/向 in the next clause receives."""
    [deal] = _deals(sentence)
    roles = {p.mention.name: str(p.role) for p in deal.parties}
    assert roles == {"大元电气": "customer", "浙江海阔储能科技": "supplier"}


@pytest.mark.parametrize(
    ("again", "receives"),
    [
        ("将为大元电气供应电池", True),
        ("将为大元电气的工厂供应电池", False),
        ("将为大元电气集团供应", False),
    ],
)
def test_chinese_name_again_receives_only_between_wei_and_a_verb_of_supplying(again, receives):
    """Only "为A供应" says A receives: in "为A的工厂供应" or "为A集团供应" the name is part of
    a longer phrase or name."""
    from ingest.extract import _named_again_as_customer
    from ingest.matching import Mention

    text = "韩国大元电气与浙江海阔储能科技签署供货合同，海阔储能" + again + "。"
    mention = Mention(start=2, end=6, text="大元电气", company=None)
    assert _named_again_as_customer(text, mention) is receives
