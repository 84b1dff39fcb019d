import pytest
from django.core.management import call_command

from tests.factories import UserFactory


@pytest.fixture
def article(db):
    """The founding article's facts, loaded from fixtures/ as `scripts/serve` loads them."""
    call_command("load_fixtures", verbosity=0)


@pytest.fixture
def staff_client(client, db):
    """A client signed in as a superuser staff member: the analyst who edits deals."""
    user = UserFactory(username="editor", is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client
