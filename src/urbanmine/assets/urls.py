from django.urls import path

from . import views

urlpatterns = [
    path("assets/", views.asset_list, name="asset-list"),
    path("assets/new/", views.asset_create, name="asset-create"),
    path("assets/<int:pk>/grants/", views.asset_grant, name="asset-grant"),
    path("grants/<int:pk>/revoke/", views.asset_grant_revoke, name="asset-grant-revoke"),
    path(
        "assets/<int:pk>/interventions/",
        views.asset_plan_intervention,
        name="asset-plan-intervention",
    ),
]
