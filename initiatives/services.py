"""Writes of the portfolio: reference data, status updates, reminders."""

from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from capabilities.models import Discipline
from initiatives.models import (
    Initiative,
    StatusReminder,
    StatusUpdate,
    StrategicObjective,
    Strategy,
    WorkingGroup,
)
from initiatives.selectors import initiatives_missing_update
from portal.models import ConcurrentUpdate
from portal.periods import (
    InvalidPeriod,
    Period,
    current_period,
    default_kind,
    periods_between,
)
from portal.reference import read_yaml
from portal.sync import SyncReport, sync_m2m, sync_object

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

#: A working group is reminded this long before the end of a period without its update.
REMINDER_LEAD_TIME = timedelta(days=14)


@transaction.atomic
def strategies_load_reference(*, report: SyncReport) -> list[Strategy]:
    """The sector strategies with their objectives and initiatives (needs the disciplines)."""
    data = read_yaml(REFERENCE_DIR / "strategies.yaml")
    disciplines = {discipline.code: discipline for discipline in Discipline.objects.all()}
    strategies: dict[str, Strategy] = {}
    for row in data["strategies"]:
        strategy = sync_object(
            Strategy,
            lookup={"slug": row["slug"]},
            values={
                "title_da": row["title_da"],
                "title_en": row.get("title_en", ""),
                "start_year": row["start_year"],
                "end_year": row["end_year"],
                "predecessor": strategies.get(row.get("predecessor", "")),
            },
            report=report,
        )
        strategies[strategy.slug] = strategy
        objectives = {}
        for objective in row.get("objectives", []):
            objectives[objective["number"]] = sync_object(
                StrategicObjective,
                lookup={"strategy": strategy, "number": objective["number"]},
                values={
                    "title_da": objective["title_da"],
                    "title_en": objective.get("title_en", ""),
                    "description_da": objective.get("description_da", ""),
                    "description_en": objective.get("description_en", ""),
                },
                report=report,
            )
        for item in row.get("initiatives", []):
            initiative = sync_object(
                Initiative,
                lookup={"strategy": strategy, "number": item["number"]},
                values={
                    "title_da": item["title_da"],
                    "title_en": item.get("title_en", ""),
                    "discipline": disciplines[item["discipline"]],
                },
                defaults={
                    "start_date": date(strategy.start_year, 1, 1),
                    "end_date": date(strategy.end_year, 12, 31),
                },
                report=report,
            )
            # The shipped mapping is a proposal: once the secretariat has confirmed (and perhaps
            # corrected) it, loading the reference data again leaves it alone.
            if "objectives" in item and not initiative.objectives_confirmed:
                sync_m2m(
                    initiative,
                    "objectives",
                    [objectives[number] for number in item["objectives"]],
                    report,
                )
        created = implementations_ensure(strategy=strategy)
        if created:
            report[("regional implementations", "created")] += created
    return list(strategies.values())


def implementations_ensure(*, strategy: Strategy) -> int:
    """Give every initiative of ``strategy`` a row per region in the implementation matrix
    (status "not started" until the region's CISO says otherwise), each with its first
    record (``ImplementationRecord``, written by ``save`` but not by a bulk create). Returns
    rows created."""
    from initiatives.models import ImplementationRecord, RegionalImplementation
    from portal.models import Organisation

    regions = list(Organisation.objects.regions())
    existing = set(
        RegionalImplementation.objects.filter(initiative__strategy=strategy).values_list(
            "initiative_id", "organisation_id"
        )
    )
    missing = [
        RegionalImplementation(initiative=initiative, organisation=region)
        for initiative in strategy.initiatives.all()
        for region in regions
        if (initiative.pk, region.pk) not in existing
    ]
    if not missing:
        return 0
    RegionalImplementation.objects.bulk_create(missing, ignore_conflicts=True)
    unrecorded = RegionalImplementation.objects.filter(
        initiative__strategy=strategy, records__isnull=True
    ).values_list("pk", "status", "note", "updated_at")
    ImplementationRecord.objects.bulk_create(
        [
            ImplementationRecord(implementation_id=pk, status=status, note=note, recorded_at=at)
            for pk, status, note, at in unrecorded
        ]
    )
    return len(missing)


def strategy_periods(strategy: Strategy, *, today: date | None = None) -> list[Period]:
    """The reporting periods a strategy's initiatives report on: from its start until its
    successor starts — initiatives keep reporting after the planned end until then — and
    never beyond the current period."""
    today = today or date.today()
    first = Period.containing(date(strategy.start_year, 1, 1))
    last = current_period(today)
    successor = Strategy.objects.filter(predecessor=strategy).first()
    if successor is not None:
        last = min(last, Period.containing(date(successor.start_year, 1, 1)).previous())
    return periods_between(first, last)


def validate_period(initiative: Initiative, label: str, *, today: date | None = None) -> Period:
    try:
        period = Period.parse(label)
    except InvalidPeriod as error:
        raise ValidationError({"period": [str(error)]}) from None
    if period.kind != default_kind():
        message = (
            _("Periods are half-years here, e.g. 2026-H1.")
            if default_kind() == "H"
            else _("Periods are quarters here, e.g. 2026-Q3.")
        )
        raise ValidationError({"period": [message]})
    allowed = strategy_periods(initiative.strategy, today=today)
    if period not in allowed:
        raise ValidationError(
            {
                "period": [
                    _(
                        "%(period)s is outside the strategy's reporting periods (%(first)s – %(last)s)."
                    )
                    % {"period": period, "first": allowed[0], "last": allowed[-1]}
                    if allowed
                    else _("The strategy has no reporting periods yet.")
                ]
            }
        )
    return period


def initiative_record_status(
    *,
    initiative: Initiative,
    author: User,
    expected_version: int | None,
    period: str,
    status: str,
    rag: str,
    progress: int,
    narrative: str = "",
    achievements: str = "",
    next_steps: str = "",
    blockers: str = "",
    corrects: StatusUpdate | None = None,
) -> StatusUpdate:
    """Append a status update to ``initiative``.

    ``expected_version`` is the initiative's version the author read (form field or
    ``If-Match``): if someone else recorded a status or edited the initiative since, this
    raises ``ConcurrentUpdate`` and writes nothing. Bad input raises ``ValidationError``
    with field-level messages.
    """
    validate_period(initiative, period)
    update = StatusUpdate(
        initiative=initiative,
        period=period,
        status=status,
        rag=rag,
        progress=progress,
        narrative=narrative,
        achievements=achievements,
        next_steps=next_steps,
        blockers=blockers,
        corrects=corrects,
        author=author,
    )
    update.full_clean()
    with transaction.atomic():
        version = initiative.version if expected_version is None else expected_version
        claimed = Initiative.objects.filter(pk=initiative.pk, version=version).update(
            version=version + 1
        )
        if not claimed:
            raise ConcurrentUpdate(initiative)
        initiative.version = version + 1
        update.save()
    return update


def status_reminders_send(*, today: date | None = None) -> int:
    """E-mail each working group whose initiatives miss the current period's update, when
    the period ends within two weeks. Once per group per period; returns mails sent."""
    today = today or date.today()
    period = current_period(today)
    if period.end - today > REMINDER_LEAD_TIME:
        return 0
    groups = (
        WorkingGroup.objects.filter(initiatives__isnull=False)
        .exclude(reminders__period=period.label)
        .distinct()
    )
    sent = 0
    for group in groups:
        missing = list(
            initiatives_missing_update(period=period, queryset=group.initiatives.all()).order_by(
                "sort_key"
            )
        )
        recipients = [
            seat.user.email for seat in group.seats.select_related("user") if seat.user.email
        ]
        if not missing or not recipients:
            continue
        try:
            with transaction.atomic():
                StatusReminder.objects.create(
                    working_group=group, period=period.label, recipients=len(recipients)
                )
                subject = _("Status update due for %(period)s: %(group)s") % {
                    "period": period.name,
                    "group": group.name_da,
                }
                # A header is one line: a line break in a name (the API takes any text) would
                # make Django refuse the mail and stop the reminders of every later group.
                subject = " ".join(subject.split())
                lines = "\n".join(f"- {initiative}" for initiative in missing)
                body = _(
                    "These initiatives have no status update for %(period)s, which ends on "
                    "%(end)s:\n\n%(lines)s\n"
                ) % {
                    "period": period.name,
                    "end": date_format(period.end, "DATE_FORMAT"),
                    "lines": lines,
                }
                send_mass_mail(
                    [
                        (subject, body, settings.DEFAULT_FROM_EMAIL, [address])
                        for address in recipients
                    ]
                )
        except IntegrityError:
            continue  # another worker reminded this group a moment ago
        sent += len(recipients)
    return sent
