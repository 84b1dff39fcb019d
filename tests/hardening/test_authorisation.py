"""Who may do what: every API operation and every admin page, for the anonymous visitor, a
signed-in user without rights, view-only staff, an editor and a superuser. Tokens can be made
and revoked; anonymous API use is throttled."""

import datetime
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from partnerships.models import Deal
from publishing.models import Release

from .conftest import ROLES, make_user

pytestmark = pytest.mark.django_db

READ_METHODS = {"get"}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def api_operations():
    """(path template, method) for every operation the OpenAPI schema documents."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (path, method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in READ_METHODS | WRITE_METHODS
    )


def model_for(path):
    """The model behind an API path, from its router basename."""
    resource = path.split("/")[3]
    labels = {
        "companies": "partnerships.Company",
        "deals": "partnerships.Deal",
        "sources": "partnerships.Source",
        "vehicle-models": "partnerships.VehicleModel",
        "context-events": "partnerships.ContextEvent",
        "stakes": "partnerships.Ownership",
    }
    return apps.get_model(labels[resource]) if resource in labels else None


def fill_path(path):
    """The path with its {slug} replaced by a row of the founding article."""
    if "{" not in path:
        return path
    if path.split("/")[3] == "releases":  # addressed by number; the first is published here
        from publishing.releases import release_publish

        release = Release.objects.order_by("number").first() or release_publish()
        return re.sub(r"\{[^}]+\}", str(release.number), path)
    model = model_for(path)
    row = model._default_manager.order_by("pk").first()
    return re.sub(r"\{[^}]+\}", row.slug, path)


PERMISSION_FOR = {"post": "add", "put": "change", "patch": "change", "delete": "delete"}


def expected_api_status(role, path, method):
    """The matrix. Reads are public. The token endpoint is open to all and answers 400 to an
    empty body. Writes need the model permission: anonymous gets 401, a user without it 403;
    a user with it gets past the check: 400 for the empty body sent to create or replace, 200
    for an empty partial update, 204 for a delete."""
    if method == "get":
        return 200
    if path.endswith("/auth/token/"):
        return 400
    if role == "anonymous":
        return 401
    allowed = {
        "no_rights": set(),
        "view_only": set(),
        "editor": {"add", "change"},
        "superuser": {"add", "change", "delete"},
    }[role]
    if PERMISSION_FOR[method] not in allowed:
        return 403
    return {"delete": 204, "patch": 200}.get(method, 400)


def api_client(role):
    client = APIClient()
    user = make_user(role)
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize("role", ROLES)
def test_api_authorisation_matrix(article, role):
    """Every documented API operation answers each kind of user as the matrix says."""
    client = api_client(role)
    operations = api_operations()
    assert len(operations) >= 25
    wrong = []
    for path, method in operations:
        url = fill_path(path)
        response = getattr(client, method)(url, {}, format="json")
        expected = expected_api_status(role, path, method)
        if response.status_code != expected:
            wrong.append((method.upper(), url, response.status_code, expected))
        if expected == 401:
            assert response["WWW-Authenticate"] == "Token"
    assert wrong == []


def admin_pages(superuser_request):
    """(model label, page, url, admin's own verdict for a superuser) for every registered model:
    changelist, add, change, history and delete of its first row."""
    pages = [("", "index", "/admin/", True), ("", "app", "/admin/partnerships/", True)]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        row = model._default_manager.order_by("pk").first()
        pages.append((meta.label, "changelist", base, True))
        pages.append(
            (meta.label, "add", f"{base}add/", model_admin.has_add_permission(superuser_request))
        )
        if row is not None:
            pk = row.pk
            pages += [
                (meta.label, "change", f"{base}{pk}/change/", True),
                (meta.label, "history", f"{base}{pk}/history/", True),
                (
                    meta.label,
                    "delete",
                    f"{base}{pk}/delete/",
                    model_admin.has_delete_permission(superuser_request, row),
                ),
            ]
    return pages


def expected_admin_status(role, label, page, admin_allows):
    """Anonymous and non-staff users are sent to the login page. Staff see the pages of the
    partnerships models they may view; add needs the add permission, delete the delete
    permission; other apps' pages (users, groups, tokens) are for superusers."""
    if role in {"anonymous", "no_rights"}:
        return 302
    if not admin_allows:
        return 403
    if role == "superuser" or page in {"index", "app"}:
        return 200
    if not label.startswith(("partnerships.", "ingest.")):
        return 403
    if page == "add":
        return 200 if role == "editor" else 403
    if page == "delete":
        return 403
    return 200


@pytest.mark.parametrize("role", ROLES)
def test_admin_authorisation_matrix(article, role):
    """Every admin page answers each kind of user as the matrix says."""
    superuser = make_user("superuser") if role != "superuser" else None
    user = make_user(role)
    request = RequestFactory().get("/admin/")
    request.user = superuser or user
    client = Client()
    if user is not None:
        client.force_login(user)
    pages = admin_pages(request)
    assert len(pages) >= 40
    wrong = []
    for label, page, url, admin_allows in pages:
        response = client.get(url)
        expected = expected_admin_status(role, label, page, admin_allows)
        if response.status_code != expected:
            wrong.append((label, page, url, response.status_code, expected))
        if expected == 302:
            assert "/admin/login/" in response["Location"]
    assert wrong == []


def test_staff_without_delete_permission_cannot_delete_by_post(article):
    """An editor posting the admin's delete confirmation is refused and the deal stays."""
    deal = Deal.objects.get(slug="lges-chery-46-series-cells")
    client = Client()
    client.force_login(make_user("editor"))
    response = client.post(f"/admin/partnerships/deal/{deal.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Deal.objects.filter(pk=deal.pk).exists()


def test_tokens_are_created_and_revoked():
    """A user trades username and password for a token, writes with it, and once the token is
    revoked (deleted in the admin) the same token is refused with 401."""
    make_user("editor")
    api = APIClient()
    refused = api.post("/api/v1/auth/token/", {"username": "editor", "password": "wrong"})
    assert refused.status_code == 400
    issued = api.post(
        "/api/v1/auth/token/", {"username": "editor", "password": "correct horse battery staple"}
    )
    assert issued.status_code == 200
    key = issued.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    created = api.post(
        "/api/v1/context-events/",
        {"slug": "tariffs", "title": "Tariffs", "kind": "policy"},
        format="json",
    )
    assert created.status_code == 201, created.content

    boss = Client()
    boss.force_login(make_user("superuser"))
    token = Token.objects.get(key=key)
    # The admin lists tokens by their user.
    revoked = boss.post(f"/admin/authtoken/tokenproxy/{token.user_id}/delete/", {"post": "yes"})
    assert revoked.status_code == 302
    assert not Token.objects.filter(key=key).exists()
    after = api.post(
        "/api/v1/context-events/",
        {"slug": "tariffs-2", "title": "Tariffs 2", "kind": "policy"},
        format="json",
    )
    assert after.status_code == 401
    assert api.get("/api/v1/deals/").status_code == 401


def test_anonymous_api_use_is_throttled(monkeypatch):
    """Past the anonymous rate the API answers 429 with Retry-After; a signed-in user is not
    throttled, and pages are not either."""
    monkeypatch.setattr(AnonRateThrottle, "rate", "5/minute", raising=False)
    anonymous = APIClient()
    statuses = [anonymous.get("/api/v1/deals/").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429, 429]
    throttled = anonymous.get("/api/v1/deals/")
    assert int(throttled["Retry-After"]) > 0
    assert "throttled" in throttled.json()["detail"].lower()
    signed_in = api_client("no_rights")
    assert {signed_in.get("/api/v1/deals/").status_code for _ in range(8)} == {200}
    assert Client().get("/deals/").status_code == 200


# --- admin actions and history forms, from the registry ----------------------------------------


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = make_user("superuser")
    return request


def registered_actions(request):
    """(model, action name, function) for every action of every registered admin."""
    return sorted(
        (
            (model, name, function)
            for model, model_admin in admin.site._registry.items()
            for name, (function, _name, _description) in model_admin.get_actions(request).items()
        ),
        key=lambda item: (item[0]._meta.label, item[1]),
    )


def test_every_admin_action_declares_its_permissions():
    """An action without `allowed_permissions` runs for anyone who may view the list: every
    action, a new one too, must name the permission its effect needs."""
    actions = registered_actions(_superuser_request())
    assert len(actions) >= 4
    undeclared = [
        (model._meta.label, name)
        for model, name, function in actions
        if not getattr(function, "allowed_permissions", None)
    ]
    assert undeclared == []


def _ingested(capture):
    """An article read into drafts and an ingestion run, so every action has a row to act on."""
    from ingest.models import Draft
    from partnerships import services
    from tests.factories import CompanyAliasFactory, CompanyFactory

    CompanyFactory(name="Seoul Cells", slug="seoul-cells")
    dragon = CompanyFactory(name="Dragon Motors", slug="dragon-motors", country="CN")
    CompanyAliasFactory(company=dragon, name="Dragon Auto")
    with capture(execute=True):
        services.source_submit(
            fields={
                "title": "Seoul Cells wins Dragon Motors order",
                "text": "Seoul Cells will supply 5 GWh of LFP batteries to China's Dragon Motors.",
                "published_on": datetime.date(2025, 7, 1),
                "published_precision": "month",
            }
        )
    assert Draft.objects.filter(state=Draft.State.PENDING).exists()


def _state():
    """Every row of every registered model (with drafts' review state), to see that nothing
    was written."""
    from ingest.models import Draft, IngestionRun

    counts = {model._meta.label: model._default_manager.count() for model in admin.site._registry}
    return (
        counts,
        sorted(Draft.objects.values_list("pk", "state")),
        IngestionRun.objects.count(),
    )


def expected_action_allowed(role, model, name):
    """View-only staff run no action; editors every one but deleting; superusers all."""
    if role in {"anonymous", "no_rights", "view_only"}:
        return False
    if role == "editor":
        return name != "delete_selected"
    return True


@pytest.mark.parametrize("role", ROLES)
def test_admin_action_matrix(article, role, django_capture_on_commit_callbacks):
    """Every admin action is offered, and runs, only for the roles the matrix allows; posting it
    as anyone else writes nothing."""
    _ingested(django_capture_on_commit_callbacks)
    actions = registered_actions(_superuser_request())
    user = make_user(role)
    client = Client()
    if user is not None:
        client.force_login(user)
    wrong = []
    for model, name, _function in actions:
        model_admin = admin.site._registry[model]
        row = model._default_manager.order_by("-pk").first()
        if row is None:
            continue
        meta = model._meta
        allowed = expected_action_allowed(role, model, name)
        if user is not None:
            request = RequestFactory().get("/admin/")
            request.user = user
            offered = name in model_admin.get_actions(request)
            if offered != allowed:
                wrong.append((meta.label, name, "offered" if offered else "not offered"))
        if allowed or name == "delete_selected":
            continue
        before = _state()
        response = client.post(
            f"/admin/{meta.app_label}/{meta.model_name}/",
            {"action": name, "_selected_action": [row.pk], "index": 0},
        )
        if response.status_code not in {200, 302, 403}:
            wrong.append((meta.label, name, response.status_code))
        if _state() != before:
            wrong.append((meta.label, name, "wrote"))
    assert wrong == []


def test_view_only_staff_cannot_approve_a_draft_from_its_page(
    article, django_capture_on_commit_callbacks
):
    """The draft page's "Save and approve" is refused (403) to staff without the permissions
    approving needs, and the draft stays pending."""
    from ingest.models import Draft

    _ingested(django_capture_on_commit_callbacks)
    draft = Draft.objects.filter(state=Draft.State.PENDING).first()
    user = make_user("view_only")
    user.user_permissions.add(Permission.objects.get(codename="change_draft"))
    client = Client()
    client.force_login(user)
    page = client.get(f"/admin/ingest/draft/{draft.pk}/change/")
    assert page.status_code == 200
    assert 'name="_approve"' not in page.content.decode()
    response = client.post(
        f"/admin/ingest/draft/{draft.pk}/change/", {**_form_values(page), "_approve": "1"}
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.state == Draft.State.PENDING


def _form_values(page):
    """The POST body of an admin form page's main form, as it was rendered."""
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = value.pk if hasattr(value, "pk") else str(value)
    for inline in page.context.get("inline_admin_formsets") or []:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = 0
        data[f"{formset.prefix}-INITIAL_FORMS"] = 0
    return data


def history_admins():
    """(model, model admin) for every registered admin with a history (revert) form."""
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if hasattr(model_admin, "history_form_view")
    ]


def expected_revert_status(role, label):
    """Reverting is a change: only editors and superusers; the others are refused."""
    if role in {"anonymous", "no_rights"}:
        return 302
    if role == "view_only":
        return 403
    return 302


@pytest.mark.parametrize("role", ROLES)
def test_history_revert_matrix(article, role):
    """Posting History → version → Revert back is allowed to editors and superusers only, for
    every model with a history, and works (a deal included); view-only staff get 403 and the
    row stays as it was."""
    superuser = make_user("superuser") if role != "superuser" else None
    user = make_user(role)
    boss = Client()
    boss.force_login(superuser or user)
    client = Client()
    if user is not None:
        client.force_login(user)
    admins = history_admins()
    assert len(admins) >= 6
    wrong = []
    for model, _model_admin in admins:
        meta = model._meta
        row = model._default_manager.order_by("pk").first()
        row.save()  # a version to go back to
        version = row.history.order_by("history_id").first()
        url = f"/admin/{meta.app_label}/{meta.model_name}/{row.pk}/history/{version.history_id}/"
        page = boss.get(url)
        assert page.status_code == 200, (meta.label, page.status_code)
        data = _form_values(page)
        before = row.history.count()
        response = client.post(url, data)
        expected = expected_revert_status(role, meta.label)
        if response.status_code != expected:
            wrong.append((meta.label, response.status_code, expected))
        wrote = row.history.count() > before
        if wrote != (expected == 302 and role in {"editor", "superuser"}):
            wrong.append((meta.label, "wrote" if wrote else "did not write"))
    assert wrong == []


@pytest.mark.django_db(transaction=True)
def test_deal_revert_works_outside_a_test_transaction(article):
    """History → an old version of a deal → Revert answers with the saved deal, not a 500 (its
    form locks the row, which needs the transaction the revert view now opens), and the old
    title is back as a new version."""
    deal = Deal.objects.get(slug="lges-chery-46-series-cells")
    original = deal.title
    deal.save()
    old = deal.history.order_by("history_id").first()
    Deal.objects.filter(pk=deal.pk).update(title="Renamed")
    client = Client()
    client.force_login(make_user("superuser"))
    url = f"/admin/partnerships/deal/{deal.pk}/history/{old.history_id}/"
    page = client.get(url)
    response = client.post(url, _form_values(page))
    assert response.status_code == 302, response.content[:2000]
    deal.refresh_from_db()
    assert deal.title == original
