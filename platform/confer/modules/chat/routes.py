"""The chat API: conversations, their messages, read receipts, typing, and the class host's moderation."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from confer.core.dependencies import CurrentPrincipal, RuntimeDep
from confer.modules.chat import service
from confer.modules.chat.schemas import (
    ConversationPage,
    MessageCreate,
    MessageOut,
    MessagePage,
    MessageUpdate,
    Mute,
    ReadUpTo,
)

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
Cursor = Annotated[str | None, QueryParameter(max_length=200)]


class ConversationController(Controller):
    path = "/api/v1/conversations"
    tags = ["chat"]
    security = BEARER

    @get("/")
    async def list_conversations(
        self, runtime: RuntimeDep, principal: CurrentPrincipal, cursor: Cursor = None
    ) -> ConversationPage:
        """The caller's conversations (a booking's id or a class session's id), newest activity first, with unread
        counts."""
        return await service.conversations(runtime, principal, cursor)

    @get("/{conversation_id:uuid}/messages")
    async def list_messages(
        self, conversation_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal, cursor: Cursor = None
    ) -> MessagePage:
        return await service.messages(runtime, principal, conversation_id, cursor)

    @post("/{conversation_id:uuid}/messages", status_code=201)
    async def post_message(
        self,
        conversation_id: FromPath[UUID],
        data: JSONBody[MessageCreate],
        runtime: RuntimeDep,
        principal: CurrentPrincipal,
    ) -> MessageOut:
        """Plain text (never interpreted as markup), up to CONFER_CHAT_MAX_LENGTH characters; 429 when too fast."""
        return await service.post(runtime, principal, conversation_id, data.body)

    @patch("/{conversation_id:uuid}/messages/{message_id:uuid}")
    async def edit_message(
        self,
        conversation_id: FromPath[UUID],
        message_id: FromPath[UUID],
        data: JSONBody[MessageUpdate],
        runtime: RuntimeDep,
        principal: CurrentPrincipal,
    ) -> MessageOut:
        return await service.edit(runtime, principal, conversation_id, message_id, data.body)

    @delete("/{conversation_id:uuid}/messages/{message_id:uuid}", status_code=204)
    async def delete_message(
        self,
        conversation_id: FromPath[UUID],
        message_id: FromPath[UUID],
        runtime: RuntimeDep,
        principal: CurrentPrincipal,
    ) -> None:
        await service.delete(runtime, principal, conversation_id, message_id)

    @post("/{conversation_id:uuid}/read", status_code=204)
    async def read(
        self,
        conversation_id: FromPath[UUID],
        data: JSONBody[ReadUpTo],
        runtime: RuntimeDep,
        principal: CurrentPrincipal,
    ) -> None:
        await service.mark_read(runtime, principal, conversation_id, data.message_id)

    @post("/{conversation_id:uuid}/typing", status_code=204)
    async def typing(self, conversation_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal) -> None:
        await service.typing(runtime, principal, conversation_id)

    @post("/{conversation_id:uuid}/members/{user_id:uuid}/mute", status_code=204)
    async def mute(
        self,
        conversation_id: FromPath[UUID],
        user_id: FromPath[UUID],
        data: JSONBody[Mute],
        runtime: RuntimeDep,
        principal: CurrentPrincipal,
    ) -> None:
        """The class host silences an attendee in the chat for a while."""
        await service.mute(runtime, principal, conversation_id, user_id, data.minutes)

    @post("/{conversation_id:uuid}/members/{user_id:uuid}/remove", status_code=204)
    async def remove(
        self, conversation_id: FromPath[UUID], user_id: FromPath[UUID], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> None:
        await service.remove(runtime, principal, conversation_id, user_id)
