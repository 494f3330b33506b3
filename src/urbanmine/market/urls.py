from django.urls import path

from . import views

urlpatterns = [
    path("matching/", views.matching_overview, name="matching"),
    path("matching/runs/<int:pk>/status/", views.run_status, name="matching-run-status"),
    path("matching/runs/<int:pk>/cancel/", views.run_cancel, name="matching-run-cancel"),
    path("demand/<int:pk>/", views.demand_detail, name="demand-detail"),
    path("proposals/<int:pk>/accept/", views.proposal_accept, name="proposal-accept"),
    path("permits/", views.permits, name="permits"),
    path("permits/<int:pk>/decision.pdf", views.permit_document, name="permit-document"),
]
