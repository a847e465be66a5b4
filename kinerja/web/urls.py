from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.sop_list, name="sop-list"),
    path("sop/<slug:slug>/", views.sop_detail, name="sop-detail"),
    path("sop/<slug:slug>/pdf/", views.sop_pdf, name="sop-pdf"),
    path("sop/<slug:slug>/yaml/", views.sop_yaml, name="sop-yaml"),
    path("sop/<slug:slug>/bpmn/", views.sop_bpmn, name="sop-bpmn"),
    path("sop/<slug:slug>/revise/", views.sop_revise, name="sop-revise"),
    path("sop/<slug:slug>/publish/", views.sop_publish, name="sop-publish"),
]
