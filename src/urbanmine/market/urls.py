from django.urls import path

from . import views

urlpatterns = [
    path("matching/", views.matching_overview, name="matching"),
    path("matching/runs/<int:pk>/status/", views.run_status, name="matching-run-status"),
    path("matching/runs/<int:pk>/cancel/", views.run_cancel, name="matching-run-cancel"),
    path("demand/", views.demand_list, name="demand-list"),
    path("demand/new/", views.demand_create, name="demand-create"),
    path("wanted/", views.wanted_create, name="wanted-create"),
    path("wanted/<int:pk>/stop/", views.wanted_stop, name="wanted-stop"),
    path("demand/<int:pk>/", views.demand_detail, name="demand-detail"),
    path("proposals/<int:pk>/accept/", views.proposal_accept, name="proposal-accept"),
    path("lots/<str:code>/reserve/", views.lot_reserve, name="lot-reserve"),
    path("requests/", views.reservation_requests, name="reservation-requests"),
    path(
        "requests/<int:pk>/<str:decision>/",
        views.reservation_request_decide,
        name="reservation-request-decide",
    ),
    path("permits/", views.permits, name="permits"),
    path("permits/<int:pk>/decision.pdf", views.permit_document, name="permit-document"),
]
