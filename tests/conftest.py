import copy

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from tests.factories import UserFactory


def _article_models():
    """The partnerships tables the fixtures fill, parents before children, histories included."""
    from partnerships.models import (
        Citation,
        Company,
        CompanyAlias,
        CompanyIdentifier,
        ContextEvent,
        Deal,
        DealEdge,
        DealParty,
        Ownership,
        Source,
        StatusChange,
        VehicleModel,
    )

    models = [
        Source, Company, CompanyAlias, CompanyIdentifier, Ownership, VehicleModel, Deal,
        Deal.vehicle_models.through, DealParty, DealEdge, StatusChange, ContextEvent, Citation,
    ]  # fmt: skip
    histories = [m.history.model for m in models if hasattr(m, "history")]
    return models + histories


FOUNDING_FIXTURE = "000_founding_article.yaml"


def _loaded_rows(django_db_blocker, *names):
    """The rows `load_fixtures` makes from these fixtures (all when none), then rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_fixtures", *names, verbosity=0)
        rows = {model: list(model._default_manager.all()) for model in _article_models()}
        transaction.set_rollback(True)
    return rows


def _insert_rows(rows_by_model):
    """Insert a copy of loaded rows in bulk: loading the YAML costs hundreds of queries."""
    from partnerships import freshness

    for model, rows in rows_by_model.items():
        model._default_manager.bulk_create([copy.copy(row) for row in rows])
    # Rows came with their ids: move the sequences past them so new rows get fresh ids.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(rows_by_model)):
            cursor.execute(sql)
    freshness.bump()  # bulk_create sends no signal


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the features Django probes by a query on first use (SQLite's
    JSON support) probed now: otherwise the first test to read a JSON field, whichever it is,
    counts three queries its budget does not name."""
    with django_db_blocker.unblock():
        connection.features.supports_json_field  # noqa: B018
    return django_db_setup


@pytest.fixture(scope="session")
def article_rows(django_db_setup, django_db_blocker):
    """The founding article's rows, loaded once per test run."""
    return _loaded_rows(django_db_blocker, FOUNDING_FIXTURE)


@pytest.fixture
def article(db, article_rows):
    """The founding article's facts alone, as `load_fixtures` loads them from fixtures/.

    Most feature tests count what they see against the article's 13 deals, so they start from
    it without the coverage set (the `coverage` fixture has both).
    """
    _insert_rows(article_rows)


@pytest.fixture(scope="session")
def coverage_rows(django_db_setup, django_db_blocker):
    """Every fixture `scripts/serve` loads: the founding article and the coverage set."""
    return _loaded_rows(django_db_blocker)


@pytest.fixture
def coverage(db, coverage_rows):
    """The whole dataset as `scripts/serve` loads it."""
    _insert_rows(coverage_rows)


@pytest.fixture
def staff_client(client, db):
    """A client signed in as a superuser staff member: the analyst who edits deals."""
    user = UserFactory(username="editor", is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests make many users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache():
    """Cached pages and figures are keyed on when the data last changed; every test loads the
    article with the same timestamps, and a test may change rows with update(), so no test may
    see another's cache."""
    from django.core.cache import cache

    from partnerships import columns

    cache.clear()
    columns.forget()
    yield
    cache.clear()
    columns.forget()
