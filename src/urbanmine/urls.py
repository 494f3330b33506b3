"""The project's URLs: each app brings its own pages (`<app>/urls.py`); the REST API and
its schema are routed by the `api` app."""

from django.contrib import admin
from django.urls import include, path

from urbanmine.accounts.admin_site import with_second_factor
from urbanmine.core import health, metrics

urlpatterns = [
    path("", include("urbanmine.portal.urls")),
    path("accounts/", include("urbanmine.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("urbanmine.lots.urls")),
    path("", include("urbanmine.assets.urls")),
    path("", include("urbanmine.regions.urls")),
    path("", include("urbanmine.market.urls")),
    path("", include("urbanmine.organisations.urls")),
    path("dashboard/", include("urbanmine.insight.urls")),
    path("impact/", include("urbanmine.impact.urls")),
    path("network/", include("urbanmine.network.urls")),
    path("tenders/", include("urbanmine.tenders.urls")),
    path("", include("urbanmine.knowledge.urls")),
    path("audit/", include("urbanmine.audit.urls")),
    path("", include("urbanmine.webhooks.urls")),
    path("api/", include("urbanmine.api.urls")),
    path("admin/", with_second_factor(admin.site).urls),  # URBANMINE_ADMIN_OTP
    # operations (docs/deploy.md): probes and the Prometheus scrape
    path("health/live", health.liveness, name="health-live"),
    path("health/ready", health.readiness, name="health-ready"),
    path("metrics", metrics.metrics, name="metrics"),
]
