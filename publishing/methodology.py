"""The methodology and the data dictionary, read from the models themselves.

Every vocabulary (status, kind, role, date precision, ...) is listed from the model's own
`choices`, and every field from its `verbose_name` and `help_text`, so a new status or field
appears on the pages the day it is added. What a value *means* is written here, once;
`tests/publishing/test_methodology.py` fails when a choice has no meaning, so the pages cannot
drift from the models.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerships.dates import Precision
from partnerships.models import (
    ChainRole,
    Citation,
    Company,
    CompanyAlias,
    ContextEvent,
    Deal,
    DealParty,
    Ownership,
    PartyRole,
    Source,
    StatusChange,
    VehicleModel,
)
from publishing.dataset import LICENCE  # noqa: E402,F401 (the pages state it)

STATUS_MEANINGS = {
    Deal.Status.REPORTED: _(
        "A source reports the deal, but neither party has confirmed it. Counted as under"
        " discussion, never as agreed."
    ),
    Deal.Status.IN_TALKS: _(
        "The parties say they are negotiating or pursuing the deal; nothing is signed."
    ),
    Deal.Status.SIGNED: _("A contract or binding agreement is signed, as a source states."),
    Deal.Status.ACTIVE: _("The signed deal is being carried out: deliveries or work have begun."),
    Deal.Status.COMPLETED: _("The deal ran its course: delivered in full or its term ended."),
    Deal.Status.NOT_FINALIZED: _(
        "A party said the deal is not final or denied the report. Kept, with the sentence that"
        " says so, because the earlier report was public."
    ),
    Deal.Status.CANCELLED: _("A party ended the deal after it was agreed."),
}

KIND_MEANINGS = {
    Deal.Kind.SUPPLY: _("One party delivers a product (cells, materials, vehicles) to another."),
    Deal.Kind.JOINT_DEVELOPMENT: _("The parties develop a product or vehicle together."),
    Deal.Kind.CONTRACT_MANUFACTURING: _("One party builds another's product in its plant."),
    Deal.Kind.COOPERATION: _(
        "A broader agreement to work together (a memorandum of understanding, a partnership)"
        " without a stated product or volume."
    ),
    Deal.Kind.JOINT_VENTURE: _("The parties found or hold a company together."),
    Deal.Kind.INVESTMENT: _("One party takes a stake in another or funds its project."),
    Deal.Kind.LICENSING: _("One party licenses its technology or brand to another."),
}

ROLE_MEANINGS = {
    PartyRole.SUPPLIER: _("Delivers the product; the supply graph draws its edges from it."),
    PartyRole.CUSTOMER: _("Receives the product; the edges of the supply graph point to it."),
    PartyRole.PARTNER: _("Takes part on equal terms (cooperation, joint development)."),
    PartyRole.MANUFACTURER: _("Builds the product for another party."),
    PartyRole.DEVELOPER: _("Develops the product together with the other parties."),
    PartyRole.INVESTOR: _("Puts money or takes a stake."),
}

PRECISION_MEANINGS = {
    Precision.DAY: _("The source gives the day: shown as 10 Jun 2025."),
    Precision.MONTH: _("Only the month is known: shown as Jun 2025, stored as its first day."),
    Precision.QUARTER: _("Only the quarter is known: shown as Q3 2025."),
    Precision.HALF: _("Only the half-year is known: shown as H2 2025."),
    Precision.YEAR: _("Only the year is known: shown as 2025."),
}

SOURCE_KIND_MEANINGS = {
    Source.Kind.ARTICLE: _("A news report; the founding article is one."),
    Source.Kind.PRESS_RELEASE: _("A company's own announcement."),
    Source.Kind.FILING: _("A regulatory or stock-exchange filing."),
    Source.Kind.REPORT: _("A research or industry report."),
    Source.Kind.REFERENCE: _(
        "The editors' reference notes: background facts a source takes for granted"
        " (headquarters, group membership), each resting on a public report."
    ),
}

EVENT_KIND_MEANINGS = {
    ContextEvent.Kind.POLICY: _("A law, tariff or subsidy that bears on the deals."),
    ContextEvent.Kind.POLITICAL: _("An election, inauguration or diplomatic event."),
    ContextEvent.Kind.MARKET: _("A market change: prices, demand, a new segment."),
    ContextEvent.Kind.CORPORATE: _("A company event outside a deal: a listing, a merger."),
}

CHAIN_ROLE_MEANINGS = {
    ChainRole.AUTOMAKER: _("Makes vehicles."),
    ChainRole.BATTERY_CELLS: _("Makes battery cells or packs."),
    ChainRole.BATTERY_MATERIALS: _("Makes cathode, anode, electrolyte, separator or foil."),
    ChainRole.COMPONENTS: _("Makes other vehicle components."),
    ChainRole.GROUP: _("A business group holding companies of the chain."),
    ChainRole.OTHER: _("Any other company."),
}


@dataclass
class Vocabulary:
    key: str
    title: str
    where: str  # the fields and parameters that take these values
    choices: type[models.TextChoices]
    meanings: dict

    def entries(self):
        return [
            {"value": value, "label": label, "meaning": self.meanings.get(value, "")}
            for value, label in self.choices.choices
        ]


VOCABULARIES = [
    Vocabulary(
        "status",
        _("Deal status"),
        "Deal.status, StatusChange.status; ?status=",
        Deal.Status,
        STATUS_MEANINGS,
    ),
    Vocabulary("kind", _("Kind of deal"), "Deal.kind; ?kind=", Deal.Kind, KIND_MEANINGS),
    Vocabulary("role", _("Party role"), "DealParty.role; ?role=", PartyRole, ROLE_MEANINGS),
    Vocabulary(
        "precision",
        _("Date precision"),
        "*_precision beside every *_on date",
        Precision,
        PRECISION_MEANINGS,
    ),
    Vocabulary(
        "source_kind", _("Kind of source"), "Source.kind", Source.Kind, SOURCE_KIND_MEANINGS
    ),
    Vocabulary(
        "event_kind",
        _("Kind of context event"),
        "ContextEvent.kind",
        ContextEvent.Kind,
        EVENT_KIND_MEANINGS,
    ),
    Vocabulary(
        "chain_role",
        _("Role in the chain"),
        "Company.chain_role; ?chain_role=",
        ChainRole,
        CHAIN_ROLE_MEANINGS,
    ),
]

# The models a reader of the data meets, in the order the dictionary lists them.
DICTIONARY_MODELS = [
    Deal,
    DealParty,
    StatusChange,
    Company,
    CompanyAlias,
    Ownership,
    VehicleModel,
    Source,
    Citation,
    ContextEvent,
]
# Internal columns, not part of the published data.
HIDDEN_FIELDS = {"text_sha256", "needs_review", "review_reason"}


def _type_name(field) -> str:
    if field.is_relation:
        return _("link to %(model)s") % {"model": field.related_model._meta.verbose_name}
    if isinstance(field, models.BooleanField):
        return _("yes/no")
    if isinstance(field, models.DateField):
        return _("date")
    if isinstance(field, models.DecimalField | models.FloatField):
        return _("number")
    if isinstance(field, models.IntegerField):
        return _("whole number")
    return _("text")


def _docstring(model) -> str:
    """The model's own first paragraph; Django's generated "Deal(id, slug, ...)" is no text."""
    doc = (model.__doc__ or "").strip()
    return "" if doc.startswith(f"{model.__name__}(") else doc.split("\n\n")[0]


def dictionary():
    """Each model's published fields: name, label, type, help text and allowed values."""
    vocabulary_of = {vocabulary.choices: vocabulary.key for vocabulary in VOCABULARIES}
    tables = []
    for model in DICTIONARY_MODELS:
        rows = [
            {
                "name": "id",
                "label": _("id"),
                "type": _("whole number"),
                "help": _("The row's number; other tables refer to it by it. Never reused."),
                "required": True,
                "choices": [],
                "vocabulary": None,
            }
        ]
        for field in model._meta.get_fields():
            if field.auto_created or not field.concrete or field.name in HIDDEN_FIELDS:
                continue
            if field.many_to_many:  # listed as their own tables (deal parties, ...)
                continue
            choices = [value for value, _label in field.choices or [] if value != ""]
            vocabulary = next(
                (key for cls, key in vocabulary_of.items() if set(choices) == set(cls.values)),
                None,
            )
            rows.append(
                {
                    "name": field.attname if field.is_relation else field.name,
                    "label": field.verbose_name,
                    "type": _type_name(field),
                    "help": field.help_text,
                    "required": not (field.null or field.blank),
                    "choices": choices if not vocabulary and len(choices) <= 12 else [],
                    "vocabulary": vocabulary,
                }
            )
        tables.append(
            {
                "name": model._meta.model_name,
                "label": model._meta.verbose_name_plural,
                "doc": _docstring(model),
                "fields": rows,
            }
        )
    return tables
