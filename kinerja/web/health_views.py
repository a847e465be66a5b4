"""/healthz: is this server process up and does it reach its database?

For the reverse proxy's or load balancer's health check and for monitoring (README
"Deployment"). No login, no session, no template: one `SELECT 1` on the connection the
process already holds (DB_CONN_MAX_AGE), so a check every few seconds costs nothing.
The answer names nothing about the installation, since anyone may ask.
"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: the database does not answer")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
