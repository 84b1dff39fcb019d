import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Anonymous requests are throttled through the cache; each test starts with a clean one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def editor_api(db):
    """A client authenticated by token as a user allowed to add and change every model."""
    user = UserFactory(username="api-editor")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["partnerships", "ingest"],
            codename__regex=r"^(add|change|delete)_",
        )
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client
