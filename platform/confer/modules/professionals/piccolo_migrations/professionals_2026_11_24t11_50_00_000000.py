"""Professional search (issue: search): the full-text document, the maintained columns searches filter and sort on,
and an index for every filter.

* ``search_document``: a generated ``tsvector`` (name and specialties weight A, headline B, bio C) with a GIN index;
* ``specialties``, ``languages`` and ``offering_kinds``: GIN indexes for ``@>`` (contains) filters;
* ``price_min_minor`` / ``price_currency`` / ``offering_kinds``: kept equal to the professional's published offerings
  by a trigger on ``offering`` (so no code path that writes offerings can forget them);
* ``rating_avg`` / ``rating_count``: written by reviews (none yet);
* ``next_available_at`` / ``next_available_checked_at``: the first free slot in the next 14 days, maintained by the
  worker (``confer.modules.search``); the offering trigger and a change of zone or publication mark a
  profile for recomputation by clearing ``next_available_checked_at``.

Every search index is partial (``WHERE published``): unpublished profiles are never searched.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T11:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "professional search: tsvector document, maintained price/kinds/next-available columns, indexes"

STATEMENTS = [
    # array_to_string is only STABLE (element output functions may depend on settings); for varchar it is not.
    "CREATE FUNCTION professional_specialty_words(varchar[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "AS $$ SELECT coalesce(array_to_string($1, ' '), '') $$",
    "ALTER TABLE professional_profile ADD COLUMN search_document tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, coalesce(display_name, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, professional_specialty_words(specialties)), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(headline, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(bio, '')), 'C')) STORED",
    "ALTER TABLE professional_profile ADD COLUMN rating_avg numeric(3, 2) NULL, "
    "ADD COLUMN rating_count integer NOT NULL DEFAULT 0, "
    "ADD COLUMN price_min_minor integer NULL, "
    "ADD COLUMN price_currency varchar(3) NULL, "
    "ADD COLUMN offering_kinds varchar(20)[] NOT NULL DEFAULT ARRAY[]::varchar(20)[], "
    "ADD COLUMN next_available_at timestamptz NULL, "
    "ADD COLUMN next_available_checked_at timestamptz NULL",
    "CREATE INDEX professional_search_document ON professional_profile USING gin (search_document) WHERE published",
    "CREATE INDEX professional_search_specialties ON professional_profile USING gin (specialties) WHERE published",
    "CREATE INDEX professional_search_languages ON professional_profile USING gin (languages) WHERE published",
    "CREATE INDEX professional_search_kinds ON professional_profile USING gin (offering_kinds) WHERE published",
    # The sort keys of confer.modules.search, expression for expression: a page is a range scan.
    "CREATE INDEX professional_search_price ON professional_profile "
    "((coalesce(price_min_minor, 2147483647)), id) WHERE published",
    "CREATE INDEX professional_search_rating_order ON professional_profile "
    "((-coalesce(rating_avg, 0)), id) WHERE published",
    "CREATE INDEX professional_search_next_available ON professional_profile "
    "((coalesce(next_available_at, 'infinity'::timestamptz)), id) WHERE published",
    "CREATE INDEX professional_search_rating ON professional_profile (rating_avg) WHERE published",
    "CREATE INDEX professional_next_available_checked ON professional_profile "
    "(next_available_checked_at NULLS FIRST) WHERE published",
    # Offerings -> the profile's cheapest price, its currency, its kinds; and "recompute next available".
    """
    CREATE FUNCTION professional_offerings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        target uuid;
    BEGIN
        FOR target IN
            SELECT DISTINCT x FROM unnest(ARRAY[
                CASE WHEN TG_OP <> 'INSERT' THEN OLD.professional END,
                CASE WHEN TG_OP <> 'DELETE' THEN NEW.professional END
            ]) AS x WHERE x IS NOT NULL
        LOOP
            UPDATE professional_profile p SET
                price_min_minor = cheapest.price_minor,
                price_currency = cheapest.currency,
                offering_kinds = coalesce(
                    (SELECT array_agg(DISTINCT o.kind ORDER BY o.kind) FROM offering o
                     WHERE o.professional = target AND o.published), ARRAY[]::varchar(20)[]),
                next_available_checked_at = NULL
            FROM (SELECT NULL::integer AS price_minor, NULL::varchar AS currency) AS nothing
            LEFT JOIN LATERAL (
                SELECT o.price_minor, o.currency FROM offering o
                WHERE o.professional = target AND o.published ORDER BY o.price_minor, o.id LIMIT 1
            ) AS cheapest ON true
            WHERE p.id = target;
        END LOOP;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER professional_offerings_changed AFTER INSERT OR UPDATE OR DELETE ON offering "
    "FOR EACH ROW EXECUTE FUNCTION professional_offerings_changed()",
    """
    CREATE FUNCTION professional_availability_stale() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.timezone IS DISTINCT FROM OLD.timezone OR NEW.published IS DISTINCT FROM OLD.published THEN
            NEW.next_available_checked_at := NULL;
        END IF;
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER professional_availability_stale BEFORE UPDATE ON professional_profile "
    "FOR EACH ROW EXECUTE FUNCTION professional_availability_stale()",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="professionals", description=DESCRIPTION)

    async def run() -> None:
        from confer.modules.professionals.tables import ProfessionalProfile

        for statement in STATEMENTS:
            await ProfessionalProfile.raw(statement).run()

    manager.add_raw(run)
    return manager
