"""Who calls the API: a personal token (Authorization: Bearer knj_…) or the browser's session.

A request that sends a token is judged by the token alone: a wrong or revoked
one is refused with 401 even when a session cookie comes along, so a script
never acts as whoever happens to be logged in in the same browser.

A session works like the pages do, CSRF included: a POST or DELETE from the
browser must carry the X-CSRFToken header (the csrftoken cookie's value), or a
page of another site could act in the user's name. Ninja's own SessionAuth
checks CSRF before it knows whether anyone is logged in, which answers a call
without any credentials with 403; here that call gets the 401 it deserves.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from kinerja.core.tokens import TokenRefused, user_for_token


class TokenAuth(HttpBearer):
    """Personal API token, made on the tokens page or with POST /api/tokens."""

    def __call__(self, request: HttpRequest):
        header = request.headers.get(self.header, "")
        if not header:
            return None
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            raise AuthenticationError(
                message=_("Send the token as 'Authorization: Bearer <token>'.")
            )
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str):
        try:
            user = user_for_token(token)
        except TokenRefused as exc:
            raise AuthenticationError(message=exc.message) from None
        # The services and the language of the answer see the token's user like a login.
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The session of a person logged in to the pages (cookie 'sessionid'), with CSRF."""

    param_name = "sessionid"

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(
                403,
                _(
                    "CSRF check failed: a call with the session cookie must send the "
                    "X-CSRFToken header with the value of the csrftoken cookie."
                ),
            )
        return user

    def authenticate(self, request: HttpRequest, key):  # pragma: no cover - __call__ decides
        return None


token_auth = TokenAuth()
session_auth = SessionAuth()
AUTH = [token_auth, session_auth]
