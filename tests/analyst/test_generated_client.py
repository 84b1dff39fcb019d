"""A Python client generated from /api/schema/ by openapi-python-client types every response:
the test generates it and calls every read endpoint against a live server."""

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from publishing.releases import release_publish

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "korea_china_partnerships_api_client"
# A real row for each endpoint addressed by slug or number.
PATH_VALUES = {
    "companies": {"slug": "catl"},
    "deals": {"slug": "lges-chery-46-series-cells"},
    "stakes": {"slug": "volvo-cars-in-polestar"},
    "vehicle_models": {"slug": "kia-pv5"},
    "sources": {"slug": "editors-reference-notes"},
    "context_events": None,  # the first listed
    "releases": {"number": 1},
}


@pytest.fixture
def client_package(tmp_path):
    schema = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(schema))
    generator = Path(sys.executable).with_name("openapi-python-client")
    if not generator.exists():
        pytest.skip("openapi-python-client is not installed (a test extra)")
    result = subprocess.run(  # noqa: S603 - the virtualenv's own tool on our own schema
        [str(generator), "generate", "--path", str(schema), "--meta", "none", "--overwrite"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Every schema component became a model: nothing dropped for a clash of names.
    assert "Unable to process schema" not in result.stdout + result.stderr, result.stdout
    sys.path.insert(0, str(tmp_path))
    yield importlib.import_module(PACKAGE)
    sys.path.remove(str(tmp_path))
    for name in [name for name in sys.modules if name.startswith(PACKAGE)]:
        del sys.modules[name]


def test_generated_client_types_every_read_endpoint(client_package, live_server, article):
    """Every GET of the API, called through the generated client, parses into its typed model."""
    from partnerships.models import ContextEvent

    release_publish()
    client = client_package.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    api = importlib.import_module(f"{PACKAGE}.api.v1")
    called = []
    for module_info in pkgutil.iter_modules(api.__path__):
        name = module_info.name
        if not (name.endswith("_list") or name.endswith("_retrieve")):
            continue
        module = importlib.import_module(f"{PACKAGE}.api.v1.{name}")
        resource = name.removeprefix("v1_").rsplit("_", 1)[0]
        kwargs = {}
        if name.endswith("_retrieve") and resource in PATH_VALUES:
            kwargs = PATH_VALUES[resource] or {"slug": ContextEvent.objects.first().slug}
        response = module.sync_detailed(client=client, **kwargs)
        assert response.status_code == 200, (name, response.content[:300])
        assert response.parsed is not None, name
        assert not isinstance(response.parsed, dict | bytes | str), (name, type(response.parsed))
        called.append(name)
    expected = {"v1_stats_retrieve", "v1_supply_graph_retrieve", "v1_timeline_retrieve"}
    assert expected <= set(called)
    assert {"v1_deals_list", "v1_deals_retrieve", "v1_releases_list"} <= set(called)
