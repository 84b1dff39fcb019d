"""Property-based fuzzing of the whole API from its OpenAPI schema (schemathesis): on every
operation, generated valid and invalid requests, sent as an editor with every permission, never
get a 500, and every documented response matches the schema."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from partnerships.models import Company, ContextEvent, Source, VehicleModel
from tests.factories import UserFactory, supply_deal

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]
ROWS = {
    "companies": Company,
    "sources": Source,
    "vehicle-models": VehicleModel,
    "context-events": ContextEvent,
}


@pytest.fixture
def keep_test_connection():
    """Requests go through the real WSGI handler, which closes the database connection at the
    end of each request; that would end the test's transaction, so hold it open, as Django's
    test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_token(db, article, keep_test_connection):
    """A token of a user allowed to add, change and delete every kind of row."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="fuzzer")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["partnerships", "ingest"])
    )
    return Token.objects.create(user=user).key


def aim_at_a_real_row(case):
    """Generated slugs almost never exist; point most cases at a real row so updates and
    deletes are exercised, not only the 404."""
    if "slug" not in (case.path_parameters or {}):
        return
    resource = case.operation.path.split("/")[3]
    if resource == "deals":
        case.path_parameters["slug"] = supply_deal().slug
    elif resource in ROWS:
        row = ROWS[resource].objects.order_by("?").first()
        case.path_parameters["slug"] = row.slug


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,
    # Generated cases only, valid and invalid, reported as found: the boundary-value coverage
    # phase and shrinking would take the suite from under a minute to ten.
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_survives_generated_requests(case, fuzz_token):
    """No generated request, valid or not, gets a 500 or a response off its schema."""
    aim_at_a_real_row(case)
    case.call_and_validate(headers={"Authorization": f"Token {fuzz_token}"}, checks=CHECKS)
