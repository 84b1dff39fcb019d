"""The founding article's facts as an analyst reads them through the API."""


def test_lges_chery_deal_as_the_article_states_it(api, article):
    """The LGES–Chery deal shows 8 GWh, both parties with native names, and its quote."""
    deal = api.get("/api/v1/deals/lges-chery-46-series-cells/").json()
    assert deal["volume_gwh"] == 8.0 and deal["status"] == "signed"
    parties = {p["slug"]: p for p in deal["parties"]}
    assert parties["lg-energy-solution"]["role"] == "supplier"
    assert parties["lg-energy-solution"]["country"] == "KR"
    assert parties["chery-automobile"]["name_zh"]
    assert any("8 gigawatt-hours" in c["quote"] for c in deal["citations"])
    assert deal["status_history"] and deal["status_history"][-1]["status"] == "signed"


def test_polestar_owners_keep_the_article_claim_beside_the_reports(api, article):
    """Polestar's owners: the article's "brand of Volvo Cars", ended at the 2022 listing, and
    Volvo Cars' 18.0% since 2024, a minority no chain follows; Kia's chain is its group."""
    polestar = api.get("/api/v1/companies/polestar/").json()
    owners = {stake["slug"]: stake for stake in polestar["owners"]}
    brand = owners["volvo-cars-in-polestar"]
    assert (brand["tie"], brand["until_on"], brand["current"]) == ("brand", "2022-06-24", False)
    assert any(c["source"]["slug"] == "000-e2c2a161a104c2fc" for c in brand["citations"])
    minority = owners["volvo-cars-in-polestar-2024"]
    assert (minority["share_percent"], minority["current"]) == (18, True)
    assert not minority["controlling"] and polestar["parent_chain"] == []
    kia = api.get("/api/v1/companies/kia/").json()
    assert [c["slug"] for c in kia["parent_chain"]] == ["hyundai-motor-group"]


def test_catl_deals_and_korea_china_pairs(api, article):
    """Filtering by CATL and by the Korea–China pair finds the article's deals."""
    catl = api.get("/api/v1/deals/?company=catl").json()["results"]
    assert "catl-kia-pv5-cells" in {d["slug"] for d in catl}
    assert all(any(p["slug"] == "catl" for p in d["parties"]) for d in catl)
    pair = {d["slug"] for d in api.get("/api/v1/deals/?country_pair=CN-KR").json()["results"]}
    assert "lges-chery-46-series-cells" in pair
    assert "byd-beijing-hyundai-elecxio" not in pair  # both parties are Chinese
    stats = api.get("/api/v1/stats/").json()
    kr_cn = next(item for item in stats["by_country_pair"] if item["key"] == "KR-CN")
    assert kr_cn["deals"] == len(pair)


def test_search_in_korean_and_chinese(api, article):
    """Searching 奇瑞 or 체리 finds the Chery deals."""
    for text in ("奇瑞", "체리"):
        found = {d["slug"] for d in api.get("/api/v1/deals/", {"q": text}).json()["results"]}
        assert "lges-chery-46-series-cells" in found, text
