"""Word search: every word must match, in any order and any script, ranked; the same rows on
PostgreSQL and SQLite (CI runs this file on both)."""

import pytest


def deal_slugs(api, text):
    response = api.get("/api/v1/deals/", {"q": text, "limit": 100})
    assert response.status_code == 200, response.content
    return [deal["slug"] for deal in response.json()["results"]]


@pytest.mark.parametrize(
    ("text", "first", "included"),
    [
        ("Hyundai CALB", "calb-hyundai-motor-30gwh", set()),
        ("CALB Hyundai", "calb-hyundai-motor-30gwh", set()),
        ("LG Chery", None, {"lges-chery-46-series-cells", "lges-chery-expansion-talks"}),
        ("46 series", "lges-chery-46-series-cells", set()),
        ("현대 CATL", "catl-hyundai-motor-group-small-models", set()),
        ("宁德时代 PV5", "catl-kia-pv5-cells", set()),
        ("kia pv5", "catl-kia-pv5-cells", set()),
        ("copper foil", "solus-catl-copper-foil", set()),
    ],
)
def test_every_word_matches_in_any_order(api, article, text, first, included):
    """Multi-word searches find the deal whose title, parties, product or vehicles hold all the
    words, and nothing that lacks one of them."""
    found = deal_slugs(api, text)
    assert found, text
    if first:
        assert found[0] == first
    assert included <= set(found)
    # Every word must match: CALB's other deals do not have "Hyundai"... and no deal has both.
    assert deal_slugs(api, f"{text} nosuchword") == []


def test_search_ranks_title_matches_first(api, article):
    """A deal whose title holds the words comes before one that matches only through a party."""
    found = deal_slugs(api, "Chery")
    assert found[:2] == sorted(found[:2]) or set(found[:3]) >= {
        "lges-chery-46-series-cells",
        "lges-chery-expansion-talks",
    }
    titled = [slug for slug in found if "chery" in slug]
    assert found[: len(titled)] == titled


def test_explicit_ordering_overrides_the_rank(api, article):
    """With `ordering`, the list keeps that order, not the rank."""
    response = api.get("/api/v1/deals/", {"q": "LG", "ordering": "title"})
    titles = [deal["title"] for deal in response.json()["results"]]
    assert titles == sorted(titles)


def test_companies_and_search_page_take_words(api, client, article):
    """Companies and the search page take several words too ("LG Energy", "현대 자동차")."""
    companies = api.get("/api/v1/companies/", {"q": "energy LG"}).json()["results"]
    assert [c["slug"] for c in companies] == ["lg-energy-solution"]
    page = client.get("/search/", {"q": "Hyundai CALB"}).content.decode()
    assert "/deals/calb-hyundai-motor-30gwh/" in page
    vehicles = api.get("/api/v1/vehicle-models/", {"q": "kia pv5"}).json()["results"]
    assert [v["slug"] for v in vehicles] == ["kia-pv5"]


def test_too_many_matches_keep_the_list_order(api, article, monkeypatch):
    """Beyond RANK_MAX matches the list is not ranked but newest first, as without a search."""
    from partnerships import search

    ranked = deal_slugs(api, "Chery")
    monkeypatch.setattr(search, "RANK_MAX", 1)
    newest_first = deal_slugs(api, "Chery")
    assert set(newest_first) == set(ranked)
    plain = [d["slug"] for d in api.get("/api/v1/deals/", {"limit": 100}).json()["results"]]
    assert newest_first == [slug for slug in plain if slug in set(ranked)]


@pytest.mark.parametrize("path", ["/api/v1/supply-graph/", "/api/v1/stats/", "/api/v1/timeline/"])
def test_a_search_matching_nothing_leaves_aggregates_empty(api, article, path):
    """Aggregates under a search that matches no deal answer 200, not 500."""
    assert api.get(path, {"q": "zzzz nothing"}).status_code == 200
