"""partnerships.filters.DealFilter: the one filter vocabulary of the API and the pages."""

import datetime
from decimal import Decimal

import pytest
from django.http import QueryDict

from partnerships import filters
from partnerships.filters import CompanyFilter, DealFilter
from partnerships.models import Deal
from tests.factories import (
    CompanyAliasFactory,
    CompanyFactory,
    VehicleModelFactory,
    supply_deal,
)

pytestmark = pytest.mark.django_db


def run(query, model_filter=DealFilter, qs=None):
    filterset = model_filter(
        QueryDict(query), queryset=qs if qs is not None else Deal.objects.all()
    )
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("slug", flat=True))


def errors(query, model_filter=DealFilter):
    filterset = model_filter(QueryDict(query), queryset=Deal.objects.all())
    assert not filterset.is_valid()
    return filterset.errors


@pytest.fixture
def world():
    catl = CompanyFactory(slug="catl", name="CATL", name_zh="宁德时代", country="CN")
    lges = CompanyFactory(slug="lges", name="LG Energy Solution", name_ko="LG에너지솔루션")
    CompanyAliasFactory(company=lges, name="LGES")
    hyundai = CompanyFactory(slug="hyundai", name="Hyundai Motor", chain_role="automaker")
    tesla = CompanyFactory(slug="tesla", name="Tesla", country="US", chain_role="automaker")
    ioniq = VehicleModelFactory(slug="ioniq-5", maker=hyundai)
    deals = {
        "catl-hyundai": supply_deal(
            slug="catl-hyundai",
            supplier=catl,
            customer=hyundai,
            volume_gwh=Decimal("10"),
            status="signed",
            announced_on=datetime.date(2025, 1, 1),
            announced_precision="year",
        ),
        "lges-tesla": supply_deal(
            slug="lges-tesla",
            supplier=lges,
            customer=tesla,
            volume_gwh=Decimal("50"),
            status="in_talks",
            kind="supply",
            announced_on=datetime.date(2024, 7, 10),
            announced_precision="day",
        ),
        "lges-hyundai": supply_deal(
            slug="lges-hyundai",
            supplier=lges,
            customer=hyundai,
            volume_gwh=None,
            status="cancelled",
            kind="joint_venture",
            product="battery_packs",
            announced_on=None,
            announced_precision="",
        ),
    }
    deals["catl-hyundai"].vehicle_models.add(ioniq)
    return deals


def test_company_by_slug_or_id(world):
    """`company` accepts a slug or a numeric id and matches the company as any party."""
    assert run("company=hyundai") == {"catl-hyundai", "lges-hyundai"}
    lges_id = world["lges-tesla"].parties.get(role="supplier").company_id
    assert run(f"company={lges_id}") == {"lges-tesla", "lges-hyundai"}


def test_company_with_role(world):
    """`company` with `role` matches only deals where that company has that role."""
    assert run("company=hyundai&role=supplier") == set()
    assert run("company=lges&role=supplier") == {"lges-tesla", "lges-hyundai"}
    assert run("role=customer") == set(world)


def test_country_and_pair_either_direction(world):
    """`country_pair` KR-CN and CN-KR give the same deals; `country` matches any party."""
    assert run("country_pair=KR-CN") == {"catl-hyundai"}
    assert run("country_pair=cn-kr") == {"catl-hyundai"}
    assert run("country_pair=KR-KR") == {"lges-hyundai"}
    assert run("country=us") == {"lges-tesla"}


def test_codes_and_absent_countries_are_read_without_a_name_lookup(world, monkeypatch):
    """A name lookup walks every country's name in three languages: a filter that gives a code
    or no country at all (every filtered request) never makes one, and a name is looked up once
    per process."""
    filters.country_code.cache_clear()
    looked_up = []

    def by_name(name, **kwargs):
        looked_up.append(name)
        return "KR" if name == "South Korea" else ""

    monkeypatch.setattr(filters.countries, "by_name", by_name)
    assert run("country_pair=KR-CN&status=signed") == {"catl-hyundai"}
    assert filters.country_code("") is None and looked_up == []
    assert filters.country_code("South Korea") == filters.country_code("South Korea") == "KR"
    assert looked_up == ["South Korea"]
    filters.country_code.cache_clear()


def test_status_kind_product_and_groups(world):
    """`status` takes several values, comma-separated or repeated; groups bundle statuses."""
    assert run("status=signed,in_talks") == {"catl-hyundai", "lges-tesla"}
    assert run("status=signed&status=cancelled") == {"catl-hyundai", "lges-hyundai"}
    assert run("status_group=agreed") == {"catl-hyundai"}
    assert run("status_group=discussion") == {"lges-tesla"}
    assert run("status_group=ended") == {"lges-hyundai"}
    assert run("kind=joint_venture") == {"lges-hyundai"}
    assert run("product=battery_packs") == {"lges-hyundai"}


def test_volume_range(world):
    """`min_volume_gwh`/`max_volume_gwh` bound the volume; deals of unknown volume drop out."""
    assert run("min_volume_gwh=20") == {"lges-tesla"}
    assert run("max_volume_gwh=20") == {"catl-hyundai"}
    assert run("min_volume_gwh=5&max_volume_gwh=60") == {"catl-hyundai", "lges-tesla"}


def test_old_volume_names_still_filter(world):
    """`min_gwh`/`max_gwh`, the deprecated names, filter as the current ones, alone or mixed."""
    assert run("min_gwh=20") == run("min_volume_gwh=20") == {"lges-tesla"}
    assert run("min_gwh=5&max_volume_gwh=60") == {"catl-hyundai", "lges-tesla"}
    assert run("min_gwh=5&min_volume_gwh=5") == {"catl-hyundai", "lges-tesla"}


def test_old_and_new_name_disagreeing_is_an_error(world):
    """An old and a current name with different values is refused, naming the old one."""
    assert "give only min_volume_gwh" in str(errors("min_gwh=5&min_volume_gwh=6")["min_gwh"])


def test_announced_range_overlaps_precision(world):
    """A deal announced "in 2025" counts for announced_after=2025-06-01 since the year overlaps."""
    assert run("announced_after=2025-06-01") == {"catl-hyundai"}
    assert run("announced_after=2024-07-11") == {"catl-hyundai"}
    assert run("announced_before=2024-12-31") == {"lges-tesla"}
    assert run("year=2024") == {"lges-tesla"}


def test_vehicle_model_and_search(world):
    """`vehicle_model` takes a slug; `q` searches English, Korean, Chinese names and aliases."""
    assert run("vehicle_model=ioniq-5") == {"catl-hyundai"}
    assert run("q=宁德") == {"catl-hyundai"}
    assert run("q=에너지") == {"lges-tesla", "lges-hyundai"}
    assert run("q=lges") == {"lges-tesla", "lges-hyundai"}
    assert run("q=tesla") == {"lges-tesla"}


def test_ordering_is_stable_and_nulls_last(world):
    """Ordering by volume puts unknown volumes last either way and ties break on id."""
    filterset = DealFilter(QueryDict("ordering=-gwh"), queryset=Deal.objects.all())
    assert [d.slug for d in filterset.qs] == ["lges-tesla", "catl-hyundai", "lges-hyundai"]
    filterset = DealFilter(QueryDict("ordering=gwh"), queryset=Deal.objects.all())
    assert [d.slug for d in filterset.qs] == ["catl-hyundai", "lges-tesla", "lges-hyundai"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("min_gwh=abc", "min_gwh"),
        ("min_volume_gwh=abc", "min_volume_gwh"),
        ("min_gwh=-1", "min_gwh"),
        ("max_volume_gwh=-1", "max_volume_gwh"),
        ("status=finished", "status"),
        ("company=no-such-company", "company"),
        ("company=999999", "company"),
        ("country_pair=KR", "country_pair"),
        ("country_pair=KR-XX", "country_pair"),
        ("country=ZZ", "country"),
        ("announced_after=2025-02-01&announced_before=2025-01-01", "announced_before"),
        ("min_gwh=10&max_gwh=1", "max_gwh"),
        ("min_volume_gwh=10&max_volume_gwh=1", "max_volume_gwh"),
        ("announced_after=yesterday", "announced_after"),
        ("ordering=price", "ordering"),
        ("vehicle_model=nope", "vehicle_model"),
        ("role=boss", "role"),
    ],
)
def test_bad_input_is_a_field_error(query, field):
    """Each invalid parameter is reported on its own field instead of matching nothing."""
    assert field in errors(query)


def test_company_filter_search(world):
    """The company filter finds a company by its alias or native name."""
    from partnerships.models import Company

    qs = Company.objects.all()
    assert run("q=LGES", CompanyFilter, qs) == {"lges"}
    assert run("q=宁德时代", CompanyFilter, qs) == {"catl"}
    assert run("country=cn", CompanyFilter, qs) == {"catl"}
