from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.sop_list, name="sop-list"),
]
