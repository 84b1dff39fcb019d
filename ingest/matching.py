"""Companies named in a sentence: known ones by their English, Korean and Chinese names and
aliases, and unknown organisation names, proposed as new companies."""

import re
from dataclasses import dataclass, field

LEGAL_SUFFIX = re.compile(
    r"[\s,]+(?:co\.?,?\s*ltd\.?|co\.|ltd\.?|inc\.?|corp\.?|corporation|limited|plc|"
    r"company|holdings?)$",
    re.IGNORECASE,
)
CJK = re.compile(r"[\u3131-\uD7A3\u4E00-\u9FFF]")

# Words that end an organisation's name in English news: "Solus Advanced Materials".
ORG_SUFFIX = (
    r"Motors?|Automobile|Automotive|Auto|Energy|Materials|Material|Chemicals?|Batter(?:y|ies)|"
    r"Technolog(?:y|ies)|Tech|Group|Mobility|Solutions?|Electronics|Holdings|Industries|"
    r"Industrial|Steel|Corp\.?|Corporation|Co\.|Ltd\.?|Inc\.?|Science|Power|New Energy|Lithium|"
    r"Cobalt|Metals?|Mining|Electric|Systems|Cells?"
)
CAPITALISED = r"(?:[A-Z][A-Za-z0-9&\-]*|[A-Z]{2,}[0-9]*)"
# Not "\b" before the name: Chinese writes a Latin name against its words ("集成商Nuri Energy
# 签署"), and Han characters count as word characters, so no boundary falls there.
ORG_BY_SUFFIX = re.compile(
    rf"(?<![A-Za-z0-9&\-])((?:{CAPITALISED}\s+){{1,4}}(?:{ORG_SUFFIX}))(?![A-Za-z])"
)
# "China's Gotion", "Chinese battery maker Sunwoda", "Korean materials company Enchem".
ORG_BY_CUE = re.compile(
    r"\b(?:China's|Korea's|Japan's|Chinese|Korean|South Korean)\s+"
    r"(?:(?:battery|cell|materials?|cathode|anode|electrolyte|separator|copper foil|"
    r"lithium|car|auto|EV|electric vehicle|automotive)\s+)?"
    r"(?:maker|makers|manufacturer|producer|company|firm|supplier|automaker|carmaker|giant|"
    r"startup|group)?\s*"
    rf"((?:{CAPITALISED})(?:\s+{CAPITALISED}){{0,3}})"
)
# "anode maker Daejin Carbon", "Seoul-based battery supplier X": a name after what the firm
# makes or does, whatever words the name ends in.
ORG_BY_DESCRIPTOR = re.compile(
    r"\b(?i:battery|cell|materials?|cathode|anode|electrolyte|separator|foil|lithium|graphite|"
    r"cobalt|nickel|recycling|parts|EV|electric vehicle|car|auto)\s+"
    r"(?:maker|manufacturer|producer|supplier|recycler|refiner|firm|company|startup)\s+"
    rf"((?:{CAPITALISED})(?:\s+{CAPITALISED}){{0,3}})"
)
PRECEDING_CAPITAL = re.compile(r"[A-Z][\w-]*\s+$")
# Capitalised words that begin sentences or name places and people, never an organisation.
NOT_ORGS = {
    "the", "a", "an", "this", "that", "these", "those", "it", "they", "its", "their", "both",
    "china", "korea", "chinese", "korean", "south", "north", "american", "european", "japan",
    "japanese", "u.s.", "us", "united", "states", "europe", "asia", "global", "domestic",
    "president", "state", "reports", "according", "meanwhile", "recently", "earlier", "until",
    "starting", "since", "new", "electric", "battery", "energy", "materials", "group", "motor",
    "automobile", "mobility", "power", "industry", "industries", "technology",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "separately", "however", "under", "as",
}  # fmt: skip


@dataclass(frozen=True)
class KnownCompany:
    """What matching needs of a company; built from the database or from a test case's list."""

    key: str  # slug
    name: str
    names: tuple[str, ...]
    chain_role: str = ""
    country: str = ""
    pk: int | None = None


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    company: KnownCompany | None  # None: an organisation not in the database
    # "the two companies", "they": the earlier mention the words stand for.
    refers_to: "Mention | None" = None
    # For a name not in the database: what the words around it say it does ("carmaker").
    guessed_role: str = ""
    # A shorter form of a name proposed earlier in the article ("海川电池" after "福建海川电池").
    full_name: str = ""

    @property
    def key(self):
        if self.refers_to is not None:
            return self.refers_to.key
        return self.company.key if self.company else "new:" + normalise(self.name)

    @property
    def name(self):
        if self.refers_to is not None:
            return self.refers_to.name
        return self.company.name if self.company else (self.full_name or self.text)

    @property
    def known(self):
        return self.company is not None or (
            self.refers_to is not None and self.refers_to.company is not None
        )


def normalise(name: str) -> str:
    return " ".join(name.casefold().replace("’", "'").split())


def name_variants(name: str) -> set[str]:
    """The name as written and without its legal suffix: "CALB Co., Ltd." is also "CALB"."""
    variants = {name.strip()}
    bare = LEGAL_SUFFIX.sub("", name.strip())
    if bare and len(bare) >= 2:
        variants.add(bare)
    return {v for v in variants if v}


@dataclass
class CompanyIndex:
    """Every known name of every company, longest first so "ECOPRO BM" wins over "Ecopro"."""

    companies: list[KnownCompany] = field(default_factory=list)

    def __post_init__(self):
        entries = []
        for company in self.companies:
            for name in company.names:
                for variant in name_variants(name):
                    entries.append((variant, company))
        entries.sort(key=lambda entry: len(entry[0]), reverse=True)
        self._patterns = [(self._pattern(variant), company) for variant, company in entries]
        self.by_key = {company.key: company for company in self.companies}

    @staticmethod
    def _pattern(variant: str):
        escaped = re.escape(variant).replace(r"\ ", r"\s+")
        if CJK.search(variant):
            # Korean attaches particles to names ("LG에너지솔루션은"); no word boundary there.
            return re.compile(escaped)
        # Latin letters and digits bound a Latin name; Hangul or Han beside it do not
        # ("韩国CATL的", "CATL과"), as those scripts write names against their words.
        return re.compile(
            rf"(?<![A-Za-z0-9-]){escaped}(?![A-Za-z0-9-]|-[A-Za-z0-9])", re.IGNORECASE
        )

    @classmethod
    def from_database(cls):
        from partnerships.models import Company

        companies = []
        for company in Company.objects.prefetch_related("aliases").order_by("pk"):
            names = [company.name, company.name_ko, company.name_zh]
            names += [alias.name for alias in company.aliases.all()]
            companies.append(
                KnownCompany(
                    key=company.slug,
                    name=company.name,
                    names=tuple(n for n in names if n),
                    chain_role=company.chain_role,
                    country=str(company.country),
                    pk=company.pk,
                )
            )
        return cls(companies)

    @classmethod
    def from_dicts(cls, rows):
        """From a test case: [{"slug", "name", "name_ko", "name_zh", "aliases", ...}]."""
        companies = []
        for row in rows:
            names = [row["name"], row.get("name_ko", ""), row.get("name_zh", "")]
            names += row.get("aliases", [])
            companies.append(
                KnownCompany(
                    key=row["slug"],
                    name=row["name"],
                    names=tuple(n for n in names if n),
                    chain_role=row.get("chain_role", ""),
                    country=row.get("country", ""),
                )
            )
        return cls(companies)

    def fuzzy(self, name: str) -> KnownCompany | None:
        """The known company `name` is another spelling of ("Hyundai Motor Co", "CATL's"),
        by rapidfuzz's similarity of the names without their legal suffixes."""
        from rapidfuzz import fuzz, process

        if not hasattr(self, "_bare"):
            self._bare = [
                (normalise(LEGAL_SUFFIX.sub("", n.strip())), company)
                for company in self.companies
                for n in company.names
            ]
        wanted = normalise(LEGAL_SUFFIX.sub("", name.strip()))
        if not wanted or not self._bare:
            return None
        # Short names differ by one letter from other companies ("Kia"/"Kai"): exact only.
        cutoff = 100 if len(wanted) < 5 else 92
        best = process.extractOne(
            wanted, [bare for bare, _ in self._bare], scorer=fuzz.ratio, score_cutoff=cutoff
        )
        return self._bare[best[2]][1] if best else None

    def find(self, sentence: str) -> list[Mention]:
        """Known companies named in the sentence, longest names first, never overlapping."""
        mentions: list[Mention] = []
        # One flag per character already named: the overlap check costs the match's length,
        # not the number of mentions found so far (a sentence may name a company 20,000 times).
        taken = bytearray(len(sentence))
        for pattern, company in self._patterns:
            for match in pattern.finditer(sentence):
                if _free(taken, match.start(), match.end()):
                    mentions.append(Mention(match.start(), match.end(), match[0], company))
        return sorted(mentions, key=lambda m: m.start)


def _free(taken: bytearray, start: int, end: int) -> bool:
    """Whether no character of [start, end) is taken yet; if so, takes them."""
    if taken.find(1, start, end) != -1:
        return False
    taken[start:end] = b"\x01" * (end - start)
    return True


def find_unknown_organisations(
    sentence: str, known: list[Mention], index: "CompanyIndex | None" = None
) -> list[Mention]:
    """Organisation names that no known company covers: proposals for new companies. A name
    that is another spelling of a known company (`CompanyIndex.fuzzy`) comes back linked."""
    from ingest.names import cjk_names, guess_chain_role, is_name

    candidates: list[tuple[int, int, str, str]] = []
    for pattern in (ORG_BY_CUE, ORG_BY_DESCRIPTOR, ORG_BY_SUFFIX):
        for match in pattern.finditer(sentence):
            before = sentence[max(0, match.start() - 100) : match.start()]
            if pattern is ORG_BY_CUE and PRECEDING_CAPITAL.search(before):
                continue  # "Renault Korea's Grand Koleos": a name's own "Korea's"
            start, end = match.span(1)
            role = guess_chain_role(sentence[max(0, match.start() - 20) : end])
            candidates.append((start, end, match[1], role))
    for name in cjk_names(sentence):
        candidates.append((name.start, name.end, name.text, name.chain_role))

    found: list[Mention] = []
    taken = bytearray(len(sentence))
    for mention in known:
        taken[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
    for start, end, text, role in sorted(candidates, key=lambda c: (c[0], -(c[1] - c[0]))):
        text, start, end = _trim(text, start, end)
        if not text or normalise(text) in NOT_ORGS or len(text) < 2:
            continue
        if taken.find(1, start, end) != -1:
            continue
        if all(word.casefold() in NOT_ORGS for word in text.split()) or not is_name(text):
            continue
        company = index.fuzzy(text) if index is not None else None
        taken[start:end] = b"\x01" * (end - start)
        found.append(Mention(start, end, text, company, guessed_role=role))
    return found


def _trim(text, start, end):
    """Drop leading words that cannot begin a name ("The", "Recently") and a possessive."""
    keep = NOT_ORGS - {"new", "electric", "energy", "power"}
    while text:
        head, _, rest = text.partition(" ")
        if head.casefold().strip(",") not in keep:
            break
        stripped = rest.lstrip()
        start += len(text) - len(stripped)
        text = stripped
    if text.endswith("'s"):
        text, end = text[:-2], end - 2
    return text, start, end
