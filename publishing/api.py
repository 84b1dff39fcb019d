"""The releases in the REST API: each with its files, checksums, changes and citation."""

from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, permissions, serializers

from publishing import releases
from publishing.models import Release, ReleaseFile


class ReleaseFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ReleaseFile
        fields = ["name", "media_type", "size", "sha256", "url"]

    def get_url(self, release_file) -> str:
        return self.context["request"].build_absolute_uri(release_file.get_absolute_url())


class ReleaseSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    package_url = serializers.SerializerMethodField()
    cite = serializers.SerializerMethodField()
    files = ReleaseFileSerializer(many=True, read_only=True)
    changes = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = [
            "number",
            "published_at",
            "notes",
            "data_version",
            "data_updated_at",
            "row_counts",
            "changes",
            "cite",
            "url",
            "package_url",
            "files",
        ]

    def get_url(self, release) -> str:
        return self.context["request"].build_absolute_uri(release.get_absolute_url())

    def get_package_url(self, release) -> str:
        address = reverse("publishing:release-zip", args=[release.number])
        return self.context["request"].build_absolute_uri(address)

    def get_cite(self, release) -> str:
        return releases.cite_text(release, self.get_url(release))

    @extend_schema_field(
        {
            "type": "object",
            "description": (
                "`previous`: the release compared with; `tables`: per table the rows added,"
                " changed and removed, with the first 20 slugs (or ids) of each."
            ),
        }
    )
    def get_changes(self, release):
        return release.changes


class ReleaseList(generics.ListAPIView):
    """Every data release, newest first: a Frictionless data package of the whole dataset,
    with its files' SHA-256, what changed since the previous release and how to cite it."""

    serializer_class = ReleaseSerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = None

    def get_queryset(self):
        return Release.objects.order_by("-number").prefetch_related(
            Prefetch("files", ReleaseFile.objects.defer("content"))
        )


class ReleaseDetail(generics.RetrieveAPIView):
    """One data release by number, with its files' SHA-256, changes and citation."""

    serializer_class = ReleaseSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "number"

    def get_queryset(self):
        return ReleaseList.get_queryset(self)
