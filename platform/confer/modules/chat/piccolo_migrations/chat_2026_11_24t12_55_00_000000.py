"""One read mark and one restriction per member; messages listed newest first; a body within limits."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T12:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "chat constraints and indexes"

STATEMENTS = [
    "ALTER TABLE chat_conversation ADD CONSTRAINT chat_conversation_kind_known CHECK (kind IN ('booking', 'class'))",
    "CREATE UNIQUE INDEX chat_read_mark_one_per_reader ON chat_read_mark (conversation, reader)",
    "CREATE UNIQUE INDEX chat_restriction_one_per_member ON chat_restriction (conversation, member)",
    "CREATE INDEX chat_message_history ON chat_message (conversation, created_at DESC, id DESC)",
    "ALTER TABLE chat_message ADD CONSTRAINT chat_message_body_length CHECK (char_length(body) <= 4000)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chat", description=DESCRIPTION)

    async def run() -> None:
        from confer.modules.chat.tables import Conversation

        for statement in STATEMENTS:
            await Conversation.raw(statement).run()

    manager.add_raw(run)
    return manager
