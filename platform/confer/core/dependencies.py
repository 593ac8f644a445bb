"""Litestar dependencies every module may ask for by name: ``runtime``, ``principal``."""

from __future__ import annotations

from typing import Any, TypeAlias

from litestar import Request
from litestar.di import NamedDependency, Provide

from confer.core.auth import Principal, bearer_token, revoked_session_key
from confer.core.errors import Unauthenticated
from confer.core.runtime import Runtime


async def provide_runtime(request: Request[Any, Any, Any]) -> Runtime:
    return Runtime.of(request.app)


async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """The verified caller, or 401 for a missing, invalid, expired or revoked token."""
    runtime = Runtime.of(request.app)
    principal = runtime.access_tokens.verify(bearer_token(request))
    if await runtime.redis.exists(revoked_session_key(runtime.settings.redis_namespace, principal.session_id)):
        raise Unauthenticated("this session has ended")
    return principal


DEPENDENCIES = {
    "runtime": Provide(provide_runtime),
    "principal": Provide(provide_principal),
}

# Handler parameter types: the name of the parameter picks the dependency (``runtime``, ``principal``).
RuntimeDep: TypeAlias = NamedDependency[Runtime]
CurrentPrincipal: TypeAlias = NamedDependency[Principal]
