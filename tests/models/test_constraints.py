"""The database itself refuses rows that break an invariant, and model validation explains why."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from partnerships.models import Citation, Company, Deal, DealParty, StatusChange
from tests.factories import (
    CitationFactory,
    CompanyFactory,
    ContextEventFactory,
    DealFactory,
    SourceFactory,
    VehicleModelFactory,
)

pytestmark = pytest.mark.django_db


def assert_db_rejects(callable_):
    with pytest.raises(DatabaseError), transaction.atomic():
        callable_()


@pytest.mark.parametrize("gwh", [Decimal("0"), Decimal("-1")])
def test_database_rejects_volume_that_is_not_positive(gwh):
    """A volume of 0 or less GWh never reaches the database: unknown is null."""
    deal = DealFactory()
    assert_db_rejects(lambda: Deal.objects.filter(pk=deal.pk).update(volume_gwh=gwh))


def test_database_rejects_end_before_start():
    """A deal cannot end before it starts."""
    deal = DealFactory()
    assert_db_rejects(
        lambda: Deal.objects.filter(pk=deal.pk).update(
            start_on=datetime.date(2025, 1, 1),
            start_precision="month",
            end_on=datetime.date(2024, 1, 1),
            end_precision="year",
        )
    )


def test_database_rejects_date_without_precision_and_unknown_precision():
    """Every stored date carries one of the known precisions."""
    deal = DealFactory()
    assert_db_rejects(lambda: Deal.objects.filter(pk=deal.pk).update(announced_precision=""))
    assert_db_rejects(lambda: Deal.objects.filter(pk=deal.pk).update(announced_precision="week"))
    assert_db_rejects(
        lambda: Deal.objects.filter(pk=deal.pk).update(announced_on=None, announced_precision="day")
    )


def test_database_rejects_unknown_status_and_kind():
    """Statuses and kinds are limited to the defined vocabulary."""
    deal = DealFactory()
    assert_db_rejects(lambda: Deal.objects.filter(pk=deal.pk).update(status="rumoured"))
    assert_db_rejects(lambda: Deal.objects.filter(pk=deal.pk).update(kind="merger"))


def test_database_rejects_duplicate_company_names():
    """English names are unique, and so are Korean and Chinese ones where given."""
    CompanyFactory(name="CATL", name_zh="宁德时代", name_ko="닝더스다이")
    assert_db_rejects(lambda: CompanyFactory(name="CATL"))
    assert_db_rejects(lambda: CompanyFactory(name_zh="宁德时代"))
    assert_db_rejects(lambda: CompanyFactory(name_ko="닝더스다이"))
    # Blank native names are not duplicates of each other.
    CompanyFactory(name_ko="", name_zh="")
    CompanyFactory(name_ko="", name_zh="")


def test_database_rejects_bad_country_and_ownership():
    """Countries are ISO alpha-2 codes; a company is not its own parent; shares are 0–100 %."""
    company = CompanyFactory()
    assert_db_rejects(lambda: Company.objects.filter(pk=company.pk).update(country="kr"))
    assert_db_rejects(lambda: Company.objects.filter(pk=company.pk).update(country="KOR"))
    assert_db_rejects(
        lambda: Company.objects.filter(pk=company.pk).update(parent=company, parent_tie="brand")
    )
    parent = CompanyFactory()
    assert_db_rejects(lambda: Company.objects.filter(pk=company.pk).update(parent=parent))
    assert_db_rejects(
        lambda: Company.objects.filter(pk=company.pk).update(
            parent=parent, parent_tie="subsidiary", parent_share_percent=Decimal("120")
        )
    )


def test_database_rejects_half_given_coordinates():
    """Headquarters coordinates come as a valid latitude/longitude pair or not at all."""
    company = CompanyFactory()
    assert_db_rejects(lambda: Company.objects.filter(pk=company.pk).update(hq_latitude=37.5))
    assert_db_rejects(
        lambda: Company.objects.filter(pk=company.pk).update(hq_latitude=95, hq_longitude=10)
    )


def test_database_rejects_citation_with_no_or_two_targets():
    """A citation supports exactly one company, deal, vehicle model or event."""
    source = SourceFactory()
    quote = "Beta Motors is a state-owned automaker."
    assert_db_rejects(lambda: Citation.objects.create(source=source, quote=quote))
    assert_db_rejects(
        lambda: Citation.objects.create(
            source=source, quote=quote, deal=DealFactory(), company=CompanyFactory()
        )
    )
    Citation.objects.create(source=source, quote=quote, context_event=ContextEventFactory())


def test_database_rejects_same_role_twice_and_duplicate_citation():
    """A company holds a role in a deal once; a sentence is cited once per fact."""
    deal, company = DealFactory(), CompanyFactory()
    DealParty.objects.create(deal=deal, company=company, role="supplier")
    assert_db_rejects(lambda: DealParty.objects.create(deal=deal, company=company, role="supplier"))
    DealParty.objects.create(deal=deal, company=company, role="partner")

    citation = CitationFactory()
    assert_db_rejects(
        lambda: Citation.objects.create(
            source=citation.source, quote=citation.quote, deal=citation.deal
        )
    )


def test_database_rejects_duplicate_vehicle_model_per_maker():
    """A maker has one model of a given name; another maker may reuse it."""
    model = VehicleModelFactory(name="PV5")
    assert_db_rejects(lambda: VehicleModelFactory(maker=model.maker, name="PV5"))
    VehicleModelFactory(name="PV5")


def test_validation_explains_end_before_start_and_rounds_dates_to_their_period():
    """full_clean names the bad field, and a month-precise date is stored as the 1st."""
    deal = DealFactory.build(
        start_on=datetime.date(2025, 7, 19),
        start_precision="month",
        end_on=datetime.date(2025, 3, 1),
        end_precision="day",
    )
    with pytest.raises(ValidationError) as error:
        deal.full_clean()
    assert "end_on" in error.value.message_dict
    assert deal.start_on == datetime.date(2025, 7, 1)


def test_validation_refuses_a_quote_missing_from_its_source():
    """A citation must quote its source word for word."""
    citation = Citation(
        source=SourceFactory(), quote="Gamma Corp will buy everything.", deal=DealFactory()
    )
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    assert "quote" in error.value.message_dict


def test_status_history_drives_the_current_status():
    """Recording a newer status in the history changes the deal's status."""
    from partnerships import services

    deal = DealFactory(status="reported")
    source = SourceFactory()
    services.deal_record_status(
        deal=deal,
        status="signed",
        effective_on=datetime.date(2025, 7, 15),
        effective_precision="month",
        source=source,
        quote="Alpha Cells will supply 5 GWh of batteries to Beta Motors.",
    )
    deal.refresh_from_db()
    assert deal.status == "signed"
    change = StatusChange.objects.get(deal=deal)
    assert change.effective_on == datetime.date(2025, 7, 1)
    assert change.effective_display == "Jul 2025"


def test_a_write_through_the_services_raises_the_deal_version():
    """Each write of a deal (through the services, its one write path) raises the version that
    guards against concurrent edits; a write that changes nothing does not."""
    from partnerships import services

    deal = DealFactory()
    assert deal.version == 1
    services.deal_update(deal=deal, fields={"title": "Renamed"})
    deal.refresh_from_db()
    assert deal.version == 2
    services.deal_update(deal=deal, fields={"title": "Renamed"})
    deal.refresh_from_db()
    assert deal.version == 2
