"""The interface language: Indonesian unless the person chose English with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, and most
office browsers say English; the regulation's language is Indonesian, so the
default here is the setting, and only the language cookie (set by the ID/EN
switch through django.views.i18n.set_language) changes it.
"""

from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # Scoped to the request: the thread's language must not leak into the next one.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
