"""Methodology and data dictionary pages, read from the models, in English and Korean; the
licence and "last updated" on every page and download."""

import pytest
from django.utils import translation

from partnerships.dates import Precision
from partnerships.models import Deal, PartyRole
from publishing import methodology


def test_every_choice_of_every_vocabulary_has_a_meaning():
    """A status, kind, role or precision added to the models without a meaning fails here."""
    for vocabulary in methodology.VOCABULARIES:
        for entry in vocabulary.entries():
            assert entry["meaning"], (vocabulary.key, entry["value"])


@pytest.mark.parametrize("language", ["en", "ko"])
def test_methodology_lists_every_status_kind_role_and_precision(client, db, language):
    """The page names every value the models define, with its label in the reader's language."""
    client.cookies["django_language"] = language
    response = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override(language):
        for choices in (Deal.Status, Deal.Kind, PartyRole, Precision):
            for value, label in choices.choices:
                assert f"<code>{value}</code>" in html
                assert str(label) in html
    assert "estimated" in html and "CC BY 4.0" in html.replace("CC-BY-4.0", "CC BY 4.0")
    if language == "ko":
        assert "방법론" in html and "보도됨" in html and "출처가 거래를 보도했지만" in html


def test_data_dictionary_lists_every_published_field(client, db):
    """Every concrete field of the deal table appears with its help text."""
    html = client.get("/data-dictionary/").content.decode()
    for field in Deal._meta.concrete_fields:
        if field.name in methodology.HIDDEN_FIELDS:
            continue
        assert f"<code>{field.attname}</code>" in html, field.name
    assert str(Deal._meta.get_field("volume_gwh").help_text) in html
    assert 'href="#status"' in html  # the status field links to its meanings


def test_every_page_shows_the_licence_and_last_update(client, article):
    """The footer of every page states the licence and when the data last changed."""
    for path in ("/", "/deals/", "/companies/", "/methodology/", "/releases/"):
        html = client.get(path).content.decode()
        assert 'rel="license"' in html and "data-last-updated" in html, path


def test_downloads_carry_licence_and_last_updated(client, api, article):
    """CSV, XLSX and GeoJSON downloads name the licence and the data's last update."""
    for path in (
        "/deals/export.csv",
        "/charts/flows.csv",
        "/api/v1/deals/?format=csv",
        "/api/v1/companies/?format=xlsx",
        "/api/v1/deals/?format=geojson",
        "/api/v1/stats/?format=csv",
    ):
        response = client.get(path)
        # Read a streamed body to its end, as a server does: its server-side cursor closes
        # inside this test's transaction, not in the next test's.
        if response.streaming:
            response.getvalue()
        assert response.status_code == 200, path
        assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
        assert response["X-Data-Licence"] == "CC-BY-4.0"
        assert response["X-Data-Last-Updated"], path


def test_korean_footer_and_volume_notes(client, article):
    """The licence line, "last updated" and the filter's country box read in Korean."""
    html = client.get("/deals/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "데이터: CC-BY-4.0" in html and "최종 갱신" in html and "당사자의 국가" in html
