from django.urls import path

from . import views

urlpatterns = [
    path("compare/", views.compare, name="impact-compare"),
    path("top10/", views.top10, name="impact-top10"),
]
