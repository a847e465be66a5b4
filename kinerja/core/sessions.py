"""A session ends after SESSION_IDLE_MINUTES without a request, and when the browser closes.

SESSION_EXPIRE_AT_BROWSER_CLOSE makes the cookie a browser-session cookie; the
server still keeps an expiry for the session: SESSION_COOKIE_AGE (the idle time)
after it was last saved. Django would push that back only when the session
changes, or on every request (SESSION_SAVE_EVERY_REQUEST: a database write per
request, htmx calls included). This middleware saves it again at most once a
REFRESH_EVERY, so the session ends between idle time and idle time plus that.
"""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

REFRESH_EVERY = 60  # seconds
SEEN_KEY = "_kinerja_seen"


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a logged-in session: a token's API call has none and must not get one.
        if session is None or SESSION_KEY not in session:
            return response
        now = int(time.time())
        seen = session.get(SEEN_KEY, 0)
        if not isinstance(seen, int) or now - seen >= min(REFRESH_EVERY, _idle_seconds()):
            session[SEEN_KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return response


def _idle_seconds() -> int:
    return settings.SESSION_COOKIE_AGE
