"""A module that lives outside Confer's package, as a third party would write it: found by its entry point."""

import msgspec

from confer.core.modules import Module
from confer_notes.routes import NotesController


class NotesSettings(msgspec.Struct, frozen=True):
    greeting: str = "hello"
    max_notes: int = 100


module = Module(
    name="notes",
    requires=("accounts",),
    route_handlers=[NotesController],
    piccolo_app="confer_notes.piccolo_app",
    settings=NotesSettings,
)
