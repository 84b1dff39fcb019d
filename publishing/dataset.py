"""The dataset as a whole: its licence, when it last changed, and the notice every export
carries."""

from django.utils.translation import gettext as _

from partnerships import freshness

TITLE = "Korea–China EV and battery partnerships"
LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}


def last_updated():
    """When the data last changed (the data version's time), or None before any write."""
    return freshness.current().changed_at


def licence_member() -> dict:
    """The licence as a JSON member, shaped as a Frictionless `licenses` entry (a release's
    `datapackage.json` lists the same), for files that carry their licence inside."""
    return {"name": LICENCE["name"], "title": LICENCE["title"], "path": LICENCE["url"]}


def about(query: str = "") -> list[tuple[str, str]]:
    """What a downloaded file is, as (name, value) lines: an XLSX's "About" sheet. Names as
    everywhere else: `license` (the Frictionless word), `data_updated_at` (as a release's)."""
    updated_at = last_updated()
    return [
        ("title", TITLE),
        ("license", LICENCE["name"]),
        ("license_title", LICENCE["title"]),
        ("license_url", LICENCE["url"]),
        ("data_updated_at", updated_at.isoformat(timespec="seconds") if updated_at else ""),
        ("filter", query),
        ("notice", notice(updated_at)),
    ]


def footer() -> dict:
    return {"licence": LICENCE, "updated_at": last_updated()}


def notice(updated_at=None) -> str:
    """One line for the header of a download: what it is, its licence, when the data changed."""
    updated_at = updated_at or last_updated()
    when = updated_at.isoformat(timespec="seconds") if updated_at else _("never")
    return _("%(title)s · licence %(licence)s (%(url)s) · data last updated %(when)s") % {
        "title": TITLE,
        "licence": LICENCE["name"],
        "url": LICENCE["url"],
        "when": when,
    }
