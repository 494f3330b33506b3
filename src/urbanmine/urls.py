from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from urbanmine.assets import views as asset_views
from urbanmine.core import views as core_views
from urbanmine.hubs import views as hub_views
from urbanmine.impact.urls import api_urlpatterns as impact_api
from urbanmine.lots import views as lot_views
from urbanmine.market import views as market_views
from urbanmine.regions import views as region_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("supply/", lot_views.supply_list, name="supply-list"),
    path("lots/<str:code>/", lot_views.lot_detail, name="lot-detail"),
    path("lots/<str:code>/record/", lot_views.lot_record_step, name="lot-record-step"),
    path("assets/", asset_views.asset_list, name="asset-list"),
    path("assets/new/", asset_views.asset_create, name="asset-create"),
    path("assets/<int:pk>/", asset_views.asset_passport, name="asset-passport"),
    path("assets/<int:pk>/lots/new/", asset_views.asset_add_lot, name="asset-add-lot"),
    path("assets/<int:pk>/import/", asset_views.asset_import, name="asset-import"),
    path("inventory-template/", asset_views.inventory_template, name="inventory-template"),
    path(
        "assets/<int:pk>/interventions/",
        asset_views.asset_plan_intervention,
        name="asset-plan-intervention",
    ),
    path("hubs/", hub_views.hub_list, name="hub-list"),
    path("hubs/<int:pk>/", hub_views.hub_detail, name="hub-detail"),
    path("hubs/<int:pk>/settings/", hub_views.hub_settings, name="hub-settings"),
    path("hubs/<int:pk>/merge/", hub_views.hub_merge_lots, name="hub-merge-lots"),
    path(
        "regions/zuid-holland.geojson",
        region_views.municipalities_geojson,
        name="municipalities-geojson",
    ),
    path("matching/", market_views.matching_overview, name="matching"),
    path("matching/runs/<int:pk>/status/", market_views.run_status, name="matching-run-status"),
    path("demand/<int:pk>/", market_views.demand_detail, name="demand-detail"),
    path("proposals/<int:pk>/accept/", market_views.proposal_accept, name="proposal-accept"),
    path("dashboard/", include("urbanmine.insight.urls")),
    path("impact/", include("urbanmine.impact.urls")),
    path("api/v1/impact/", include(impact_api)),
    path("api/v1/", include("urbanmine.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
