"""Importing risks, assets and treatment actions from an uploaded file, all or nothing: every
row is checked against reference data looked up front, then all are written in one
transaction."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from capabilities.models import Discipline
from portal.access.choices import people_visible_to, scope_choices
from portal.models import Membership, Organisation
from risks.importexport.allowed import (
    asset_names,
    owner_names,
    threat_names,
    visible_assets,
    with_allowed,
)
from risks.importexport.errors import ImportFailed, RowError, fail
from risks.importexport.layouts import (
    ACTION_STATUS_VOCABULARY,
    ACTION_STATUS_WORDS,
    ASSET_KIND_VOCABULARY,
    ASSET_KIND_WORDS,
    ASSETS,
    ATTACK_SURFACE_VOCABULARY,
    ATTACK_SURFACE_WORDS,
    RISK_STATUS_VOCABULARY,
    RISK_STATUS_WORDS,
    RISKS,
    TREATMENT_VOCABULARY,
    TREATMENT_WORDS,
    TREATMENTS,
    Layout,
    token,
)
from risks.importexport.progress import current_observer
from risks.importexport.reading import REPORT_EVERY, Table, read_table
from risks.importexport.rows import MAX_INT, Row, split_list, whole_number
from risks.importexport.updating import (
    UPDATED_FIELDS,
    Targets,
    Update,
    updated_values,
    write_updates,
)
from risks.importexport.writing import BATCH_SIZE, audit_creations, require_add
from risks.models import DIMENSION_FIELDS, Asset, Risk, RiskStatus, Threat, TreatmentAction
from risks.services import (
    RiskRules,
    asset_sharing_validate,
    risk_decide,
    risk_rules_for,
    risk_validate,
    treatment_action_validate,
)


class _Names:
    """A lookup by name: exact first, then case-insensitive; a name shared by several
    objects is ambiguous."""

    AMBIGUOUS = object()

    def __init__(self, pairs: Iterable[tuple[str, Any]]) -> None:
        self.exact: dict[str, set[Any]] = {}
        self.folded: dict[str, set[Any]] = {}
        for name, value in pairs:
            if not name:
                continue
            self.exact.setdefault(name, set()).add(value)
            self.folded.setdefault(token(name), set()).add(value)

    def get(self, name: str) -> Any:
        """The value, None when unknown, ``AMBIGUOUS`` when several objects have the name."""
        found = self.exact.get(name) or self.folded.get(token(name))
        if not found:
            return None
        if len(found) > 1:
            return self.AMBIGUOUS
        return next(iter(found))


def _members(
    organisation: Organisation, user: AbstractBaseUser | AnonymousUser | None = None
) -> _Names:
    """Active users with a membership in the organisation, by user name (one query) — with
    ``user``, only those ``user`` may see named (the permission layer's people)."""
    memberships = Membership.objects.filter(organisation=organisation, user__is_active=True)
    if user is not None:
        memberships = memberships.filter(user__in=people_visible_to(user))
    return _Names(memberships.order_by().values_list("user__username", "user_id"))


class _Allowed:
    """The values an unknown value's message lists, read when the first one is needed."""

    def __init__(
        self, organisation: Organisation, user: AbstractBaseUser | AnonymousUser | None
    ) -> None:
        self.organisation = organisation
        self.user = user
        self._lists: dict[str, list[str]] = {}

    def _get(self, name: str, read: Callable[[], list[str]]) -> list[str]:
        if name not in self._lists:
            self._lists[name] = read()
        return self._lists[name]

    def threats(self) -> list[str]:
        return self._get("threats", lambda: threat_names(user=self.user))

    def owners(self) -> list[str]:
        return self._get(
            "owners", lambda: owner_names(organisation=self.organisation, user=self.user)
        )

    def assets(self) -> list[str]:
        return self._get(
            "assets", lambda: asset_names(organisation=self.organisation, user=self.user)
        )


def _owner(row: Row, members: _Names, organisation: Organisation, allowed: _Allowed) -> int | None:
    username = row.raw("owner")
    if not username:
        return None
    user_id = members.get(username)
    if user_id is None or user_id is _Names.AMBIGUOUS:
        row.error(
            "owner",
            with_allowed(
                _("'%(username)s' is not a user with a role in %(organisation)s")
                % {"username": username, "organisation": organisation.name},
                allowed.owners(),
            ),
        )
        return None
    return user_id


def _lookup(rows: Iterable[tuple[Any, ...]]) -> _Names:
    """``(pk, spelling, spelling, …)`` rows → a lookup of the pk by any spelling."""
    return _Names((spelling, row[0]) for row in rows for spelling in row[1:])


def _data_rows(table: Table, layout: Layout) -> Iterator[Row]:
    observer = current_observer()
    for index, values in enumerate(table.rows):
        if index % REPORT_EVERY == 0:
            observer.checked(index)
        if any(values.values()):
            yield Row(index + 2, values, table.written, layout)
    observer.checked(len(table.rows))


def import_risks(
    *,
    organisation: Organisation,
    user: AbstractBaseUser | AnonymousUser | None,
    upload: BinaryIO,
) -> int:
    """Create or update the risks of an uploaded file (layout ``RISKS``) in ``organisation``.

    A row without an ``ID`` creates a risk; a row with the ID of a risk of ``organisation``
    that ``user`` may change updates it (``risks.importexport.updating``), provided its
    ``Version`` is the stored one. Every row is checked first, against reference data read up
    front in a fixed number of queries; if any row has a problem, ``ImportFailed`` lists
    every problem and nothing is written. Otherwise the new risks and their asset links are
    written with bulk INSERTs, and their audit entries one INSERT each (``audit_creations``),
    and each updated risk through ``risk_update``, all in one transaction, levels set from
    the organisation's risk matrix.
    A row that changes nothing is not written. Returns the number of risks created and
    updated. Raises ``PermissionDenied`` unless ``user`` may add risks in ``organisation``.
    """
    require_add(user, Risk, organisation)
    table = read_table(upload, RISKS)
    rules = risk_rules_for(organisation=organisation, user=user)
    matrix = rules.matrix
    threats = _lookup(
        scope_choices(Threat.objects.all(), user=user).values_list(
            "pk", "slug", "name_da", "name_en"
        )
    )
    disciplines = _lookup(Discipline.objects.values_list("pk", "code", "name_da", "name_en"))
    assets = _Names(visible_assets(organisation=organisation, user=user).values_list("name", "pk"))
    members = _members(organisation, user)
    rules.members()  # the owners' rule is checked against these, without a query per row
    targets = Targets(user=user, organisation=organisation, rows=table.rows)
    present = [name for name in table.written if name in UPDATED_FIELDS]
    allowed = _Allowed(organisation, user)
    sizes = {"likelihood": matrix.likelihood_size, "consequence": matrix.consequence_size}
    scales = [
        (f"{prefix}_{axis}", size)
        for prefix in ("inherent", "residual")
        for axis, size in sizes.items()
    ]

    errors: list[RowError] = []
    risks: list[Risk] = []
    links: list[list[int]] = []
    updates: list[Update] = []
    for row in _data_rows(table, RISKS):
        target = targets.target(row)
        risk = Risk(
            organisation=organisation,
            title=row.text("title", max_length=300, required=True),
            description=row.text("description"),
            vulnerability=row.text("vulnerability"),
            acceptance_reason=row.text("acceptance_reason"),
            version=1,
        )
        threat = row.raw("threat")
        threat_id = threats.get(threat) if threat else None
        if not threat:
            row.error("threat", _("is required"))
        elif threat_id is None:
            row.error(
                "threat",
                with_allowed(
                    _("unknown threat '%(value)s'") % {"value": threat}, allowed.threats()
                ),
            )
        elif threat_id is _Names.AMBIGUOUS:
            row.error(
                "threat",
                _("several threats are called '%(value)s'; give the threat's slug")
                % {"value": threat},
            )
        else:
            risk.threat_id = threat_id
        if not row.raw("attack_surface"):
            row.error("attack_surface", _("is required"))
        else:
            risk.attack_surface = row.choice(
                "attack_surface", ATTACK_SURFACE_VOCABULARY, ATTACK_SURFACE_WORDS, ""
            )
        discipline = row.raw("discipline")
        if discipline:
            discipline_id = disciplines.get(discipline)
            if discipline_id is None or discipline_id is _Names.AMBIGUOUS:
                row.error(
                    "discipline",
                    _("unknown discipline '%(value)s'; use Forudse, Forebygge, Opdage or Håndtere")
                    % {"value": discipline},
                )
            else:
                risk.discipline_id = discipline_id
        dimensions_scored = False
        for name in DIMENSION_FIELDS:
            if row.raw(name):
                score = row.whole(name, low=1, high=matrix.consequence_size)
                setattr(risk, name, score)
                dimensions_scored = True
        for name, size in scales:
            if name == "inherent_consequence" and dimensions_scored and not row.raw(name):
                continue  # the highest dimension sets it
            setattr(risk, name, row.whole(name, low=1, high=size))
        risk.owner_id = _owner(row, members, organisation, allowed)
        status = row.choice(
            "status", RISK_STATUS_VOCABULARY, RISK_STATUS_WORDS, RiskStatus.IDENTIFIED
        )
        treatment = row.choice("treatment", TREATMENT_VOCABULARY, TREATMENT_WORDS, "")
        risk.status, risk.treatment = status, treatment or ""
        risk.next_review = row.date("next_review")
        linked: list[int] = []
        for name in split_list(row.raw("assets")):
            asset_id = assets.get(name)
            if asset_id is None:
                row.error(
                    "assets",
                    with_allowed(
                        _("no asset named '%(name)s' in %(organisation)s")
                        % {"name": name, "organisation": organisation.name},
                        allowed.assets(),
                    ),
                )
            elif asset_id is _Names.AMBIGUOUS:
                row.error(
                    "assets",
                    _("several assets are named '%(name)s' in %(organisation)s; rename one")
                    % {"name": name, "organisation": organisation.name},
                )
            elif asset_id not in linked:
                linked.append(asset_id)
        update: Update | None = None
        if target is not None:
            stored, version = target
            values = updated_values(row, risk, present)
            update = Update(
                row.number, stored, version, values, linked if "assets" in table.written else None
            )
            # The rules are judged on the risk as it would be after the update.
            risk = copy.copy(stored)
            for attribute, value in values.items():
                setattr(risk, attribute, value)
        risk.follow_dimensions(matrix)
        if all(getattr(risk, name) is not None for name, _size in scales):
            risk.inherent_level, risk.residual_level = risk.level_from(matrix)
            if status is not None and treatment is not None:
                _apply_rules(row, risk, user, rules, previous=target[0] if target else None)
        if row.errors:
            errors.extend(row.errors)
            continue
        if update is not None:
            if targets.changes(update):
                updates.append(update)
            continue
        risks.append(risk)
        links.append(linked)
    errors.extend(targets.stale_errors())
    if errors:
        raise ImportFailed(errors)

    asset_names = {pk: name for name, pks in assets.exact.items() for pk in pks}
    through = Risk.assets.through
    with transaction.atomic():
        Risk.objects.bulk_create(risks, batch_size=BATCH_SIZE)
        through.objects.bulk_create(
            [
                through(risk_id=risk.pk, asset_id=asset_id)
                for risk, linked in zip(risks, links, strict=True)
                for asset_id in linked
            ],
            batch_size=BATCH_SIZE * 5,
        )
        linked_names = {
            risk.pk: [asset_names[pk] for pk in linked]
            for risk, linked in zip(risks, links, strict=True)
        }
        audit_creations(risks, user=user, m2m=lambda risk: {"assets": linked_names[risk.pk]})
        write_updates(updates, user=user, written=table.written)
        current_observer().saved(len(risks) + len(updates))
    return len(risks) + len(updates)


def _apply_rules(
    row: Row,
    risk: Risk,
    user: AbstractBaseUser | AnonymousUser | None,
    rules: RiskRules,
    *,
    previous: Risk | None = None,
) -> None:
    """The register's rules (``risks.services.risk_validate``), as for the form and the API,
    each problem put on the column of its field. A new risk's acceptance is recorded as the
    user's here; an updated risk's by ``risk_update`` when it is written."""
    try:
        risk_validate(risk=risk, user=user, previous=previous, rules=rules)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                row.error(name, str(message))
        return
    if previous is None:
        risk_decide(risk=risk, user=user, previous=None, rules=rules)


def import_assets(
    *,
    organisation: Organisation,
    user: AbstractBaseUser | AnonymousUser | None,
    upload: BinaryIO,
) -> int:
    """Create the assets of an uploaded file (layout ``ASSETS``) in ``organisation``.

    All or nothing, as ``import_risks``: an asset whose name and type the organisation
    already has, or that appears twice in the file, is an error (the import only adds).
    Returns the number of assets created. Raises ``PermissionDenied`` unless ``user`` may
    add assets in ``organisation``.
    """
    require_add(user, Asset, organisation)
    table = read_table(upload, ASSETS)
    region_list = list(Organisation.objects.regions().only("pk", "slug", "name_da", "name_en"))
    regions = {region.slug.casefold(): region.pk for region in region_list}
    # The audit trail names linked objects as django-auditlog does: by str(object).
    region_names = {region.pk: str(region) for region in region_list}
    existing = set(Asset.objects.filter(organisation=organisation).values_list("name", "kind"))

    errors: list[RowError] = []
    assets: list[Asset] = []
    shares: list[list[int]] = []
    seen: dict[tuple[str, str], int] = {}
    for row in _data_rows(table, ASSETS):
        asset = Asset(
            organisation=organisation,
            name=row.text("name", max_length=200, required=True),
            kind=row.choice("kind", ASSET_KIND_VOCABULARY, ASSET_KIND_WORDS, Asset.Kind.SYSTEM),
            description=row.text("description"),
            supplier=row.text("supplier", max_length=200),
            quantity=row.whole("quantity", low=1, high=MAX_INT, default=1),
            is_legacy=row.boolean("is_legacy"),
            end_of_support=row.date("end_of_support"),
            version=1,
        )
        shared: list[int] = []
        for slug in split_list(row.raw("shared_with")):
            region_id = regions.get(slug.casefold())
            if region_id is None:
                row.error(
                    "shared_with",
                    with_allowed(
                        _("no region with the slug '%(slug)s'") % {"slug": slug},
                        sorted(key for key, pk in regions.items() if pk != organisation.pk),
                    ),
                )
            elif region_id not in shared:
                shared.append(region_id)
        try:
            asset_sharing_validate(organisation_id=organisation.pk, shared_with_ids=shared)
        except ValidationError as error:
            row.error("shared_with", error.message_dict["shared_with"][0])
        key = (asset.name, asset.kind)
        if asset.name and asset.kind and len(asset.name) <= 200:
            if key in existing:
                row.error(
                    "name",
                    _("%(organisation)s already has an asset named '%(name)s' of this type")
                    % {"name": asset.name, "organisation": organisation.name},
                )
            elif key in seen:
                row.error(
                    "name",
                    _("the asset '%(name)s' is already on row %(row)s")
                    % {"name": asset.name, "row": seen[key]},
                )
            else:
                seen[key] = row.number
        if row.errors:
            errors.extend(row.errors)
            continue
        assets.append(asset)
        shares.append(shared)
    if errors:
        raise ImportFailed(errors)

    through = Asset.shared_with.through
    try:
        with transaction.atomic():
            Asset.objects.bulk_create(assets, batch_size=BATCH_SIZE)
            through.objects.bulk_create(
                [
                    through(asset_id=asset.pk, organisation_id=region_id)
                    for asset, shared in zip(assets, shares, strict=True)
                    for region_id in shared
                ],
                batch_size=BATCH_SIZE * 5,
            )
            shared_names = {
                asset.pk: [region_names[pk] for pk in shared]
                for asset, shared in zip(assets, shares, strict=True)
            }
            audit_creations(
                assets, user=user, m2m=lambda asset: {"shared_with": shared_names[asset.pk]}
            )
            current_observer().saved(len(assets))
    except IntegrityError:
        # Someone added an asset of the same name and type since the file was checked.
        fail(
            0,
            "",
            _("The assets of %(organisation)s changed during the import; import the file again.")
            % {"organisation": organisation.name},
        )
    return len(assets)


def import_treatments(
    *,
    organisation: Organisation,
    user: AbstractBaseUser | AnonymousUser | None,
    upload: BinaryIO,
) -> int:
    """Create the treatment actions of an uploaded file (layout ``TREATMENTS``) on risks of
    ``organisation``, each named by its ID or its title.

    All or nothing, as ``import_risks``. Returns the number of actions created. Raises
    ``PermissionDenied`` unless ``user`` may add risks in ``organisation`` (whoever changes
    a region's risks adds their actions).
    """
    require_add(user, Risk, organisation)
    table = read_table(upload, TREATMENTS)
    known = list(Risk.objects.filter(organisation=organisation).values_list("pk", "title"))
    risk_ids = {pk for pk, _title in known}
    by_title = _Names((title, pk) for pk, title in known)
    members = _members(organisation, user)
    allowed = _Allowed(organisation, user)
    rules = risk_rules_for(organisation=organisation, user=user)
    rules.members()
    done = TreatmentAction.Status.DONE

    errors: list[RowError] = []
    actions: list[TreatmentAction] = []
    for row in _data_rows(table, TREATMENTS):
        action = TreatmentAction(
            organisation=organisation,
            title=row.text("title", max_length=300, required=True),
            owner_id=_owner(row, members, organisation, allowed),
            due=row.date("due", required=True),
            status=row.choice(
                "status", ACTION_STATUS_VOCABULARY, ACTION_STATUS_WORDS, TreatmentAction.Status.OPEN
            ),
            done_on=row.date("done_on"),
            version=1,
        )
        reference = row.raw("risk")
        number = whole_number(reference)
        if not reference:
            row.error("risk", _("is required"))
        elif number is not None and number in risk_ids:
            action.risk_id = number
        else:
            risk_id = by_title.get(reference)
            if risk_id is None:
                row.error(
                    "risk",
                    _("%(organisation)s has no risk with the ID or title '%(value)s'")
                    % {"value": reference, "organisation": organisation.name},
                )
            elif risk_id is _Names.AMBIGUOUS:
                row.error(
                    "risk",
                    _(
                        "several risks in %(organisation)s are titled '%(value)s'; give the risk's ID"
                    )
                    % {"value": reference, "organisation": organisation.name},
                )
            else:
                action.risk_id = risk_id
        if action.risk_id is not None:
            try:
                treatment_action_validate(action=action, rules=rules)
            except ValidationError as error:
                for message in error.message_dict["owner"]:
                    row.error("owner", str(message))
        if action.status == done and not action.done_on and not row.raw("done_on"):
            row.error("done_on", _("is required when the status is udført (done)"))
        elif action.done_on and action.status not in (done, None):
            row.error("status", _("must be udført (done) when a completion date is given"))
        if row.errors:
            errors.extend(row.errors)
            continue
        actions.append(action)
    if errors:
        raise ImportFailed(errors)

    with transaction.atomic():
        TreatmentAction.objects.bulk_create(actions, batch_size=BATCH_SIZE)
        audit_creations(actions, user=user)
        current_observer().saved(len(actions))
    return len(actions)
