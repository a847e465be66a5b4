"""The JSON API under /api/: its OpenAPI 3 document at /api/openapi.json, its docs at /api/docs.

Every operation needs a caller: a personal API token (Authorization: Bearer)
or the session of a person logged in to the pages (with CSRF for writes).
See docs/api.md.
"""

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from . import (
    agreements,
    documents,
    errors,
    narrative,
    numbers,
    performance,
    plans,
    processes,
    renja,
    sop_approval,
    sop_authoring,
    sop_evaluation,
    sop_monitoring,
    sops,
    tasks,
    tokens,
)
from .auth import AUTH


class OfflineSwagger(DocsBase):
    """Swagger UI from the app's own static files: offices sit behind intranets, no CDN.

    (Ninja's default page loads it from a CDN unless "ninja" is an installed app.)
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
        }
        return render(
            request, "api/docs.html", {"api": api, "swagger_settings": json.dumps(settings)}
        )


api = NinjaAPI(
    title="Kinerja API",
    version="1",
    description=(
        "SOPs, processes, tasks and documents of Kinerja. Authenticate with a personal API token "
        "(`Authorization: Bearer knj_…`, made on the page /tokens/) or with the session of the "
        "pages (send `X-CSRFToken` on writes). Errors are JSON: `message`, and `field` when "
        "the error is about one input."
    ),
    urls_namespace="api",
    auth=AUTH,
    docs=OfflineSwagger(),
)
errors.install(api)
api.add_router("", sops.router)
api.add_router("", sop_authoring.router)
api.add_router("", sop_approval.router)
api.add_router("", sop_monitoring.router)
api.add_router("", sop_evaluation.router)
api.add_router("", processes.router)
api.add_router("", tasks.router)
api.add_router("", tokens.router)
api.add_router("", documents.router)
api.add_router("", numbers.router)
api.add_router("", performance.router)
api.add_router("", agreements.router)
api.add_router("", plans.router)
api.add_router("", renja.router)
api.add_router("", narrative.router)
