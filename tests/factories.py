"""factory_boy factories: a valid row of each model with the least typing."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from partnerships.models import (
    Citation,
    Company,
    CompanyAlias,
    ContextEvent,
    Deal,
    DealParty,
    Ownership,
    Source,
    StatusChange,
    VehicleModel,
)

SOURCE_TEXT = (
    "Alpha Cells will supply 5 GWh of batteries to Beta Motors. "
    "Beta Motors is a state-owned automaker."
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    slug = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Battery deal report {n}")
    publisher = "Example News"
    published_on = datetime.date(2025, 7, 1)
    published_precision = "month"
    # Each its own text: one text is one source (a unique fingerprint).
    text = factory.Sequence(lambda n: f"{SOURCE_TEXT}\n\nReport number {n}.")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    slug = factory.Sequence(lambda n: f"company-{n}")
    name = factory.Sequence(lambda n: f"Company {n}")
    country = "KR"
    chain_role = "battery_cells"
    # Rows made here stand for what the services published; tests of publication itself
    # write through the services or set it.
    published = True


class CompanyAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyAlias

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")


class VehicleModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VehicleModel

    slug = factory.Sequence(lambda n: f"vehicle-{n}")
    maker = factory.SubFactory(CompanyFactory, chain_role="automaker")
    name = factory.Sequence(lambda n: f"Model {n}")
    powertrain = "bev"
    # Rows made here stand for what the services published; tests of publication itself
    # write through the services or set it.
    published = True


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal

    slug = factory.Sequence(lambda n: f"deal-{n}")
    title = factory.Sequence(lambda n: f"Deal {n}")
    kind = "supply"
    status = "signed"
    # The headline holds for the status the deal is made with (as the services record it).
    title_status = factory.SelfAttribute("status")
    product = "battery_cells"
    volume_gwh = Decimal("5")
    announced_on = datetime.date(2025, 7, 1)
    announced_precision = "month"
    # Rows made here stand for what the services published; tests of publication itself
    # write through the services or set it.
    published = True


class DealPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealParty

    deal = factory.SubFactory(DealFactory)
    company = factory.SubFactory(CompanyFactory)
    role = "supplier"


class StatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusChange

    deal = factory.SubFactory(DealFactory)
    status = "signed"
    effective_on = datetime.date(2025, 7, 1)
    effective_precision = "month"
    source = factory.SubFactory(SourceFactory)
    quote = "Alpha Cells will supply 5 GWh of batteries to Beta Motors."


class OwnershipFactory(factory.django.DjangoModelFactory):
    """A stake as the services would leave it once cited (published); its `parent` columns are
    not derived here: tests of the chain write through `services`."""

    class Meta:
        model = Ownership

    slug = factory.Sequence(lambda n: f"stake-{n}")
    owner = factory.SubFactory(CompanyFactory)
    owned = factory.SubFactory(CompanyFactory)
    tie = "subsidiary"
    published = True


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    source = factory.SubFactory(SourceFactory)
    quote = "Alpha Cells will supply 5 GWh of batteries to Beta Motors."
    deal = factory.SubFactory(DealFactory)


class ContextEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContextEvent

    slug = factory.Sequence(lambda n: f"event-{n}")
    title = factory.Sequence(lambda n: f"Event {n}")
    kind = "policy"
    occurred_on = datetime.date(2025, 4, 1)
    occurred_precision = "month"


def supply_deal(supplier=None, customer=None, **fields):
    """A deal with a supplier and a customer, the commonest shape."""
    deal = DealFactory(**fields)
    DealPartyFactory(deal=deal, company=supplier or CompanyFactory(), role="supplier")
    DealPartyFactory(
        deal=deal,
        company=customer or CompanyFactory(country="CN", chain_role="automaker"),
        role="customer",
    )
    return deal
