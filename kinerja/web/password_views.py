"""Lupa kata sandi: Django's password reset, in the pages' look and language, rate-limited.

The mail goes through the configured EMAIL_BACKEND. Whether an account with the address
exists is never said: the same "check your mail" page follows either way (Django's
PasswordResetForm mails only the active accounts with that address). One address may ask
PASSWORD_RESET_PER_HOUR times an hour; more get a message and no mail.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from kinerja.core.logins import client_address

WINDOW_SECONDS = 3600


def _over_limit(request) -> bool:
    """Count this request for its address; True past the hourly limit."""
    key = f"kinerja:password-reset:{client_address(request)}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count > settings.PASSWORD_RESET_PER_HOUR


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "web/password/reset_form.html"
    email_template_name = "web/password/reset_email.txt"
    subject_template_name = "web/password/reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        if _over_limit(request):
            form = self.get_form()
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Too many password resets were asked for from this computer. "
                    "Try again in an hour, or ask the administrator."
                ),
            )
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/password/reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/password/reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/password/reset_complete.html"
