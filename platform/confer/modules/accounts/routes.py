"""The accounts API under ``/api/v1``: thin handlers that parse, call the service and return."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from confer.core.dependencies import CurrentPrincipal, RuntimeDep
from confer.modules.accounts import service
from confer.modules.accounts.schemas import (
    Accepted,
    AccountOut,
    AccountUpdate,
    ChangePasswordIn,
    ForgotPasswordIn,
    LoginIn,
    RefreshIn,
    RegisterIn,
    ResetPasswordIn,
    SessionOut,
    TokenIn,
    TokenPair,
)

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
FORGOT_ANSWER = "If an account has this address, a link to reset its password is on its way."


def client_info(request: Request[Any, Any, Any]) -> service.ClientInfo:
    return service.ClientInfo(
        ip=request.client.host if request.client else "unknown", user_agent=request.headers.get("user-agent", "")
    )


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/register", status_code=201)
    async def register(self, data: JSONBody[RegisterIn], runtime: RuntimeDep) -> AccountOut:
        """Create a client or professional account; a verification link is mailed."""
        return await service.register(runtime, data)

    @post("/verify-email", status_code=HTTP_200_OK)
    async def verify_email(self, data: JSONBody[TokenIn], runtime: RuntimeDep) -> AccountOut:
        return await service.verify_email(runtime, data.token)

    @post("/verify-email/resend", status_code=HTTP_202_ACCEPTED, security=BEARER)
    async def resend_verification(self, runtime: RuntimeDep, principal: CurrentPrincipal) -> Accepted:
        await service.request_verification(runtime, principal)
        return Accepted(detail="If your address is not verified yet, a new link is on its way.")

    @post("/login", status_code=HTTP_200_OK)
    async def login(self, data: JSONBody[LoginIn], runtime: RuntimeDep, request: Request[Any, Any, Any]) -> TokenPair:
        return await service.login(runtime, data, client_info(request))

    @post("/refresh", status_code=HTTP_200_OK)
    async def refresh(
        self, data: JSONBody[RefreshIn], runtime: RuntimeDep, request: Request[Any, Any, Any]
    ) -> TokenPair:
        """Trade a refresh token for a new pair; the old refresh token is spent."""
        return await service.refresh(runtime, data.refresh_token, client_info(request))

    @post("/logout", status_code=HTTP_204_NO_CONTENT, security=BEARER)
    async def logout(self, runtime: RuntimeDep, principal: CurrentPrincipal) -> None:
        await service.logout(runtime, principal)

    @get("/sessions", security=BEARER)
    async def sessions(self, runtime: RuntimeDep, principal: CurrentPrincipal) -> list[SessionOut]:
        return await service.list_sessions(runtime, principal)

    @delete("/sessions/{session_id:uuid}", status_code=HTTP_204_NO_CONTENT, security=BEARER)
    async def end_session(self, session_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal) -> None:
        await service.end_session(runtime, principal, session_id)

    @post("/password/forgot", status_code=HTTP_202_ACCEPTED)
    async def forgot_password(self, data: JSONBody[ForgotPasswordIn], runtime: RuntimeDep) -> Accepted:
        await service.forgot_password(runtime, data.email)
        return Accepted(detail=FORGOT_ANSWER)

    @post("/password/reset", status_code=HTTP_204_NO_CONTENT)
    async def reset_password(self, data: JSONBody[ResetPasswordIn], runtime: RuntimeDep) -> None:
        await service.reset_password(runtime, data)

    @post("/password/change", status_code=HTTP_204_NO_CONTENT, security=BEARER)
    async def change_password(
        self, data: JSONBody[ChangePasswordIn], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> None:
        await service.change_password(runtime, principal, data)


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["me"]
    security = BEARER

    @get("/")
    async def me(self, runtime: RuntimeDep, principal: CurrentPrincipal) -> AccountOut:
        return await service.get_own_account(runtime, principal)

    @patch("/")
    async def update_me(
        self, data: JSONBody[AccountUpdate], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> AccountOut:
        return await service.update_account(runtime, principal, data)
