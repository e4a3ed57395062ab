"""Rows of a risk import that name an existing risk by its ``ID``: the risk they update, the
version they were exported at, and the update itself — through ``risks.services.risk_update``,
the form's and the API's service, so that every rule and the audit trail are the same.

A row may update only a risk of the organisation imported into that the user may change
(``restrict(user, "change")``). Any other ID — another region's risk, one the user may only
read, one that never existed — gets the same answer, so that an import never tells whether
a risk exists. A row whose version is not the stored one is refused: the risk has changed
since the file was exported, and writing the row would undo that change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portal.access import Action
from portal.access.choices import people_visible_to
from portal.models import ConcurrentUpdate, Organisation
from risks.importexport.errors import ImportFailed, RowError
from risks.importexport.rows import Row, whole_number
from risks.importexport.writing import acting_as
from risks.models import DIMENSION_FIELDS, Asset, Risk
from risks.services import risk_update

User = AbstractBaseUser | AnonymousUser | None

#: The fields a row sets on the risk it updates, each from the column of the same name —
#: only when the file has that column: a column left out of the file changes nothing.
UPDATED_FIELDS = {
    "title": "title",
    "description": "description",
    "vulnerability": "vulnerability",
    "acceptance_reason": "acceptance_reason",
    "threat": "threat_id",
    "attack_surface": "attack_surface",
    "discipline": "discipline_id",
    "inherent_likelihood": "inherent_likelihood",
    "inherent_consequence": "inherent_consequence",
    **{name: name for name in DIMENSION_FIELDS},
    "residual_likelihood": "residual_likelihood",
    "residual_consequence": "residual_consequence",
    "owner": "owner_id",
    "status": "status",
    "treatment": "treatment",
    "next_review": "next_review",
}


@dataclass
class Update:
    """A checked row that updates ``risk`` (as read for the check) to ``values``."""

    row: int
    risk: Risk
    version: int
    values: dict[str, Any]
    assets: list[int] | None


def ids_in(rows: Iterable[Mapping[str, str]]) -> set[int]:
    """The IDs the rows of a file name (whatever they are worth)."""
    ids: set[int] = set()
    for values in rows:
        number = whole_number(values.get("id", ""))
        if number is not None:
            ids.add(number)
    return ids


def changeable_risks(*, user: User, organisation: Organisation, ids: set[int]) -> dict[int, Risk]:
    """Of ``ids``, the risks of ``organisation`` that ``user`` may change, by ID (one query)."""
    if not ids:
        return {}
    risks = Risk.objects.restrict(user, Action.CHANGE).filter(organisation=organisation, pk__in=ids)
    return {risk.pk: risk for risk in risks}


class Targets:
    """The risks a file's rows name, checked row by row: each ID once, each risk one the
    user may change, each at the version the file was exported at."""

    def __init__(
        self, *, user: User, organisation: Organisation, rows: Sequence[Mapping[str, str]]
    ):
        self.user = user
        self.organisation = organisation
        self.risks = changeable_risks(user=user, organisation=organisation, ids=ids_in(rows))
        self.assets: dict[int, set[int]] = {}
        if self.risks:
            for risk_id, asset_id in Risk.assets.through.objects.filter(
                risk_id__in=list(self.risks)
            ).values_list("risk_id", "asset_id"):
                self.assets.setdefault(risk_id, set()).add(asset_id)
        self.seen: dict[int, int] = {}
        #: Rows refused as stale: (row, version column as written, risk).
        self.stale: list[tuple[int, str, Risk]] = []

    def target(self, row: Row) -> tuple[Risk, int] | None:
        """The risk ``row`` updates and the version it carries; None for a new risk, or when
        the row's ID or version is refused (the error is on the row)."""
        reference = row.raw("id")
        if not reference:
            return None
        number = whole_number(reference)
        if number is not None and number in self.seen:
            row.error(
                "id",
                _("the ID %(value)s is already on row %(row)s; a risk is updated by one row")
                % {"value": reference, "row": self.seen[number]},
            )
            return None
        if number is not None:
            self.seen[number] = row.number
        risk = self.risks.get(number) if number is not None else None
        if risk is None:
            # The same answer for a risk that does not exist, another region's risk and one
            # the user may not change: no existence oracle.
            row.error(
                "id",
                _(
                    "%(organisation)s has no risk with the ID %(value)s that you may change; "
                    "leave the ID empty to add a new risk"
                )
                % {"value": reference, "organisation": self.organisation.name},
            )
            return None
        if not row.raw("version"):
            row.error("version", _("is required when the row has an ID (export the risks again)"))
            return None
        version = row.whole("version", low=1, high=2_147_483_647)
        if version is None:
            return None
        if version != risk.version:
            self.stale.append((row.number, row.written["version"], risk))
            return None
        return risk, version

    def changes(self, update: Update) -> bool:
        """Whether ``update`` changes its risk: a row as exported is not written again (no
        new version, no audit entry)."""
        risk = update.risk
        if any(getattr(risk, name) != value for name, value in update.values.items()):
            return True
        return update.assets is not None and set(update.assets) != self.assets.get(risk.pk, set())

    def stale_errors(self) -> list[RowError]:
        """The stale rows' errors, each saying who last changed the risk and when (one
        query for them all)."""
        if not self.stale:
            return []
        authors = last_authors([risk for _row, _column, risk in self.stale], user=self.user)
        return [
            RowError(number, column, stale_message(risk, authors.get(risk.pk)))
            for number, column, risk in self.stale
        ]


def last_authors(risks: Sequence[Risk], *, user: User) -> dict[int, str]:
    """The name of whoever last changed each risk, by ID — only people ``user`` may see named."""
    content_type = ContentType.objects.get_for_model(Risk)
    entries = (
        LogEntry.objects.filter(
            content_type=content_type,
            object_id__in=[risk.pk for risk in risks],
            action__in=(LogEntry.Action.CREATE, LogEntry.Action.UPDATE),
            actor__in=people_visible_to(user),
        )
        .select_related("actor")
        .order_by("object_id", "-timestamp", "-pk")
    )
    authors: dict[int, str] = {}
    for entry in entries:
        if entry.object_id is not None and entry.object_id not in authors and entry.actor:
            authors[entry.object_id] = entry.actor.get_full_name() or entry.actor.get_username()
    return authors


def stale_message(risk: Risk, author: str | None) -> str:
    when = formats.date_format(timezone.localtime(risk.updated_at), "SHORT_DATETIME_FORMAT")
    if author:
        return _(
            "the risk has been changed since the export (by %(person)s, %(time)s); export it "
            "again and make your change there"
        ) % {"person": author, "time": when}
    return _(
        "the risk has been changed since the export (%(time)s); export it again and make "
        "your change there"
    ) % {"time": when}


def updated_values(row: Row, candidate: Risk, present: Iterable[str]) -> dict[str, Any]:
    """The values the row sets: those of the columns in the file. An empty status keeps the
    risk's status (a new risk's default would reopen it)."""
    values: dict[str, Any] = {}
    for name in present:
        attribute = UPDATED_FIELDS.get(name)
        if attribute is None or (name == "status" and not row.raw("status")):
            continue
        values[attribute] = getattr(candidate, attribute)
    return values


def write_updates(updates: Sequence[Update], *, user: User, written: Mapping[str, str]) -> None:
    """Update the risks, each through ``risk_update`` (the form's service: its rules, the
    acceptance it records, the audit trail's change entry, a new version). Call inside the
    import's transaction: a risk changed since it was checked, or a rule that no longer
    holds, raises ``ImportFailed`` and the transaction writes nothing."""
    asset_ids = {pk for update in updates for pk in update.assets or ()}
    assets = Asset.objects.in_bulk(asset_ids) if asset_ids else {}
    with acting_as(user):
        _write(updates, assets, user=user, written=written)


def _write(
    updates: Sequence[Update],
    assets: Mapping[int, Asset],
    *,
    user: User,
    written: Mapping[str, str],
) -> None:
    for update in updates:
        values = dict(update.values)
        if update.assets is not None:
            values["assets"] = [assets[pk] for pk in update.assets]
        update.risk.version = update.version
        try:
            risk_update(risk=update.risk, user=user, values=values)
        except ConcurrentUpdate:
            update.risk.refresh_from_db()
            column = written.get("version", "Version")
            raise ImportFailed(
                [RowError(update.row, column, stale_message(update.risk, None))]
            ) from None
        except ValidationError as error:
            raise ImportFailed(
                [
                    RowError(update.row, written.get(name, name), str(message))
                    for name, messages in error.message_dict.items()
                    for message in messages
                ]
            ) from None
