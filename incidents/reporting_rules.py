"""The reporting clocks an incident can start (``reference/reporting_deadlines.yaml``).

The file is the app's reference data: the legal deadlines in words, and for each clock the
portal runs its ``kind``, either ``hours`` from becoming aware or ``months_after`` the
submission of another stage, and the incident's ``fields`` its report holds (the stage's
notification draft, ``incidents.drafts``). It is read once per process.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.reference import read_yaml

REFERENCE_FILE = Path(__file__).resolve().parent / "reference" / "reporting_deadlines.yaml"


class DeadlineKind(models.TextChoices):
    """The clocks the portal runs (the API's ``deadlines[].kind``)."""

    NIS2_EARLY_WARNING = "nis2_early_warning", _("NIS2 early warning")
    NIS2_NOTIFICATION = "nis2_notification", _("NIS2 incident notification")
    NIS2_FINAL_REPORT = "nis2_final_report", _("NIS2 final report")
    GDPR_NOTIFICATION = "gdpr_notification", _("Notification to Datatilsynet")


#: The clocks of each regime, in the order they run.
NIS2_KINDS = (
    DeadlineKind.NIS2_EARLY_WARNING,
    DeadlineKind.NIS2_NOTIFICATION,
    DeadlineKind.NIS2_FINAL_REPORT,
)
GDPR_KINDS = (DeadlineKind.GDPR_NOTIFICATION,)


@dataclass(frozen=True)
class StageRule:
    """One clock: due ``hours`` after becoming aware, or ``months_after`` calendar months
    after the submission of ``after_kind``."""

    kind: DeadlineKind
    regime: str
    deadline_en: str
    content_en: str
    hours: int | None = None
    months_after: int | None = None
    after_kind: DeadlineKind | None = None
    #: The incident's fields the stage's report holds, in the order the draft gives them.
    fields: tuple[str, ...] = ()


@cache
def stage_rules() -> dict[DeadlineKind, StageRule]:
    """The clocks of the reference file, by kind. Raises ``ValueError`` when a clock the
    portal runs is missing or has neither hours nor a month rule."""
    data = read_yaml(REFERENCE_FILE)
    rules: dict[DeadlineKind, StageRule] = {}
    for regime in data["regimes"]:
        for stage in regime["stages"]:
            if not stage.get("kind"):
                continue
            kind = DeadlineKind(stage["kind"])
            after = stage.get("after_kind")
            rule = StageRule(
                kind=kind,
                regime=regime["id"],
                deadline_en=" ".join(stage["deadline_en"].split()),
                content_en=" ".join(stage.get("content_en", "").split()),
                hours=stage.get("hours"),
                months_after=stage.get("months_after"),
                after_kind=DeadlineKind(after) if after else None,
                fields=tuple(stage.get("fields") or ()),
            )
            if rule.hours is None and (rule.months_after is None or rule.after_kind is None):
                raise ValueError(f"{REFERENCE_FILE}: {kind} has no deadline the portal can run")
            if not rule.fields:
                raise ValueError(f"{REFERENCE_FILE}: {kind} names no fields for its report")
            rules[kind] = rule
    missing = set(DeadlineKind) - set(rules)
    if missing:
        raise ValueError(f"{REFERENCE_FILE}: no rule for {sorted(missing)}")
    return rules
