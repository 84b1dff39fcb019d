"""Dates as news writes them ("last month", "second half of this year", "by 2026", "지난달",
"今年下半年"), resolved against the publication date and kept at the precision they are given.

A phrase also says what the date is to the fact: "since last year" and "starting in" open a
period, "by 2026" and "until" close one, anything else dates the event itself.
"""

import datetime
import re
from dataclasses import dataclass

from partnerships.dates import PreciseDate, Precision


class Role:
    AT = "at"
    START = "start"
    END = "end"


@dataclass(frozen=True)
class DateMention:
    date: PreciseDate
    role: str
    start: int
    end: int
    text: str


MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
ORDINAL_HALF = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "latter": 2, "上": 1, "下": 2}
ORDINAL_QUARTER = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
}
MONTH_NAME = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
RELATIVE_YEAR = {
    "this": 0,
    "the current": 0,
    "last": -1,
    "the previous": -1,
    "next": 1,
    "the following": 1,
}
YEAR_WORD = r"(?P<rel>this|last|next|the current|the previous|the following)\s+year"
YEAR_REF = rf"(?:{YEAR_WORD}|(?P<year>(?:19|20)\d\d))"
START_CUE = (
    r"(?P<start>since|starting(?:\s+(?:in|from))?|from|beginning(?:\s+in)?|as of)\s+(?:the\s+)?"
)
END_CUE = r"(?P<end>by|until|till|through|no later than|before)\s+(?:the\s+)?(?:end\s+of\s+)?"
CUE = rf"(?:{START_CUE}|{END_CUE})?"

KO_YEAR = {"올해": 0, "금년": 0, "작년": -1, "지난해": -1, "내년": 1}
ZH_YEAR = {"今年": 0, "去年": -1, "明年": 1}


def _shift_month(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _nearest_year(month: int, day: int, published: datetime.date) -> datetime.date:
    """The latest date of that month and day up to a month after the publication: news tells
    what happened ("agreed on Sept. 30" in a May article is last September), and sometimes
    what is about to ("will sign on May 20")."""
    latest = published + datetime.timedelta(days=31)
    for year in (published.year + 1, published.year, published.year - 1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            continue
        if candidate <= latest:
            return candidate
    raise ValueError(f"no day {day} in month {month}")


def _day_without_year(match, published: datetime.date) -> PreciseDate:
    import dateparser

    parsed = dateparser.parse(
        f"{match['month']} {match['day']}",
        languages=["en"],
        settings={"RELATIVE_BASE": datetime.datetime.combine(published, datetime.time())},
    )
    if parsed is None:
        raise ValueError(match[0])
    return PreciseDate(_nearest_year(parsed.month, parsed.day, published), Precision.DAY)


def _cjk_day(match, published: datetime.date) -> PreciseDate:
    month, day = int(match["month"]), int(match["day"])
    if match["year"]:
        return PreciseDate(datetime.date(int(match["year"]), month, day), Precision.DAY)
    return PreciseDate(_nearest_year(month, day, published), Precision.DAY)


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _last_weekday(name: str, published: datetime.date) -> datetime.date:
    back = (published.weekday() - WEEKDAYS.index(name.lower())) % 7
    return published - datetime.timedelta(days=back)


def _day_of_month(day: int, published: datetime.date) -> PreciseDate:
    """A day written alone: in the publication's month, or the month before when that day has
    not come yet ("the 28th" in an article of the 3rd)."""
    month = published if day <= published.day else _shift_month(published, -1)
    return PreciseDate(month.replace(day=day), Precision.DAY)


def _year(match, published: datetime.date) -> int:
    if match.groupdict().get("year"):
        return int(match.group("year"))
    return published.year + RELATIVE_YEAR[match.group("rel").lower()]


def _role(match) -> str:
    groups = match.groupdict()
    if groups.get("start"):
        return Role.START
    if groups.get("end"):
        return Role.END
    return Role.AT


def _english_patterns(published: datetime.date):
    """(regex, function from match to PreciseDate) in the order they are tried."""
    return [
        (
            rf"\b{CUE}(?P<ord>first|second|1st|2nd|latter)[\s-]+half\s+of\s+{YEAR_REF}",
            lambda m: PreciseDate(
                datetime.date(_year(m, published), 1 + 6 * (ORDINAL_HALF[m["ord"].lower()] - 1), 1),
                Precision.HALF,
            ),
        ),
        (
            rf"\b{CUE}(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s+of\s+{YEAR_REF}",
            lambda m: PreciseDate(
                datetime.date(_year(m, published), 3 * ORDINAL_QUARTER[m["ord"].lower()] - 2, 1),
                Precision.QUARTER,
            ),
        ),
        (
            rf"\b{CUE}H(?P<half>[12])\s+(?P<year>(?:19|20)\d\d)\b",
            lambda m: PreciseDate(
                datetime.date(int(m["year"]), 1 + 6 * (int(m["half"]) - 1), 1), Precision.HALF
            ),
        ),
        (
            rf"\b{CUE}Q(?P<quarter>[1-4])\s+(?P<year>(?:19|20)\d\d)\b",
            lambda m: PreciseDate(
                datetime.date(int(m["year"]), 3 * int(m["quarter"]) - 2, 1), Precision.QUARTER
            ),
        ),
        (
            rf"\b{CUE}(?P<day>\d{{1,2}})\s+{MONTH_NAME},?\s+(?P<year>(?:19|20)\d\d)\b",
            lambda m: PreciseDate(
                datetime.date(int(m["year"]), MONTHS[m["month"].lower()], int(m["day"])),
                Precision.DAY,
            ),
        ),
        (
            rf"\b{CUE}{MONTH_NAME}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>(?:19|20)\d\d)\b",
            lambda m: PreciseDate(
                datetime.date(int(m["year"]), MONTHS[m["month"].lower()], int(m["day"])),
                Precision.DAY,
            ),
        ),
        (
            rf"\b{CUE}(?:in\s+)?{MONTH_NAME}\s+(?:of\s+)?(?P<year>(?:19|20)\d\d)\b",
            lambda m: PreciseDate(
                datetime.date(int(m["year"]), MONTHS[m["month"].lower()], 1), Precision.MONTH
            ),
        ),
        (
            rf"\b{CUE}(?:earlier|later|early|late)?\s*(?:in\s+)?this\s+month\b",
            lambda m: PreciseDate(published, Precision.MONTH),
        ),
        (
            rf"\b{CUE}(?:early|late)?\s*last\s+month\b",
            lambda m: PreciseDate(_shift_month(published, -1), Precision.MONTH),
        ),
        (
            rf"\b{CUE}(?:early|late)?\s*next\s+month\b",
            lambda m: PreciseDate(_shift_month(published, 1), Precision.MONTH),
        ),
        (
            rf"\b{CUE}(?:earlier|later|early|late)?\s*(?:in\s+)?{YEAR_WORD}\b",
            lambda m: PreciseDate(datetime.date(_year(m, published), 1, 1), Precision.YEAR),
        ),
        (
            rf"\b{CUE}(?:(?:in|of|early|late|mid-?)\s+)?(?P<year>(?:19|20)\d\d)\b(?![-–]\w)",
            lambda m: PreciseDate(datetime.date(int(m["year"]), 1, 1), Precision.YEAR),
        ),
        (
            # "on September 2" / "Sept. 2": a day written without its year, the nearest such
            # day to the publication (dateparser reads the many ways to write it).
            rf"\b{CUE}(?:on\s+)?{MONTH_NAME}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
            r"(?!,?\s*(?:19|20)\d\d)",
            lambda m: _day_without_year(m, published),
        ),
        (
            # "said on Tuesday": the latest such weekday up to the publication day.
            rf"\b{CUE}(?:on\s+|last\s+)?(?P<weekday>monday|tuesday|wednesday|thursday|friday|"
            r"saturday|sunday)\b",
            lambda m: PreciseDate(_last_weekday(m["weekday"], published), Precision.DAY),
        ),
        (
            # "launched on the 10th": a day of the month the article was published in.
            r"\bon\s+the\s+(?P<day>[12]?\d|3[01])(?:st|nd|rd|th)\b",
            lambda m: PreciseDate(published.replace(day=int(m["day"])), Precision.DAY),
        ),
    ]


def _cjk_patterns(published: datetime.date):
    def year_of(word):
        return published.year + {**KO_YEAR, **ZH_YEAR}[word]

    return [
        (
            r"(?P<yw>올해|금년|작년|지난해|내년)\s*(?P<half>상|하)반기",
            lambda m: PreciseDate(
                datetime.date(year_of(m["yw"]), 1 if m["half"] == "상" else 7, 1), Precision.HALF
            ),
        ),
        (
            r"(?P<yw>今年|去年|明年)(?P<half>上|下)半年",
            lambda m: PreciseDate(
                datetime.date(year_of(m["yw"]), 1 if m["half"] == "上" else 7, 1), Precision.HALF
            ),
        ),
        (
            # "明年一季度", "올해 3분기", "2027年第二季度": a quarter, of a year named relative
            # to the publication or in figures.
            r"(?:(?P<yw>올해|금년|작년|지난해|내년|今年|去年|明年)|(?P<year>(?:19|20)\d\d)\s*[년年])"
            r"\s*(?:第)?(?P<q>[1-4一二三四])\s*(?:분기|季度)",
            lambda m: PreciseDate(
                datetime.date(
                    year_of(m["yw"]) if m["yw"] else int(m["year"]),
                    3 * ("1234".find(m["q"]) + 1 or "一二三四".find(m["q"]) + 1) - 2,
                    1,
                ),
                Precision.QUARTER,
            ),
        ),
        (
            # "2028년 상반기", "2027年上半年": a half of a year written in figures.
            r"(?P<year>(?:19|20)\d\d)\s*년\s*(?P<half>상|하)반기"
            r"|(?P<year2>(?:19|20)\d\d)\s*年\s*(?P<half2>上|下)半年",
            lambda m: PreciseDate(
                datetime.date(
                    int(m["year"] or m["year2"]), 1 if (m["half"] or m["half2"]) in "상上" else 7, 1
                ),
                Precision.HALF,
            ),
        ),
        (
            # "지난해 11월", "去年3月5日": a month (or day) of a year named relative to the
            # publication.
            r"(?P<yw>올해|금년|작년|지난해|내년|今年|去年|明年)\s*(?P<month>1[0-2]|[1-9])\s*[월月]"
            r"(?:\s*(?P<day>3[01]|[12]\d|[1-9])\s*[일日号])?",
            lambda m: PreciseDate(
                datetime.date(year_of(m["yw"]), int(m["month"]), int(m["day"] or 1)),
                Precision.DAY if m["day"] else Precision.MONTH,
            ),
        ),
        (
            r"(?P<year>(?:19|20)\d\d)\s*년\s*(?P<month>1[0-2]|[1-9])\s*월",
            lambda m: PreciseDate(
                datetime.date(int(m["year"]), int(m["month"]), 1), Precision.MONTH
            ),
        ),
        (
            # Not "2026年11月20日", a day, which the pattern after this one reads.
            r"(?P<year>(?:19|20)\d\d)\s*年\s*(?P<month>1[0-2]|[1-9])\s*月"
            r"(?!\s*(?:3[01]|[12]\d|[1-9])\s*[日号])",
            lambda m: PreciseDate(
                datetime.date(int(m["year"]), int(m["month"]), 1), Precision.MONTH
            ),
        ),
        (
            r"(?:(?P<year>(?:19|20)\d\d)\s*[년年]\s*)?(?P<month>1[0-2]|[1-9])\s*[월月]\s*"
            r"(?P<day>3[01]|[12]\d|[1-9])\s*[일日号]",
            lambda m: _cjk_day(m, published),
        ),
        (
            # "3月下旬签署": a part of a month without its year, which news dates as it does a
            # day without one (the latest such month up to a month ahead).
            # "1-3月中国…" is China, not mid-March: 中 that begins a country's name is no part.
            r"(?<![\d年])(?P<month>1[0-2]|[1-9])\s*月(?:上旬|中旬|下旬|初|底|末|中(?![国方韩日美欧]))",
            lambda m: PreciseDate(_nearest_year(int(m["month"]), 1, published), Precision.MONTH),
        ),
        (
            # "10일 밝혔다", "于2日签署": a day of the publication's month (or the one before).
            r"(?<![\d월月])(?P<day>3[01]|[12]\d|[1-9])\s*[일日号](?!\s*(?:간|동안|이내|内))",
            lambda m: _day_of_month(int(m["day"]), published),
        ),
        (r"오늘|今日|今天", lambda m: PreciseDate(published, Precision.DAY)),
        (r"지난달|上个?月", lambda m: PreciseDate(_shift_month(published, -1), Precision.MONTH)),
        (r"이달|이번\s*달|本月|这个月", lambda m: PreciseDate(published, Precision.MONTH)),
        (
            r"(?P<yw>올해|금년|작년|지난해|내년|今年|去年|明年)",
            lambda m: PreciseDate(datetime.date(year_of(m["yw"]), 1, 1), Precision.YEAR),
        ),
        (
            r"(?P<year>(?:19|20)\d\d)\s*[년年]",
            lambda m: PreciseDate(datetime.date(int(m["year"]), 1, 1), Precision.YEAR),
        ),
    ]


# "2027年至2031年": the first year of a range starts it, the second ends it.
_CJK_START = re.compile(r"^\s*(?:부터|以来|起|开始|(?:至|到)\s*(?:19|20)\d\d\s*年)")
_CJK_END = re.compile(r"^\s*(?:까지|之前|前)")
_CJK_START_BEFORE = re.compile(r"(?:自|从)\s*$")
_CJK_END_BEFORE = re.compile(r"(?:到|至)\s*$")


def find_dates(sentence: str, published: datetime.date) -> list[DateMention]:
    """Every date phrase of the sentence, resolved; overlapping phrases keep the first found."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(start, end):
        return all(end <= s or start >= e for s, e in taken)

    for pattern, build in _english_patterns(published):
        for match in re.finditer(pattern, sentence, flags=re.IGNORECASE):
            if not free(match.start(), match.end()):
                continue
            try:
                date = build(match)
            except ValueError:  # "on the 31st" in a 30-day month
                continue
            text = match.group(0).strip()
            start = match.start() + match.group(0).index(text)
            found.append(DateMention(date, _role(match), start, start + len(text), text))
            taken.append((match.start(), match.end()))
    for pattern, build in _cjk_patterns(published):
        for match in re.finditer(pattern, sentence):
            if not free(match.start(), match.end()):
                continue
            try:
                date = build(match)
            except ValueError:  # "2월 30일"
                continue
            after, before = sentence[match.end() :], sentence[: match.start()]
            role = Role.AT
            if _CJK_START.match(after) or _CJK_START_BEFORE.search(before):
                role = Role.START
            elif _CJK_END.match(after) or _CJK_END_BEFORE.search(before):
                role = Role.END
            found.append(DateMention(date, role, match.start(), match.end(), match[0]))
            taken.append((match.start(), match.end()))
    return sorted(found, key=lambda mention: mention.start)
