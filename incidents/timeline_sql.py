"""The SQLite triggers that keep the incident timeline append-only, as the database has them
now: what ``incidents/management/commands/flush.py`` lifts for a flush and puts back.

Migration ``0005_timeline`` created them with its own copy of this SQL, and keeps it: a
migration is history, replayed as it was on every new database, so it does not read a module
that may change after it. A test holds the two equal; a change to the triggers is a new
migration, and this module follows it (with the test pointed at that migration)."""

ENTRIES = "incidents_incidenttimelineentry"

#: The columns that never change (SQLite has no row-to-JSON: named one by one).
FROZEN_COLUMNS = (
    "id",
    "incident_id",
    "organisation_id",
    "kind",
    "text",
    "occurred_at",
    "author_id",
    "created_at",
    "old_value",
    "new_value",
    "owner_id",
    "due",
)
_UNCHANGED = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in FROZEN_COLUMNS)

#: Only an action's completion, once, may change an entry; none may be deleted.
SQLITE_APPEND_ONLY = [
    f"""CREATE TRIGGER incidents_timeline_no_update BEFORE UPDATE ON {ENTRIES}
WHEN NOT (OLD.kind = 'action' AND OLD.done_at IS NULL
          AND NEW.done_at IS NOT NULL AND NEW.done_by_id IS NOT NULL AND {_UNCHANGED})
BEGIN
    SELECT RAISE(ABORT, 'the incident timeline is append-only: UPDATE refused on {ENTRIES}');
END""",
    f"""CREATE TRIGGER incidents_timeline_no_delete BEFORE DELETE ON {ENTRIES}
BEGIN
    SELECT RAISE(ABORT, 'the incident timeline is append-only: DELETE refused on {ENTRIES}');
END""",
]
SQLITE_APPEND_ONLY_REVERSE = [
    "DROP TRIGGER IF EXISTS incidents_timeline_no_update",
    "DROP TRIGGER IF EXISTS incidents_timeline_no_delete",
]
