from django.urls import path

from . import views

urlpatterns = [
    path("", views.directory, name="network-directory"),
    path("organisations/<int:pk>/", views.entry_detail, name="network-entry"),
    path("organisations/<int:pk>/edit/", views.entry_edit, name="network-entry-edit"),
    path(
        "organisations/<int:pk>/certifications/",
        views.certification_add,
        name="network-certification-add",
    ),
    path(
        "certifications/<int:pk>/remove/",
        views.certification_remove,
        name="network-certification-remove",
    ),
    path("join/", views.join, name="network-join"),
    path("requests/", views.requests_list, name="network-requests"),
    path("requests/<int:pk>/<str:decision>/", views.request_decide, name="network-request-decide"),
    path("covenant/", views.covenant, name="network-covenant"),
    path("covenant/new/", views.covenant_create, name="network-covenant-create"),
    path("covenant/<int:pk>/", views.covenant, name="network-covenant-detail"),
    path("covenant/<int:pk>/sign/", views.covenant_sign, name="network-covenant-sign"),
    path("targets/", views.targets, name="network-targets"),
    path("targets/new/", views.target_create, name="network-target-create"),
    path("figures/import/", views.figures_import, name="network-figures-import"),
]
