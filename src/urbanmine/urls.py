"""The project's URLs: each app brings its own pages (`<app>/urls.py`); the REST API and
its schema are routed by the `api` app."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("urbanmine.portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("urbanmine.lots.urls")),
    path("", include("urbanmine.assets.urls")),
    path("", include("urbanmine.regions.urls")),
    path("", include("urbanmine.market.urls")),
    path("dashboard/", include("urbanmine.insight.urls")),
    path("impact/", include("urbanmine.impact.urls")),
    path("api/", include("urbanmine.api.urls")),
    path("admin/", admin.site.urls),
]
