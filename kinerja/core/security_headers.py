"""Content-Security-Policy and Permissions-Policy on every response.

The pages load only the app's own files (vendored htmx, the stylesheets, Swagger UI
for /api/docs), so the policy allows the app's own origin and nothing inline: an
injected <script> or style="" does not run. The one inline block the pages need,
the measures of an SOP's activity table (kinerja/sop/render.py), carries the
response's nonce: `request.csp_nonce` in a template, which also puts the nonce in
the header. The SVG data: images of Swagger UI's stylesheet are the only other
source allowed. The browser is also told that no page needs the camera, the
microphone, the position or the other powerful features.

A response that already has a Content-Security-Policy keeps it.
"""

import secrets

from django.utils.functional import SimpleLazyObject

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


def content_security_policy(nonce: str | None = None) -> str:
    policy = dict(POLICY)
    if nonce:
        policy["style-src"] += f" 'nonce-{nonce}'"
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        used: list[str] = []

        def make_nonce() -> str:
            used.append(secrets.token_urlsafe(16))
            return used[0]

        # Made only when a template asks for it, so most responses name no nonce.
        request.csp_nonce = SimpleLazyObject(make_nonce)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = content_security_policy(
                used[0] if used else None
            )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
