from django.urls import path

from . import views

urlpatterns = [
    path(
        "regions/zuid-holland.geojson",
        views.municipalities_geojson,
        name="municipalities-geojson",
    ),
    path("places/lookup", views.place_lookup, name="place-lookup"),
]
