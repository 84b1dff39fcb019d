"""A deal's title as readers see it: built from its facts in the reader's language, unless an
editor's headline holds for the deal's present status.

An editor's headline is written under a status ("Hyundai Motor in talks with CALB…" was written
while the deal was reported); `Deal.title_status` keeps which. While the deal has that status the
headline is shown to readers of English, the language it is written in; once the status moves on
(or for a reader of Korean), the title is built here from the parties with their roles, the
product and the status, so it cannot contradict the facts: "CALB to supply Hyundai Motor with
battery cells (not finalized)", "CALB, 현대자동차에 배터리 셀 공급 (미확정)".

`deal_title` is the one function every page, chart, feed, export and the API call. It reads a
`Deal` (its parties prefetched with their companies) or a plain row with the same keys (`kind`,
`product`, `status`, `title`, `title_status` and `parties`, each with `role`, `name`, `name_ko`).
"""

import functools
from collections.abc import Iterable, Mapping

from django.utils.translation import get_language, override, pgettext

from partnerships.models import local_name

# The languages editors write headlines in; readers of any other get the built title.
HEADLINE_LANGUAGES = ("en",)

UPSTREAM = ("supplier", "manufacturer")
DOWNSTREAM = ("customer",)
INVESTORS = ("investor",)


@functools.cache
def _words(language: str) -> dict:
    """Every word and phrase of a title in `language`, translated once per process: a timeline
    or a map builds hundreds of titles, and a translation lookup per word was most of its
    time."""
    with override(language):
        return {
            # Shorter than the status labels ("not finalized / denied"): a title says which one
            # the sources give, and the badge beside it keeps the full label.
            "status": {
                "reported": pgettext("deal title", "reported"),
                "in_talks": pgettext("deal title", "in talks"),
                "signed": pgettext("deal title", "signed"),
                "active": pgettext("deal title", "active"),
                "completed": pgettext("deal title", "completed"),
                "not_finalized": pgettext("deal title", "not finalized"),
                "cancelled": pgettext("deal title", "cancelled"),
            },
            # What a deal is about ("" for "other": the title then names none).
            "product": {
                "battery_cells": pgettext("deal title", "battery cells"),
                "battery_packs": pgettext("deal title", "battery packs"),
                "cathode": pgettext("deal title", "cathode material"),
                "anode": pgettext("deal title", "anode material"),
                "electrolyte": pgettext("deal title", "electrolyte"),
                "separator": pgettext("deal title", "separators"),
                "foil": pgettext("deal title", "battery foil"),
                "vehicles": pgettext("deal title", "vehicles"),
                "vehicle_development": pgettext("deal title", "vehicles"),
                "vehicle_production": pgettext("deal title", "vehicles"),
            },
            "separator": pgettext("deal title, between names", ", "),
            "and": pgettext("deal title", "%(names)s and %(last)s"),
            "supply": (
                pgettext("deal title", "%(suppliers)s to supply %(customers)s with %(product)s"),
                pgettext("deal title", "%(suppliers)s to supply %(customers)s"),
            ),
            "contract_manufacturing": (
                pgettext("deal title", "%(makers)s to make %(product)s for %(customers)s"),
                pgettext("deal title", "%(makers)s to manufacture for %(customers)s"),
            ),
            "investment": pgettext("deal title", "%(investors)s to invest in %(targets)s"),
            "licensing": (
                pgettext(
                    "deal title",
                    "%(licensees)s to license technology for %(product)s from %(licensors)s",
                ),
                pgettext("deal title", "%(licensees)s to license from %(licensors)s"),
            ),
            # Every party stands on one side.
            "together": {
                "joint_venture": (
                    pgettext("deal title", "%(parties)s joint venture for %(product)s"),
                    pgettext("deal title", "%(parties)s joint venture"),
                ),
                "joint_development": (
                    pgettext("deal title", "%(parties)s to develop %(product)s together"),
                    pgettext("deal title", "%(parties)s to develop together"),
                ),
                "cooperation": (
                    pgettext("deal title", "%(parties)s to cooperate on %(product)s"),
                    pgettext("deal title", "%(parties)s to cooperate"),
                ),
            },
            "other": (
                pgettext("deal title", "%(parties)s: %(product)s"),
                pgettext("deal title", "%(parties)s"),
            ),
            "titled": pgettext("deal title", "%(deal)s (%(status)s)"),
            "untitled": pgettext("deal title", "A deal (%(status)s)"),
        }


def _names(names: list[str], words: dict) -> str:
    """ "A", "A and B", "A, B and C" (Korean: "A·B·C")."""
    if len(names) <= 1:
        return "".join(names)
    return words["and"] % {"names": words["separator"].join(names[:-1]), "last": names[-1]}


def _sentence(kind: str, product: str, parties: list[tuple[str, str]], words: dict) -> str:
    """The title's words before its status, from the parties' (role, name) pairs."""

    def named(roles=None, exclude=()):
        return _names(
            [
                name
                for role, name in parties
                if (roles is None or role in roles) and role not in exclude
            ],
            words,
        )

    upstream, downstream = named(UPSTREAM), named(DOWNSTREAM)
    what = words["product"].get(product, "")
    values = {"product": what}
    if kind == "supply" and upstream and downstream:
        values.update(suppliers=upstream, customers=downstream)
        with_product, without = words["supply"]
        return (with_product if what else without) % values
    if kind == "contract_manufacturing" and upstream and (downstream or named(exclude=UPSTREAM)):
        values.update(makers=upstream, customers=downstream or named(exclude=UPSTREAM))
        with_product, without = words["contract_manufacturing"]
        return (with_product if what else without) % values
    if kind == "investment" and named(INVESTORS) and named(exclude=INVESTORS):
        values.update(investors=named(INVESTORS), targets=named(exclude=INVESTORS))
        return words["investment"] % values
    if kind == "licensing" and len(parties) > 1:
        # The one granting the licence is the developer (or supplier); the other takes it.
        licensors = named(("developer", "supplier"))
        licensees = named(exclude=("developer", "supplier"))
        if licensors and licensees:
            values.update(licensors=licensors, licensees=licensees)
            with_product, without = words["licensing"]
            return (with_product if what else without) % values
    # Joint ventures, joint development and cooperation: a venture's own company (role
    # manufacturer) is not one of its founders.
    founders = named(exclude=("manufacturer",)) if kind == "joint_venture" else ""
    values["parties"] = founders or named()
    with_product, without = words["together"].get(kind, words["other"])
    return (with_product if what else without) % values


def built_title(
    *, kind: str, product: str, status: str, parties: Iterable, language: str | None = None
) -> str:
    """A title from the facts alone, in `language` (the active one when None). `parties` are
    `DealParty` rows (their `company` read) or dicts with `role`, `name` and `name_ko`; a party
    without a name in that language keeps its English one."""
    language = language or get_language() or "en"
    pairs = []
    for party in parties:
        if isinstance(party, Mapping):
            role, company = party.get("role", ""), party
        else:
            role, company = party.role, party.company
        english, local = local_name(company, language)
        pairs.append((role, local or english))
    words = _words(language)
    status_word = words["status"].get(status, status)
    if not pairs:
        return words["untitled"] % {"status": status_word}
    return words["titled"] % {
        "deal": _sentence(kind, product, pairs, words),
        "status": status_word,
    }


def _get(deal, key):
    return deal.get(key, "") if isinstance(deal, Mapping) else getattr(deal, key, "")


def editor_title(deal) -> str:
    """The editor's headline while it holds (the deal still has the status it was written
    under), else ""."""
    title, status = _get(deal, "title"), _get(deal, "status")
    return title if title and status and _get(deal, "title_status") == status else ""


def deal_title(deal, language: str | None = None) -> str:
    """The title readers of `language` (the active one when None) see: the editor's headline
    while it holds and they read its language, else the title built from the facts."""
    language = language or get_language() or "en"
    headline = editor_title(deal)
    if headline and language.split("-")[0] in HEADLINE_LANGUAGES:
        return headline
    parties = _get(deal, "parties")
    if not isinstance(parties, list | tuple):
        parties = parties.all()
    return built_title(
        kind=_get(deal, "kind"),
        product=_get(deal, "product"),
        status=_get(deal, "status"),
        parties=parties,
        language=language,
    )
