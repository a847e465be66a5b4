"""Every error of the API is JSON: {"message": ..., "field": ...}, the message in the user's language.

| what went wrong                                   | status | body                          |
|---------------------------------------------------|--------|-------------------------------|
| bad input the service refused (DomainError+field) | 400    | message, field                |
| the state forbids it now (DomainError, no field): | 409    | message                       |
|   the task was done by someone else, cancelled,   |        |                               |
|   the process is no longer running                |        |                               |
| no or bad credentials                             | 401    | message                       |
| not yours to do (PermissionDenied), CSRF          | 403    | message                       |
| no such thing                                     | 404    | message                       |
| input of the wrong shape (ninja's validation)     | 422    | message, field, errors[]      |
| a body the server does not read: over             | 413    | message                       |
|   DATA_UPLOAD_MAX_MEMORY_SIZE (files aside)       |        |                               |
| a multipart form it cannot parse (a header or     | 400    | message                       |
|   file name too long, too many parts)             |        |                               |
| an address under /api/ that is no operation       | 404    | message                       |

The services give the messages, so the API says exactly what the pages say.
"""

import logging

from django.conf import settings
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from kinerja.core.errors import DomainError

logger = logging.getLogger(__name__)

# Ninja's own wording for these, replaced by ours.
_NINJA_DEFAULT_MESSAGES = {"Unauthorized", "Forbidden", "Not Found"}


def error_body(message: str, field: str | None = None) -> dict:
    return {"message": str(message), "field": field}


def _domain_error(request: HttpRequest, exc: DomainError, *, api: NinjaAPI) -> HttpResponse:
    # An error about one input is the caller's to fix (400); one without a field is the
    # state of the task or process, which changed or forbids the action (409).
    status = 400 if exc.field else 409
    return api.create_response(request, error_body(exc.message, exc.field), status=status)


def _permission_denied(request, exc: PermissionDenied, *, api: NinjaAPI) -> HttpResponse:
    message = str(exc) or _("You may not do this.")
    return api.create_response(request, error_body(message), status=403)


def _not_found(request, exc: Exception, *, api: NinjaAPI) -> HttpResponse:
    message = str(exc) if isinstance(exc, Http404) and str(exc) else ""
    if not message or message in _NINJA_DEFAULT_MESSAGES:
        message = _("Not found.")
    return api.create_response(request, error_body(message), status=404)


def _http_error(request, exc: HttpError, *, api: NinjaAPI) -> HttpResponse:
    message = exc.message
    if isinstance(exc, AuthenticationError) and message in _NINJA_DEFAULT_MESSAGES:
        message = _(
            "Log in, or send a personal API token in the header 'Authorization: Bearer <token>'."
        )
    elif exc.status_code == 400 and message == "Cannot parse request body":
        message = _("The body is not valid JSON.")
    response = api.create_response(request, error_body(message), status=exc.status_code)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="kinerja"'
    return response


def _validation_error(request, exc: ValidationError, *, api: NinjaAPI) -> HttpResponse:
    errors = [
        {"field": field_of(error), "message": validation_message(error)} for error in exc.errors
    ]
    first = errors[0] if errors else {"field": None, "message": _("The input is not valid.")}
    body = {**error_body(first["message"], first["field"]), "errors": errors}
    return api.create_response(request, body, status=422)


def _too_big(request, exc: RequestDataTooBig, *, api: NinjaAPI) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    message = _(
        "The request is too large: the server reads at most %(mb)s MB besides the files."
    ) % {"mb": f"{limit:.1f}".rstrip("0").rstrip(".")}
    return api.create_response(request, error_body(message), status=413)


def _unreadable_form(request, exc: Exception, *, api: NinjaAPI) -> HttpResponse:
    # Django's parser refuses a part whose headers (a file name of thousands of characters)
    # or number of parts exceed its limits; the reason it gives is English and technical.
    message = _(
        "The form data could not be read: a file name or a field name is too long, "
        "or there are too many parts."
    )
    return api.create_response(request, error_body(message), status=400)


def not_found_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Any address under /api/ that is no operation: JSON, like every other API answer."""
    return JsonResponse(error_body(_("There is no API operation at this address.")), status=404)


def _server_error(request, exc: Exception, *, api: NinjaAPI) -> HttpResponse:
    # Logged with its traceback; the test client re-raises it through the same signal
    # Django's own handler sends. The caller gets a message, never a traceback.
    logger.exception("API error on %s %s", request.method, request.path)
    got_request_exception.send(sender=None, request=request)
    message = _("Something went wrong on the server; the action was not done. Try again later.")
    return api.create_response(request, error_body(message), status=500)


def install(api: NinjaAPI) -> None:
    def bind(handler):
        return lambda request, exc: handler(request, exc, api=api)

    api.add_exception_handler(Exception, bind(_server_error))
    api.add_exception_handler(DomainError, bind(_domain_error))
    api.add_exception_handler(PermissionDenied, bind(_permission_denied))
    api.add_exception_handler(Http404, bind(_not_found))
    api.add_exception_handler(ObjectDoesNotExist, bind(_not_found))
    api.add_exception_handler(HttpError, bind(_http_error))
    api.add_exception_handler(ValidationError, bind(_validation_error))
    api.add_exception_handler(RequestDataTooBig, bind(_too_big))
    api.add_exception_handler(MultiPartParserError, bind(_unreadable_form))
    api.add_exception_handler(SuspiciousOperation, bind(_unreadable_form))


# --- ninja's validation errors in our words ------------------------------------------------

_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def field_of(error: dict) -> str | None:
    """'title' from ('body', 'payload', 'title'); 'year' from ('query', 'year')."""
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] in _SOURCES:
        source, loc = loc[0], loc[1:]
        # A body schema sits under the name of the view's parameter: drop that too.
        if source == "body" and len(loc) > 1:
            loc = loc[1:]
    return ".".join(loc) or None


def validation_message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"float_parsing", "float_type", "decimal_parsing", "decimal_type"}:
        return _("Enter a number.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind in {"string_type"}:
        return _("Enter a text.")
    if kind in {"date_parsing", "date_from_datetime_parsing", "date_type"}:
        return _("Enter a date as YYYY-MM-DD.")
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("Enter an object ({...}).")
    if kind in {"list_type"}:
        return _("Enter a list ([...]).")
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    if kind == "string_too_long":
        return _("Enter at most %(n)s characters.") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("Enter at least %(n)s characters.") % {"n": ctx.get("min_length")}
    if kind == "greater_than_equal":
        return _("Enter a number of at least %(n)s.") % {"n": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("Enter a number of at most %(n)s.") % {"n": ctx.get("le")}
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    return str(error.get("msg", _("The input is not valid.")))
