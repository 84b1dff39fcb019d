from django.urls import include, path
from rest_framework.routers import DefaultRouter

from api import views
from publishing.api import ReleaseDetail, ReleaseList

app_name = "api"


class Router(DefaultRouter):
    """The root page lists the aggregates beside the resources, so a client can discover them."""

    extra_root_entries = {
        "stats": "stats",
        "supply-graph": "supply-graph",
        "timeline": "timeline",
        "releases": "release-list",
    }

    def get_api_root_view(self, api_urls=None):
        entries = {
            prefix: self.routes[0].name.format(basename=basename)
            for prefix, _viewset, basename in self.registry
        }
        return self.APIRootView.as_view(api_root_dict={**entries, **self.extra_root_entries})


router = Router()
router.register("companies", views.CompanyViewSet, basename="company")
router.register("deals", views.DealViewSet, basename="deal")
router.register("stakes", views.StakeViewSet, basename="stake")
router.register("vehicle-models", views.VehicleModelViewSet, basename="vehiclemodel")
router.register("sources", views.SourceViewSet, basename="source")
router.register("context-events", views.ContextEventViewSet, basename="contextevent")

urlpatterns = [
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("supply-graph/", views.SupplyGraphView.as_view(), name="supply-graph"),
    path("timeline/", views.TimelineView.as_view(), name="timeline"),
    path("releases/", ReleaseList.as_view(), name="release-list"),
    path("releases/<int:number>/", ReleaseDetail.as_view(), name="release-detail"),
    path("auth/token/", views.ThrottledObtainAuthToken.as_view(), name="token"),
    path("", include(router.urls)),
]
