from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.throttling import admin_login

urlpatterns = [
    # Before the admin's own: its sign-in form behind the failed sign-in throttle.
    path("admin/login/", admin_login(admin.site.login)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the CSP forbids inline scripts.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's): answer, not 404.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("img/favicon.svg"))),
    path("", include("publishing.urls")),
    path("", include("dashboard.urls")),
]

# A database outage met outside a view still answers 503, not 500 (config.middleware).
handler500 = "config.middleware.server_error"
