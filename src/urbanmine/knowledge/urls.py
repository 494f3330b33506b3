from django.urls import path

from . import views

urlpatterns = [
    path("knowledge/", views.knowledge_list, name="knowledge-list"),
    path("knowledge/mine/", views.knowledge_workbench, name="knowledge-workbench"),
    path("knowledge/new/", views.knowledge_edit, name="knowledge-create"),
    path("knowledge/<int:pk>/", views.knowledge_detail, name="knowledge-detail"),
    path("knowledge/<int:pk>/edit/", views.knowledge_edit, name="knowledge-edit"),
    path("knowledge/<int:pk>/submit/", views.knowledge_submit, name="knowledge-submit"),
    path("knowledge/<int:pk>/review/", views.knowledge_review, name="knowledge-review"),
    path("knowledge/<int:pk>/attach/", views.knowledge_attach, name="knowledge-attach"),
    path("knowledge/<int:pk>/signup/", views.knowledge_signup, name="knowledge-signup"),
    path("knowledge/files/<int:pk>/", views.knowledge_attachment, name="knowledge-attachment"),
    path("step-plans/", views.stepplan_list, name="stepplan-list"),
    path("step-plans/new/", views.stepplan_edit, name="stepplan-create"),
    path("step-plans/<int:pk>/", views.stepplan_detail, name="stepplan-detail"),
    path("step-plans/<int:pk>/edit/", views.stepplan_edit, name="stepplan-edit"),
    path("barriers/", views.barrier_list, name="barrier-list"),
    path("barriers/new/", views.barrier_edit, name="barrier-create"),
    path("barriers/<int:pk>/", views.barrier_detail, name="barrier-detail"),
    path("barriers/<int:pk>/edit/", views.barrier_edit, name="barrier-edit"),
    path("example-projects/", views.example_list, name="example-list"),
    path("example-projects/new/", views.example_edit, name="example-create"),
    path("example-projects/<int:pk>/", views.example_detail, name="example-detail"),
    path("example-projects/<int:pk>/edit/", views.example_edit, name="example-edit"),
    path("example-projects/<int:pk>/guide.pdf", views.example_guide, name="example-guide"),
    path("example-projects/<int:pk>/publish/", views.example_publish, name="example-publish"),
]
