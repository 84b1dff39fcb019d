"""Turn the coverage set's authoring file into a Django fixture.

`fixtures/coverage/coverage.yaml` is written by hand and reviewed: each report with its
publisher, date, address, language and our own summary (one sentence a line), the companies,
vehicle models and deals with the lines of those summaries that state each fact. This command
expands it into `fixtures/010_coverage.yaml`, the rows `load_fixtures` loads beside the founding
article, named by natural keys so that loading again changes nothing.

A citation names its sentence by a fragment of it; the fragment must match exactly one line of
that source's summary, so a fact cannot point at a sentence that does not state it.
"""

import datetime
from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from partnerships.dates import period_start
from partnerships.models import (
    CellFormat,
    ChainRole,
    Chemistry,
    Company,
    DealKind,
    DealStatus,
    PartyRole,
    VehicleModel,
)

AUTHORING = Path("fixtures/coverage/coverage.yaml")
OUTPUT = Path("fixtures/010_coverage.yaml")

# Headquarters coordinates by city (city centres, to five decimals at most), and the city's
# name in Korean for Korean readers. The city itself is cited to a report; where it stands on
# the map and what Korean calls it are geography, not claims of the report.
CITIES = {
    "Seoul": ("KR", 37.5665, 126.978, "서울"),
    "Busan": ("KR", 35.1796, 129.0756, "부산"),
    "Pohang": ("KR", 36.019, 129.3435, "포항"),
    "Cheongju": ("KR", 36.6424, 127.489, "청주"),
    "Yongin": ("KR", 37.2411, 127.1776, "용인"),
    "Pyeongtaek": ("KR", 36.9921, 127.1129, "평택"),
    "Gunsan": ("KR", 35.9676, 126.7366, "군산"),
    "Gumi": ("KR", 36.1195, 128.3446, "구미"),
    "Chungju": ("KR", 36.991, 127.9259, "충주"),
    "Cheonan": ("KR", 36.8151, 127.1139, "천안"),
    "Ulsan": ("KR", 35.5384, 129.3114, "울산"),
    "Anyang": ("KR", 37.3943, 126.9568, "안양"),
    "Iksan": ("KR", 35.9483, 126.9577, "익산"),
    "Jecheon": ("KR", 37.1333, 128.2, "제천"),
    "Ningde": ("CN", 26.6617, 119.5228, "닝더"),
    "Shenzhen": ("CN", 22.5431, 114.0579, "선전"),
    "Hangzhou": ("CN", 30.2741, 120.1551, "항저우"),
    "Ningbo": ("CN", 29.8683, 121.544, "닝보"),
    "Tongxiang": ("CN", 30.6295, 120.5651, "퉁샹"),
    "Quzhou": ("CN", 28.9359, 118.8745, "취저우"),
    "Wuhu": ("CN", 31.3526, 118.4331, "우후"),
    "Changzhou": ("CN", 31.8107, 119.9741, "창저우"),
    "Huizhou": ("CN", 23.1115, 114.4162, "후이저우"),
    "Tongren": ("CN", 27.7183, 109.1895, "퉁런"),
    "Beijing": ("CN", 39.9042, 116.4074, "베이징"),
    "Shanghai": ("CN", 31.2304, 121.4737, "상하이"),
    "Hefei": ("CN", 31.8206, 117.2272, "허페이"),
    "Xi'an": ("CN", 34.3416, 108.9398, "시안"),
    "Yichun": ("CN", 27.8156, 114.4167, "이춘"),
    "Xinyu": ("CN", 27.8178, 114.9172, "신위"),
    "Chengdu": ("CN", 30.5728, 104.0668, "청두"),
    "Guangzhou": ("CN", 23.1291, 113.2644, "광저우"),
    "Baoding": ("CN", 38.8739, 115.4646, "바오딩"),
    "Jiaxing": ("CN", 30.7522, 120.7555, "자싱"),
    "Yancheng": ("CN", 33.3474, 120.1631, "옌청"),
    "Wuhan": ("CN", 30.5928, 114.3055, "우한"),
    "Zhengzhou": ("CN", 34.7466, 113.6254, "정저우"),
    "Nanjing": ("CN", 32.0603, 118.7969, "난징"),
    "Tianjin": ("CN", 39.3434, 117.3616, "톈진"),
    "Pingdu": ("CN", 36.7833, 119.95, "핑두"),
    "Gothenburg": ("SE", 57.7089, 11.9746, "예테보리"),
    "Boulogne-Billancourt": ("FR", 48.8397, 2.2399, "불로뉴비양쿠르"),
}

# A company's citations of its parent, tie and share state the stake its `parent:` becomes.
PARENT_FIELDS = {"parent": "", "parent_tie": "tie", "parent_share_percent": "share_percent"}

PRECISIONS = {
    4: "year",  # 2019
    7: "month",  # 2019-06
    10: "day",  # 2019-06-13
}


def parse_date(value):
    """'2019', '2019-06', '2019-06-13', '2019-Q2', '2019-H1' → (first day, precision)."""
    text = str(value)
    if "-Q" in text:
        year, quarter = text.split("-Q")
        return datetime.date(int(year), 3 * int(quarter) - 2, 1), "quarter"
    if "-H" in text:
        year, half = text.split("-H")
        return datetime.date(int(year), 1 if half == "1" else 7, 1), "half"
    precision = PRECISIONS.get(len(text))
    if precision is None:
        raise CommandError(
            f"Cannot read the date {text!r}: use 2019, 2019-06, 2019-06-13, 2019-Q2 or 2019-H1."
        )
    parts = [int(p) for p in text.split("-")] + [1, 1]
    day = datetime.date(parts[0], parts[1], parts[2])
    return period_start(day, precision), precision


class Authoring:
    """The authoring file, checked as it is read; every error names the record it is in."""

    def __init__(self, data, known_companies, known_vehicle_models):
        self.data = data
        self.sources = data["sources"]
        self.lines = {
            slug: [line.strip() for line in src["text"].strip().splitlines() if line.strip()]
            for slug, src in self.sources.items()
        }
        self.companies = set(data["companies"]) | set(known_companies)
        self.vehicle_models = set(data.get("vehicle_models", {})) | set(known_vehicle_models)
        self.rows = []

    def sentence(self, where, source, fragment):
        if source not in self.sources:
            raise CommandError(f"{where}: unknown source {source!r}.")
        found = [line for line in self.lines[source] if fragment in line]
        if len(found) != 1:
            raise CommandError(
                f"{where}: {fragment!r} matches {len(found)} lines of {source!r}, not one."
            )
        return found[0]

    def company(self, where, slug):
        if slug not in self.companies:
            raise CommandError(f"{where}: unknown company {slug!r}.")
        return [slug]

    def citations(self, where, target, slug, cites):
        for cite in cites:
            source, fragment, *rest = cite
            field = rest[0] if rest else ""
            claim = rest[1] if len(rest) > 1 else ""
            row = {
                "source": [source],
                "quote": self.sentence(where, source, fragment),
                "field": field,
                "claim": claim,
                "company": None,
                "deal": None,
                "vehicle_model": None,
                "context_event": None,
                "ownership": None,
            }
            row[target] = [slug]
            self.rows.append({"model": "partnerships.citation", "fields": row})

    def build(self):
        for slug, src in self.sources.items():
            on, precision = parse_date(src["published"])
            if src.get("language") not in ("en", "ko", "zh"):
                raise CommandError(f"source {slug}: language is en, ko or zh.")
            for key in ("publisher", "url", "title"):
                if not src.get(key):
                    raise CommandError(f"source {slug}: {key} is required.")
            self.rows.append(
                {
                    "model": "partnerships.source",
                    "fields": {
                        "slug": slug,
                        "kind": src.get("kind", "article"),
                        "title": src["title"],
                        "publisher": src["publisher"],
                        "url": src["url"],
                        "language": src["language"],
                        "published_on": on,
                        "published_precision": precision,
                        "published_estimated": bool(src.get("estimated", False)),
                        "text": "\n".join(self.lines[slug]),
                        "notes": src.get("notes", "").strip(),
                    },
                }
            )
        cited, stakes = [], []
        for slug, com in self.data["companies"].items():
            where = f"company {slug}"
            if com["role"] not in ChainRole.values:
                raise CommandError(f"{where}: unknown role {com['role']!r}.")
            city = com.get("hq", "")
            if city and city not in CITIES:
                raise CommandError(f"{where}: add {city!r} to CITIES.")
            country, lat, lon, city_ko = CITIES[city] if city else (com["country"], None, None, "")
            if city and country != com["country"]:
                raise CommandError(f"{where}: {city} is not in {com['country']}.")
            parent = com.get("parent")
            if parent:
                stake = self.parent_stake(where, slug, parent, com.get("cite", []))
                stakes.append((f"{parent['company']}-in-{slug}", stake))
            self.rows.append(
                {
                    "model": "partnerships.company",
                    "fields": {
                        "slug": slug,
                        "name": com["name"],
                        "name_ko": com.get("ko", ""),
                        "name_zh": com.get("zh", ""),
                        "country": com["country"],
                        "chain_role": com["role"],
                        "state_owned": com.get("state_owned"),
                        "founded_on": None,
                        "founded_precision": "",
                        "founded_estimated": False,
                        "hq_city": city,
                        "hq_city_ko": city_ko,
                        "hq_latitude": lat,
                        "hq_longitude": lon,
                        "description": com.get("description", ""),
                    },
                }
            )
            for alias in com.get("aliases", []):
                self.rows.append(
                    {
                        "model": "partnerships.companyalias",
                        "fields": {"company": [slug], "name": alias},
                    }
                )
            if not com.get("cite"):
                raise CommandError(f"{where}: cite at least one sentence.")
            if city and not any(len(c) > 2 and c[2] == "hq_city" for c in com["cite"]):
                raise CommandError(f"{where}: cite the sentence that places it in {city}.")
            cited.append((where, slug, com["cite"]))
        # Companies of the founding article that this set's reports also name: cited, not
        # redefined, so that the founding article's rows stay as they are.
        for slug, cites in self.data.get("known_company_citations", {}).items():
            cited.append((f"company {slug}", slug, cites))
        for slug, vm in self.data.get("vehicle_models", {}).items():
            where = f"vehicle model {slug}"
            launch_on, launch_precision = (
                parse_date(vm["launch"]) if vm.get("launch") else (None, "")
            )
            if vm.get("chemistry", "") not in ["", *Chemistry.values]:
                raise CommandError(f"{where}: unknown chemistry.")
            if vm.get("cell_format", "") not in ["", *CellFormat.values]:
                raise CommandError(f"{where}: unknown cell format.")
            if vm.get("powertrain", "") not in ["", *VehicleModel.Powertrain.values]:
                raise CommandError(f"{where}: unknown powertrain.")
            supplier = vm.get("battery_supplier")
            self.rows.append(
                {
                    "model": "partnerships.vehiclemodel",
                    "fields": {
                        "slug": slug,
                        "maker": self.company(where, vm["maker"]),
                        "name": vm["name"],
                        "segment": vm.get("segment", ""),
                        "powertrain": vm.get("powertrain", ""),
                        "launch_on": launch_on,
                        "launch_precision": launch_precision,
                        "launch_estimated": False,
                        "battery_supplier": self.company(where, supplier) if supplier else None,
                        "chemistry": vm.get("chemistry", ""),
                        "cell_format": vm.get("cell_format", ""),
                        "production_site": vm.get("production_site", ""),
                        "predecessor": None,
                        "programme": "",
                        "description": vm.get("description", ""),
                    },
                }
            )
            if not vm.get("cite"):
                raise CommandError(f"{where}: cite at least one sentence.")
            cited.append((where, slug, vm["cite"], "vehicle_model"))
        for slug, cites in self.data.get("known_vehicle_model_citations", {}).items():
            cited.append((f"vehicle model {slug}", slug, cites, "vehicle_model"))
        stakes += list(self.data.get("stakes", {}).items())
        for slug, stake in stakes:
            cited.append(self.stake(slug, stake))
        for slug, deal in self.data["deals"].items():
            cited.append(self.deal(slug, deal))
        for where, slug, cites, *target in cited:
            self.citations(where, target[0] if target else "company", slug, cites)
        return self.rows

    def parent_stake(self, where, slug, parent, cites):
        """A company's `parent:` shorthand as a stake: the parent as controlling owner, cited
        by the company's sentences that state its parent, tie or share."""
        facts = [c for c in cites if len(c) > 2 and c[2] in PARENT_FIELDS]
        if not facts:
            raise CommandError(f"{where}: cite the sentence that states its parent.")
        return {
            "owner": parent["company"],
            "owned": slug,
            "tie": parent["tie"],
            "share": parent.get("share"),
            "controlling": True,
            "cite": [[c[0], c[1], PARENT_FIELDS[c[2]], *c[3:]] for c in facts],
        }

    def stake(self, slug, stake):
        """A stake: owner, owned company, tie, share, dates; cited like any fact."""
        where = f"stake {slug}"
        if stake["tie"] not in Company.Tie.values:
            raise CommandError(f"{where}: unknown tie {stake['tie']!r}.")
        if not stake.get("cite"):
            raise CommandError(f"{where}: cite the sentence that states it.")
        since_on, since_precision = parse_date(stake["since"]) if stake.get("since") else (None, "")
        until_on, until_precision = parse_date(stake["until"]) if stake.get("until") else (None, "")
        share = stake.get("share")
        self.rows.append(
            {
                "model": "partnerships.ownership",
                "fields": {
                    "slug": slug,
                    "owner": self.company(where, stake["owner"]),
                    "owned": self.company(where, stake["owned"]),
                    "tie": stake["tie"],
                    "share_percent": f"{share:.2f}" if share is not None else None,
                    "since_on": since_on,
                    "since_precision": since_precision,
                    "since_estimated": bool(stake.get("since_estimated", False)),
                    "until_on": until_on,
                    "until_precision": until_precision,
                    "until_estimated": bool(stake.get("until_estimated", False)),
                    "controlling": bool(stake.get("controlling", False)),
                    "note": stake.get("note", "").strip(),
                },
            }
        )
        return (where, slug, stake["cite"], "ownership")

    def deal(self, slug, deal):
        where = f"deal {slug}"
        if deal["kind"] not in DealKind.values:
            raise CommandError(f"{where}: unknown kind {deal['kind']!r}.")
        steps = []
        for status, when, source, fragment, *note in deal["steps"]:
            if status not in DealStatus.values:
                raise CommandError(f"{where}: unknown status {status!r}.")
            on, precision = parse_date(when)
            steps.append((on, status, precision, source, fragment, note[0] if note else ""))
        if not steps:
            raise CommandError(f"{where}: a deal needs at least one status step.")
        steps.sort(key=lambda step: step[0])
        # Announced: as given, else the date of the first step.
        if deal.get("announced"):
            announced_on, announced_precision = parse_date(deal["announced"])
        else:
            announced_on, announced_precision = steps[0][0], steps[0][2]
        start_on, start_precision = parse_date(deal["start"]) if deal.get("start") else (None, "")
        end_on, end_precision = parse_date(deal["end"]) if deal.get("end") else (None, "")
        for vm in deal.get("vehicle_models", []):
            if vm not in self.vehicle_models:
                raise CommandError(f"{where}: unknown vehicle model {vm!r}.")
        self.rows.append(
            {
                "model": "partnerships.deal",
                "fields": {
                    "slug": slug,
                    "title": deal["title"],
                    # The set's headlines were written after reading every report of the deal,
                    # so under its newest status.
                    "title_status": steps[-1][1],
                    "kind": deal["kind"],
                    # The deal's status is its newest step, as the services keep it.
                    "status": steps[-1][1],
                    "product": deal["product"],
                    "product_detail": deal.get("detail", ""),
                    "cell_format": deal.get("cell_format", ""),
                    "chemistry": deal.get("chemistry", ""),
                    "volume_gwh": f"{deal['gwh']:.3f}" if deal.get("gwh") else None,
                    "volume_gwh_estimated": bool(deal.get("gwh_estimated", False)),
                    "vehicle_count": deal.get("vehicles"),
                    "vehicle_count_estimated": bool(deal.get("vehicles_estimated", False)),
                    "term_years": deal.get("term_years"),
                    "announced_on": announced_on,
                    "announced_precision": announced_precision,
                    "announced_estimated": False,
                    "start_on": start_on,
                    "start_precision": start_precision,
                    "start_estimated": False,
                    "end_on": end_on,
                    "end_precision": end_precision,
                    "end_estimated": False,
                    "market": deal.get("market", ""),
                    "notes": deal.get("notes", "").strip(),
                    "vehicle_models": [[vm] for vm in deal.get("vehicle_models", [])],
                },
            }
        )
        # A party is "role" or "role: note"; a list gives one company several roles.
        for company, roles in deal["parties"].items():
            for role in roles if isinstance(roles, list) else [roles]:
                role, _, note = role.partition(":")
                if role not in PartyRole.values:
                    raise CommandError(f"{where}: unknown role {role!r}.")
                self.rows.append(
                    {
                        "model": "partnerships.dealparty",
                        "fields": {
                            "deal": [slug],
                            "company": self.company(where, company),
                            "role": role,
                            "note": note.strip(),
                        },
                    }
                )
        for on, status, precision, source, fragment, note in steps:
            self.rows.append(
                {
                    "model": "partnerships.statuschange",
                    "fields": {
                        "deal": [slug],
                        "status": status,
                        "effective_on": on,
                        "effective_precision": precision,
                        "effective_estimated": False,
                        "source": [source],
                        "quote": self.sentence(where, source, fragment),
                        "note": note,
                    },
                }
            )
        if not deal.get("cite"):
            raise CommandError(f"{where}: cite at least one sentence.")
        return (where, slug, deal["cite"], "deal")


def founding_slugs(model_name):
    """Slugs of the founding article's rows of one model, which this set may refer to."""
    path = Path(settings.BASE_DIR, "fixtures/000_founding_article.yaml")
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {row["fields"]["slug"] for row in rows if row["model"] == model_name}


def render():
    base = Path(settings.BASE_DIR)
    data = yaml.safe_load((base / AUTHORING).read_text(encoding="utf-8"))
    rows = Authoring(
        data,
        founding_slugs("partnerships.company"),
        founding_slugs("partnerships.vehiclemodel"),
    ).build()
    header = (
        "# Generated from fixtures/coverage/coverage.yaml by `manage.py build_coverage_fixture`:\n"
        "# edit that file and run the command again, never this one.\n"
    )
    return header + yaml.safe_dump(rows, allow_unicode=True, sort_keys=False, width=100)


class Command(BaseCommand):
    help = (
        "Write fixtures/010_coverage.yaml from fixtures/coverage/coverage.yaml "
        "(--check: fail if it is out of date)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only say whether it is current.")

    def handle(self, *args, check=False, **options):
        text = render()
        path = Path(settings.BASE_DIR, OUTPUT)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(
                    f"{OUTPUT} is out of date: run manage.py build_coverage_fixture."
                )
            self.stdout.write(f"{OUTPUT} is current.")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {OUTPUT} ({text.count('- model:')} rows).")
