"""The Korean catalogue: complete for the web pages, compiled without GNU gettext."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

PO = Path(settings.BASE_DIR, "partnerships", "locale", "ko", "LC_MESSAGES", "django.po")
WEB_FILES = (
    "templates/base.html",
    "templates/web/",
    "templates/includes/",
    "partnerships/web/",
    "partnerships/charts.py",
    "partnerships/models.py",
    "partnerships/titles.py",
)


def test_every_web_string_has_a_korean_translation():
    """No message of the templates, pages, charts or models is left untranslated in Korean."""
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="ko")
    missing = [
        message.id
        for message in catalog
        if message.id
        and any(path.startswith(WEB_FILES) for path, _line in message.locations)
        and not (message.string if isinstance(message.string, str) else all(message.string))
    ]
    assert missing == []


def test_compile_translations_writes_a_catalogue_django_reads(tmp_path, settings):
    """The command compiles the .po with Babel, and Django then speaks Korean from it."""
    locale = tmp_path / "ko" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    (locale / "django.po").write_bytes(PO.read_bytes())
    settings.LOCALE_PATHS = [tmp_path]
    call_command("compile_translations", verbosity=0)
    assert (locale / "django.mo").stat().st_size > 1000
    translation.trans_real._translations = {}
    try:
        with translation.override("ko"):
            assert translation.gettext("Overview") == "개요"
            assert translation.ngettext("%(counter)s deal", "%(counter)s deals", 3) == (
                "거래 %(counter)s건"
            )
    finally:
        translation.trans_real._translations = {}


@pytest.mark.django_db
def test_citation_footers_speak_the_readers_language(client, article):
    """Under a quoted sentence, a status step's date is in the reader's language and a cited
    field by its name, never its column (found by a phone walk: "상태: 보도됨 (16 Jul 2025)",
    "battery_supplier")."""
    client.cookies["django_language"] = "ko"
    deal = client.get("/deals/lges-chery-46-series-cells/").content.decode()
    assert re.search(r"상태: [^<(]+ \(2025년 6월 16일\)", deal)
    assert not re.search(r"상태: [^<(]+ \(16 Jun 2025\)", deal)
    client.cookies["django_language"] = "en"
    vehicle = client.get("/vehicles/kia-niro/").content.decode()
    assert "battery_supplier" not in vehicle and "battery supplier" in vehicle


@pytest.mark.django_db
def test_a_korean_list_shows_the_editors_headline_beside_the_built_title(client, article):
    """Built titles alike (four ventures of one pair) are told apart in a Korean list by the
    editor's English headline beside them, as on the deal's page."""
    headline = "LG Energy Solution to supply 46-series cylindrical cells to Chery Automobile"
    client.cookies["django_language"] = "ko"
    for path in ("/deals/", "/search/?q=Chery"):
        assert (
            f'<span class="name-en" lang="en">{headline}</span>'
            in client.get(path).content.decode()
        )
    client.cookies["django_language"] = "en"
    assert f'lang="en">{headline}</span>' not in client.get("/deals/").content.decode()
