"""The Korean catalogue: complete for the web pages, compiled without GNU gettext."""

from pathlib import Path

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
