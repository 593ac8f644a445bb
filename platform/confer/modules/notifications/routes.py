"""The notifications API: the in-app list, preferences, and the devices and browsers to push to."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.params import FromQuery, JSONBody, QueryParameter

from confer.core.dependencies import CurrentPrincipal, RuntimeDep
from confer.modules.notifications import service
from confer.modules.notifications.schemas import (
    DeviceIn,
    DeviceRef,
    NotificationPage,
    PreferenceOut,
    Preferences,
    PushTargetOut,
    ReadRequest,
    UnreadCount,
    WebPushKey,
    WebPushRef,
    WebPushSubscriptionIn,
)

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


class NotificationController(Controller):
    path = "/api/v1/notifications"
    tags = ["notifications"]
    security = BEARER

    @get("/")
    async def list_notifications(
        self,
        runtime: RuntimeDep,
        principal: CurrentPrincipal,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
        unread: FromQuery[bool] = False,
    ) -> NotificationPage:
        """Newest first, with the unread count; new ones also arrive on the WebSocket as ``notification``."""
        return await service.notifications(runtime, principal, cursor, unread)

    @post("/read", status_code=200)
    async def read(self, data: JSONBody[ReadRequest], runtime: RuntimeDep, principal: CurrentPrincipal) -> UnreadCount:
        return UnreadCount(await service.mark_read(runtime, principal, data))

    @get("/web-push-key", security=[])
    async def web_push_key(self, runtime: RuntimeDep) -> WebPushKey:
        return service.web_push_key(runtime)


class NotificationSettingsController(Controller):
    path = "/api/v1/me"
    tags = ["notifications"]
    security = BEARER

    @get("/notification-preferences")
    async def preferences(self, principal: CurrentPrincipal) -> Preferences:
        """Every kind on every channel, on unless turned off."""
        return await service.preferences(principal)

    @put("/notification-preferences")
    async def set_preferences(
        self, data: JSONBody[list[PreferenceOut]], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> Preferences:
        return await service.set_preferences(runtime, principal, data)

    @post("/devices", status_code=200)
    async def add_device(
        self, data: JSONBody[DeviceIn], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> PushTargetOut:
        """Register a phone's APNs (iOS) or FCM (Android) token; one registered by another account moves here (the
        phone signed in to this account), and the answer says so."""
        return await service.add_device(runtime, principal, data)

    @delete("/devices", status_code=204)
    async def remove_device(self, data: JSONBody[DeviceRef], principal: CurrentPrincipal) -> None:
        """Body ``{"token": ...}``: the device signs out of push."""
        await service.remove_device(principal, data.token)

    @post("/web-push-subscriptions", status_code=200)
    async def add_web_push(
        self, data: JSONBody[WebPushSubscriptionIn], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> PushTargetOut:
        """Register a browser's push subscription; another account's moves here only with its keys (409 otherwise)."""
        return await service.add_web_push(runtime, principal, data)

    @delete("/web-push-subscriptions", status_code=204)
    async def remove_web_push(self, data: JSONBody[WebPushRef], principal: CurrentPrincipal) -> None:
        """Body ``{"endpoint": ...}``."""
        await service.remove_web_push(principal, data.endpoint)
