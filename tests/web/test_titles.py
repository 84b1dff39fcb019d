"""Titles that cannot contradict the facts: built from parties, product and status in the reader's
language, unless the editor's headline still holds for the deal's status."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse

from partnerships import services, titles
from partnerships.models import Deal, Source

pytestmark = pytest.mark.django_db

CALB = "calb-hyundai-motor-30gwh"
CALB_HEADLINE = "Hyundai Motor in talks with CALB on a reported 30 GWh battery supply contract"
CALB_EN = "CALB to supply Hyundai Motor with battery cells (not finalized)"
CALB_KO = "CALB, 현대자동차에 배터리 셀 공급 (미확정)"

# Every deal of the founding article, as built from its facts in English and in Korean.
BUILT = {
    "lges-chery-46-series-cells": (
        "LG Energy Solution to supply Chery Automobile with battery cells (signed)",
        "LG에너지솔루션, 체리자동차에 배터리 셀 공급 (체결)",
    ),
    "lges-chery-expansion-talks": (
        "LG Energy Solution to supply Chery Automobile with battery cells (in talks)",
        "LG에너지솔루션, 체리자동차에 배터리 셀 공급 (협의 중)",
    ),
    "solus-catl-copper-foil": (
        "Solus Advanced Materials to supply CATL with battery foil (signed)",
        "솔루스첨단소재, CATL에 전지박 공급 (체결)",
    ),
    "ecopro-catl-cathode": (
        "Ecopro to supply CATL with cathode material (in talks)",
        "에코프로, CATL에 양극재 공급 (협의 중)",
    ),
    "ecopro-bm-catl-electrolyte": (
        "ECOPRO BM to supply CATL with electrolyte (in talks)",
        "에코프로비엠, CATL에 전해액 공급 (협의 중)",
    ),
    "catl-kia-pv5-cells": (
        "CATL to supply Kia with battery cells (active)",
        "CATL, 기아에 배터리 셀 공급 (진행 중)",
    ),
    "catl-hyundai-motor-group-small-models": (
        "CATL to supply Hyundai Motor Group with battery cells (active)",
        "CATL, 현대자동차그룹에 배터리 셀 공급 (진행 중)",
    ),
    CALB: (CALB_EN, CALB_KO),
    "byd-beijing-hyundai-elecxio": (
        "BYD to supply Beijing Hyundai with battery cells (reported)",
        "비야디, 베이징현대에 배터리 셀 공급 (보도)",
    ),
    "kg-mobility-chery-joint-development": (
        "Chery Automobile and KG Mobility to develop vehicles together (active)",
        "체리자동차·KG모빌리티, 차량 공동 개발 (진행 중)",
    ),
    "kg-mobility-byd-cooperation": (
        "BYD and KG Mobility to cooperate (active)",
        "비야디·KG모빌리티 협력 (진행 중)",
    ),
    "renault-korea-geely-aurora": (
        "Geely Automobile and Renault Korea to develop vehicles together (active)",
        "지리자동차·르노코리아, 차량 공동 개발 (진행 중)",
    ),
    "polestar-renault-korea-busan": (
        "Renault Korea to make vehicles for Polestar (signed)",
        "르노코리아, 폴스타의 차량 위탁 생산 (체결)",
    ),
}


def _deal(slug):
    return Deal.objects.prefetch_related("parties__company").get(slug=slug)


def test_built_titles_of_the_founding_article_in_english_and_korean(article):
    """Each of the article's 13 deals reads, built from its facts, as above in both languages;
    Hyundai Motor–CALB reads as not finalized in both."""
    found = {}
    for slug in BUILT:
        deal = _deal(slug)
        found[slug] = tuple(
            titles.built_title(
                kind=deal.kind,
                product=deal.product,
                status=deal.status,
                parties=deal.parties.all(),
                language=language,
            )
            for language in ("en", "ko")
        )
    assert found == BUILT


def test_calb_reads_as_not_finalized_on_every_page(article, client):
    """The CALB headline was written while the deal was reported: now that Hyundai says it is
    not finalized, the deal list, the deal page, the timeline's hover, the feed, the API and the
    CSV export all show the built title, in English and in Korean, and never the headline."""
    deal = _deal(CALB)
    assert (deal.title, deal.title_status, deal.status) == (
        CALB_HEADLINE,
        "reported",
        "not_finalized",
    )
    for language, built in (("en", CALB_EN), ("ko", CALB_KO)):
        client.cookies["django_language"] = language
        headers = {}
        for url in (reverse("dashboard:deal-list"), deal.get_absolute_url(), "/"):
            page = client.get(url, **headers).content.decode()
            assert built in page.replace("&#x27;", "'"), (language, url)
            assert CALB_HEADLINE not in page, (language, url)
        api = client.get(reverse("api:deal-detail", args=[CALB]), **headers).json()
        assert (api["display_title"], api["title"], api["title_status"]) == (
            built,
            CALB_HEADLINE,
            "reported",
        )
        listed = client.get(reverse("api:deal-list"), {"q": "CALB"}, **headers).json()
        assert [row["display_title"] for row in listed["results"]] == [built]
        feed = client.get(reverse("publishing:deal-feed"), **headers).content.decode()
        assert f"<title>{built}</title>" in feed
        export = client.get(reverse("dashboard:deal-list-csv"), {"q": "CALB"}, **headers)
        rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
        assert rows[0][1:3] == ["display_title", "title"]
        assert rows[1][1:3] == [built, CALB_HEADLINE]


def test_timeline_hover_and_sankey_use_the_built_title(article, client):
    """The charts' hovers name the deal by the same title as its page."""
    client.cookies["django_language"] = "ko"
    page = client.get("/").content.decode()
    start = page.index('id="flows-data"')
    flows = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    hovers = json.dumps(flows, ensure_ascii=False)
    assert CALB_KO in hovers and CALB_HEADLINE not in hovers
    start = page.index('id="timeline-data"')
    timeline = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    hovers = json.dumps(timeline, ensure_ascii=False)
    assert CALB_KO in hovers and CALB_HEADLINE not in hovers


def _step(deal, status, day):
    source = Source.objects.get(slug="000-e2c2a161a104c2fc")
    quote = deal.status_history.order_by("-effective_on").first().quote
    return services.deal_record_status(
        deal=deal,
        status=status,
        effective_on=day,
        effective_precision="day",
        source=source,
        quote=quote,
    )


def test_an_editor_headline_shows_until_the_status_it_was_written_under_changes(article, client):
    """The signed LG Energy Solution–Chery deal shows its editor's headline in English (the
    Korean reader gets the built title, the headline beside it); once a step moves the status,
    the page shows the built title and the deal is flagged for review; confirming the headline
    for the new status brings it back."""
    slug = "lges-chery-46-series-cells"
    deal = _deal(slug)
    headline = deal.title
    assert deal.title_status == deal.status == "signed"
    english = client.get(deal.get_absolute_url()).content.decode()
    assert f"<h1>{headline}</h1>" in english
    client.cookies["django_language"] = "ko"
    korean = client.get(deal.get_absolute_url()).content.decode()
    client.cookies["django_language"] = "en"
    assert "<h1>LG에너지솔루션, 체리자동차에 배터리 셀 공급 (체결)</h1>" in korean
    assert f'<p class="name-en" lang="en">{headline}</p>' in korean

    _step(deal, "active", datetime.date(2025, 9, 1))
    deal = _deal(slug)
    assert deal.status == "active" and deal.title == headline and deal.title_status == "signed"
    assert deal.needs_review
    english = client.get(deal.get_absolute_url()).content.decode()
    built = "LG Energy Solution to supply Chery Automobile with battery cells (active)"
    assert f"<h1>{built}</h1>" in english and headline not in english

    services.deal_update(deal=deal, fields={"title_status": "active"})
    english = client.get(_deal(slug).get_absolute_url()).content.decode()
    assert f"<h1>{headline}</h1>" in english


def test_a_new_headline_is_written_under_the_status_of_its_write(article):
    """Changing the headline (here with a status step in the same write) records the status it
    was written under, and raises no review flag."""
    deal = _deal(CALB)
    deal = services.deal_update(
        deal=deal, fields={"title": "Hyundai Motor denies a CALB battery deal"}
    )
    assert deal.title_status == "not_finalized" and not deal.needs_review
    assert titles.deal_title(_deal(CALB), "en") == "Hyundai Motor denies a CALB battery deal"
    assert titles.deal_title(_deal(CALB), "ko") == CALB_KO


def test_a_headline_status_must_be_a_status(article):
    """An unknown `title_status` is refused with a message, not stored."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.deal_update(deal=_deal(CALB), fields={"title_status": "maybe"})
    assert "title_status" in error.value.message_dict
