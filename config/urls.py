from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from kinerja.api.api import api
from kinerja.api.errors import not_found_view
from kinerja.org.emblem import site_emblem_uri
from kinerja.web import password_views
from kinerja.web.forms import LoginForm

# "Administrasi Kinerja", not "Administrasi Django": the officials' word for the place.
admin.site.site_header = _("Kinerja administration")
admin.site.site_title = _("Kinerja administration")
admin.site.index_title = _("Kinerja administration")

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
    # Lupa kata sandi: Django's views with the pages' templates and a rate limit.
    path("password_reset/", password_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password_reset/done/",
        password_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        password_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        password_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", include("django.contrib.auth.urls")),
    path("", include("kinerja.web.urls")),
]
