"""A synthetic dataset of the size users will hold: tens of thousands of companies, hundreds of
thousands of deals, for measuring speed. Never for display as facts, never in fixtures/.

Everything here is pure Python and deterministic for a seed: `generate()` yields chunks of rows
(tuples in the column order of each model's table) in foreign-key order, and a writer in the
`generate_synthetic` command puts them in the database (COPY on PostgreSQL). Every company, source,
vehicle model and deal has a slug starting with `SLUG_PREFIX`, so the whole set can be found and
removed again without a column on the product's tables.

The shape follows real markets: a few giant battery makers and automakers take most deals (Zipf
weights), most deals are supply contracts between two parties, some have a third; every deal has
a status history whose every step quotes a sentence that really is in its source's text, and a
citation of the sentence that announced it.
"""

import bisect
import datetime
import itertools
import math
import operator
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import models as db_models
from django.utils import translation

from partnerships.dates import Precision, period_start
from partnerships.models import (
    Citation,
    Company,
    CompanyAlias,
    Deal,
    DealParty,
    Ownership,
    Source,
    StatusChange,
    VehicleModel,
)

SLUG_PREFIX = "syn-"
CHAIN_ROLE_LABELS = {
    "automaker": "automaker",
    "battery_cells": "battery cell maker",
    "battery_materials": "battery materials maker",
    "components": "components maker",
    "group": "business group",
    "other": "industrial company",
}
DealVehicleModel = Deal.vehicle_models.through

# Tables in the order their rows must be written (a row only points to rows written before it).
TABLE_ORDER = (
    Company,
    CompanyAlias,
    Ownership,
    VehicleModel,
    Source,
    Deal,
    DealParty,
    StatusChange,
    Citation,
    DealVehicleModel,
)


@dataclass(frozen=True)
class Sizes:
    deals: int
    companies: int
    vehicle_models: int
    sources: int

    @classmethod
    def scaled(cls, deals, companies=None, vehicle_models=None, sources=None):
        """Sizes in the proportions of the issue's 200k-deal example, unless given."""
        return cls(
            deals=deals,
            companies=companies or max(20, deals // 20),
            vehicle_models=vehicle_models or max(10, deals // 10),
            sources=sources or max(1, deals // 4),
        )


# --- names, places -----------------------------------------------------------------------------

# fmt: off
# (romanised, native) syllables; a name is two or three of them and a word for the trade.
SYLLABLES = {
    "KR": [
        ("Han", "한"), ("Dae", "대"), ("Sung", "성"), ("Il", "일"), ("Jin", "진"),
        ("Kwang", "광"), ("Seo", "서"), ("Young", "영"), ("Woo", "우"), ("Hyun", "현"),
        ("Min", "민"), ("Tae", "태"), ("Hwa", "화"), ("Dong", "동"), ("Sam", "삼"),
        ("Kum", "금"), ("Shin", "신"), ("Cheon", "천"), ("Jeong", "정"), ("Yu", "유"),
        ("Bo", "보"), ("Gyeong", "경"), ("Nam", "남"), ("Ah", "아"), ("Hae", "해"),
    ],
    "CN": [
        ("Hua", "华"), ("Xin", "新"), ("Tian", "天"), ("Neng", "能"), ("Guo", "国"),
        ("Zhong", "中"), ("Long", "龙"), ("Sheng", "盛"), ("Ming", "明"), ("Jia", "佳"),
        ("Hai", "海"), ("Feng", "丰"), ("Rui", "瑞"), ("Kai", "凯"), ("Da", "达"),
        ("Yuan", "源"), ("Heng", "恒"), ("Tai", "泰"), ("Fu", "福"), ("Xing", "星"),
        ("Bo", "博"), ("Chang", "长"), ("Jin", "金"), ("Yu", "宇"), ("Ke", "科"),
    ],
    "TW": [
        ("Hong", "鴻"), ("Yang", "陽"), ("Guang", "光"), ("Cheng", "成"), ("Wei", "偉"),
        ("Quan", "全"), ("Lian", "聯"), ("Hua", "華"), ("Tong", "統"), ("Ji", "積"),
        ("Fu", "富"), ("Ying", "英"), ("Da", "達"), ("Sheng", "昇"), ("Yong", "永"),
    ],
    "JP": [
        ("Taka", "高"), ("Yama", "山"), ("Kawa", "川"), ("Hoshi", "星"), ("Mori", "森"),
        ("Ishi", "石"), ("Naka", "中"), ("Fuji", "富士"), ("Mitsu", "光"), ("Tomo", "友"),
        ("Hira", "平"), ("Oka", "岡"), ("Shima", "島"), ("Matsu", "松"), ("Kita", "北"),
        ("Sumi", "住"), ("Hashi", "橋"), ("Nishi", "西"), ("Aki", "秋"), ("Tachi", "立"),
    ],
}
# Other Asian markets: English names only, words joined with spaces.
WORDS = {
    "IN": ["Shakti", "Surya", "Amar", "Vijay", "Jai", "Ravi", "Kiran", "Deva", "Indra", "Veda"],
    "ID": ["Nusa", "Jaya", "Indo", "Mitra", "Sinar", "Bumi", "Karya", "Prima", "Sentosa"],
    "TH": ["Siam", "Thai", "Chai", "Sawad", "Krung", "Rattana", "Prasert", "Wattana"],
    "VN": ["Viet", "Hoa", "Phat", "Thanh", "Minh", "Long", "An", "Tien", "Hung", "Duc"],
    "MY": ["Pro", "Mega", "Sri", "Bina", "Seri", "Alam", "Tunas", "Jati", "Cahaya", "Harta"],
}
TRADES = {
    "KR": {
        "automaker": [("Motors", "모터스"), ("Mobility", "모빌리티"), ("Auto", "자동차")],
        "battery_cells": [
            ("Energy", "에너지"), ("Battery", "배터리"), ("Energy Solution", "에너지솔루션"),
        ],
        "battery_materials": [
            ("Materials", "소재"), ("Chemical", "화학"), ("Advanced Materials", "첨단소재"),
        ],
        "components": [("Precision", "정밀"), ("Electronics", "전자"), ("Tech", "테크")],
        "group": [("Group", "그룹"), ("Holdings", "홀딩스")],
        "other": [("Industrial", "산업"), ("Trading", "상사")],
    },
    "CN": {
        "automaker": [("Auto", "汽车"), ("New Energy Auto", "新能源汽车"), ("EV", "电动汽车")],
        "battery_cells": [
            ("Battery", "电池"), ("New Energy", "新能源"), ("Power Battery", "动力电池"),
        ],
        "battery_materials": [
            ("Materials", "材料"), ("Lithium", "锂业"), ("New Materials", "新材料"),
        ],
        "components": [("Technology", "科技"), ("Electric", "电气"), ("Precision", "精密")],
        "group": [("Group", "集团"), ("Holdings", "控股")],
        "other": [("Industrial", "实业"), ("Trading", "贸易")],
    },
    "TW": {
        "automaker": [("Motor", "汽車")],
        "battery_cells": [("Energy", "能源"), ("Battery", "電池")],
        "battery_materials": [("Materials", "材料"), ("Chemical", "化學")],
        "components": [("Electronics", "電子"), ("Precision", "精密")],
        "group": [("Group", "集團")],
        "other": [("Industrial", "實業")],
    },
    "JP": {
        "automaker": [("Motor", "自動車"), ("Motors", "モーターズ")],
        "battery_cells": [("Denchi", "電池"), ("Energy", "エナジー")],
        "battery_materials": [("Chemical", "化学"), ("Materials", "マテリアル")],
        "components": [("Denki", "電機"), ("Seiki", "精機"), ("Electric", "電気")],
        "group": [("Holdings", "ホールディングス")],
        "other": [("Industries", "工業"), ("Shoji", "商事")],
    },
}
OTHER_TRADES = {
    "automaker": ["Motors", "Auto"],
    "battery_cells": ["Energy", "Cells"],
    "battery_materials": ["Materials", "Minerals", "Nickel"],
    "components": ["Components", "Electric"],
    "group": ["Group"],
    "other": ["Industries"],
}
COUNTRY_WEIGHTS = [
    ("CN", 42), ("KR", 30), ("JP", 14), ("TW", 4), ("IN", 3),
    ("ID", 2), ("TH", 2), ("VN", 2), ("MY", 1),
]
CITIES = {
    "KR": [
        ("Seoul", 37.5665, 126.9780), ("Ulsan", 35.5384, 129.3114),
        ("Cheongju", 36.6424, 127.4890), ("Pohang", 36.0190, 129.3435),
        ("Yongin", 37.2411, 127.1776), ("Gumi", 36.1195, 128.3446),
        ("Changwon", 35.2280, 128.6811), ("Incheon", 37.4563, 126.7052),
        ("Daejeon", 36.3504, 127.3845), ("Suwon", 37.2636, 127.0286),
    ],
    "CN": [
        ("Ningde", 26.6657, 119.5479), ("Shenzhen", 22.5431, 114.0579),
        ("Shanghai", 31.2304, 121.4737), ("Hefei", 31.8206, 117.2272),
        ("Changzhou", 31.8107, 119.9741), ("Beijing", 39.9042, 116.4074),
        ("Hangzhou", 30.2741, 120.1551), ("Guangzhou", 23.1291, 113.2644),
        ("Chongqing", 29.5630, 106.5516), ("Xi'an", 34.3416, 108.9398),
        ("Wuhan", 30.5928, 114.3055), ("Changsha", 28.2282, 112.9388),
        ("Tianjin", 39.3434, 117.3616), ("Yibin", 28.7513, 104.6417),
    ],
    "JP": [
        ("Tokyo", 35.6762, 139.6503), ("Osaka", 34.6937, 135.5023),
        ("Nagoya", 35.1815, 136.9066), ("Toyota", 35.0825, 137.1560),
        ("Hamamatsu", 34.7108, 137.7261), ("Yokohama", 35.4437, 139.6380),
        ("Hiroshima", 34.3853, 132.4553),
    ],
    "TW": [
        ("Taipei", 25.0330, 121.5654), ("Taoyuan", 24.9936, 121.3010),
        ("Hsinchu", 24.8138, 120.9675), ("Taichung", 24.1477, 120.6736),
    ],
    "IN": [
        ("Pune", 18.5204, 73.8567), ("Chennai", 13.0827, 80.2707),
        ("Mumbai", 19.0760, 72.8777), ("Bengaluru", 12.9716, 77.5946),
    ],
    "ID": [("Jakarta", -6.2088, 106.8456), ("Bekasi", -6.2383, 106.9756)],
    "TH": [("Bangkok", 13.7563, 100.5018), ("Rayong", 12.6814, 101.2816)],
    "VN": [("Hanoi", 21.0278, 105.8342), ("Hai Phong", 20.8449, 106.6881)],
    "MY": [("Kuala Lumpur", 3.1390, 101.6869), ("Penang", 5.4141, 100.3288)],
}
ROLE_WEIGHTS = [
    ("automaker", 22), ("battery_cells", 18), ("battery_materials", 25),
    ("components", 22), ("group", 5), ("other", 8),
]
PUBLISHERS = [
    "Korea Economic Daily", "Yonhap", "The Elec", "Chosun Biz", "Caixin", "Yicai", "36Kr",
    "CnEVPost", "Nikkei Asia", "DigiTimes", "SNE Research", "Energy Trend", "Reuters",
]
MARKETS = ["China", "Europe", "North America", "Korea", "Southeast Asia", "India", "Global"]
SEGMENTS = ["compact SUV", "mid-size SUV", "sedan", "hatchback", "pickup", "PBV", "MPV", "truck"]

# --- deal shapes -------------------------------------------------------------------------------

KIND_WEIGHTS = [
    ("supply", 55), ("joint_development", 10), ("contract_manufacturing", 5),
    ("cooperation", 10), ("joint_venture", 8), ("investment", 8), ("licensing", 4),
]
STATUS_WEIGHTS = [
    ("reported", 10), ("in_talks", 12), ("signed", 30), ("active", 28),
    ("completed", 8), ("not_finalized", 6), ("cancelled", 6),
]
# The steps a deal goes through to reach its status; the optional first step is taken half the
# time.
STATUS_PATHS = {
    "reported": ((), ("reported",)),
    "in_talks": (("reported",), ("in_talks",)),
    "signed": (("in_talks",), ("signed",)),
    "active": ((), ("signed", "active")),
    "completed": ((), ("signed", "active", "completed")),
    "not_finalized": ((), ("reported", "not_finalized")),
    "cancelled": ((), ("signed", "cancelled")),
}
PRECISION_WEIGHTS = [
    (Precision.DAY, 40), (Precision.MONTH, 35), (Precision.QUARTER, 10),
    (Precision.HALF, 5), (Precision.YEAR, 10),
]
# fmt: on
VEHICLE_PRODUCTS = ("battery_cells", "battery_packs", "vehicle_production")
MATERIALS = ["cathode", "anode", "electrolyte", "separator", "foil"]
CHEMISTRIES = ["NCM", "NCM", "LFP", "LFP", "LFP", "NCA", "LMFP", "Na-ion"]
CELL_FORMATS = ["prismatic", "prismatic", "pouch", "cylindrical"]
FIRST_DATE = datetime.date(2012, 1, 1)
LAST_DATE = datetime.date(2026, 6, 30)

OPENING = {
    "reported": "{a} is reported to be in discussions with {b} over {what}.",
    "in_talks": "{a} and {b} are in talks on a {kind} covering {what}.",
    "signed": "{a} signed a {kind} with {b} covering {what}.",
}
LATER = {
    "in_talks": "{a} confirmed in {when} that it is in talks with {b}.",
    "signed": "{a} and {b} signed their {kind} in {when}.",
    "active": "Deliveries under the {kind} between {a} and {b} began in {when}.",
    "completed": "{a} said in {when} that its {kind} with {b} has been completed.",
    "not_finalized": "{b} said in {when} that no agreement with {a} has been finalized.",
    "cancelled": "{a} and {b} called off their {kind} in {when}.",
}
FILLER = [
    "Shares of {a} rose {n} percent on the news.",
    "Analysts expect demand for electric vehicles in Asia to keep growing.",
    "{a} did not comment on the price.",
    "The companies did not disclose financial terms.",
    "{a} has expanded its production capacity in {city} this year.",
]


def weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return list(values), list(itertools.accumulate(weights))


KINDS = weighted(KIND_WEIGHTS)


def zipf_weights(count, exponent, rng):
    """Cumulative weights for `count` items, ranks shuffled: a few giants and a long tail."""
    ranks = list(range(1, count + 1))
    rng.shuffle(ranks)
    return list(itertools.accumulate(1.0 / rank**exponent for rank in ranks))


MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def month_label(value):
    return f"{MONTHS[value.month - 1]} {value.year}"


# --- rows ------------------------------------------------------------------------------------


class Table:
    """Rows of one model as tuples in its columns' order; a field not given takes its default."""

    def __init__(self, model, now):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [field.column for field in self.fields]
        self.defaults = {}
        for field in self.fields:
            if isinstance(field, db_models.DateTimeField):
                self.defaults[field.attname] = now
            elif field.has_default():
                self.defaults[field.attname] = field.get_default()
            else:
                self.defaults[field.attname] = "" if field.empty_strings_allowed else None
        self._pick = operator.itemgetter(*[field.attname for field in self.fields])

    def row(self, values):
        return self._pick({**self.defaults, **values})


@dataclass
class CompanyInfo:
    id: int
    slug: str
    name: str
    country: str
    role: str
    city: str


class Generator:
    def __init__(self, sizes, seed, id_bases, now=None, taken_names=(), chunk_deals=5000):
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.ids = dict(id_bases)
        self.now = now or datetime.datetime.now(datetime.UTC)
        self.tables = {model: Table(model, self.now) for model in TABLE_ORDER}
        self.taken = set(taken_names)
        self.chunk_deals = chunk_deals
        # Plain English strings: lazy translations cost more than the rest of a row.
        with translation.override("en"):
            self.product_labels = {k: str(v).lower() for k, v in Deal.Product.choices}
            self.kind_labels = {k: str(v) for k, v in Deal.Kind.choices}

    def next_id(self, model):
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    # companies -----------------------------------------------------------------------------

    def _name(self, country, role):
        rng = self.rng
        for attempt in range(200):
            if country in SYLLABLES:
                length = 2 if rng.random() < 0.8 or attempt < 2 else 3
                parts = [rng.choice(SYLLABLES[country]) for _ in range(length)]
                english, native = rng.choice(TRADES[country][role])
                stem = "".join(part[0] for part in parts).capitalize()
                name = f"{stem} {english}"
                native_name = "".join(part[1] for part in parts) + native
            else:
                length = 2 if rng.random() < 0.8 else 3
                words = rng.sample(WORDS[country], length)
                name = " ".join([*words, rng.choice(OTHER_TRADES[role])])
                native_name = ""
            if attempt >= 100:
                name += f" {attempt}"
                native_name += str(attempt) if native_name else ""
            if name not in self.taken and (not native_name or native_name not in self.taken):
                self.taken.add(name)
                if native_name:
                    self.taken.add(native_name)
                return name, native_name
        raise RuntimeError("ran out of synthetic company names")

    def companies(self):
        rng, table = self.rng, self.tables[Company]
        countries, country_cum = weighted(COUNTRY_WEIGHTS)
        roles, role_cum = weighted(ROLE_WEIGHTS)
        rows, aliases, infos = [], [], []
        groups = {}
        alias_table = self.tables[CompanyAlias]
        stake_table = self.tables[Ownership]
        stakes, names = [], {}
        self.stake_infos = []
        for index in range(self.sizes.companies):
            country = rng.choices(countries, cum_weights=country_cum)[0]
            role = rng.choices(roles, cum_weights=role_cum)[0]
            name, native = self._name(country, role)
            city, lat, lon = rng.choice(CITIES[country])
            company_id = self.next_id(Company)
            slug = f"{SLUG_PREFIX}co-{index:06d}"
            values = {
                "id": company_id,
                "slug": slug,
                "published": True,  # every synthetic row is cited
                "name": name,
                "country": country,
                "chain_role": role,
                "hq_city": city,
                "hq_latitude": Decimal(f"{lat + rng.uniform(-0.05, 0.05):.5f}"),
                "hq_longitude": Decimal(f"{lon + rng.uniform(-0.05, 0.05):.5f}"),
                "description": f"{CHAIN_ROLE_LABELS[role].capitalize()} based in {city}.",
            }
            if country == "KR":
                values["name_ko"] = native
            elif country in ("CN", "TW"):
                values["name_zh"] = native
            elif country == "JP":
                aliases.append((company_id, native))
            if country == "CN":
                values["state_owned"] = rng.random() < 0.3
            if rng.random() < 0.8:
                values["founded_on"] = datetime.date(rng.randint(1950, 2022), 1, 1)
                values["founded_precision"] = Precision.YEAR
            parents = groups.get(country)
            if role != "group" and parents and rng.random() < 0.12:
                # A controlling stake, and the company's owner columns derived from it (as the
                # services would write them); its sentence is printed by a source later.
                owner = rng.choice(parents)
                tie = rng.choice(["subsidiary", "subsidiary", "group_member", "major_shareholder"])
                share = None
                if tie == "subsidiary":
                    share = Decimal(rng.randint(51, 100))
                elif tie == "major_shareholder":
                    share = Decimal(rng.randint(10, 49))
                values.update(parent_id=owner, parent_tie=tie, parent_share_percent=share)
                stake_id = self.next_id(Ownership)
                stakes.append(
                    stake_table.row(
                        {
                            "id": stake_id,
                            "slug": f"{SLUG_PREFIX}stake-{index:06d}",
                            "owner_id": owner,
                            "owned_id": company_id,
                            "tie": tie,
                            "share_percent": share,
                            "controlling": True,
                            "published": True,  # cited below, like every synthetic row
                        }
                    )
                )
                self.stake_infos.append((stake_id, names[owner], name, share))
            if role == "group":
                groups.setdefault(country, []).append(company_id)
            names[company_id] = name
            if rng.random() < 0.15:
                initials = "".join(word[0] for word in name.split()).upper()
                aliases.append((company_id, initials + country))
            rows.append(table.row(values))
            infos.append(CompanyInfo(company_id, slug, name, country, role, city))
        alias_rows = [
            alias_table.row({"id": self.next_id(CompanyAlias), "company_id": owner, "name": alias})
            for owner, alias in aliases
        ]
        self.company_infos = infos
        return {Company: rows, CompanyAlias: alias_rows, Ownership: stakes}

    def _pools(self):
        """Per chain role: the companies and their Zipf cumulative weights."""
        rng = self.rng
        by_role = {}
        for info in self.company_infos:
            by_role.setdefault(info.role, []).append(info)
        # A role with no company in a tiny dataset borrows the whole list.
        everyone = self.company_infos
        self.pools = {}
        for role, _weight in ROLE_WEIGHTS:
            members = by_role.get(role) or everyone
            self.pools[role] = (members, zipf_weights(len(members), 1.1, rng))
        self.pools["any"] = (everyone, zipf_weights(len(everyone), 1.0, rng))

    def pick(self, pool, avoid=()):
        members, cum = self.pools[pool]
        total, last, random_ = cum[-1], len(cum) - 1, self.rng.random
        for _ in range(20):
            info = members[bisect.bisect(cum, random_() * total, 0, last)]
            if info.id not in avoid:
                return info
        return next(
            (info for info in self.company_infos if info.id not in avoid), self.company_infos[0]
        )

    # vehicle models ------------------------------------------------------------------------

    def vehicle_models(self):
        rng, table = self.rng, self.tables[VehicleModel]
        self.models_by_maker = {}
        names_by_maker = {}
        rows = []
        for index in range(self.sizes.vehicle_models):
            maker = self.pick("automaker")
            taken = names_by_maker.setdefault(maker.id, set())
            prefix = maker.name[:2].upper()
            for attempt in itertools.count():
                name = (
                    f"{prefix}{rng.choice(['', 'e', 'i', 'X', 'Q'])}{rng.randint(1, 99)}"
                    f"{rng.choice(['', '', ' Pro', ' Max', ' Sport', ' L', ' GT', ' Cross'])}"
                )
                if attempt > 50:
                    name += f" {attempt}"
                if name not in taken:
                    taken.add(name)
                    break
            launch = self.random_date(2010, 2027)
            precision = rng.choice([Precision.MONTH, Precision.YEAR, Precision.QUARTER])
            model_id = self.next_id(VehicleModel)
            earlier = self.models_by_maker.setdefault(maker.id, [])
            values = {
                "id": model_id,
                "slug": f"{SLUG_PREFIX}vm-{index:06d}",
                "published": True,  # every synthetic row is cited
                "maker_id": maker.id,
                "name": name,
                "segment": rng.choice(SEGMENTS),
                "powertrain": rng.choices(
                    ["bev", "phev", "hev", "fcev", "ice"], cum_weights=[60, 85, 95, 97, 100]
                )[0],
                "launch_on": period_start(launch, precision),
                "launch_precision": precision,
                "production_site": f"{maker.city} plant",
            }
            if rng.random() < 0.7:
                values["battery_supplier_id"] = self.pick("battery_cells").id
                values["chemistry"] = rng.choice(CHEMISTRIES)
                values["cell_format"] = rng.choice(CELL_FORMATS)
            if earlier and rng.random() < 0.2:
                values["predecessor_id"] = rng.choice(earlier)
            earlier.append(model_id)
            rows.append(table.row(values))
        return {VehicleModel: rows}

    def random_date(self, first_year, last_year):
        start = datetime.date(first_year, 1, 1).toordinal()
        end = datetime.date(last_year, 12, 31).toordinal()
        return datetime.date.fromordinal(self.rng.randint(start, end))

    # deals ---------------------------------------------------------------------------------

    def deal_shape(self):
        """Kind, product and the parties: (company, role) pairs, distinct companies."""
        rng = self.rng
        kind = rng.choices(KINDS[0], cum_weights=KINDS[1])[0]
        if kind == "supply":
            roll = rng.random()
            if roll < 0.6:
                first = self.pick("battery_cells")
                second = self.pick("automaker", {first.id})
                product = rng.choice(["battery_cells", "battery_cells", "battery_packs"])
            elif roll < 0.85:
                first = self.pick("battery_materials")
                second = self.pick("battery_cells", {first.id})
                product = rng.choice(MATERIALS)
            else:
                first = self.pick("components")
                second = self.pick("automaker", {first.id})
                product = "other"
            parties = [(first, "supplier"), (second, "customer")]
        elif kind == "contract_manufacturing":
            first = self.pick("automaker")
            second = self.pick("automaker", {first.id})
            parties = [(first, "manufacturer"), (second, "customer")]
            product = "vehicle_production"
        elif kind == "investment":
            first = self.pick(rng.choice(["group", "automaker", "battery_cells"]))
            second = self.pick(rng.choice(["battery_materials", "battery_cells"]), {first.id})
            parties = [(first, "investor"), (second, "partner")]
            product = rng.choice(["battery_cells", "cathode", "other"])
        elif kind == "joint_development":
            first = self.pick("automaker")
            second = self.pick(rng.choice(["battery_cells", "components"]), {first.id})
            parties = [(first, "developer"), (second, "developer")]
            product = rng.choice(["vehicle_development", "battery_cells", "battery_packs"])
        else:
            first = self.pick(rng.choice(["automaker", "battery_cells", "battery_materials"]))
            second = self.pick("any", {first.id})
            parties = [(first, "partner"), (second, "partner")]
            product = rng.choice(["battery_cells", "cathode", "vehicles", "other"])
        if rng.random() < 0.15:
            third = self.pick("any", {first.id, second.id})
            parties.append((third, rng.choice(["partner", "investor"])))
        return kind, product, parties

    def deal_dates(self):
        """Announcement dates for every deal, sorted, so that sources follow one another in time
        and a later status step is reported by a later source."""
        span = LAST_DATE.toordinal() - FIRST_DATE.toordinal()
        ordinals = sorted(
            FIRST_DATE.toordinal() + int(span * (1 - self.rng.random() ** 1.6))
            for _ in range(self.sizes.deals)
        )
        return ordinals

    def generate(self):
        """Yield dicts {model: [rows]} in foreign-key order, the big tables in chunks."""
        yield self.companies()
        self._pools()
        yield self.vehicle_models()
        yield from self.deals_and_sources()

    def deals_and_sources(self):
        rng = self.rng
        sizes = self.sizes
        ordinals = self.deal_dates()
        deal_table, party_table = self.tables[Deal], self.tables[DealParty]
        status_table, citation_table = self.tables[StatusChange], self.tables[Citation]
        link_table = self.tables[DealVehicleModel]
        statuses, status_cum = weighted(STATUS_WEIGHTS)
        precisions, precision_cum = weighted(PRECISION_WEIGHTS)
        source_ids = [self.next_id(Source) for _ in range(sizes.sources)]
        # Sentences, status rows and citations waiting for a later source to print them.
        pending = {}
        # One sentence about each company, printed by a source spread over the run.
        company_at = {}
        for info in self.company_infos:
            company_at.setdefault(rng.randrange(sizes.sources), []).append(info)
        stake_at = {}
        for stake in self.stake_infos:
            stake_at.setdefault(rng.randrange(sizes.sources), []).append(stake)
        chunk = {model: [] for model in TABLE_ORDER}
        chunk_size = 0
        first_deal = 0
        for source_index in range(sizes.sources):
            source_id = source_ids[source_index]
            sentences = []
            dates = []
            end = (source_index + 1) * sizes.deals // sizes.sources
            for deal_index in range(first_deal, end):
                deal_id = self.next_id(Deal)
                kind, product, parties = self.deal_shape()
                announced = datetime.date.fromordinal(ordinals[deal_index])
                precision = rng.choices(precisions, cum_weights=precision_cum)[0]
                undated = rng.random() < 0.02
                values = {
                    "id": deal_id,
                    "slug": f"{SLUG_PREFIX}deal-{deal_index:06d}",
                    "published": True,  # every synthetic row is cited
                    "kind": kind,
                    "product": product,
                    "market": rng.choice(MARKETS) if rng.random() < 0.6 else "",
                    "completeness": rng.randint(30, 100),
                    "needs_review": rng.random() < 0.03,
                }
                if not undated:
                    values["announced_on"] = period_start(announced, precision)
                    values["announced_precision"] = precision
                    values["announced_estimated"] = rng.random() < 0.1
                battery = product in ("battery_cells", "battery_packs") or product in MATERIALS
                gwh = None
                if battery and rng.random() < 0.75:
                    volume = min(500.0, max(0.1, rng.lognormvariate(math.log(8), 1.2)))
                    gwh = Decimal(f"{volume:.3f}")
                    values["volume_gwh"] = gwh
                    values["volume_gwh_estimated"] = rng.random() < 0.15
                    if product != "battery_packs" and product not in MATERIALS:
                        values["chemistry"] = rng.choice(CHEMISTRIES)
                        values["cell_format"] = rng.choice(CELL_FORMATS)
                    if rng.random() < 0.2:
                        values["vehicle_count"] = max(1, int(gwh * 1_000_000 / 70))
                if rng.random() < 0.4:
                    values["term_years"] = rng.randint(1, 10)
                if rng.random() < 0.5:
                    start = announced + datetime.timedelta(days=rng.randint(0, 720))
                    start_precision = rng.choice([Precision.MONTH, Precision.YEAR])
                    values["start_on"] = period_start(start, start_precision)
                    values["start_precision"] = start_precision
                    if values.get("term_years") and rng.random() < 0.6:
                        values["end_on"] = datetime.date(
                            values["start_on"].year + values["term_years"], 1, 1
                        )
                        values["end_precision"] = Precision.YEAR
                        values["end_estimated"] = True
                status = rng.choices(statuses, cum_weights=status_cum)[0]
                optional, required = STATUS_PATHS[status]
                steps = (optional if rng.random() < 0.5 else ()) + required
                values["status"] = steps[-1]
                a, b = parties[0][0], parties[1][0]
                label = self.product_labels[product]
                what = f"{float(gwh):g} GWh of {label}" if gwh is not None else label
                kind_label = self.kind_labels[kind]
                values["title"] = f"{a.name} – {b.name}: {kind_label}, {label}"[:200]
                chunk[Deal].append(deal_table.row(values))
                for company, role in parties:
                    chunk[DealParty].append(
                        party_table.row(
                            {
                                "id": self.next_id(DealParty),
                                "deal_id": deal_id,
                                "company_id": company.id,
                                "role": role,
                            }
                        )
                    )
                # The opening step, quoted from this source; later steps from later ones.
                first_on = values.get("announced_on") or announced
                first_precision = values.get("announced_precision") or Precision.DAY
                opening = (OPENING.get(steps[0]) or OPENING["signed"]).format(
                    a=a.name, b=b.name, what=what, kind=kind_label
                )
                sentences.append(opening)
                dates.append(announced)
                chunk[StatusChange].append(
                    status_table.row(
                        {
                            "id": self.next_id(StatusChange),
                            "deal_id": deal_id,
                            "status": steps[0],
                            "effective_on": first_on,
                            "effective_precision": first_precision,
                            "source_id": source_id,
                            "quote": opening,
                        }
                    )
                )
                chunk[Citation].append(
                    citation_table.row(
                        {
                            "id": self.next_id(Citation),
                            "source_id": source_id,
                            "quote": opening,
                            "deal_id": deal_id,
                        }
                    )
                )
                if gwh is not None:
                    chunk[Citation].append(
                        citation_table.row(
                            {
                                "id": self.next_id(Citation),
                                "source_id": source_id,
                                "quote": opening,
                                "field": "volume_gwh",
                                "claim": f"{float(gwh):g} GWh",
                                "deal_id": deal_id,
                            }
                        )
                    )
                when = announced
                for step in steps[1:]:
                    when = period_start(
                        when + datetime.timedelta(days=rng.randint(31, 540)), Precision.MONTH
                    )
                    sentence = LATER[step].format(
                        a=a.name, b=b.name, kind=kind_label, when=month_label(when)
                    )
                    # The source that reports this step is one printed around that time.
                    later = bisect.bisect_left(ordinals, when.toordinal())
                    target = min(sizes.sources - 1, later * sizes.sources // sizes.deals)
                    target = max(source_index, target)
                    row = {
                        "id": self.next_id(StatusChange),
                        "deal_id": deal_id,
                        "status": step,
                        "effective_on": when,
                        "effective_precision": Precision.MONTH,
                        "quote": sentence,
                    }
                    pending.setdefault(target, []).append((sentence, when, row))
                models_of_customer = self.models_by_maker.get(b.id)
                if models_of_customer and product in VEHICLE_PRODUCTS and rng.random() < 0.6:
                    count = min(len(models_of_customer), rng.randint(1, 2))
                    for model_id in rng.sample(models_of_customer, count):
                        link = {"deal_id": deal_id, "vehiclemodel_id": model_id}
                        link["id"] = self.next_id(DealVehicleModel)
                        chunk[DealVehicleModel].append(link_table.row(link))
                chunk_size += 1
            first_deal = end
            for sentence, when, row in pending.pop(source_index, ()):
                sentences.append(sentence)
                dates.append(when)
                row["source_id"] = source_id
                chunk[StatusChange].append(status_table.row(row))
            for info in company_at.pop(source_index, ()):
                sentence = f"{info.name} is headquartered in {info.city}."
                sentences.append(sentence)
                chunk[Citation].append(
                    citation_table.row(
                        {
                            "id": self.next_id(Citation),
                            "source_id": source_id,
                            "quote": sentence,
                            "field": "hq_city",
                            "claim": info.city,
                            "company_id": info.id,
                        }
                    )
                )
            for stake_id, owner, owned, share in stake_at.pop(source_index, ()):
                held = f"holds {share}% of" if share is not None else "controls"
                sentence = f"{owner} {held} {owned}."
                sentences.append(sentence)
                chunk[Citation].append(
                    citation_table.row(
                        {
                            "id": self.next_id(Citation),
                            "source_id": source_id,
                            "quote": sentence,
                            "ownership_id": stake_id,
                        }
                    )
                )
            chunk[Source].append(self.source_row(source_index, source_id, sentences, dates))
            if chunk_size >= self.chunk_deals or source_index == sizes.sources - 1:
                yield chunk
                chunk = {model: [] for model in TABLE_ORDER}
                chunk_size = 0

    def source_row(self, index, source_id, sentences, dates):
        rng = self.rng
        first = sentences[0] if sentences else "Battery industry notes."
        filler = rng.choice(FILLER).format(
            a=first.split(" ")[0], n=rng.randint(1, 9), city=rng.choice(CITIES["KR"])[0]
        )
        published = max(dates) if dates else LAST_DATE
        return self.tables[Source].row(
            {
                "id": source_id,
                "slug": f"{SLUG_PREFIX}src-{index:06d}",
                "kind": rng.choices(
                    ["article", "press_release", "filing", "report"], cum_weights=[80, 95, 98, 100]
                )[0],
                "title": first[:300],
                "publisher": rng.choice(PUBLISHERS),
                "url": f"https://news.synthetic.invalid/{index}",
                "published_on": published,
                "published_precision": Precision.DAY,
                "text": " ".join([*sentences, filler]),
            }
        )
