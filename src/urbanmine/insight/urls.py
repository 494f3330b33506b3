from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("forecasts/<int:pk>/status/", views.forecast_status, name="forecast-status"),
    path("forecasts/<int:pk>/cancel/", views.forecast_cancel, name="forecast-cancel"),
    path("scenarios/", views.scenario_list, name="scenario-list"),
    path("scenarios/new/", views.scenario_edit, name="scenario-create"),
    path("scenarios/compare/", views.scenario_compare, name="scenario-compare"),
    path("scenarios/<int:pk>/", views.scenario_edit, name="scenario-edit"),
    path("scenarios/<int:pk>/run/", views.forecast_run, name="forecast-run"),
]
