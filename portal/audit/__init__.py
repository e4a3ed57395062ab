"""The audit trail and everything kept about it: changes (``trail``), reads of confidential
material (``reads``), exports of the trail (``export``) and its retention (``retention``).

The trail's own API is importable from the package; the other modules import models and are
imported by name (``portal.audit.reads``), so that models can use ``audited`` while the app
registry is still loading."""

from portal.audit.trail import (
    AuditTrailIsAppendOnly,
    FieldChange,
    HistoryEntry,
    audited,
    entries_for,
    history_entries,
    history_for,
    protect_entries,
    recording,
    related_shown,
)

__all__ = [
    "AuditTrailIsAppendOnly",
    "FieldChange",
    "HistoryEntry",
    "audited",
    "entries_for",
    "history_entries",
    "history_for",
    "protect_entries",
    "recording",
    "related_shown",
]
