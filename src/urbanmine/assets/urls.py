from django.urls import path

from . import views

urlpatterns = [
    path("assets/", views.asset_list, name="asset-list"),
    path("assets/new/", views.asset_create, name="asset-create"),
    path(
        "assets/<int:pk>/interventions/",
        views.asset_plan_intervention,
        name="asset-plan-intervention",
    ),
]
