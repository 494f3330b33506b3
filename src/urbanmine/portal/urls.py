from django.contrib.auth import views as auth_views
from django.urls import path

from urbanmine.accounts.views import SignInView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("notifications/", views.notifications, name="notifications"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
