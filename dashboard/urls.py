from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("deals/", views.deal_list, name="deal-list"),
    path("deals/export.csv", views.deal_list_csv, name="deal-list-csv"),
    path("deals/<slug:slug>/", views.deal_detail, name="deal-detail"),
    path("deals/<slug:slug>/compare/", views.deal_compare, name="deal-compare"),
    path("companies/", views.company_list, name="company-list"),
    path("companies/<slug:slug>/", views.company_detail, name="company-detail"),
    path("vehicles/", views.vehicle_list, name="vehicle-list"),
    path("vehicles/<slug:slug>/", views.vehicle_detail, name="vehicle-detail"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<slug:slug>/", views.source_detail, name="source-detail"),
    path("search/", views.search, name="search"),
    path("charts/<slug:chart>.csv", views.chart_csv, name="chart-csv"),
]
