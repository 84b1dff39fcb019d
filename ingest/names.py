"""Organisation names the database does not know, in English, Korean and Chinese text.

Each script has its own reader, and every candidate passes the same test before it is proposed:
it must look like a name (`is_name`), never a run of words cut from the sentence.

- English: capitalised words ending in an industry word ("Hanbit Battery", "Sejin Energy Co.")
  or following a cue ("China's Kaida", "Chinese carmaker Huaxing Auto"); see `ingest.matching`.
- Korean: proper nouns (NNP) from kiwipiepy's analyser, joined with the company words written
  against them ("진우" + "소재"), and the word after a cue such as "배터리 기업".
- Chinese: jieba's segmentation gives the word boundaries; a name is a run of nouns that ends in
  a company word (公司, 集团, 汽车, 电池, 新能源, 锂能, ...) and whose head is not a generic word
  (动力电池, 合资公司 are things, not names).

Proposals that are spellings of a known company are linked to it (`CompanyIndex.fuzzy`).
"""

import logging
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from partnerships.models import ChainRole


def _words(text: str) -> list[str]:
    return text.split()


HANGUL = re.compile(r"[\uAC00-\uD7A3]")
HAN = re.compile(r"[\u4E00-\u9FFF]")
LATIN = re.compile(r"[A-Za-z]")


def language_of(text: str) -> str:
    """'ko', 'zh' or 'en' by the script most of the letters are in; '' when none dominates."""
    hangul, han, latin = (len(p.findall(text)) for p in (HANGUL, HAN, LATIN))
    total = hangul + han + latin
    if total < 20:
        return ""
    if hangul >= 0.3 * total:
        return "ko"
    if han >= 0.3 * total:
        return "zh"
    if latin >= 0.6 * total:
        return "en"
    return ""


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    text: str
    chain_role: str = ""  # guessed from the words around the name, when they say


# What the words before or inside a name say the company does. Most specific first.
ROLE_WORDS = [
    (
        ChainRole.AUTOMAKER,
        r"carmaker|automaker|car ?maker|auto ?maker|EV maker|vehicle maker|Motors?\b|Auto\b|"
        r"Automobile|완성차|자동차|모터스|车企|整车|汽车",
    ),
    (
        ChainRole.BATTERY_MATERIALS,
        r"materials?|cathode|anode|lithium|refiner|precursor|electrolyte|separator|Chemical|"
        r"Lithium|소재|양극재|음극재|리튬|화학|머티리얼즈|케미칼|전해액|材料|正极|负极|锂|化学|化工",
    ),
    (
        ChainRole.BATTERY_CELLS,
        r"batter(?:y|ies)|cell maker|Cell\b|배터리|전지|셀\b|电池",
    ),
    (ChainRole.COMPONENTS, r"parts|components?|부품|零部件"),
]


def guess_chain_role(context: str) -> str:
    """The chain role the words say ("Chinese carmaker", "배터리업체", "…电池"), or ''."""
    best = None
    for role, pattern in ROLE_WORDS:
        for match in re.finditer(pattern, context, re.IGNORECASE):
            # The word nearest the name (the end of the context) wins.
            if best is None or match.end() > best[1]:
                best = (role, match.end())
    return best[0] if best else ""


# ---------------------------------------------------------------------------------------------
# Is it a name?

# Words a name never ends with in Korean: particles and endings the analyser may leave attached.
KO_TRAILING = re.compile(r"(?:은|는|이|가|을|를|와|과|의|에|에게|에서|로|으로|도|만|측|사)$")
# Generic words: a candidate made only of these (and company words) is a thing, not a name.
GENERIC = {
    *_words(
        "battery batteries cell cells energy power materials material auto motor motors group new"
        " electric vehicle vehicles the joint venture company chemical lithium technology tech"
        " solutions global"
    ),
    *_words(
        "배터리 전지 에너지 소재 자동차 그룹 화학 합작 법인 합작법인 국내 중국 한국 완성차 전기차"
        " 양극재 음극재 부품 업체 기업 회사 리튬 셀 모터스 신에너지 전기 이차전지 자사 계열사"
        " 해당"
    ),
    *_words(
        "动力 动力电池 锂电池 电池 汽车 新能源 能源 材料 新材料 公司 集团 合资 合资公司 韩国 中国"
        " 国内 全球 该 此 这家 一家 其 本 两家 多家 双方 三方 磷酸铁锂 三元 储能 正极 负极"
        " 正极材料 负极材料 锂 锂能 科技 化学 股份 有限公司 股份有限公司 整车 电动 固态 钠离子"
        " 中韩 外资 企业 厂商 车企 电池厂 汽车集团 电解液 隔膜 铜箔 锂离子 锂电 电芯 石墨 碳酸锂"
        " 氢氧化锂 前驱体 材料 正极材料 负极材料 电池材料 锂电池材料 新型 高镍 磷酸锰铁锂"
        # Vehicles and cell designs: "电动大巴电池", "刀片电池" are things, not names.
        " 客车 巴士 大巴 电动车 乘用车 商用车 卡车 重卡 刀片 短刀 方形 圆柱 软包 大圆柱"
        # Packs and systems: "动力电池包公司" is the company to be set up, not a name.
        " 电池包 电池组 电池系统 模组 储能系统"
        # Kinds of graphite and silicon anodes: "人造石墨负极材料" is a product.
        " 人造 天然 人造石墨 天然石墨 硅碳 硅基 硅氧"
        # Cathode salts before 锂电: "磷酸铁锂电池" cut at 锂电 leaves 磷酸铁, a material.
        " 磷酸铁 磷酸锰铁 锰酸 钴酸 钛酸 镍钴锰 镍钴铝 三元锂"
    ),
}
# Words that show a Chinese run is part of a clause: verbs, prepositions, particles.
ZH_CLAUSE = re.compile(r"[将的与和向在从对把被为了是并及或等于以其该这那称据由给跟同也都还就]")
KO_CLAUSE = re.compile(r"\s|다$|했|하는|하기|한다|된다|예정|계획")


def is_name(text: str) -> bool:
    """True when `text` reads as an organisation's name, not a fragment of a sentence."""
    text = text.strip()
    if len(text) < 2 or len(text) > 60:
        return False
    if HAN.search(text) and not HANGUL.search(text):
        return _is_chinese_name(text)
    if HANGUL.search(text):
        return _is_korean_name(text)
    return _is_english_name(text)


def _is_english_name(text: str) -> bool:
    words = text.replace(",", " ").split()
    if not words or len(words) > 6:
        return False
    if not all(w[0].isupper() or w[0].isdigit() or w in ("&", "and", "of") for w in words):
        return False
    if words[0] in ("and", "of", "&") or words[-1] in ("and", "of", "&"):
        return False
    return not all(w.casefold().strip(".") in GENERIC | {"co", "ltd", "inc", "corp"} for w in words)


def _is_korean_name(text: str) -> bool:
    if KO_CLAUSE.search(text) or len(text) > 20:
        return False
    # A name may end in 사/가/이: only a particle the analyser splits off says fragment.
    company_word_end = re.search(r"(?:그룹|전자|화학|모터스|회사)$", text)
    if KO_TRAILING.search(text) and not company_word_end and _ko_has_particle(text):
        return False
    return text not in GENERIC and _strip_generic(text, korean=True) != ""


def _is_chinese_name(text: str) -> bool:
    if len(text) > 20 or len(text) < 3:
        return False
    if re.search(r"[，。、；：！？“”《》（）()\s]", text):
        return False
    # "有助于公司稳定…材料": a run that begins with the word company is a clause about it.
    if text.startswith(("公司", "企业", "集团", "厂商")):
        return False
    head = _strip_generic(text, korean=False)
    if not head or len(head) < 2 or _all_generic(head):
        return False
    # A clause word inside the head ("双方将…", "…供应…的") says fragment; a character that is
    # a function word only when jieba cuts it out alone ("和" in "东和") does not.
    if re.search(r"供应|签署|宣布|建设|合作|生产|投资", head):
        return False
    # "星和新材": a head of one character and 和 is one name (see _zh_conjunction_in_name).
    if len(head) == 2 and head[1] in "和与及" and head[0] not in ZH_MATERIAL_CHARACTERS:
        head = head[0]
    return not any(
        ZH_CLAUSE.fullmatch(pair.word) or pair.flag.startswith(("p", "c", "u"))
        for pair in _zh_words(head)
    )


@lru_cache(maxsize=4096)
def _zh_words(text: str) -> tuple:
    return tuple(_jieba().cut(text))


ZH_SUFFIXES = tuple(
    _words(
        # "江苏华驰电池系统": a pack maker's name ends in 电池系统, though 电池系统 alone is a
        # thing (GENERIC), so "动力电池系统" is still no name.
        "股份有限公司 有限责任公司 有限公司 汽车集团 集团 公司 电池系统 汽车 电池 新能源 锂能"
        " 锂业 锂电 能源 科技"
        " 新材料 材料 化学 化工 电子 控股 矿业 钴业 镍业 动力 电气 循环 新材 精密 重工 实业"
        " 客车 巴士"
    )
)
KO_SUFFIXES = tuple(
    _words(
        "에너지솔루션 머티리얼즈 첨단소재 신에너지 에너지 배터리 자동차 모빌리티 케미칼 솔루션 그룹"
        " 전자 화학 소재 전지 모터스 리튬 셀 신소재"
    )
)


def _strip_generic(text: str, korean: bool) -> str:
    """The name without its company words and place prefixes: the distinctive head."""
    suffixes = KO_SUFFIXES if korean else ZH_SUFFIXES
    head = text
    changed = True
    while changed and head:
        changed = False
        for suffix in suffixes:
            if head.endswith(suffix) and len(head) > len(suffix) - 1:
                head, changed = head[: -len(suffix)], True
                break
    if head in GENERIC:
        return ""
    return head


def _all_generic(head: str) -> bool:
    """Whether the head is generic words end to end ("磷酸铁锂正极" is two product words):
    a product or a material, not a company's distinctive name."""
    reachable = [True] + [False] * len(head)
    for end in range(1, len(head) + 1):
        reachable[end] = any(
            reachable[begin] and head[begin:end] in GENERIC for begin in range(max(0, end - 6), end)
        )
    return reachable[-1]


def _ko_has_particle(text: str) -> bool:
    tokens = _kiwi().tokenize(text)
    return bool(tokens) and tokens[-1].tag.startswith("J")


# ---------------------------------------------------------------------------------------------
# Korean


@cache
def _kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()


KO_NOT_NAMES = set(
    _words(
        "중국 한국 국내 미국 일본 유럽 베트남 헝가리 폴란드 인도네시아 서울 MOU GWh LFP NCM EV ESS"
    )
)
KO_CUE_BEFORE = re.compile(r"(?:업체|기업|회사|제조사|메이커|완성차사|자회사|계열사)\s*$")
# Nouns that continue a proper noun into a company's name ("진우" + "소재").
KO_NAME_TAIL = set(KO_SUFFIXES) | {"셀", "신소재", "이노베이션", "에코", "테크", "산업", "중공업"}
# "배터리 기업 나래에너지는": the word after these is a name.


def korean_names(sentence: str) -> list[Found]:
    """Names in a Korean sentence. Each word (as spaces delimit it) less the particles kiwipiepy
    finds at its end is a name when it ends in a company word ("푸젠하이촨전지"), or when the
    analyser reads it as a proper noun and a cue comes before it ("완성차 업체 X"). The analyser
    reads the whole sentence: in context it knows an unseen name ("그린사이클", "허난훙다신소재")
    for a proper noun, where the word alone falls apart into common nouns."""
    found: list[Found] = []
    tokens = _ko_sentence_tokens(sentence)
    for match in re.finditer(r"[가-힣A-Za-z0-9&]+", sentence):
        start = match.start()
        inside = [t for t in tokens if start <= t.start < match.end()]
        text, end = _ko_trim(match[0], start, inside)
        if not text or text in KO_NOT_NAMES or not HANGUL.search(text):
            continue
        stem = [t for t in inside if t.start < end]
        if stem and stem[0].tag in KO_NOT_NAME_START:
            continue  # "폐배터리", "2차전지": a prefix or a number before a company word
        has_company_word = text.endswith(tuple(KO_NAME_TAIL)) and len(text) > 2
        if has_company_word and is_name(text):
            found.append(Found(start, end, text))
            continue
        # A proper noun alone may be a place ("포항"): a company's name only after a cue.
        cued = KO_CUE_BEFORE.search(sentence[max(0, start - 40) : start])
        if cued and stem and stem[0].tag == "NNP" and is_name(text):
            found.append(Found(start, end, text))
    return _with_roles(sentence, _non_overlapping(found))


# The first morpheme of a word that cannot begin a name: a prefix (폐-), a number, a bound noun.
# (Not a determiner: the analyser reads the 한 of "한울셀" as "one".)
KO_NOT_NAME_START = {"XPN", "SN", "NNB"}


@dataclass(frozen=True)
class _Morph:
    form: str
    tag: str
    start: int  # offset in the sentence


@lru_cache(maxsize=1024)
def _ko_sentence_tokens(sentence: str) -> tuple:
    """The analyser's reading of the whole sentence, remembered (the property test and the
    extractor read the same sentences)."""
    return tuple(_Morph(t.form, t.tag, t.start) for t in _kiwi().tokenize(sentence))


@lru_cache(maxsize=4096)
def _ko_tokens(word: str) -> tuple:
    """The analyser's reading of one word, remembered: an article repeats its names, and each
    reading costs milliseconds."""
    return tuple(_kiwi().tokenize(word))


def _ko_trim(text: str, start: int, tokens=None) -> tuple[str, int]:
    """Drop the particles at the end of the word ("나래에너지는" → "나래에너지"). Only at the end:
    inside an unknown name the analyser may see particles that are not there ("상하이가오다").
    `tokens` are the word's morphemes as read in its sentence (offsets in the sentence); without
    them the word is read alone."""
    if tokens is None:
        tokens = [_Morph(t.form, t.tag, t.start + start) for t in _ko_tokens(text)]
    cut = start + len(text)
    for token in reversed(tokens):
        if not token.tag.startswith(("J", "E", "VCP")):
            break
        cut = token.start
    stem = text[: cut - start]
    # The analyser sometimes keeps a particle inside an unseen proper noun ("장시간펑리튬과" +
    # "의"): one that follows a company word is no part of the name.
    particle = KO_PARTICLE_AFTER_NAME.search(stem)
    if particle and stem[: particle.start()].endswith(tuple(KO_NAME_TAIL)):
        stem = stem[: particle.start()]
    # A verb made of the noun ("공급하는") is not a name either; is_name() refuses it.
    return stem, start + len(stem)


KO_PARTICLE_AFTER_NAME = re.compile(r"(?:과|와|이|가|은|는|을|를|의|에|에서|으로|로|도)$")


# ---------------------------------------------------------------------------------------------
# Chinese


@cache
def _jieba():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    # Company words as nouns, so "锂能" is not cut into 锂 + the verb 能, and "能源供应" splits.
    for word in ZH_SUFFIXES:
        jieba.add_word(word, freq=200000, tag="n")
    for word in ("供应", "供货", "洽谈", "入股", "持股", "否认", "终止"):
        jieba.add_word(word, freq=200000, tag="v")
    return jieba.posseg


ZH_PLACES_BEFORE = re.compile(r"^(?:韩国|中国|国内|中方|韩方|美国|日本)")
ZH_DESCRIPTOR = re.compile(
    # A bare 公司 is no descriptor: "有助于公司稳定…" is a clause about the company.
    r"^(?:[\u4E00-\u9FFF]{0,6}(?:企业|厂商|车企|集团|巨头|龙头)|[\u4E00-\u9FFF]{1,6}公司)(?=.{3,})"
)


def chinese_names(sentence: str) -> list[Found]:
    """Names in a Chinese sentence: runs of words ending in a company word, cut where jieba
    sees punctuation, a function word, a two-character verb or a number. (Single characters
    tagged as verbs or adverbs are often parts of names: 高 + 达 + 科技.) After a descriptor
    ("正极材料企业", "车企", "制造商") the next words are a name jieba has never seen, whatever
    it tags them ("一山电子", "世一材料", "大成新材", "未来能源"): only punctuation, a function
    word, a figure or a later verb ends it."""
    found: list[Found] = []
    position, run_start, run = 0, 0, ""
    spans = []
    cued = False  # the run began right after a descriptor
    pairs = list(_jieba().cut(sentence))
    for index, pair in enumerate(pairs):
        word, flag = pair.word, pair.flag
        if _zh_latin_name_start(pairs, index, position, sentence):
            if run:
                spans.append((run_start, run))
            run, run_start, cued = word, position, False
        elif _zh_verb_in_name(pairs, index, run) or _zh_conjunction_in_name(pairs, index, run):
            run += word
        elif word in ZH_DESCRIPTORS:
            if run:
                spans.append((run_start, run))
            run, cued = "", True
            run_start = position + len(word)
        elif _zh_strong_boundary(word, flag) or (
            _zh_boundary(word, flag) and not (cued and (not run or _zh_weak(word, flag)))
        ):
            if run:
                spans.append((run_start, run))
            run, cued = "", False
            run_start = position + len(word)
        else:
            if not run:
                run_start = position
            run += word
        position += len(word)
    if run:
        spans.append((run_start, run))
    for start, run in spans:
        found.extend(_names_in_run(sentence, start, run))
    return _with_roles(sentence, _non_overlapping(found))


# "锂和新材料", "镍与化学品": a material and a company word are two things, not one name.
ZH_MATERIAL_CHARACTERS = set("锂钴镍锰铜铝钠硅磷铁碳电车油气煤钢")


# Latin letters before a Chinese company word that name a product or a unit, not a company
# ("LFP电池", "GWh电池", "EV电池").
ZH_LATIN_NOT_NAMES = set(
    _words(
        "GWH MWH KWH WH GW MW KW LFP LMFP NCM NCA NMC EV EVS SUV MPV PHEV BEV HEV ESS BMS CTP CTC"
    )
)


def _zh_latin_name_start(pairs, index, position, sentence) -> bool:
    """ "KT新能源", "DS电池": Latin capitals written against a company word begin a name
    (jieba tags them a foreign word, which otherwise ends a run). Not after a figure ("6GWh"),
    and not a unit or a product's letters."""
    word = pairs[index].word
    return bool(
        re.fullmatch(r"[A-Z][A-Z0-9&]{1,5}", word)
        and word.upper() not in ZH_LATIN_NOT_NAMES
        and not (position and re.match(r"[0-9０-９.]", sentence[position - 1]))
        and index + 1 < len(pairs)
        and pairs[index + 1].word in ZH_SUFFIXES
    )


def _zh_conjunction_in_name(pairs, index, run) -> bool:
    """ "星和新材", "天和化学": a 和/与/及 between one character and a company word joins no two
    names, as one character is no name; it is a character of this one."""
    return (
        pairs[index].word in ("和", "与", "及")
        and len(run) == 1
        and run not in ZH_MATERIAL_CHARACTERS
        and index + 1 < len(pairs)
        and pairs[index + 1].word in ZH_SUFFIXES
    )


def _zh_verb_in_name(pairs, index, run) -> bool:
    """A word jieba reads as a verb between a place and a company word is the name's own
    ("宁波 拓能 科技", "江苏 恒达 电池"): no sentence puts a bare verb there."""
    word, flag = pairs[index].word, pairs[index].flag
    return bool(
        run
        and index > 0
        and pairs[index - 1].flag == "ns"
        # "在广东运营电池工厂": a place after 在 is where something is done, not a name's start.
        and (index < 2 or pairs[index - 2].word not in ZH_FUNCTION_WORDS | ZH_PLACE_VERBS)
        and len(word) == 2
        and flag.startswith("v")
        and index + 1 < len(pairs)
        and pairs[index + 1].word in ZH_SUFFIXES
    )


# Words that describe a company before its name and are never the end of one.
ZH_DESCRIPTORS = set(
    _words(
        "企业 厂商 车企 制造商 生产商 供应商 厂家 巨头 龙头 整车厂"
        # "X的全资子公司Y", "X集团旗下Y": the tie to a parent, then the subsidiary's name.
        " 子公司 旗下"
    )
)


def _zh_strong_boundary(word: str, flag: str) -> bool:
    """Ends a name even right after a descriptor: punctuation, function words, figures."""
    if word in ZH_FUNCTION_WORDS or word in ZH_CLAUSE_WORDS or re.search(r"\d", word):
        return True
    return flag.startswith(("x", "p", "c", "u", "y", "e", "o"))


def _zh_weak(word: str, flag: str) -> bool:
    """Tags jieba gives the characters of names it does not know (a numeral "一", a time word
    "未来", an idiom "世一"): no boundary inside a name that follows a descriptor."""
    return flag.startswith(("m", "t", "l", "q", "r"))


ZH_PLACE_VERBS = set(_words("位于 落户 地处 前往 来到"))
ZH_FUNCTION_WORDS = set("与和及同跟向对在从为将把被以于由给的了着并而或等其该这那也都还就已正约")
ZH_CLAUSE_WORDS = set(
    _words(
        "双方 三方 两家 该公司 合资公司 其中 此外 另外 今日 今天 正在 已经 此前 共同 目前 近日 日前"
        " 正式 预计 同时 与此同时 分别"
    )
)


def _zh_boundary(word: str, flag: str) -> bool:
    if word in ZH_FUNCTION_WORDS or word in ZH_CLAUSE_WORDS:
        return True
    if flag.startswith(("x", "p", "c", "u", "r", "m", "t", "l", "q", "y", "e", "o")):
        return True
    # Two-character verbs end a name; adverbs do not always ("长远汽车"), only the common ones.
    return len(word) >= 2 and flag.startswith("v")


ZH_LONGEST_NAME = 40


def _names_in_run(sentence, start, run):
    # Two names joined by a conjunction jieba kept inside a word ("…新材料和大韩化学": 和大韩):
    # each is read on its own, in a loop (a run of a thousand such names is no deeper).
    found = []
    while True:
        start, run = _without_lead(start, run)
        joined = next(
            (
                index
                for index, char in enumerate(run[:ZH_LONGEST_NAME])
                if char in "和与及" and run[:index].endswith(ZH_SUFFIXES) and is_name(run[:index])
            ),
            None,
        )
        if joined is None:
            return found + _name_at_start(start, run)
        found.append(Found(start, start + joined, run[:joined]))
        start, run = start + joined + 1, run[joined + 1 :]


# "每年向世宏化学供应": jieba may join a preposition to the name after it ("向世宏"/nr).
ZH_LEAD_PREPOSITION = set("向与和及同跟对从在为给将把被由")


# "四年内向X供应": jieba reads the end of a time phrase and the preposition as one word (内向,
# "introverted"), so the run begins with both.
ZH_TIME_END = set("内前后底初末起")


def _without_lead(start, run):
    """The run without the country and descriptor words before a name ("韩国", "…电池企业"),
    and without a preposition jieba joined to it, when a name follows."""
    if (
        run[:1] in ZH_TIME_END
        and run[1:2] in ZH_LEAD_PREPOSITION
        and _name_at_start(start + 2, run[2:])
    ):
        start, run = start + 2, run[2:]
    if run[:1] in ZH_LEAD_PREPOSITION and _name_at_start(start + 1, run[1:]):
        start, run = start + 1, run[1:]
    lead = ZH_PLACES_BEFORE.match(run)
    if lead:
        start, run = start + lead.end(), run[lead.end() :]
    descriptor = ZH_DESCRIPTOR.match(run)
    if descriptor and not is_name(run):
        start, run = start + descriptor.end(), run[descriptor.end() :]
    return start, run


def _name_at_start(start, run):
    # The longest prefix of the run that ends in a company word and reads as a name; no name
    # is longer than ZH_LONGEST_NAME, and trying every prefix of a run as long as the article
    # (no punctuation in 100 KB) would be quadratic.
    for end in range(min(len(run), ZH_LONGEST_NAME), 2, -1):
        text = run[:end]
        if text.endswith(ZH_SUFFIXES) and is_name(text):
            return [Found(start, start + end, text)]
    return []


# ---------------------------------------------------------------------------------------------


def _non_overlapping(found: list[Found]) -> list[Found]:
    # Kept names never overlap and come in order: the last one's end is all there is to check.
    kept: list[Found] = []
    for item in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if not kept or item.start >= kept[-1].end:
            kept.append(item)
    return kept


def _with_roles(sentence: str, found: list[Found]) -> list[Found]:
    return [
        Found(f.start, f.end, f.text, guess_chain_role(sentence[max(0, f.start - 20) : f.end]))
        for f in found
    ]


def cjk_names(sentence: str) -> list[Found]:
    """Korean and Chinese names of the sentence, by the script it is written in."""
    if HANGUL.search(sentence):
        return korean_names(sentence)
    if HAN.search(sentence):
        return chinese_names(sentence)
    return []
