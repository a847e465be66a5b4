from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kinerja.api.api import api
from kinerja.web.forms import LoginForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("login/", auth_views.LoginView.as_view(form_class=LoginForm), name="login"),
    path("", include("django.contrib.auth.urls")),
    path("", include("kinerja.web.urls")),
]
