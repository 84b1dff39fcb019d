"""Companies found in a sentence by their names and aliases in English, Korean and Chinese."""

from ingest.matching import CompanyIndex, find_unknown_organisations

INDEX = CompanyIndex.from_dicts(
    [
        {"slug": "ecopro", "name": "Ecopro", "name_ko": "에코프로"},
        {"slug": "ecopro-bm", "name": "ECOPRO BM", "name_ko": "에코프로비엠"},
        {
            "slug": "lg-energy-solution",
            "name": "LG Energy Solution",
            "name_ko": "LG에너지솔루션",
            "aliases": ["LGES"],
        },
        {"slug": "catl", "name": "CATL", "name_zh": "宁德时代", "aliases": ["CATL Co., Ltd."]},
        {"slug": "hyundai-motor", "name": "Hyundai Motor", "aliases": ["Hyundai"]},
        {"slug": "beijing-hyundai", "name": "Beijing Hyundai"},
    ]
)


def keys(sentence):
    return [m.key for m in INDEX.find(sentence)]


def test_longest_name_wins():
    """'ECOPRO BM' is its own company, not Ecopro followed by 'BM'."""
    assert keys("Ecopro and ECOPRO BM are pursuing contracts.") == ["ecopro", "ecopro-bm"]
    assert keys("Beijing Hyundai, Hyundai Motor's joint venture") == [
        "beijing-hyundai",
        "hyundai-motor",
    ]


def test_aliases_and_case():
    """Aliases match, whatever the case: 'LGES', 'catl'."""
    assert keys("LGES will supply catl.") == ["lg-energy-solution", "catl"]


def test_korean_names_match_with_particles_attached():
    """Korean names match although particles follow them ('LG에너지솔루션은')."""
    assert keys("LG에너지솔루션은 에코프로비엠과 계약했다.") == ["lg-energy-solution", "ecopro-bm"]


def test_chinese_names_match():
    """Chinese names match inside running Chinese text."""
    assert keys("宁德时代与LG签约。") == ["catl"]


def test_legal_suffix_is_optional():
    """A company named with 'Co., Ltd.' is found without it too."""
    assert keys("Shares of CATL rose.") == ["catl"]


def test_no_match_inside_other_words():
    """'Hyundai' is not found inside 'Hyundaiville' nor 'CATL' inside 'CATLX'."""
    assert keys("Hyundaiville and CATLX") == []


def test_offsets_point_at_the_words():
    """Each match carries the span of the words, so the review queue can mark them."""
    sentence = "Recently, LG Energy Solution signed."
    (mention,) = INDEX.find(sentence)
    assert sentence[mention.start : mention.end] == "LG Energy Solution"


def test_unknown_organisations_are_proposed():
    """Names that look like companies but are not known are proposed as new ones."""
    sentence = (
        "L&F signed a contract with Chinese battery maker Gotion High-Tech and "
        "Solus Advanced Materials, while Korea Zinc Industries watched."
    )
    found = [m.text for m in find_unknown_organisations(sentence, INDEX.find(sentence))]
    assert "Gotion High-Tech" in found
    assert "Solus Advanced Materials" in found


def test_places_people_and_known_names_are_not_proposed():
    """Countries, people and names already known are not proposed as new companies."""
    sentence = (
        "Amid uncertainty due to U.S. President Donald Trump's tariff policy, China's CATL "
        "and Renault Korea's Grand Koleos drew attention in Korea."
    )
    assert find_unknown_organisations(sentence, INDEX.find(sentence)) == []


def test_korean_organisation_names_are_proposed():
    """A Korean name ending in '배터리' or '에너지' that is unknown is proposed."""
    sentence = "삼성배터리가 계약했다."
    assert [m.text for m in find_unknown_organisations(sentence, [])] == ["삼성배터리"]
