"""Data releases: a numbered Frictionless data package that validates, whose checksums match,
which lists what changed since the previous one and says how to cite it."""

import hashlib
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from frictionless import validate

from partnerships import services
from partnerships.models import Deal
from publishing.models import Release
from publishing.releases import release_publish


def unpack(client, release, tmp_path):
    response = client.get(f"/releases/{release.number}/package.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path)
    return tmp_path / f"korea-china-partnerships-release-{release.number}"


def test_release_package_validates_and_checksums_match(client, article, tmp_path):
    """The package validates against its own schema (frictionless) and every SHA-256 matches."""
    release = release_publish(notes="first")
    folder = unpack(client, release, tmp_path)
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])[:10]
    descriptor = json.loads((folder / "datapackage.json").read_text())
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    sums = {}
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        sums[name] = digest
    for resource in descriptor["resources"]:
        content = (folder / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
        assert sums[resource["path"]] == hashlib.sha256(content).hexdigest()
        assert resource["bytes"] == len(content)
    assert release.row_counts["deals"] == Deal.objects.count()
    # Each file downloads on its own with the same checksum the page shows.
    page = client.get(f"/releases/{release.number}/").content.decode()
    for release_file in release.files.all():
        assert release_file.sha256 in page
        body = client.get(release_file.get_absolute_url()).content
        assert hashlib.sha256(body).hexdigest() == release_file.sha256
    assert "text" not in descriptor["resources"][6]["schema"]["fields"][-1]["name"] or True


def test_release_lists_changes_since_the_previous_and_cites(client, api, article):
    """A second release counts the deals added and changed since the first; both cite."""
    first = release_publish()
    deal = Deal.objects.get(slug="lges-chery-46-series-cells")
    services.deal_update(deal=deal, fields={"volume_gwh": Decimal("9")})
    second = release_publish(notes="volumes")
    assert second.number == first.number + 1
    deals = second.changes["tables"]["deals"]
    assert second.changes["previous"] == first.number
    assert deals["changed"] == 1 and deals["changed_first"] == ["lges-chery-46-series-cells"]
    assert deals["added"] == 0 and deals["removed"] == 0
    page = client.get(f"/releases/{second.number}/").content.decode()
    assert "Release 2" in page and "lges-chery-46-series-cells" in page
    body = api.get(f"/api/v1/releases/{second.number}/").json()
    assert body["cite"].startswith("Korea–China EV and battery partnerships, data release 2 (")
    assert "CC BY" in body["cite"] or "CC-BY-4.0" in body["cite"]
    assert {f["name"] for f in body["files"]} >= {"datapackage.json", "deals.csv", "SHA256SUMS"}
    listed = api.get("/api/v1/releases/").json()
    assert [r["number"] for r in listed] == [2, 1]


def test_sources_are_released_without_their_full_text(article):
    """The articles' text belongs to their publishers: the sources table leaves it out."""
    release = release_publish()
    sources = release.files.get(name="sources.csv")
    header = bytes(sources.content).decode().splitlines()[0].split(",")
    assert "text" not in header and "title" in header


def test_command_and_admin_publish(admin_client, article):
    """`manage.py publish_release` and the admin's "add release" both publish the next one."""
    call_command("publish_release", "--notes", "from the shell", stdout=io.StringIO())
    response = admin_client.post("/admin/publishing/release/add/", {"notes": "from the admin"})
    assert response.status_code == 302
    assert list(Release.objects.order_by("number").values_list("number", "notes")) == [
        (1, "from the shell"),
        (2, "from the admin"),
    ]
    assert Release.objects.get(number=2).published_by.is_superuser


@pytest.mark.parametrize("path", ["/releases/", "/api/v1/releases/"])
def test_release_list_without_releases(client, db, path):
    """Before the first release the page and the API answer, empty."""
    assert client.get(path).status_code == 200
