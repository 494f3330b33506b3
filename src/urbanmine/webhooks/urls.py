from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/", views.subscription_list, name="webhook-list"),
    path("webhooks/<int:pk>/", views.subscription_detail, name="webhook-detail"),
]
