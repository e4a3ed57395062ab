"""What the risk register shows of the incidents: on a risk's page, the incidents whose
lessons it is (``risks.related``; registered in ``IncidentsConfig.ready``). Read through the
permission layer: another region reading a shared risk sees none of the owner's incidents."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident
from risks.models import Risk
from risks.related import RelatedItem, RelatedSection


def incidents_for_risk(*, user: AbstractBaseUser | AnonymousUser, risk: Risk) -> RelatedSection:
    incidents = (
        Incident.objects.restrict(user)
        .filter(risk_links__risk=risk)
        .order_by("-aware_at", "-pk")
        .distinct()
    )
    return RelatedSection(
        anchor="incidents",
        heading=_("Incidents"),
        empty=_("No incident has been linked to this risk as a lesson learned."),
        items=[
            RelatedItem(
                url=incident.get_absolute_url(),
                title=incident.title,
                note=f"{incident.get_status_display()}, "
                f"{date_format(localtime(incident.aware_at).date(), 'SHORT_DATE_FORMAT')}",
            )
            for incident in incidents
        ],
    )
