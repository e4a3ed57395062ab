"""Demo maturity: a campaign per region for every half-year since 2023, improving over
time; all approved except the current half-year's, which is open."""

import random
from collections.abc import Callable
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from capabilities.models import Capability, MaturityAssessment, MaturityEntry
from portal.models import Organisation
from portal.periods import Period, periods_between

Log = Callable[[str], None]


@transaction.atomic
def seed_demo_maturity(*, rng: random.Random, log: Log, today: date | None = None) -> None:
    if MaturityAssessment.objects.exists():
        log("Maturity: campaigns already there, kept")
        return
    today = today or date.today()
    capabilities = list(Capability.objects.all())
    periods = periods_between(Period(2023, "H", 1), Period.containing(today, "H"))
    users = {
        user.username: user
        for user in get_user_model().objects.filter(username__startswith="ciso.")
    }
    entries = []
    count = 0
    for region in Organisation.objects.regions().order_by("slug"):
        ciso = users.get(f"ciso.{region.slug}")
        levels = {capability.pk: rng.randint(0, 2) for capability in capabilities}
        targets = {capability.pk: rng.randint(3, 5) for capability in capabilities}
        for index, period in enumerate(periods):
            current = index == len(periods) - 1
            assessment = MaturityAssessment.objects.create(
                organisation=region,
                period=period.label,
                status="open" if current else "approved",
                approved_by=None if current else ciso,
                approved_at=None,
                submitted_by=None if current else ciso,
            )
            count += 1
            for capability in capabilities:
                if rng.random() < 0.35 and levels[capability.pk] < targets[capability.pk]:
                    levels[capability.pk] += 1
                entries.append(
                    MaturityEntry(
                        assessment=assessment,
                        capability=capability,
                        current_level=levels[capability.pk],
                        target_level=targets[capability.pk],
                        evidence="Dokumenteret i regionens ISMS."
                        if levels[capability.pk] >= 3
                        else "",
                        assessor=ciso,
                    )
                )
    MaturityEntry.objects.bulk_create(entries, batch_size=2000)
    log(f"Maturity: {count} campaigns, {len(entries)} entries")
