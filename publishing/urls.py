from django.urls import path

from publishing import views

app_name = "publishing"

urlpatterns = [
    path("methodology/", views.methodology_page, name="methodology"),
    path("data-dictionary/", views.data_dictionary, name="data-dictionary"),
    path("releases/", views.release_list, name="release-list"),
    path("releases/<int:number>/", views.release_detail, name="release-detail"),
    path("releases/<int:number>/package.zip", views.release_zip, name="release-zip"),
    path("releases/<int:number>/files/<str:name>", views.release_file, name="release-file"),
    path("feeds/deals.atom", views.deal_feed, name="deal-feed"),
    path("embed/<slug:chart>/", views.embed_chart, name="embed-chart"),
]
