"""Litestar dependencies every module may ask for by name: ``runtime``, ``principal``."""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.params import HeaderParameter, SkipValidation

from confer.core.auth import Principal, bearer_token
from confer.core.errors import Unauthenticated
from confer.core.runtime import Runtime


def provide_runtime(request: Request[Any, Any, Any]) -> Runtime:
    return Runtime.of(request.app)


def provide_principal(request: Request[Any, Any, Any], runtime: SkipValidation[NamedDependency[Runtime]]) -> Principal:
    """The verified caller, or 401 for a missing, invalid, expired or revoked token. No I/O: see RevokedSessions.

    It takes ``runtime`` as a dependency on purpose: two independent dependencies are resolved concurrently in an
    anyio task group, which costs more than everything else this function does."""
    principal = runtime.access_tokens.verify(bearer_token(request))
    if runtime.revoked_sessions.is_revoked(principal.session_id):
        raise Unauthenticated("this session has ended")
    return principal


DEPENDENCIES = {
    "runtime": Provide(provide_runtime, sync_to_thread=False),
    "principal": Provide(provide_principal, sync_to_thread=False),
}

# Handler parameter types: the name of the parameter picks the dependency (``runtime``, ``principal``). Both values
# are made by our own providers above, so Litestar need not validate them again on every request.
RuntimeDep: TypeAlias = SkipValidation[NamedDependency[Runtime]]
CurrentPrincipal: TypeAlias = SkipValidation[NamedDependency[Principal]]
IdempotencyKey: TypeAlias = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        min_length=1,
        max_length=200,
        required=False,
        description="Repeat a POST with the same key (and the same request) to get the first answer again",
    ),
]
"""The header of every POST that creates a booking or a payment (DESIGN §4)."""
