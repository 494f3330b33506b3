from django.urls import path

from . import views

urlpatterns = [
    path("organisation/", views.my_organisation, name="my-organisation"),
    path(
        "organisations/<int:pk>/members/", views.organisation_members, name="organisation-members"
    ),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("memberships/<int:pk>/remove/", views.membership_remove, name="membership-remove"),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("join/", views.account_request, name="account-request"),
    path(
        "account-requests/<int:pk>/<str:decision>/",
        views.account_request_decide,
        name="account-request-decide",
    ),
]
