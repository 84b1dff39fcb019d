"""Revert (`services.deal_revert`) brings back every part of a saved version exactly, and says
which row of that version is gone when one is."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from partnerships import services
from partnerships.models import Company, Source, VehicleModel
from partnerships.services import CitationInput, PartyInput, StatusInput
from tests.factories import (
    SOURCE_TEXT,
    CompanyFactory,
    DealFactory,
    SourceFactory,
    VehicleModelFactory,
)

pytestmark = pytest.mark.django_db

SUPPLY = "Alpha Cells will supply 5 GWh of batteries to Beta Motors."
STATE = "Beta Motors is a state-owned automaker."
assert SUPPLY in SOURCE_TEXT and STATE in SOURCE_TEXT


def _deal_with_everything():
    alpha, beta, gamma = (
        CompanyFactory(slug=s, name=s.title()) for s in ("alpha", "beta", "gamma")
    )
    first, second = SourceFactory(slug="first"), SourceFactory(slug="second")
    one, two = VehicleModelFactory(slug="one"), VehicleModelFactory(slug="two")
    deal = DealFactory(slug="the-deal")
    deal = services.deal_update(
        deal=deal,
        fields={"notes": "As first read."},
        parties=[
            PartyInput(alpha, "supplier", note="Through its unit.", equity_share=Decimal("51")),
            PartyInput(beta, "customer", note="", equity_share=None),
        ],
        vehicle_models=[one, two],
        status_history=[
            StatusInput(
                "in_talks",
                datetime.date(2025, 1, 1),
                "month",
                first,
                SUPPLY,
                effective_estimated=True,
                note="Talks first.",
            ),
            StatusInput("signed", datetime.date(2025, 3, 14), "day", second, SUPPLY, note="Then."),
        ],  # fmt: skip
        all_citations=[
            CitationInput(first, SUPPLY, field="volume_gwh", claim="5 GWh"),
            CitationInput(second, STATE, field="", claim="owned by the state"),
        ],
    )
    return deal, gamma


def test_revert_brings_back_every_part_of_a_version_exactly():
    deal, gamma = _deal_with_everything()
    saved = services.deal_facts(deal)
    fields = {"notes": deal.notes}
    third = SourceFactory(slug="third")
    deal = services.deal_update(
        deal=deal,
        fields={"notes": "Changed."},
        parties=[PartyInput(gamma, "partner", note="Other.", equity_share=Decimal("10"))],
        vehicle_models=[],
        status_history=[StatusInput("cancelled", datetime.date(2025, 5, 1), "month", third, STATE)],
        all_citations=[CitationInput(third, STATE, field="status", claim="ended")],
    )
    assert services.deal_facts(deal) != saved
    deal = services.deal_revert(deal=deal, fields=fields, facts=saved)
    assert services.deal_facts(deal) == saved
    assert deal.notes == "As first read." and deal.status == "signed"


@pytest.mark.parametrize(
    ("model", "slug", "message"),
    [
        (Company, "alpha", "Company alpha of that version no longer exists."),
        (Source, "first", "Source first of that version no longer exists."),
        (VehicleModel, "one", "Vehicle model one of that version no longer exists."),
    ],
)
def test_revert_names_a_row_of_that_version_that_is_gone(model, slug, message):
    """A company, source or vehicle model the version names and the database no longer has
    (renamed here: deleting would take the deal's rows with it) is a readable error."""
    deal, _gamma = _deal_with_everything()
    saved = services.deal_facts(deal)
    model.objects.filter(slug=slug).update(slug=f"{slug}-renamed")
    with pytest.raises(ValidationError) as error:
        services.deal_revert(deal=deal, fields={"notes": ""}, facts=saved)
    assert error.value.messages == [message]
