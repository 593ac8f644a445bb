from uuid import uuid4

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody

from confer.core.dependencies import CurrentPrincipal, RuntimeDep
from confer_notes.tables import Note


class NoteIn(msgspec.Struct):
    text: str


class NoteOut(msgspec.Struct):
    text: str
    greeting: str


class NotesController(Controller):
    path = "/api/v1/notes"

    @post("/", status_code=201)
    async def add(self, data: JSONBody[NoteIn], runtime: RuntimeDep, principal: CurrentPrincipal) -> NoteOut:
        from confer_notes import NotesSettings

        await Note.insert(Note(id=uuid4(), owner=principal.user_id, text=data.text)).run()
        return NoteOut(text=data.text, greeting=runtime.section("notes", NotesSettings).greeting)

    @get("/")
    async def mine(self, principal: CurrentPrincipal) -> list[str]:
        rows = await Note.select(Note.text).where(Note.owner == principal.user_id)
        return [row["text"] for row in rows]
