"""The forgiving, strict API: names in any script, unknown parameters refused, choices listed,
one name per concept, unknown volumes never summed as 0, completeness on write."""

from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command

from partnerships import services
from partnerships.models import Deal
from tests.factories import CompanyFactory, supply_deal


def slugs(response):
    assert response.status_code == 200, response.content
    return {deal["slug"] for deal in response.json()["results"]}


@pytest.mark.parametrize(
    "company",
    ["catl", "CATL", "Catl", "宁德时代", "Contemporary Amperex Technology", "닝더스다이", "43"],
)
def test_company_filter_takes_slug_name_alias_and_native_name(api, article, company):
    """`company=` takes a slug, id, English/Korean/Chinese name or alias, in any case."""
    from partnerships.models import Company

    if company == "43":
        company = str(Company.objects.get(slug="catl").pk)
    found = slugs(api.get("/api/v1/deals/", {"company": company}))
    assert "catl-kia-pv5-cells" in found and "solus-catl-copper-foil" in found
    assert "calb-hyundai-motor-30gwh" not in found


def test_company_filter_in_korean_and_by_alias(api, article):
    """Korean names and Korean aliases name the same company as the slug."""
    by_slug = slugs(api.get("/api/v1/deals/", {"company": "lg-energy-solution"}))
    assert slugs(api.get("/api/v1/deals/", {"company": "LG에너지솔루션"})) == by_slug
    assert slugs(api.get("/api/v1/deals/", {"company": "lg엔솔"})) == by_slug
    assert slugs(api.get("/api/v1/deals/", {"company": "LGES"})) == by_slug


def test_unknown_company_and_ambiguous_name_are_explained(api, db):
    """An unknown name is a 400 saying so; a name two companies share lists their slugs."""
    CompanyFactory(slug="alpha-one", name="Alpha One").aliases.create(name="Alpha")
    CompanyFactory(slug="alpha-two", name="Alpha Two").aliases.create(name="Alpha")
    response = api.get("/api/v1/deals/", {"company": "Nobody Ltd"})
    assert response.status_code == 400 and "Nobody Ltd" in response.json()["company"][0]
    response = api.get("/api/v1/deals/", {"company": "alpha"})
    assert response.status_code == 400
    assert "alpha-one" in response.json()["company"][0]
    assert "alpha-two" in response.json()["company"][0]


def test_vehicle_model_and_country_by_name(api, article):
    """`vehicle_model=pv5` and `country=Korea`, `country=中国` work like slugs and codes."""
    assert slugs(api.get("/api/v1/deals/", {"vehicle_model": "pv5"})) == {"catl-kia-pv5-cells"}
    korea = slugs(api.get("/api/v1/deals/", {"country": "KR", "limit": 100}))
    for name in ("kr", "Korea", "South Korea", "한국", "대한민국"):
        assert slugs(api.get("/api/v1/deals/", {"country": name, "limit": 100})) == korea
    china = slugs(api.get("/api/v1/deals/", {"country": "CN", "limit": 100}))
    assert slugs(api.get("/api/v1/deals/", {"country": "中国", "limit": 100})) == china
    pair = slugs(api.get("/api/v1/deals/", {"country_pair": "Korea-China", "limit": 100}))
    assert pair == slugs(api.get("/api/v1/deals/", {"country_pair": "KR-CN", "limit": 100}))
    response = api.get("/api/v1/deals/", {"country": "Atlantis"})
    assert response.status_code == 400 and "Atlantis" in response.json()["country"][0]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/deals/",
        "/api/v1/companies/",
        "/api/v1/stats/",
        "/api/v1/supply-graph/",
        "/api/v1/timeline/",
        "/api/v1/deals/lges-chery-46-series-cells/",
    ],
)
def test_unknown_parameter_is_a_400_naming_the_allowed_ones(api, article, path):
    """A typo (`stauts`) or a stray parameter (`foo`) is refused, never ignored."""
    response = api.get(path, {"stauts": "signed", "foo": "bar"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"stauts", "foo"}
    assert "format" in body["stauts"][0]
    if path == "/api/v1/deals/":
        assert "status" in body["stauts"][0] and "limit" in body["stauts"][0]


def test_known_parameters_still_pass(api, article):
    """Filters, pages, format and an aggregate's own parameters are all accepted."""
    response = api.get("/api/v1/deals/", {"status": "signed", "limit": 5, "offset": 0})
    assert response.status_code == 200
    assert api.get("/api/v1/supply-graph/", {"limit": 5, "kind": "supply"}).status_code == 200
    response = api.get("/api/v1/timeline/", {"language": "ko", "include_events": "false"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/deals/", {"stauts": "signed"}, "stauts"),
        ("/companies/", {"foo": "1"}, "foo"),
        ("/deals/export.csv", {"foo": "1"}, "foo"),
        ("/", {"utm_source": "x"}, "utm_source"),
    ],
)
def test_web_pages_refuse_unknown_parameters(client, article, path, params, field):
    """The pages and their CSVs refuse what they do not know, naming what they take."""
    response = client.get(path, params)
    assert response.status_code == 400
    text = response.content.decode()
    assert field in text and "status" in text or "country" in text


def test_web_deals_page_takes_a_company_name(client, article):
    """The deals page's company box takes a name (in any script) and offers suggestions."""
    page = client.get("/deals/", {"company": "LG에너지솔루션"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "lges-chery-46-series-cells" in html and "catl-kia-pv5-cells" not in html
    assert 'list="company-suggestions"' in html and 'data-suggest="/api/v1/companies/"' in html
    assert client.get("/deals/", {"page": "1", "ordering": "-volume_gwh"}).status_code == 200
    korean = client.get("/deals/", {"country": "한국"})
    assert korean.status_code == 200 and 'name="country"' in korean.content.decode()


def test_choice_errors_list_the_valid_values(api, article):
    """`kind=news` is refused with the kinds that exist; labels work as values."""
    response = api.get("/api/v1/deals/", {"kind": "news"})
    assert response.status_code == 400
    message = response.json()["kind"][0]
    assert "news" in message
    for kind in Deal.Kind.values:
        assert kind in message
    response = api.get("/api/v1/deals/", {"role": "boss"})
    assert "supplier" in response.json()["role"][0]
    response = api.get("/api/v1/deals/", {"ordering": "price"})
    assert "volume_gwh" in response.json()["ordering"][0]
    labelled = slugs(api.get("/api/v1/deals/", {"status": "Not finalized", "limit": 100}))
    assert labelled == slugs(api.get("/api/v1/deals/", {"status": "not_finalized", "limit": 100}))


def test_ordering_uses_the_field_name_and_keeps_the_old_one(api, article):
    """`ordering=-volume_gwh` sorts by volume; the old `-gwh` still means the same."""
    new = api.get("/api/v1/deals/", {"ordering": "-volume_gwh"}).json()["results"]
    old = api.get("/api/v1/deals/", {"ordering": "-gwh"}).json()["results"]
    assert [d["slug"] for d in new] == [d["slug"] for d in old]
    volumes = [d["volume_gwh"] for d in new if d["volume_gwh"] is not None]
    assert volumes == sorted(volumes, reverse=True) and new[0]["volume_gwh"] == 30.0
    assert new[-1]["volume_gwh"] is None  # unknown last


def test_unknown_volumes_stay_null_with_a_count(api, db):
    """A group whose volumes are all unknown sums to null, not 0, and says how many deals."""
    supply_deal(status="in_talks", volume_gwh=None)
    supply_deal(status="signed", volume_gwh=Decimal("5"))
    supply_deal(status="signed", volume_gwh=None)
    body = api.get("/api/v1/stats/").json()
    by_status = {item["key"]: item for item in body["by_status"]}
    assert by_status["in_talks"]["volume_gwh"] is None
    assert by_status["in_talks"]["deals_without_volume"] == 1
    assert by_status["signed"]["volume_gwh"] == 5.0
    assert by_status["signed"]["deals_without_volume"] == 1
    headline = body["headline"]
    assert headline["volume_gwh_under_discussion"] is None
    assert headline["deals_without_volume_under_discussion"] == 1
    assert headline["volume_gwh_agreed"] == 5.0 and headline["deals_without_volume_agreed"] == 1
    buckets = api.get("/api/v1/timeline/").json()["buckets"]
    assert any(b["volume_gwh"] is None and b["deals_without_volume"] == 1 for b in buckets)
    csv = b"".join(api.get("/api/v1/stats/?format=csv").streaming_content).decode()
    assert "deals_without_volume" in csv.splitlines()[0]
    assert "gwh" not in api.get("/api/v1/stats/").json()["by_status"][0]


def test_completeness_is_computed_on_write(db):
    """A deal created or edited through the services has its completeness at once."""
    supplier, customer = CompanyFactory(), CompanyFactory()
    deal = services.deal_create(
        fields={"slug": "new-deal", "title": "New deal", "kind": "supply", "product": "other"},
        parties=[
            services.PartyInput(company=supplier, role="supplier"),
            services.PartyInput(company=customer, role="customer"),
        ],
    )
    assert deal.completeness == 20  # two parties, nothing else known
    assert Deal.objects.get(pk=deal.pk).completeness == 20
    deal = services.deal_update(deal=deal, fields={"volume_gwh": Decimal("3"), "term_years": 2})
    assert Deal.objects.get(pk=deal.pk).completeness == 60


def test_every_parameter_is_described_with_an_example(tmp_path):
    """Each query and path parameter of the schema has a description and an example."""
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    missing = []
    for address, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if not parameter.get("description") or "example" not in parameter:
                    missing.append((address, method, parameter["name"]))
    assert missing == []
    names = [p["name"] for p in schema["paths"]["/api/v1/deals/"]["get"]["parameters"]]
    for name in ("company", "country", "country_pair", "vehicle_model"):
        assert name in names
    assert "GraphOthers" not in schema["components"]["schemas"]
