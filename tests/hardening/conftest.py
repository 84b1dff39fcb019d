"""Users of each kind the site distinguishes, for the authorisation matrix and hostile-input
tests: anonymous, signed in without rights, view-only staff, editor, superuser."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

ROLES = ["anonymous", "no_rights", "view_only", "editor", "superuser"]


def make_user(role):
    """A user of the given role, or None for anonymous."""
    if role == "anonymous":
        return None
    if role == "superuser":
        return UserFactory(username=role, is_staff=True, is_superuser=True)
    user = UserFactory(username=role, is_staff=role in {"view_only", "editor"})
    codenames = {"view_only": r"^view_", "editor": r"^(view|add|change)_"}.get(role)
    if codenames:
        user.user_permissions.set(
            Permission.objects.filter(
                content_type__app_label__in=["partnerships", "ingest"], codename__regex=codenames
            )
        )
    return user


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The anonymous throttle counts in the cache; every test starts with a clean one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor_api(db):
    """An API client authenticated by token as an editor (view, add and change, no delete)."""
    user = make_user("editor")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client
