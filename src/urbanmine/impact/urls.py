from django.urls import path

from . import api, views

urlpatterns = [
    path("compare/", views.compare, name="impact-compare"),
    path("top10/", views.top10, name="impact-top10"),
]

api_urlpatterns = [
    path("compare", api.CompareView.as_view(), name="api-impact-compare"),
    path("top10", api.Top10View.as_view(), name="api-impact-top10"),
]
