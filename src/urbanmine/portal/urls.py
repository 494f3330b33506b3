from django.contrib.auth import views as auth_views
from django.urls import path

from urbanmine.accounts.views import SignInView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("notifications/", views.notifications, name="notifications"),
    path("about/", views.info_page, {"page": "about"}, name="about"),
    path("contact/", views.info_page, {"page": "contact"}, name="contact"),
    path("privacy/", views.info_page, {"page": "privacy"}, name="privacy"),
    path("accessibility/", views.info_page, {"page": "accessibility"}, name="accessibility"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
