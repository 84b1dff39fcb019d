"""Stakes (`Ownership`): the database refuses the ones that break an invariant, validation
explains why, and the one chain walk (`ownership.owner_chain`) stops on loops."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partnerships.models import Ownership
from partnerships.ownership import controlled, makes_cycle, owner_chain
from tests.factories import CompanyFactory, OwnershipFactory

pytestmark = pytest.mark.django_db


def assert_db_rejects(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


@pytest.mark.parametrize("share", [Decimal("0"), Decimal("-5"), Decimal("100.01")])
def test_database_rejects_a_share_outside_0_to_100(share):
    """A share is more than 0 and at most 100 percent; unknown is null."""
    stake = OwnershipFactory()
    assert_db_rejects(lambda: Ownership.objects.filter(pk=stake.pk).update(share_percent=share))
    Ownership.objects.filter(pk=stake.pk).update(share_percent=Decimal("100"))
    Ownership.objects.filter(pk=stake.pk).update(share_percent=None)


def test_database_rejects_self_ownership_and_an_end_before_the_start():
    """No company holds a stake in itself; a stake cannot end before it began."""
    stake = OwnershipFactory()
    assert_db_rejects(lambda: Ownership.objects.filter(pk=stake.pk).update(owner=stake.owned))
    assert_db_rejects(
        lambda: Ownership.objects.filter(pk=stake.pk).update(
            since_on=datetime.date(2024, 1, 1),
            since_precision="year",
            until_on=datetime.date(2023, 1, 1),
            until_precision="year",
        )
    )


def test_database_rejects_a_date_without_its_precision():
    """A stake's dates carry their precision, as every date does."""
    stake = OwnershipFactory()
    assert_db_rejects(
        lambda: Ownership.objects.filter(pk=stake.pk).update(since_on=datetime.date(2024, 1, 1))
    )


def test_one_open_stake_per_owner_and_company():
    """An owner holds one current stake in a company; an ended one may precede it."""
    stake = OwnershipFactory()
    assert_db_rejects(lambda: OwnershipFactory(owner=stake.owner, owned=stake.owned))
    Ownership.objects.filter(pk=stake.pk).update(
        until_on=datetime.date(2022, 6, 1), until_precision="month"
    )
    OwnershipFactory(owner=stake.owner, owned=stake.owned)


def test_one_current_controlling_stake_per_company():
    """Two current stakes cannot both control a company: the chain needs one owner."""
    first = OwnershipFactory(controlling=True)
    assert_db_rejects(lambda: OwnershipFactory(owned=first.owned, controlling=True))
    OwnershipFactory(owned=first.owned, controlling=False)


def test_validation_refuses_loops_and_a_controlling_minority():
    """A controlling stake that would close a loop, or that a larger owner outweighs, is
    refused with a message naming the field."""
    a, b = CompanyFactory(), CompanyFactory()
    OwnershipFactory(owner=a, owned=b, controlling=True)
    loop = Ownership(slug="loop", owner=b, owned=a, tie="subsidiary", controlling=True)
    with pytest.raises(ValidationError) as error:
        loop.full_clean()
    assert "owner" in error.value.message_dict
    big = CompanyFactory()
    OwnershipFactory(owner=big, owned=a, share_percent=Decimal("60"))
    minority = Ownership(
        slug="minority",
        owner=CompanyFactory(),
        owned=a,
        tie="shareholder",
        share_percent=Decimal("30"),
        controlling=True,
    )
    with pytest.raises(ValidationError) as error:
        minority.full_clean()
    assert "controlling" in error.value.message_dict
    itself = Ownership(slug="self", owner=a, owned=a, tie="brand")
    with pytest.raises(ValidationError) as error:
        itself.full_clean()
    assert "owner" in error.value.message_dict


def test_the_chain_walk_stops_on_cycles_and_at_its_limit():
    """owner_chain follows one owner per step, nearest first; a loop is walked once; a long
    chain stops at the limit without asking past it."""
    assert owner_chain(1, {1: 2, 2: 3, 3: None}) == [2, 3]
    assert owner_chain(1, {1: 2, 2: 3, 3: 1}) == [2, 3]
    asked = []

    def parent_of(pk):
        asked.append(pk)
        return pk + 1

    assert owner_chain(1, parent_of, limit=3) == [2, 3, 4]
    assert asked == [1, 2, 3]  # never 4: a page joins only so many levels
    assert owner_chain(1, {}, first=7) == [7]
    assert makes_cycle(3, 1, {1: 2, 2: 3}) and not makes_cycle(1, 3, {1: 2})
    assert controlled(3, {1: 2, 2: 3, 4: 3, 5: None}) == [2, 4, 1]
    assert controlled(1, {1: 2, 2: 1}) == [2]
