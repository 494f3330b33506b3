from django.urls import path

from . import views

urlpatterns = [
    path("", views.tender_home, name="tender-home"),
    path("ambitions/new/", views.ambition_create, name="ambition-create"),
    path("ambitions/<int:pk>/", views.ambition_detail, name="ambition-detail"),
    path("clauses/", views.clause_library, name="clause-library"),
    path("new/", views.tender_create, name="tender-create"),
    path("<int:pk>/", views.tender_detail, name="tender-detail"),
    path("<int:pk>/annex.docx", views.tender_annex_docx, name="tender-annex-docx"),
    path("<int:pk>/annex.pdf", views.tender_annex_pdf, name="tender-annex-pdf"),
]
