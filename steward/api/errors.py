"""Every API error is JSON of one shape: {"detail": "what went wrong", "errors": {"field":
["problem", ...]}}. Domain errors, ninja's own checks and Django's refusals all map here."""

from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from steward.api.parser import UnsupportedMediaType
from steward.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed


class Error(Schema):
    """The body of every error response."""

    detail: str
    errors: dict[str, list[str]] = {}


def errors(*statuses: int) -> dict[int, type[Error]]:
    """The error responses an endpoint documents: 401 always, and the given statuses."""
    return {status: Error for status in (401, *statuses)}


STATUS_OF = {ValidationFailed: 422, Conflict: 409, NotFound: 404, PermissionDenied: 403}

# Where ninja reports a problem ("body", "query", ...) is not part of the field's name.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def error_body(detail: str, errors: dict[str, list[str]] | None = None) -> dict:
    return {"detail": detail, "errors": errors or {}}


def error_response(status: int, detail: str, errors: dict | None = None) -> JsonResponse:
    response = JsonResponse(error_body(detail, errors), status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="steward"'
    return response


def field_name(loc: tuple | list, body_params: set[str]) -> str:
    """("body", "payload", "tags", 0) -> "tags.0"; ("query", "limit") -> "limit"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in _LOCATIONS:
        location = parts.pop(0)
        if location == "body" and parts and parts[0] in body_params:
            parts.pop(0)
    return ".".join(parts) or "body"


def validation_errors(exc: NinjaValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        name = field_name(item.get("loc", ()), {"payload"})
        message = str(item.get("msg", "Invalid value."))
        # pydantic prefixes messages of custom validators with "Value error, ".
        message = message.removeprefix("Value error, ")
        errors.setdefault(name, []).append(message)
    return errors


def install_error_handlers(api: NinjaAPI) -> None:
    """Registers the handlers that give every error the one JSON shape."""

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        status = next((s for cls, s in STATUS_OF.items() if isinstance(exc, cls)), 400)
        return error_response(status, exc.message, exc.field_errors)

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = validation_errors(exc)
        summary = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items())
        return error_response(422, f"Please correct: {summary}"[:1000], errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(401, exc.message)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            # ninja raises HttpError(400) for any body it cannot read; say which problem.
            if isinstance(exc.__cause__, RequestDataTooBig):
                return error_response(413, "The request body is too large.")
            if isinstance(exc.__cause__, UnsupportedMediaType):
                detail = "Send the body as JSON, with the header Content-Type: application/json."
                return error_response(415, detail, {"body": [detail]})
            detail = "The request body is not valid JSON."
            return error_response(400, detail, {"body": [detail]})
        return error_response(exc.status_code, exc.message)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, "Not found.")

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(413, "The request body is too large.")


def json_errors_outside_operations(view):
    """ninja answers a wrong method or an unknown path with an HTML or text page; an
    integrator's client should get the same JSON shape as for every other error."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405:
            allowed = ", ".join(sorted(response.get("Allow", "").split(", ")))
            result = error_response(405, f"Method not allowed here; use one of: {allowed}.")
            result["Allow"] = allowed
            return result
        return response

    return wrapper


def unknown_endpoint(request: HttpRequest, rest: str = "") -> JsonResponse:
    """The API's catch-all: a JSON 404 for a path that names no endpoint."""
    return error_response(404, "No such API endpoint. See /api/v1/docs for the list of endpoints.")
