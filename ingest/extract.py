"""Read an article into candidate facts, each tied to the sentence it came from.

Pure functions over text and a `CompanyIndex`: no database, so the scoring command and the unit
tests run them as they are. The Celery task stores what they return as `Draft` rows.

A deal is read from one sentence: the companies it names (or that "the two companies" and
"they" stand for, from the sentences before), the words that say what kind of deal it is and
who does what ("X will supply Y", "a supply contract with", "co-developing", "entrust the
production of"), the words that say how far along it is ("signed", "in discussions", "reports
suggest", "not finalized"), and the figures and dates it gives.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ingest.matching import (
    CJK,
    LEGAL_SUFFIX,
    NOT_ORGS,
    ORG_SUFFIX,
    CompanyIndex,
    Mention,
    find_unknown_organisations,
    normalise,
)
from ingest.quantities import (
    Quantity,
    find_capacity,
    find_equity,
    find_money,
    find_quantities,
    find_site,
    first,
    product_of,
    products_in_order,
)
from ingest.relative_dates import DateMention, Role, find_dates
from ingest.text import Sentence, split_sentences
from partnerships.edges import ROLE_PRIORITY
from partnerships.models import ChainRole, DealKind, DealStatus, PartyRole

# Who is upstream of whom when the words do not say: materials feed cell makers, who feed
# automakers. Used to orient "a supply contract with".
CHAIN_RANK = {
    ChainRole.BATTERY_MATERIALS: 0,
    ChainRole.BATTERY_CELLS: 1,
    ChainRole.COMPONENTS: 2,
    ChainRole.AUTOMAKER: 3,
    ChainRole.GROUP: 3,
}

KIND_CUES = [
    (
        DealKind.CONTRACT_MANUFACTURING,
        r"entrust\w*\s+(?:the\s+)?(?:production|manufactur\w+)|contract[- ]manufactur\w+|"
        r"on behalf of|consign\w*\s+(?:the\s+)?production|\bassembl(?:e|es|ing)\b|"
        r"위탁\s*생산|조립|代工|组装",
    ),
    (
        DealKind.JOINT_DEVELOPMENT,
        r"co-?develop\w*|jointly develop\w*|collaboratively develop\w*|joint development|"
        r"develop\w*\s+[^.]*?\bwith\b|collaborat\w+[^.]*?(?:project|new car|develop)|"
        r"(?:project|new car)[^.]*?collaborat\w+|공동\s*개발|联合开发|共同开发",
    ),
    (
        DealKind.JOINT_VENTURE,
        r"(?:set up|form|establish|launch|create)\w*\s+(?:a\s+)?(?:new\s+)?joint venture|"
        r"joint venture|\bJV\b|\bjoint\s+(?:\w+\s+){0,2}?(?:plant|factory|company)\b|합작|合资",
    ),
    (
        DealKind.INVESTMENT,
        r"\binvest(?:s|ed|ing|ment)?\s+in\b|\bstake in\b|\bacquir\w+|지분|인수|股权|入股|持股|"
        # "投资者互动平台", "投资者关系": the company's shareholders, not an investment.
        r"收购|投资(?!者)|认购|参股",
    ),
    # An MOU is a cooperation whatever it is about ("an MOU on lithium supply").
    # "供货框架协议": a framework for supplies is a supply contract, not a cooperation.
    (
        DealKind.COOPERATION,
        r"\bMOU\b|memorandum|업무\s*협약|양해각서|备忘录|(?<!供货|供应|采购|购销)框架协议",
    ),
    (DealKind.LICENSING, r"\blicen[cs]\w*"),
    (
        DealKind.SUPPLY,
        r"\bsuppl(?:y|ies|ied|ying)\b|\bprovid(?:e|es|ed|ing)\b|\bdeliver\w*|\border(?:s|ed)?\b|"
        r"\bmade by\b|\bopted for\b|\bapplied\b|\bequipped\b|\bprocure\w*|\bpurchas\w+|\bbuy\w*|"
        r"\bsourc(?:e|es|ed|ing)\b|\bcontracts?\b|\bdeal\b|공급|납품|供应|供货|采购|"
        # "向X批量交付电芯": deliveries to X.
        r"向[^，。；]{1,25}?交付|"
        # "选定X为其电池供应商", "获得X…订单": chosen as the supplier, an order won from X.
        r"(?:选定|指定)[^，。]{0,25}(?:供应商|供货商)|获得(?!的)[^，。]{1,30}订单|"
        # "为X提供电池": 提供 supplies when a product follows, not "提供技术支持".
        r"提供[^，。]{0,6}?(?:电池|电芯|材料|正极|负极|隔膜|电解液|铜箔|锂)",
    ),
    (
        DealKind.COOPERATION,
        r"cooperat\w+|collaborat\w+|partner(?:ship|ing|ed|s)?\b|join hands|alliance|\bMOU\b|"
        r"memorandum|업무\s*협약|양해각서|협약|협력|备忘录|合作",
    ),
]
STATUS_CUES = [
    (
        DealStatus.NOT_FINALIZED,
        r"not (?:yet )?(?:been )?finali[sz]ed|not (?:yet )?(?:been )?confirmed|\bdenied\b|"
        r"nothing (?:has been |is |was )?(?:yet )?(?:finali[sz]ed|decided|confirmed)|"
        r"no decision|\bden(?:y|ies)\b|확정되지\s*않|사실\s*무근|사실이\s*아니|부인|未最终确定|"
        r"否认|不实|"
        r"(?:결정|확정|정해)(?:된|진)\s*(?:바|것은?|게)\s*없|결정되지\s*않|"
        r"尚未(?:最终|正式)?(?:确定|敲定|签署|达成)|并未(?:签署|达成)|"
        # "目前双方并无相关合作计划": no plan between them, in answer to a report.
        r"(?:并无|并没有|没有)(?:相关|任何|此类|这样的)?(?:合作)?计划|"
        # "未签署任何供货协议", "从未与X签订过协议": no agreement signed, in answer to a rumour.
        r"未(?:与[^，。；]{1,20}?)?(?:签署|签订|达成)(?:任何|过)",
    ),
    (
        DealStatus.CANCELLED,
        r"cancel+ed|terminated|scrapped|called off|\bended\s+(?:\w+\s+)?talks|pulled out|"
        r"abandon\w*|withdr[ae]w|fell through|collapsed|취소|철회|중단|무산|파기|결렬|백지화|"
        r"取消|终止|中止|中断|告吹|破裂|叫停|搁置|"
        # "暂停…合资计划"; a halt in the shares' trading (暂停交易, 停牌) is no end of a deal.
        r"暂停(?!交易|上市|办理)",
    ),
    # Talks that are only reported are talks: the words for talks come first.
    (
        DealStatus.IN_TALKS,
        r"in (?:discussions?|talks|negotiations?)|negotiat\w+|\bpursu(?:ing|es|e)\b|considering|"
        r"seeking|exploring|aims? to (?:sign|secure|win)|협의|논의|추진|협상|검토|"
        r"洽谈|谈判|磋商|商谈|商讨|探讨|接洽|确有接触|(?:初步|前期)接触|"
        # "达成合作意向", "计划于年内签署正式协议": an intent, the binding agreement to come.
        r"达成(?:了)?(?:初步)?(?:合作|投资|合资|收购|入股)?意向|"
        r"(?:计划|拟|将|有望|预计|准备)[^，。；]{0,10}?(?:签署|签订)(?:正式|最终)(?:协议|合同)",
    ),
    # "已于本月起开始向X批量供货", "目前正稳定供货": delivering now, though the news reached
    # the reporter second-hand ("据悉") or the contract was signed before; only with 已 or 正,
    # so "将于明年开始供货" stays a plan.
    (
        DealStatus.ACTIVE,
        r"已(?:经)?(?:于[^，。；]{1,10}?)?起?(?:开始|正式|陆续|全面)?(?:向[^，。；]{1,20}?)?"
        r"(?:批量|规模化|稳定)?(?:供货|交付)|"
        r"已(?:经)?(?:实现|进入)(?:批量|规模化)?(?:供货|交付)|"
        r"(?:正在|正)(?:稳定|批量|持续)地?(?:向[^，。；]{1,20}?)?(?:供货|供应|交付)",
    ),
    (
        DealStatus.REPORTED,
        r"reports? (?:suggest|say|said|indicate)|reportedly|according to (?:industry )?"
        r"(?:reports|sources|media|insiders)|(?:is|are) said to|it is known that|sources said|"
        r"rumou?r|알려졌|전해졌|보도했|보도됐|보도에 따르면|据报道|据悉|报道称|媒体报道|传闻",
    ),
    (
        DealStatus.SIGNED,
        r"\bsigned\b|entered into|\breached\b|\bwon\b|\bsecured\b|\bconcluded\b|\bagreed\b|"
        r"\binked\b|\bclinched\b|\bsealed\b|\bwill (?:supply|provide|deliver|produce)|"
        r"\b(?:will|would) (?:jointly )?(?:invest|build|set up|form|establish)\b|"
        r"\bplans? to\b|\bis set to\b|\bis scheduled to\b|\bannounc\w+|체결|합의|맺|"
        r"기로\s*했|설립(?:한다|키로|하기로|하고)|공급(?:한다|할 예정|하기로)|"
        r"签署|签订|达成|宣布|收购|(?:选定|指定)[^，。]{0,25}(?:供应商|供货商)|"
        r"获得(?!的)[^，。]{1,30}订单|"
        # "합작법인을 세운다", "공장을 짓기로": what the companies will build, announced.
        r"세운다|세우고|세우기로|짓는다|짓고|짓기로|건설한다|건설하고|건설하기로|"
        r"拟(?:出资|投资|设立|建设|收购|入股|共同)|计划(?:出资|投资|设立|建设)|签约|携手|손잡|"
        r"将[^，。]{0,15}?(?:供应|供货|采购|提供)",
    ),
    (
        DealStatus.ACTIVE,
        r"\bequipped\b|\bapplied\b|\bopted for\b|\bha(?:s|ve) been\b|\bis supplying\b|"
        r"\bare supplying\b|\bsupplies\b|\bcooperating\b|\bdeveloping\b|\bbegan\b|\bstarted\b|"
        r"mass production|양산|공급\s*중|正在|"
        # "已实现量产", "工厂已投产": production under way; a signing in the sentence is the news.
        r"已(?:经)?(?:实现|进入)?(?:批量|规模化)?(?:量产|投产)|"
        # "已于本月中旬落地投产", "已正式建成投产": a date or the plant's words may come between.
        r"已(?:经)?(?:于[^，。；]{1,10}?)?(?:正式|顺利|落地|建成|全面)+(?:量产|投产)",
    ),
]
TWO_COMPANIES = re.compile(
    r"\b(?:the two companies|both companies|the two firms|the pair|the partners)\b"
    r"|\bthe three (?:companies|partners|firms)\b|양사|두 회사|세 회사|3사|双方|三方",
    re.IGNORECASE,
)
ONE_COMPANY = re.compile(
    r"^(?:They|It)\b(?!\s+(?:is|was)\s+(?:known|reported|said|expected|understood|believed))|"
    r"\b(?:the company|the firm|the automaker|the carmaker|the group|"
    r"the battery maker)\b"
    # "公司同时透露…": a Chinese sentence whose subject is "the company" goes on about the last.
    r"|^(?:该|这家)?公司(?=同时|还|此前|表示|称|透露|介绍|指出|已|将|正|目前|在|于|与)",
    re.IGNORECASE,
)
# "Beijing Hyundai, Hyundai Motor's joint venture in China, ...": the second name describes
# the first and is no party to what follows.
APPOSITIVE = re.compile(r"^,\s*$|^,\s+(?:a|the)\s+$", re.IGNORECASE)  # text between the two names
APPOSITIVE_NOUN = re.compile(
    r"^'s\s+(?:\w+\s+){0,2}(?:joint venture|subsidiary|affiliate|unit|brand|arm)\b", re.IGNORECASE
)
# "X集团旗下的Y", "X的全资子公司Y": X names the parent that Y belongs to; Y is the party.
PARENT_OF = re.compile(
    r"^\s*(?:旗下|的?(?:全资|控股)?子公司)的?(?:[\u4E00-\u9FFF]{0,6}?(?:企业|公司|厂商|品牌))?\s*$"
)
FOR_WHOSE = re.compile(r"\bfor\s+$", re.IGNORECASE)
RESPECTIVELY = re.compile(r"\brespectively\b|각각|分别", re.IGNORECASE)
SUPPLIER_BY = re.compile(
    r"(?:made by|produced by|supplied by|manufactured by|from|of)\s+(?:China's\s+|Korea's\s+)?$",
    re.IGNORECASE,
)
SUPPLIER_BEFORE_PRODUCT = re.compile(
    r"^(?:'s)?\s+(?:batter(?:y|ies)|cells|foils?|cathodes?|anodes?|electrolytes?|separators?)\b",
    re.IGNORECASE,
)
SUPPLY_TO = re.compile(
    r"\b(?:suppl(?:y|ies|ied|ying)|provid\w+|deliver\w*|sell\w*)\b[^.]*?\bto\s+$",
    re.IGNORECASE,
)
BUY_FROM = re.compile(
    r"\b(?:buy\w*|purchas\w+|procure\w*|sourc\w+|order\w*)\b[^.]*?\bfrom\s+$", re.IGNORECASE
)
MANUFACTURE_TO_ITS = re.compile(r"\bto\s+its\b[^.]*?(?:plant|factory|line|site)", re.IGNORECASE)
MANUFACTURE_FOR = re.compile(r"\b(?:for|on behalf of)\s+$", re.IGNORECASE)


# The company invested in: "a stake in X", "X의 지분", "入股X", "收购X…股权"; and "자사 지분"
# (its own shares), which makes the topic of the sentence ("X는 …") the one invested in.
INVESTED_BEFORE = re.compile(
    r"(?:stake in|invest(?:s|ed|ing|ment)? in|acquir\w+|入股|收购|投资|持有|取得|认购|参股)\s*"
    r"(?:(?:China's|Korea's|Chinese|Korean)\s+|韩国|中国)?"
    # "收购韩国隔膜企业X": what the company makes may stand between the verb and its name.
    r"(?:[\u4E00-\u9FFF]{0,8}?(?:企业|公司|厂商|车企|制造商))?$",
    re.IGNORECASE,
)
# "X would buy a 25% stake in the company": the one that buys or takes the stake invests.
INVESTOR_AFTER = re.compile(
    r"^(?:'s)?\s+(?:(?:would|will|is to|plans to|agreed to|aims to|to)\s+)?"
    r"(?:buy|take|acquire|purchase|invest)\w*\b",
    re.IGNORECASE,
)
INVESTED_AFTER = re.compile(r"^(?:'s\s+(?:\w+\s+)?(?:stake|shares)|\s*(?:의\s*)?지분)")
TOPIC_AFTER = re.compile(r"^(?:은|는)\s")


# "向X供应", "X에 공급": X receives; "从X采购", "X로부터 공급받": X delivers.
# "为韩国电池企业X配套": what the company is may stand between the word and its name.
CJK_DESCRIBED = r"(?:韩国|中国)?(?:[\u4E00-\u9FFF]{0,8}?(?:企业|公司|厂商|车企|制造商))?"
CJK_TO = re.compile(rf"(?:向|给|为)\s*{CJK_DESCRIBED}$")
CJK_TO_AFTER = re.compile(r"^(?:에|에게|측에)\s")
CJK_FROM = re.compile(r"(?:从|自)\s*(?:韩国|中国)?$")
CJK_FROM_AFTER = re.compile(r"^(?:로부터|으로부터|에서)\s")


# "向X采购" and "X로부터 구매": X sells, though 向 usually marks the one supplied.
CJK_BUY_AFTER = re.compile(r"^[^，。,]{0,15}?(?:采购|购买|订购|进口|공급받|구매|구입|수입)")


# "选定X为其电池供应商": X is chosen to supply; "与X签订的…采购协议": X sells.
CJK_NAMED_SUPPLIER = re.compile(r"^为其?[^，。]{0,20}?(?:供应商|供货商)")
CJK_CHOSEN = re.compile(r"(?:选定|指定|确定|选择)\s*(?:韩国|中国)?$")
CJK_BOUGHT_FROM = re.compile(r"^(?:签订|签署)的[^，。]{0,15}?(?:采购|购买)")
# "获得X…的…订单": X places the order.
CJK_ORDER_FROM = re.compile(r"获得\s*(?:韩国|中国)?[^，。]{0,12}$")
CJK_ORDER_AFTER = re.compile(r"^[^，。]{0,20}?订单")


def _cjk_supplier(text: str, mention: Mention) -> bool:
    before, after = _before(text, mention.start), _after(text, mention.end)
    if CJK_FROM.search(before) or CJK_FROM_AFTER.match(after):
        return True
    if CJK_CHOSEN.search(before) and CJK_NAMED_SUPPLIER.match(after):
        return True
    if re.search(r"与\s*(?:韩国|中国)?$", before) and CJK_BOUGHT_FROM.match(after):
        return True
    return bool(re.search(r"向\s*(?:韩国|中国)?$", before) and CJK_BUY_AFTER.match(after))


def _cjk_customer(text: str, mention: Mention) -> bool:
    if _cjk_supplier(text, mention):
        return False
    before, after = _before(text, mention.start), _after(text, mention.end)
    if CJK_ORDER_FROM.search(before) and CJK_ORDER_AFTER.match(after):
        return True
    return bool(CJK_TO.search(before) or CJK_TO_AFTER.match(after)) or _named_again_as_customer(
        text, mention
    )


# The verb right after the one supplied: "为A供应", "向A交付"; so that "为A" is not read inside
# a longer name ("为A摩比斯供应") or a phrase ("为A的工厂").
CJK_SUPPLY_VERB = re.compile(r"\s*(?:供应|供货|提供|交付|配套)")


def _named_again_as_customer(text: str, mention: Mention) -> bool:
    """A named again later in the sentence, between 为/向/给 and a verb of supplying, receives:
    "A与B签署供货合同，B将为A供应…" names the pair first, then says who supplies whom. Looked
    for in a window after the name, so a long sentence costs no more per name."""
    name = text[mention.start : mention.end]
    window_end = mention.end + CUE_WINDOW
    at = text.find(name, mention.end, window_end)
    while at != -1:
        if CJK_TO.search(_before(text, at)) and CJK_SUPPLY_VERB.match(text, at + len(name)):
            return True
        at = text.find(name, at + len(name), window_end)
    return False


def _invested_in(text: str, mention: Mention) -> bool:
    before, after = _before(text, mention.start), _after(text, mention.end)
    if INVESTED_BEFORE.search(before) or INVESTED_AFTER.match(after):
        return True
    return bool("자사 지분" in text and TOPIC_AFTER.match(after))


# How far before or after a name the role cues are looked for, in characters: longer than
# any "supply ... to" span in a real sentence.
CUE_WINDOW = 300
# Sentences longer than this are not read for deals: no news sentence is this long, and the
# cue patterns cost more than linear time on hostile text (a table without full stops, the same
# name 20,000 times). Their company names are still proposed.
MAX_SENTENCE_CHARS = 2000
# New companies proposed from one article at most: a real article names a few dozen; a list
# of thousands is not one to review name by name, and each name is compared with the others.
MAX_PROPOSALS = 200


def _before(text: str, at: int) -> str:
    """The words just before `at`, for the cues that end where a name begins ("supplied by",
    "to"): a window, not the whole sentence before it, so each name costs the same however
    many came before (a sentence naming 20,000 companies would otherwise be quadratic)."""
    return text[max(0, at - CUE_WINDOW) : at]


def _after(text: str, at: int) -> str:
    """The words just after `at` (see `_before`)."""
    return text[at : at + CUE_WINDOW]


def _other_keys(mentions: list[Mention], keys: set) -> list[Mention]:
    """The mentions of companies other than `keys`, in order."""
    return [m for m in mentions if m.key not in keys]


def _without(mentions: list[Mention], dropped: list[Mention]) -> list[Mention]:
    """`mentions` without those in `dropped`, in order, in linear time."""
    dropped_set = set(dropped)
    return [m for m in mentions if m not in dropped_set]


@dataclass
class Party:
    mention: Mention
    role: str
    equity_share: Decimal | None = None

    @property
    def key(self):
        return self.mention.key


@dataclass
class DealCandidate:
    sentence: Sentence
    parties: list[Party]
    kind: str
    status: str
    confidence: Decimal
    marks: list = field(default_factory=list)
    product: str = ""
    product_detail: str = ""
    cell_format: str = ""
    chemistry: str = ""
    volume_gwh: Decimal | None = None
    vehicle_count: int | None = None
    vehicle_count_estimated: bool = False
    term_years: int | None = None
    investment_amount: Decimal | None = None
    investment_currency: str = ""
    capacity_value: Decimal | None = None
    capacity_unit: str = ""
    site_name: str = ""
    status_date: DateMention | None = None
    # The sentence tells an earlier step ("앞서 … 보도했다", "双方曾于去年3月签署", "had been in
    # talks"): history behind the article's news, never its newest step.
    earlier: bool = False
    start: DateMention | None = None
    end: DateMention | None = None

    @property
    def pair(self) -> frozenset:
        return frozenset(party.key for party in self.parties)

    @property
    def fingerprint(self) -> str:
        reading = "|".join(
            [
                "deal",
                self.sentence.text,
                ",".join(sorted(f"{p.key}:{p.role}" for p in self.parties)),
                self.kind,
                self.product,
            ]
        )
        return hashlib.sha256(reading.encode()).hexdigest()

    def title(self) -> str:
        names = [p.mention.name for p in _upstream_first(self.parties)]
        product = dict(_product_labels()).get(self.product, "")
        kind = DealKind(self.kind).label
        return f"{' – '.join(dict.fromkeys(names))}: {product + ' ' if product else ''}{kind}"[:200]


@dataclass
class CompanyCandidate:
    sentence: Sentence
    name: str
    country: str
    confidence: Decimal
    marks: list

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(f"company|{normalise(self.name)}".encode()).hexdigest()


@dataclass
class Extraction:
    deals: list[DealCandidate]
    companies: list[CompanyCandidate]
    mentions: dict  # sentence start -> list of Mention, for scoring the companies found


def _product_labels():
    from partnerships.models import Deal

    return [(value, str(label)) for value, label in Deal.Product.choices]


def _upstream_first(parties):
    """Parties in the order the supply graph draws them: deliverers first, customers last."""
    return sorted(parties, key=lambda p: ROLE_PRIORITY[p.role])


def _rank(mention: Mention):
    company = mention.company
    if company is not None and company.chain_role:
        return CHAIN_RANK.get(company.chain_role)
    source = mention.refers_to or mention
    return CHAIN_RANK.get(source.guessed_role) if source.guessed_role else None


def _first_cue(cues, text):
    """The first (value, match) of a cue table that matches, in the table's order."""
    for value, pattern in cues:
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            return value, match
    return None, None


def _drop_appositives(text: str, mentions: list[Mention]) -> list[Mention]:
    kept = []
    for index, mention in enumerate(mentions):
        if text.startswith("'s", mention.end) and FOR_WHOSE.search(_before(text, mention.start)):
            continue  # "packs for Hyundai Motor's next SUV": whom it is for, not a party
        following = mentions[index + 1] if index + 1 < len(mentions) else None
        if following is not None and PARENT_OF.match(text[mention.end : following.start]):
            continue
        previous = mentions[index - 1] if index else None
        if (
            previous is not None
            and APPOSITIVE.match(text[previous.end : mention.start])
            and APPOSITIVE_NOUN.match(_after(text, mention.end))
        ):
            continue
        kept.append(mention)
    return kept


def _orient(subject: list[Mention], others: list[Mention]):
    """Supplier and customer of "a supply contract with": upstream in the chain supplies."""
    a, b = subject[0], others[0]
    rank_a, rank_b = _rank(a), _rank(b)
    if rank_a is not None and rank_b is not None and rank_a != rank_b:
        if rank_a < rank_b:
            return subject, others, True
        return others, subject, True
    return subject, others, False


def _roles(kind: str, text: str, mentions: list[Mention], cue_at: int):
    """[(mentions, role)] groups, and whether the words (not the fallback) set the roles."""
    before = [m for m in mentions if m.start < cue_at] or mentions[:1]
    after = _without(mentions, before)
    if not after:
        # "X is in talks with Y to supply ...": the cue follows both names; X is the subject.
        before, after = mentions[:1], mentions[1:]
    if kind == DealKind.SUPPLY:
        suppliers = [
            m
            for m in mentions
            if SUPPLIER_BY.search(_before(text, m.start))
            or SUPPLIER_BEFORE_PRODUCT.match(_after(text, m.end))
        ]
        if suppliers and len(suppliers) < len(mentions):
            customers = _without(mentions, suppliers)
            return [(suppliers, PartyRole.SUPPLIER), (customers, PartyRole.CUSTOMER)], True
        sellers = [m for m in mentions if _cjk_supplier(text, m)]
        if sellers and len(sellers) < len(mentions):
            buyers = _without(mentions, sellers)
            return [(sellers, PartyRole.SUPPLIER), (buyers, PartyRole.CUSTOMER)], True
        customers = [m for m in after if SUPPLY_TO.search(_before(text, m.start))] or [
            m for m in mentions if _cjk_customer(text, m)
        ]
        customer_keys = {m.key for m in customers}
        if customers and len(customer_keys) < len({m.key for m in mentions}):
            # "向现代汽车供应…，用于现代汽车…": a company named twice is on one side.
            suppliers = _other_keys(mentions, customer_keys)
            return [(suppliers, PartyRole.SUPPLIER), (customers, PartyRole.CUSTOMER)], True
        sellers = [m for m in after if BUY_FROM.search(_before(text, m.start))]
        if sellers:
            buyers = _without(mentions, sellers)
            return [(sellers, PartyRole.SUPPLIER), (buyers, PartyRole.CUSTOMER)], True
        suppliers, customers, by_chain = _orient(before, after)
        return [(suppliers, PartyRole.SUPPLIER), (customers, PartyRole.CUSTOMER)], by_chain
    if kind == DealKind.CONTRACT_MANUFACTURING:
        if MANUFACTURE_TO_ITS.search(text):
            return [(before, PartyRole.MANUFACTURER), (after, PartyRole.CUSTOMER)], True
        customers = [m for m in after if MANUFACTURE_FOR.search(_before(text, m.start))]
        if customers:
            makers = _without(mentions, customers)
            return [(makers, PartyRole.MANUFACTURER), (customers, PartyRole.CUSTOMER)], True
        return [(after, PartyRole.MANUFACTURER), (before, PartyRole.CUSTOMER)], True
    if kind == DealKind.INVESTMENT:
        buyers = {m.key for m in mentions if INVESTOR_AFTER.match(_after(text, m.end))}
        if buyers and len(buyers) < len({m.key for m in mentions}):
            investors = [m for m in mentions if m.key in buyers]
            return [
                (investors, PartyRole.INVESTOR),
                (_other_keys(mentions, buyers), PartyRole.PARTNER),
            ], True
        # "与X商谈入股事宜，…认购X约10%的股份": a company named twice is invested in by both
        # of its mentions, not an investor by the one before the verb.
        target_keys = {m.key for m in mentions if _invested_in(text, m)}
        if target_keys and len(target_keys) < len({m.key for m in mentions}):
            targets = [m for m in mentions if m.key in target_keys]
            investors = _other_keys(mentions, target_keys)
            return [(investors, PartyRole.INVESTOR), (targets, PartyRole.PARTNER)], True
        return [(before, PartyRole.INVESTOR), (after, PartyRole.PARTNER)], True
    if kind == DealKind.JOINT_DEVELOPMENT:
        return [(mentions, PartyRole.DEVELOPER)], True
    return [(mentions, PartyRole.PARTNER)], True


def _parties(groups) -> list[Party]:
    parties, seen = [], set()
    for mentions, role in groups:
        for mention in mentions:
            if (mention.key, role) not in seen:
                seen.add((mention.key, role))
                parties.append(Party(mention, role))
    return parties


@dataclass
class _Context:
    """What later sentences may refer back to."""

    last_subject: Mention | None = None
    last_deal: DealCandidate | None = None
    # The company a filing calls 本公司 (`SELF_DEFINED`).
    issuer: Mention | None = None
    # The companies the sentence just before named together without a deal ("X与Y举行会谈"):
    # a "双方" right after is those two, not the article's last deal.
    last_named: list[Mention] = field(default_factory=list)


ANSWER = re.compile(r"对此|针对(?:此|上述|该)")


def _resolve_references(sentence: str, mentions: list[Mention], context: _Context):
    """Add the mentions that "the two companies" or "they" stand for; says if it did."""
    keys = {m.key for m in mentions}
    two = TWO_COMPANIES.search(sentence)
    if two and len(keys) < 2 and context.last_named:
        added = [
            Mention(two.start(), two.end(), two[0], m.company, m.refers_to or m)
            for m in _one_per_key(context.last_named)
            if m.key not in keys
        ]
        return sorted([*mentions, *added], key=lambda m: m.start), True
    last = context.last_deal
    if not two and last is not None and keys <= {p.key for p in last.parties}:
        # "对此，X回应称，该传闻不实": an answer to what the sentence before told, so about
        # that deal, though it names only the one who answers.
        two = ANSWER.match(sentence)
    if two and last is not None and len(keys) < 2:
        added = [
            # To the name itself, not to an earlier reference ("本公司", "双方") to it.
            Mention(
                two.start(), two.end(), two[0], p.mention.company, p.mention.refers_to or p.mention
            )
            for p in _upstream_first(context.last_deal.parties)
            if p.key not in keys
        ]
        return sorted([*mentions, *added], key=lambda m: m.start), True
    one = ONE_COMPANY.search(sentence)
    if (
        one
        and context.last_subject is not None
        and len(keys) < 2
        and context.last_subject.key not in keys
    ):
        reference = Mention(
            one.start(), one.end(), one[0], context.last_subject.company, context.last_subject
        )
        return sorted([*mentions, reference], key=lambda m: m.start), True
    return mentions, False


def _one_per_key(mentions: list[Mention]) -> list[Mention]:
    seen, kept = set(), []
    for mention in mentions:
        if mention.key not in seen:
            seen.add(mention.key)
            kept.append(mention)
    return kept


# "尚未达成最终协议" beside "正与…洽谈": no agreement yet because the talks go on, not a denial.
NOT_YET = re.compile(r"^(?:尚未|并未)")
TALKS = dict(STATUS_CUES)[DealStatus.IN_TALKS]


def _status(sentence: str):
    status, match = _first_cue(STATUS_CUES, sentence)
    if status == DealStatus.NOT_FINALIZED and NOT_YET.match(match.group()):
        talks = re.search(TALKS, sentence, re.IGNORECASE)
        if talks:
            return DealStatus.IN_TALKS, talks
    return (status or DealStatus.REPORTED), match


def _deals_in_sentence(sentence: Sentence, mentions, context, published, found_by_words):
    text = sentence.text
    mentions = _drop_appositives(text, mentions)
    mentions, referred = _resolve_references(text, mentions, context)
    if len({m.key for m in mentions}) < 2:
        return []
    kind, kind_match = _first_cue(KIND_CUES, text)
    last = context.last_deal
    inherit = referred and last is not None and kind in (None, DealKind.COOPERATION)
    # A sentence naming only the last deal's companies goes on about that deal when it gives no
    # other kind of deal: "합작법인 지분은 A가 51%, B가 34%…", "根据备忘录，X将为Y供应…",
    # "양사는 5억 달러를 투자해 공장을 짓는다" (money spent on the venture, not a stake).
    same_deal = last is not None and {m.key for m in mentions} <= {p.key for p in last.parties}
    continues = same_deal and (
        kind is None
        or kind == last.kind
        or AGREEMENT_REFERENCE.search(text)
        # "项目总投资12亿美元，…分别持股51%和49%": the project just named, not a new stake.
        or FOLLOW_UP.search(text)
        or (referred and kind == DealKind.INVESTMENT and not STAKE_WORDS.search(text))
        # "X持股55%，Y持股45%" after their venture: the venture's shares, one for each party;
        # a stake bought gives the buyer's share alone.
        or (
            kind == DealKind.INVESTMENT
            and last.kind == DealKind.JOINT_VENTURE
            and len([q for q in find_equity(text) if not _each(text, q)]) >= 2
        )
    )
    if (inherit and TWO_COMPANIES.search(text)) or (continues and kind != last.kind):
        # "The two companies are in discussions to expand their cooperation": the same deal.
        kind = last.kind
        groups = [([m for m in mentions if m.key == p.key], p.role) for p in last.parties]
        by_words = True
        inherit = True
    elif kind is None:
        return []
    else:
        groups, by_words = _roles(kind, text, mentions, kind_match.start())
        if groups is None:
            return []
    status, status_match = _status(text)
    if continues and (
        status_match is None
        or (status == DealStatus.REPORTED and last.status != status and not EARLIER.search(text))
    ):
        # No words of its own on how far along, or only "据悉"/"reportedly" about a deal the
        # article has already told as further along (not a report it tells as earlier): the
        # deal's status.
        status = last.status
    quantities = _sentence_quantities(text, mentions)
    dates = find_dates(text, published)
    respectively = RESPECTIVELY.search(text)
    # "to supply cathode materials and electrolytes, respectively": the products listed before.
    products = products_in_order(
        [q for q in quantities if respectively is None or q.start < respectively.start()]
    )

    suppliers = next((g for g, role in groups if role == PartyRole.SUPPLIER), [])
    split = respectively and len(suppliers) > 1 and len(products) == len(suppliers)
    readings = (
        [
            ([([s], PartyRole.SUPPLIER), *[g for g in groups if g[1] != PartyRole.SUPPLIER]], p)
            for s, p in zip(suppliers, products, strict=True)
        ]
        if split
        else [(groups, product_of(quantities))]
    )
    if inherit or ((referred or continues) and last is not None and not readings[0][1]):
        readings = [(g, context.last_deal.product) for g, _ in readings]
    candidates = []
    for reading_groups, product in readings:
        parties = _parties(reading_groups)
        if len({p.key for p in parties}) < 2:
            continue
        candidate = DealCandidate(
            sentence=sentence,
            parties=parties,
            kind=kind,
            status=status,
            confidence=_confidence(parties, by_words, referred, quantities, kind_match),
            product=_product_for(kind, product, quantities),
            earlier=bool(EARLIER.search(text)),
        )
        _fill_quantities(candidate, quantities)
        _fill_dates(candidate, dates, text, published)
        _assign_equity(candidate, quantities, mentions)
        candidate.marks = _marks(
            text, parties, quantities, dates, kind_match, status_match, found_by_words
        )
        candidates.append(candidate)
    return candidates


# "根据协议", "According to the agreement", "계약에 따라": the sentence reads the deal just named.
AGREEMENT_REFERENCE = re.compile(
    r"根据(?:协议|备忘录|合同|框架协议)|按照(?:协议|合同)|"
    r"(?:according to|under) the (?:agreement|deal|contract|memorandum|MOU)|"
    r"(?:계약|협약|합의|양해각서)에 따라|(?:계약|협약)에 따르면",
    re.IGNORECASE,
)
EARLIER = re.compile(
    r"\b(?:earlier|previously|had (?:been|signed|agreed|planned))\b|앞서|이전에|그동안|해\s*왔|"
    r"此前|之前|早前|先前|曾(?:经|于|与|在|签署|计划|宣布|表示|打算)",
    re.IGNORECASE,
)


def newest_step(deals: list[DealCandidate], published: datetime.date) -> DealCandidate:
    """The step a deal's history ends with once these drafts of it are approved: the latest
    status date (the publication's when the sentence gives none), a step the article tells as
    earlier below any other, and of equals the one read last; dated by the sentence that dates
    that status."""
    newest = max(
        enumerate(deals),
        key=lambda item: (
            not item[1].earlier,
            # "近日有传闻称…" and then "对此，X 12日回应称…": a report that gives no date is
            # what a dated step answers or goes on from, never newer than it.
            item[1].status_date is not None or item[1].status != DealStatus.REPORTED,
            item[1].status_date.date.value if item[1].status_date else published,
            item[0],
        ),
    )[1]
    if newest.status_date is None:
        # Sentences that go on about the deal repeat its status without a date: the status
        # dates from the sentence that gave it one ("지난 6일 합의했다").
        dated = [d for d in deals if d.status == newest.status and d.status_date and not d.earlier]
        if dated:
            return max(dated, key=lambda d: d.status_date.date.value)
    return newest


STAKE_WORDS = re.compile(r"stake|shares|지분|인수|股权|入股|收购|持股", re.IGNORECASE)


FOLLOW_UP = re.compile(
    r"^(?:The|This|That|These|Those|Its|Their)\s+(?:\w+\s+){0,2}?"
    r"(?:deal|contract|agreement|order|supply|batter(?:y|ies)|cells|volume|shipments?)\b"
    r"|^(?:It|This)\s+(?:covers|is|was|will)\b"
    # "공급은 올해 하반기부터 시작된다", "交易已于5月6日完成交割": the deal, its supply or its
    # plant as the subject, in Korean and Chinese.
    r"|^(?:이번\s*)?(?:공급|납품|계약|거래|인수|합작법인|공장|투자)(?:은|는|이|가)\s"
    r"|^(?:该|此次|本次)?(?:交易|协议|合同|项目|合资公司|供货|供应|交付|首批)",
    re.IGNORECASE,
)


def _follow_up(sentence: Sentence, mentions: list[Mention], context: _Context, published):
    """Figures in a sentence after a deal belong to that deal when the sentence names no other
    company: "The batteries will equip about 150,000 vehicles", "Daesung will own 51% of the
    venture", "공장은 내년 상반기 가동될 예정이다". A draft of the same parties, quoting it."""
    last = context.last_deal
    if last is None:
        return []
    keys = {p.key for p in last.parties}
    if any(m.key not in keys for m in mentions):
        return []
    text = sentence.text
    referred = FOLLOW_UP.search(text)
    figures = ("volume_gwh", "vehicle_count", "term_years")
    quantities = [
        q
        for q in _sentence_quantities(text, mentions)
        if (referred and q.field in figures) or q.field in FACT_FIELDS
    ]
    # A plain date dates the deal only in a sentence about it ("交易已于5月6日完成交割") or
    # about its production; otherwise it may date anything.
    dates = [
        d
        for d in find_dates(text, published)
        if d.role != Role.AT or referred or PRODUCTION_START.search(text)
    ]
    if not quantities and not (dates and (mentions or referred or PRODUCTION_START.search(text))):
        return []
    by_key = {m.key: m for m in mentions}
    candidate = DealCandidate(
        sentence=sentence,
        parties=[Party(by_key.get(p.key, p.mention), p.role) for p in last.parties],
        kind=last.kind,
        status=last.status,
        confidence=Decimal("0.45") if referred or mentions else Decimal("0.35"),
        product=last.product,
        earlier=last.earlier or bool(EARLIER.search(text)),
    )
    _fill_quantities(candidate, quantities)
    _fill_dates(candidate, dates, text, published)
    _assign_equity(candidate, quantities, mentions)
    marks = [[q.start, q.end, q.field] for q in quantities if q.field != "product"]
    marks += [[d.start, d.end, f"date: {d.date}"] for d in dates]
    marks += [[m.start, m.end, "company"] for m in mentions]
    if referred:
        marks.append([0, referred.end(), "refers to " + last.title()])
    candidate.marks = _without_overlaps(marks)
    return [candidate]


# The facts a later sentence may add to the deal before it.
FACT_FIELDS = ("investment", "capacity", "equity", "site")
# "Production is due to start in 2028", "내년 상반기 가동", "预计2027年投产": the date a plant
# starts is the deal's start, not the date of the news.
PRODUCTION_START = re.compile(
    r"starts? (?:production|operations|mass production)|production (?:is |will )?"
    r"(?:due|scheduled|expected|set|slated) to (?:start|begin)|to (?:start|begin) production|"
    r"deliveries (?:will )?(?:start|begin)|first deliveries|"
    # 供货 and 交付 as nouns ("供货协议", "供货量", "供货安排") name the deal, not a start.
    r"가동|양산|생산을? 시작|투산|납품을? 시작|출하|投产|量产|开工|启用|"
    r"(?:交付|供货)(?!协议|合同|框架|量|安排|关系|商|事宜)",
    re.IGNORECASE,
)

# What follows a date that dates a signing: "去年12月签订的合同".
SIGNING_AFTER = re.compile(
    r"^\s*[^，。；,]{0,3}?(?:签订|签署|签约|达成|체결|signed)", re.IGNORECASE
)
ENDED = (DealStatus.CANCELLED, DealStatus.NOT_FINALIZED)
# "24日宣布", "12日…回应称": a date just before the words that bring the news dates the news.
SIGNED_ON = re.compile(
    r"^\s*[^，。；,]{0,3}?(?:签订|签署|签约|达成|체결|signed|宣布|回应|表示|披露|公告|发布|透露)|"
    r"^\s*在[^，。；,]{1,12}?(?:上|中)(?:回应|表示|透露|披露|宣布)",
    re.IGNORECASE,
)


def _sentence_quantities(text: str, mentions: list[Mention]) -> list[Quantity]:
    """Every figure of the sentence; a GWh that is a plant's yearly capacity is a capacity, not a
    supply volume."""
    capacity = find_capacity(text)
    quantities = [
        q
        for q in find_quantities(text)
        if not (
            q.field == "volume_gwh" and any(q.start < c.end and q.end > c.start for c in capacity)
        )
    ]
    quantities += capacity + find_money(text) + find_equity(text)
    site = find_site(text, [(m.start, m.end) for m in mentions])
    if site is not None:
        quantities.append(site)
    return quantities


EQUITY_RATIO = re.compile(
    r"\b(?P<a>\d{1,2})\s*(?:-|:|대\s*)\s*(?P<b>\d{1,2})\s*(?:의\s*)?"
    r"(?=(?:joint venture|JV|venture|partnership|합작|合资|지분|비율|股比|출자))",
    re.IGNORECASE,
)
EACH_BEFORE = re.compile(
    r"(?:各(?:自)?\s*(?:持股|持有|占股?|出资)?|각각|\beach\s+(?:holding|hold|holds|owning|own|owns|"
    r"taking|with)(?:\s+a)?)\s*$",
    re.IGNORECASE,
)


def _each(text: str, quantity: Quantity) -> bool:
    return bool(EACH_BEFORE.search(text[: quantity.start]) or text.startswith("씩", quantity.end))


def _assign_equity(candidate: DealCandidate, quantities: list[Quantity], mentions: list[Mention]):
    """Each share goes to the party named last before it ("X will own 51%", "X持股45%"); the
    share an investor buys is the investor's ("buys 25% of Y" is a stake of 25% for X)."""
    shares = [q for q in quantities if q.field == "equity"]
    here = [p for p in candidate.parties if any(p.mention is m for m in mentions)]
    respectively = RESPECTIVELY.search(candidate.sentence.text)
    if respectively is not None:
        # "B和C分别持股30%和20%", "B and C hold 30% and 20% respectively": the names listed
        # before the word take the shares in their order.
        listed = [q for q in shares if q.start > respectively.start()] or [
            q for q in shares if q.end <= respectively.start()
        ]
        cut = min([respectively.start(), *(q.start for q in listed)])
        named = sorted((p for p in here if p.mention.end <= cut), key=lambda p: p.mention.start)
        named = named[len(named) - len(listed) :] if listed else []
        if len(named) == len(listed) > 1:
            for party, quantity in zip(named, listed, strict=True):
                if party.equity_share is None:
                    party.equity_share = quantity.value
            shares = [q for q in shares if q not in listed]
    text = candidate.sentence.text
    ratio = EQUITY_RATIO.search(text)
    parties_in_order = sorted(here, key=lambda p: p.mention.start)
    if ratio and len(parties_in_order) == 2 and int(ratio[1]) + int(ratio[2]) == 100:
        # "a 50-50 joint venture", "60:40 비율로 출자": shares in the order the names came.
        for party, share in zip(parties_in_order, (ratio[1], ratio[2]), strict=True):
            if party.equity_share is None:
                party.equity_share = Decimal(share)
    for quantity in [q for q in shares if _each(text, q)]:
        # "各持股50%", "50%씩", "each holding 50%": every party named holds that share.
        for party in here:
            if party.equity_share is None:
                party.equity_share = quantity.value
        shares = [q for q in shares if q is not quantity]
    by_key = {p.key: p for p in here}
    for quantity in shares:
        # The company named last before the share, by any of its mentions in the sentence
        # ("浙江X…与Y…，其中X持股60%": the second X).
        named = [m for m in mentions if m.key in by_key and m.start < quantity.start]
        party = by_key[max(named, key=lambda m: m.start).key] if named else None
        if candidate.kind == DealKind.INVESTMENT:
            investors = [p for p in candidate.parties if p.role == PartyRole.INVESTOR]
            party = investors[0] if investors else party
        if party is not None and party.equity_share is None:
            party.equity_share = quantity.value


def _product_for(kind, product, quantities):
    if kind == DealKind.JOINT_DEVELOPMENT and product in ("vehicles", ""):
        return "vehicle_development"
    if kind == DealKind.CONTRACT_MANUFACTURING and product in ("vehicles", ""):
        return "vehicle_production"
    if kind == DealKind.COOPERATION:
        return "other"
    return product or "other"


def _fill_quantities(candidate: DealCandidate, quantities: list[Quantity]):
    if gwh := first(quantities, "volume_gwh"):
        candidate.volume_gwh = gwh.value
    if vehicles := first(quantities, "vehicle_count"):
        candidate.vehicle_count = vehicles.value
        candidate.vehicle_count_estimated = vehicles.estimated
    if term := first(quantities, "term_years"):
        candidate.term_years = term.value
    for name in ("cell_format", "chemistry", "product_detail"):
        if found := first(quantities, name):
            setattr(candidate, name, found.value)
    if money := first(quantities, "investment"):
        candidate.investment_amount, candidate.investment_currency = money.value
    if capacity := first(quantities, "capacity"):
        candidate.capacity_value, candidate.capacity_unit = capacity.value
    if site := first(quantities, "site"):
        candidate.site_name = site.value
    if candidate.product not in ("battery_cells", "battery_packs"):
        candidate.cell_format = candidate.chemistry = candidate.product_detail = ""


def _fill_dates(
    candidate: DealCandidate,
    dates: list[DateMention],
    text: str = "",
    published: datetime.date | None = None,
):
    # "Signed on May 2; production starts in 2028": the latest plain date is the start.
    # "按照去年12月签订的合同": a date tied to a signing dates the signing, never the start.
    at_dates = [d for d in dates if d.role == Role.AT and not SIGNED_ON.match(text[d.end :])]
    production = (
        max(at_dates, key=lambda d: d.date.value)
        if at_dates and PRODUCTION_START.search(text)
        else None
    )
    for mention in dates:
        role = Role.START if mention is production else mention.role
        if (
            role == Role.START
            and candidate.status == DealStatus.IN_TALKS
            and published is not None
            and mention.date.value < published
        ):
            # "지난해 11월부터 협의해 왔다", "in talks since last year": a start already past,
            # in talks, is when the talks began; nothing of the deal has started.
            role = Role.AT
        if role == Role.START and candidate.start is None:
            candidate.start = mention
        elif role == Role.END and candidate.end is None:
            candidate.end = mention
        elif (
            role == Role.AT
            and candidate.status_date is None
            and not (candidate.status in ENDED and SIGNING_AFTER.match(text[mention.end :]))
        ):
            # "于2025年8月达成…意向，…双方已终止": the date of the agreement that ended is
            # not the date it ended.
            candidate.status_date = mention


def _confidence(parties, by_words, referred, quantities, kind_match):
    score = Decimal("0.5")
    if kind_match is not None:
        score += Decimal("0.15")
    if all(p.mention.known for p in parties):
        score += Decimal("0.1")
    if any(q.field in ("volume_gwh", "vehicle_count") for q in quantities):
        score += Decimal("0.1")
    if not by_words:
        score -= Decimal("0.1")
    if referred:
        score -= Decimal("0.15")
    return max(Decimal("0.05"), min(Decimal("0.95"), score))


def _marks(text, parties, quantities, dates, kind_match, status_match, found_by_words):
    marks = []
    for party in parties:
        label = "company" if party.mention.known else "new company"
        if party.mention.refers_to is not None:
            label = "refers to " + party.mention.name
        marks.append([party.mention.start, party.mention.end, label])
    for quantity in quantities:
        if quantity.field != "product":
            marks.append([quantity.start, quantity.end, quantity.field])
    for mention in dates:
        marks.append([mention.start, mention.end, f"date: {mention.date}"])
    if kind_match is not None:
        marks.append([kind_match.start(), kind_match.end(), "deal"])
    if status_match is not None:
        marks.append([status_match.start(), status_match.end(), "status"])
    return _without_overlaps(marks)


def _without_overlaps(marks):
    """Keep the earlier and then longer mark where two overlap, so the sentence marks cleanly."""
    # Kept marks never overlap and come in order: the last one's end is all there is to check.
    kept = []
    for mark in sorted(marks, key=lambda m: (m[0], -(m[1] - m[0]))):
        if not kept or mark[0] >= kept[-1][1]:
            kept.append(mark)
    return kept


COUNTRY_CUES = [
    ("CN", r"China's|Chinese|中国|중국|中方"),
    ("KR", r"Korea's|Korean|South Korea|한국|국내|韩国|韩方"),
    ("JP", r"Japan's|Japanese|일본|日本"),
]


# Chinese companies often carry their province or city in their name ("福建…", "장쑤…",
# "Zhejiang …"): China's provinces and province-level cities in Han, Hangul and pinyin.
CHINESE_PLACES = re.compile(
    r"^(?:北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    r"广东|海南|四川|贵州|云南|陕西|甘肃|青海|内蒙古|广西|西藏|宁夏|新疆|深圳|宁德|常州|合肥|"
    r"宁波|苏州|无锡|南京|杭州|广州|武汉|成都|西安|厦门|青岛|"
    # Cities of the battery and car industries that often lead a company's name.
    r"佛山|东莞|惠州|珠海|肇庆|宜春|赣州|宜宾|遂宁|眉山|湖州|嘉兴|绍兴|衢州|盐城|南通|徐州|溧阳|"
    r"荆门|宜昌|襄阳|十堰|柳州|贵阳|昆明|曲靖|郑州|洛阳|长沙|株洲|南昌|福州|泉州|济南|烟台|潍坊|"
    r"大连|沈阳|长春|哈尔滨|石家庄|保定|太原|包头|兰州|南宁|芜湖|滁州|"
    r"베이징|톈진|상하이|충칭|허베이|산시|랴오닝|지린|헤이룽장|장쑤|저장|안후이|푸젠|장시|산둥|"
    r"허난|후베이|후난|광둥|하이난|쓰촨|구이저우|윈난|간쑤|칭하이|네이멍구|광시|닝샤|신장|선전|"
    r"Beijing|Tianjin|Shanghai|Chongqing|Hebei|Shanxi|Liaoning|Jilin|Heilongjiang|Jiangsu|"
    r"Zhejiang|Anhui|Fujian|Jiangxi|Shandong|Henan|Hubei|Hunan|Guangdong|Hainan|Sichuan|"
    r"Guizhou|Yunnan|Shaanxi|Gansu|Qinghai|Guangxi|Ningxia|Xinjiang|Shenzhen)"
)


def _country(sentence: str, mention: Mention) -> str:
    """The country the words just before a name give it ("Chinese carmaker X", "韩国X",
    "중국 배터리업체 X"): the nearest cue wins, so an earlier company's cue is not taken; else
    a Chinese province or city at the start of the name."""
    if CHINESE_PLACES.match(mention.text):
        return "CN"
    before = sentence[max(0, mention.start - 40) : mention.start]
    nearest, country = -1, ""
    for code, pattern in COUNTRY_CUES:
        for match in re.finditer(pattern, before):
            if match.end() > nearest:
                nearest, country = match.end(), code
    return country


def _shorter_form(mention: Mention, proposals: dict, bare_names: dict) -> Mention:
    """The same company as an earlier proposal whose name ends with these words, less a place
    or legal suffix: "福建海川电池" then "海川电池", "Sejin Energy Co." then "Sejin Energy".
    `bare_names` holds each proposal's name normalised without its suffix, made once."""
    short = normalise(LEGAL_SUFFIX.sub("", mention.text))
    own = normalise(mention.text)
    for key, proposal in proposals.items():
        if key != own and len(short) >= 2 and short in bare_names[key]:
            return replace(mention, full_name=proposal.name)
    return mention


# The distinctive word of an English proposal, written alone later ("Shengfeng" after "Yunnan
# Shengfeng New Energy"): the name less a leading Chinese place and its trailing industry words.
TRAILING_INDUSTRY = re.compile(rf"(?:\s+(?:{ORG_SUFFIX}))+$")


def _short_head(name: str) -> str:
    bare = LEGAL_SUFFIX.sub("", name.strip())
    place = CHINESE_PLACES.match(bare)
    if place and bare[place.end() : place.end() + 1] == " ":
        bare = bare[place.end() + 1 :]
    head = TRAILING_INDUSTRY.sub("", bare)
    if head == bare.strip() or not re.fullmatch(r"[A-Z][A-Za-z-]{3,}(?: [A-Z][A-Za-z-]+)?", head):
        return ""
    return head if head.casefold() not in NOT_ORGS else ""


def _short_forms(sentence: str, taken: list[Mention], heads: dict[str, str]) -> list[Mention]:
    """Later mentions of proposals, by their whole name or their distinctive word alone, where
    no other name is: "Daejin Carbon" again without the cue that found it, "Shengfeng", and
    "장시톈루리튬이" where the analyser misreads the particle. Korean and Chinese write names
    against their words, so only a Latin name needs a boundary."""
    found = []
    if not heads:
        return found
    # One flag per character already named, as in CompanyIndex.find: linear in the matches.
    used = bytearray(len(sentence))
    for mention in taken:
        used[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
    for head, full in sorted(heads.items(), key=lambda item: -len(item[0])):
        pattern = re.escape(head) if CJK.search(head) else rf"(?<![\w-]){re.escape(head)}(?![\w-])"
        for match in re.finditer(pattern, sentence):
            if used.find(1, match.start(), match.end()) == -1:
                used[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
                found.append(Mention(match.start(), match.end(), head, None, full_name=full))
    return found


# "深圳X电池有限公司（以下简称“X动力”）", "浦汉新材（Pohan Materials）": the name in brackets
# is another name of the company just before it, never a second party.
ALIAS_OPEN = re.compile(r"\s*[（(]\s*(?:(?:以下|下文|下)?简?称|又称|英文名)?\s*[：:]?\s*[“\"「]?$")
ALIAS_CLOSE = re.compile(r"\s*[”\"」]?\s*[）)]")


def _aliases(text: str, named: list[Mention]) -> tuple[list[Mention], set[int]]:
    """The mentions with each bracketed alias made the company it names (so it is one party
    with it, and no proposal of its own), and the positions of the aliases."""
    named = sorted(named, key=lambda m: m.start)
    aliases = set()
    for index in range(1, len(named)):
        name, alias = named[index - 1], named[index]
        # Matched in place, not on slices of the rest: a sentence naming a company 20,000
        # times would copy itself as often.
        if not (
            alias.start - name.end <= 12
            and ALIAS_OPEN.match(text, name.end, alias.start)
            and ALIAS_CLOSE.match(text, alias.end)
        ):
            continue
        if alias.company is None:
            named[index] = replace(alias, company=name.company, full_name=name.name)
        aliases.add(alias.start)
    return named, aliases


# A filing names itself once ("X股份有限公司（以下简称“公司”或“本公司”）") and then writes
# 本公司 for itself: "本公司出资比例为60%" is X's share.
SELF_DEFINED = re.compile(r"\s*[（(]\s*(?:以下|下文|下)?简?称[^）)]{0,20}?[“\"]本公司[”\"]")
SELF_WORD = re.compile(r"(?<![“\"])本公司")


def _self_mentions(text: str, mentions: list[Mention], issuer: Mention | None) -> list[Mention]:
    """The mentions of the sentence with each 本公司 standing for the filing's issuer."""
    if issuer is None:
        return mentions
    taken = bytearray(len(text))
    for m in mentions:
        taken[m.start : m.end] = b"\x01" * (m.end - m.start)
    added = [
        Mention(match.start(), match.end(), match[0], issuer.company, issuer)
        for match in SELF_WORD.finditer(text)
        if taken.find(1, match.start(), match.end()) == -1
    ]
    return sorted([*mentions, *added], key=lambda m: m.start) if added else mentions


NOTICE_LANGUAGE = "language not recognised"
NOTICE_NO_COMPANY = "no company recognised"
NOTICE_ONLY_PROPOSALS = "only new companies proposed, no deal found"
NOTICE_NO_DEAL = "companies recognised, but no deal found"


def nothing_found_reason(text: str, extraction: Extraction) -> str:
    """Why the reading gives the editor no deal, or '' when it found one."""
    from ingest.names import language_of

    if extraction.deals:
        return ""
    if not language_of(text):
        return NOTICE_LANGUAGE
    if not any(extraction.mentions.values()):
        return NOTICE_NO_COMPANY
    if extraction.companies:
        return NOTICE_ONLY_PROPOSALS
    return NOTICE_NO_DEAL


def extract(text: str, published: datetime.date, index: CompanyIndex) -> Extraction:
    """Candidate deals and new companies of an article published on `published`."""
    context = _Context()
    deals, companies, all_mentions, bare_names, heads = [], {}, {}, {}, {}
    for sentence in split_sentences(text):
        known = index.find(sentence.text)
        found_names = find_unknown_organisations(sentence.text, known, index)
        named, aliases = _aliases(sentence.text, [*known, *found_names])
        known = [m for m in named if m.company is not None and m.start not in aliases]
        known_at = {m.start for m in known}
        found_names = [m for m in named if m.start not in known_at]
        linked = [m for m in found_names if m.company is not None]
        unknown = _short_forms(sentence.text, [*known, *found_names], heads)
        for mention in (m for m in found_names if m.company is None):
            if mention.start in aliases:
                unknown.append(mention)
                heads.setdefault(mention.text, mention.full_name)
                continue
            if heads.get(mention.text, mention.text) != mention.text:
                # An alias given in brackets before ("Pohan Materials"), now written alone.
                mention = replace(mention, full_name=heads[mention.text])
            mention = _shorter_form(mention, companies, bare_names)
            unknown.append(mention)
            name_key = normalise(mention.name)
            if name_key not in companies and len(companies) < MAX_PROPOSALS:
                bare_names[name_key] = normalise(LEGAL_SUFFIX.sub("", mention.name))
                heads.setdefault(mention.name, mention.name)
                if head := _short_head(mention.name):
                    heads.setdefault(head, mention.name)
                companies[name_key] = CompanyCandidate(
                    sentence=sentence,
                    name=mention.name,
                    country=_country(sentence.text, mention),
                    confidence=Decimal("0.5"),
                    marks=[[mention.start, mention.end, "new company"]],
                )
        mentions = sorted([*known, *linked, *unknown], key=lambda m: m.start)
        all_mentions[sentence.start] = mentions
        mentions = _self_mentions(sentence.text, mentions, context.issuer)
        issuer = next((m for m in mentions if SELF_DEFINED.match(sentence.text, m.end)), None)
        context.issuer = issuer or context.issuer
        if len(sentence.text) > MAX_SENTENCE_CHARS:
            found = []
        else:
            found = _deals_in_sentence(sentence, mentions, context, published, unknown)
            if not found:
                found = _follow_up(sentence, mentions, context, published)
        for candidate in found:
            for party in candidate.parties:
                proposal = companies.get(normalise(party.mention.name))
                if party.mention.company is None and proposal is not None:
                    # A name that takes part in a deal is more likely a real company.
                    proposal.confidence = Decimal("0.7")
        deals.extend(found)
        if found:
            context.last_deal = found[-1]
        named_together = not found and len({m.key for m in mentions}) >= 2
        context.last_named = mentions if named_together else []
        if mentions:
            context.last_subject = mentions[0]
    return Extraction(deals=deals, companies=list(companies.values()), mentions=all_mentions)
