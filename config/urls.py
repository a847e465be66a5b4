from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from kinerja.api.api import api
from kinerja.api.errors import not_found_view
from kinerja.org.emblem import site_emblem_uri
from kinerja.web.forms import LoginForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Under /api/ every answer is JSON: its root (ninja's would be a page) and any address
    # that is no operation are a JSON 404.
    re_path(r"^api/$", not_found_view),
    path("api/", api.urls),
    re_path(r"^api/", not_found_view),
    path(
        "login/",
        # The template calls site_emblem_uri when it shows the lambang: read per request.
        auth_views.LoginView.as_view(
            form_class=LoginForm, extra_context={"site_emblem": site_emblem_uri}
        ),
        name="login",
    ),
    path("", include("django.contrib.auth.urls")),
    path("", include("kinerja.web.urls")),
]
