"""Migration 0017 retires the aggregates stored before the supply graph's nodes changed shape:
no reader is served a node with the old `gwh` after the upgrade, though no write came since."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def latest_afterwards(transactional_db):
    """Every app back at its latest migration after the test, passed or failed: the tests
    after it expect today's schema."""
    yield
    migrate(None)


def migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_snapshots_of_the_old_shape_are_dropped_and_the_version_moves():
    apps = migrate([("partnerships", "0016_parents_to_stakes")])
    DataVersion = apps.get_model("partnerships", "DataVersion")
    Snapshot = apps.get_model("partnerships", "AggregateSnapshot")
    version = DataVersion.objects.get_or_create(pk=1)[0].value
    Snapshot.objects.create(key="supply-graph:50", data_version=version, payload={"nodes": []})
    apps = migrate()
    assert not apps.get_model("partnerships", "AggregateSnapshot").objects.exists()
    assert apps.get_model("partnerships", "DataVersion").objects.get(pk=1).value == version + 1
