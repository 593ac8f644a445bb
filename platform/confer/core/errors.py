"""Domain errors and their RFC 9457 problem+json rendering.

Each domain error knows its HTTP status and its stable problem ``type``; services raise them and never speak HTTP.
Every other exception becomes a problem too: Litestar's own (404, 405, 413, 429, validation) keep their status,
anything unexpected is a 500 with no internals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from confer.core.observability import loggable_path

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://confer.dev/problems/"

log = structlog.get_logger("confer.errors")


class FieldProblem(msgspec.Struct):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """The problem+json body; ``errors`` lists the offending fields of a validation problem."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldProblem] | None = None


class ConferError(Exception):
    """Base of the domain errors: the class says the status, type and title; the instance may add a detail."""

    status: ClassVar[int] = 400
    type: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str | None = None, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.headers = dict(headers or {})

    def problem(self, instance: str) -> Problem:
        return Problem(
            type=PROBLEM_BASE + self.type, title=self.title, status=self.status, detail=self.detail, instance=instance
        )


class InvalidInput(ConferError):
    """A value that is well-formed but breaks a rule the schema cannot express (a weak password, an unknown zone)."""

    status = 422
    type = "validation"
    title = "The request has invalid fields"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.fields = [FieldProblem(field=field, message=message)]

    def problem(self, instance: str) -> Problem:
        problem = super().problem(instance)
        problem.errors = self.fields
        return problem


class NotFound(ConferError):
    status = 404
    type = "not-found"
    title = "Not found"


class Conflict(ConferError):
    status = 409
    type = "conflict"
    title = "Conflict"


class Unauthenticated(ConferError):
    status = 401
    type = "unauthenticated"
    title = "Authentication required"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="confer"'})


class Forbidden(ConferError):
    status = 403
    type = "forbidden"
    title = "Not allowed"


class TooManyRequests(ConferError):
    status = 429
    type = "too-many-requests"
    title = "Too many requests"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class Unavailable(ConferError):
    """A dependency the request needs is off or down; the client may retry after ``Retry-After`` seconds."""

    status = 503
    type = "unavailable"
    title = "Temporarily unavailable"

    def __init__(self, detail: str | None = None, *, retry_after: int = 5) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


def problem_response(problem: Problem, headers: Mapping[str, str] | None = None) -> Response[Problem]:
    return Response(problem, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=dict(headers or {}))


def handle_confer_error(request: Request[Any, Any, Any], exc: ConferError) -> Response[Problem]:
    return problem_response(exc.problem(request.url.path), exc.headers)


_HTTP_TYPES = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    429: "too-many-requests",
}


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    """Litestar's own exceptions: validation becomes 422 with the fields; the others keep their status."""
    if isinstance(exc, ValidationException):
        return problem_response(_validation_problem(request, exc))
    status = exc.status_code
    if status >= 500:
        return handle_unexpected(request, exc)
    kind = _HTTP_TYPES.get(status, "client-error")
    if status == 400 and str(exc.detail).startswith(_MALFORMED_JSON):
        kind = "malformed-body"
    problem = Problem(
        type=PROBLEM_BASE + kind,
        title=HTTPStatus(status).phrase,
        status=status,
        detail=exc.detail if exc.detail != HTTPStatus(status).phrase else None,
        instance=request.url.path,
    )
    return problem_response(problem, exc.headers)


_MALFORMED_JSON = ("JSON is malformed", "Input data was truncated", "Invalid JSON")


def _validation_problem(request: Request[Any, Any, Any], exc: ValidationException) -> Problem:
    fields = [_field_problem(item) for item in _as_list(exc.extra)]
    return Problem(
        type=PROBLEM_BASE + "validation",
        title="The request has invalid fields",
        status=422,
        detail=exc.detail,
        instance=request.url.path,
        errors=fields,
    )


def _as_list(extra: Any) -> Sequence[Any]:
    if isinstance(extra, list):
        return extra
    return [] if extra is None else [extra]


def _field_problem(item: Any) -> FieldProblem:
    if isinstance(item, Mapping):
        key = item.get("key") or item.get("source") or "body"
        return FieldProblem(field=str(key), message=str(item.get("message", "invalid")))
    return FieldProblem(field="body", message=str(item))


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """A bug or an outage: log it with the request id, answer without internals."""
    log.error("unhandled_error", path=loggable_path(request.scope), method=request.method, exc_info=exc)
    problem = Problem(
        type=PROBLEM_BASE + "internal",
        title="Internal server error",
        status=500,
        detail="Something went wrong on our side; the request id identifies it in our logs.",
        instance=request.url.path,
    )
    return problem_response(problem)


EXCEPTION_HANDLERS: Mapping[Any, Any] = {
    ConferError: handle_confer_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}

__all__ = [
    "EXCEPTION_HANDLERS",
    "PROBLEM_MEDIA_TYPE",
    "ConferError",
    "Conflict",
    "FieldProblem",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "Problem",
    "TooManyRequests",
    "Unauthenticated",
]
