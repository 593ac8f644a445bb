"""Input no route can take, refused once at the edge for every route: NUL characters and over-deep JSON.

PostgreSQL stores no NUL in text, so a NUL reaching a query is a 500 (``invalid byte sequence``) on whichever route
it arrives; and msgspec decodes nested JSON recursively, so 100,000 ``[`` raise ``RecursionError``. Checking here
rather than in each schema keeps every route, present and future, covered: the request path and query string in
:func:`input_guard_middleware`, the JSON body in :class:`CheckedRequest` (where Litestar decodes it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar import Request
from litestar.enums import ScopeType
from litestar.exceptions import ClientException, ValidationException
from litestar.types import ASGIApp, Receive, Scope, Send

from confer.core.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE, FieldProblem, Problem

NUL = "\x00"
NUL_MESSAGE = "must not contain NUL characters"
_ESCAPED_NUL = b"\\u0000"
"""The only way a NUL can be in decoded JSON: raw control characters are not valid JSON text."""


class CheckedRequest(Request[Any, Any, Any]):
    """Litestar's request whose JSON body is refused when nested too deeply (400) or carrying a NUL (422)."""

    async def json(self) -> Any:
        try:
            value = await super().json()
        except RecursionError:
            raise ClientException("Invalid JSON: nested too deeply") from None
        if _ESCAPED_NUL in await self.body():
            field = nul_field(value)
            if field is not None:
                raise ValidationException(NUL_MESSAGE, extra=[{"key": field, "message": NUL_MESSAGE}])
        return value


def nul_field(value: Any) -> str | None:
    """Where the first NUL in a decoded JSON value is (``specialties[1]``, ``address.city``), or None.
    Iterative, so that a value as deep as the decoder allows cannot exhaust the stack here either."""
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        where, item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return where or "body"
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{where}.{key}" if where else str(key)
                if NUL in key:
                    return name
                pending.append((name, child))
        elif isinstance(item, list):
            pending.extend((f"{where}[{index}]", child) for index, child in enumerate(item))
    return None


def input_guard_middleware(app: ASGIApp) -> ASGIApp:
    """Refuse a NUL in the path (400: no resource has one) or in a query parameter (422 naming it)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            problem = _path_or_query_problem(scope)
            if problem is not None:
                await _send_problem(problem, send)
                return
        await app(scope, receive, send)

    return middleware


def _path_or_query_problem(scope: Scope) -> Problem | None:
    path: str = scope["path"]
    if NUL in path:
        return Problem(
            type=PROBLEM_BASE + "bad-request", title="Bad Request", status=400, detail=f"the path {NUL_MESSAGE}"
        )
    query: bytes = scope["query_string"]
    if b"%00" not in query:
        return None
    names = [name for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True) if NUL in name + value]
    if not names:
        return None
    return Problem(
        type=PROBLEM_BASE + "validation",
        title="The request has invalid fields",
        status=422,
        detail=NUL_MESSAGE,
        instance=path,
        errors=[FieldProblem(field=name.replace(NUL, "\\u0000"), message=NUL_MESSAGE) for name in names],
    )


async def _send_problem(problem: Problem, send: Send) -> None:
    body = msgspec.json.encode(problem)
    headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
