"""Editors submit an article to the API as an uploaded file, and it is read into drafts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ingest.models import Draft
from partnerships.models import Source

pytestmark = pytest.mark.django_db

ARTICLE = (
    "LG Energy Solution signed a supply contract with China's BYD. "
    "LG Energy Solution will supply 12 GWh of cylindrical batteries to BYD over five years."
)


def test_uploaded_article_becomes_a_source_with_drafts(
    editor_api, article, django_capture_on_commit_callbacks
):
    """A .txt upload is stored as the source's text and read into drafts for review."""
    upload = SimpleUploadedFile("deal.txt", ARTICLE.encode(), content_type="text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_api.post(
            "/api/v1/sources/",
            {"title": "LG Energy Solution and BYD", "publisher": "Example", "file": upload},
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    source = Source.objects.get(slug=response.json()["slug"])
    assert source.text == ARTICLE
    assert Draft.objects.filter(source=source).exists()


@pytest.mark.parametrize(
    ("name", "content", "extra", "message"),
    [
        ("deal.pdf", b"%PDF-1.4", {}, "Upload a plain-text or HTML file"),
        ("deal.txt", "기사".encode("utf-16"), {}, "not UTF-8"),
        ("deal.txt", ARTICLE.encode(), {"text": ARTICLE}, "not both"),
        # Django's strip_tags refuses (SuspiciousOperation) HTML nested this deep.
        ("deal.html", b"<b" * 60_000 + b">" + b"text", {}, "could not be read"),
    ],
)
def test_bad_uploads_get_a_field_error_and_store_nothing(editor_api, name, content, extra, message):
    """A wrong file type, a non-UTF-8 file or a file beside text is a 400 on `file`."""
    upload = SimpleUploadedFile(name, content)
    response = editor_api.post(
        "/api/v1/sources/", {"title": "Bad", "file": upload, **extra}, format="multipart"
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()["file"])
    assert not Source.objects.filter(title="Bad").exists()


def test_anonymous_upload_is_refused(api):
    """Only signed-in editors may submit articles."""
    upload = SimpleUploadedFile("deal.txt", ARTICLE.encode())
    response = api.post("/api/v1/sources/", {"title": "X", "file": upload}, format="multipart")
    assert response.status_code in (401, 403)
    assert not Source.objects.exists()


def test_the_same_article_again_is_answered_200_and_other_text_under_its_address_400(
    editor_api,
):
    """Submitting a stored article again creates nothing (200, the stored source); another
    text under the same address is refused naming it, never dropped without a word."""
    api = editor_api
    article = {"title": "Order", "url": "https://news.example.org/a", "text": "Alpha supplies."}
    first = api.post("/api/v1/sources/", article, format="json")
    assert first.status_code == 201, first.json()
    again = api.post("/api/v1/sources/", article, format="json")
    assert again.status_code == 200 and again.json()["slug"] == first.json()["slug"]
    assert first["Location"] == first.json()["api_url"] and not again.has_header("Location")
    other = api.post("/api/v1/sources/", {**article, "text": "Beta buys."}, format="json")
    assert other.status_code == 400 and first.json()["slug"] in str(other.json()["url"])
    assert Source.objects.count() == 1
