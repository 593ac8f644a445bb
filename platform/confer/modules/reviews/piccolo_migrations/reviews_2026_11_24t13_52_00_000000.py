"""One review per booking; ratings of 1 to 5; texts within limits; aggregates that add up; the public list's index."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T13:52:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "reviews constraints and indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX review_one_per_booking ON review (booking)",
    "ALTER TABLE review ADD CONSTRAINT review_rating_in_range CHECK (rating BETWEEN 1 AND 5)",
    "ALTER TABLE review ADD CONSTRAINT review_text_length CHECK (char_length(text) <= 2000)",
    "ALTER TABLE review ADD CONSTRAINT review_reply_length CHECK (char_length(reply) <= 2000)",
    "ALTER TABLE review ADD CONSTRAINT review_reply_dated CHECK ((reply IS NULL) = (replied_at IS NULL))",
    "CREATE INDEX review_public_list ON review (professional, created_at DESC, id DESC) WHERE hidden_at IS NULL",
    "ALTER TABLE review_aggregate ADD CONSTRAINT review_aggregate_adds_up CHECK ("
    "count_1 >= 0 AND count_2 >= 0 AND count_3 >= 0 AND count_4 >= 0 AND count_5 >= 0 "
    "AND review_count = count_1 + count_2 + count_3 + count_4 + count_5 "
    "AND rating_sum = count_1 + 2 * count_2 + 3 * count_3 + 4 * count_4 + 5 * count_5)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="reviews", description=DESCRIPTION)

    async def run() -> None:
        from confer.modules.reviews.tables import Review

        for statement in STATEMENTS:
            await Review.raw(statement).run()

    manager.add_raw(run)
    return manager
