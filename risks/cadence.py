"""The review cadence: how long a risk may go between revurderinger.

Each level's longest interval comes from the region's acceptance criteria in force
(``<level>_review_months``). A risk's revurdering is due at the earlier of the date planned
for it (``next_review``) and its last review (``last_reviewed``; the day it was recorded when
it was never reviewed) plus its level's interval; it is *review overdue* when that day has
passed. What counts as a review: the risk's owner or the region's CISO saving it on the page,
through the API or an import, or accepting it (``risks.services.risk_decide``).

A region whose criteria the reader may not see (another region's risk on a shared system)
is judged by the default intervals."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils.timezone import localdate

from risks.acceptance import add_months
from risks.models import AcceptanceCriteria, CriteriaStatus, Level, Risk
from risks.models.criteria import DEFAULT_RULES

_FIELDS = [f"{level}_review_months" for level in Level.values]


@dataclass(frozen=True)
class ReviewCadence:
    """The intervals of every region in force, read once (one query)."""

    by_organisation: dict[int, dict[str, int]]
    default: dict[str, int]

    @classmethod
    def load(cls) -> "ReviewCadence":
        rows = (
            AcceptanceCriteria.objects.filter(status=CriteriaStatus.APPROVED)
            .order_by("organisation_id", "number")
            .values_list("organisation_id", *_FIELDS)
        )
        # The latest approved version of each organisation is the last of its rows.
        by_organisation = {row[0]: dict(zip(Level.values, row[1:], strict=True)) for row in rows}
        default = {level: rule[2] for level, rule in DEFAULT_RULES.items()}
        return cls(by_organisation=by_organisation, default=default)

    def months(self, organisation_id: int, level: str) -> int:
        return self.by_organisation.get(organisation_id, self.default)[level]

    def due_q(self, day: date, *, inclusive: bool = False) -> Q:
        """The risks whose revurdering is due before ``day`` (overdue on ``day``), or on it
        too with ``inclusive``."""
        lookup = "lte" if inclusive else "lt"

        def cadence(months_by_level: dict[str, int]) -> Q:
            terms = Q()
            for level, months in months_by_level.items():
                cutoff = add_months(day, -months)
                reviewed = Q(**{f"last_reviewed__{lookup}": cutoff}) | Q(
                    last_reviewed__isnull=True, **{f"created_at__date__{lookup}": cutoff}
                )
                terms |= Q(residual_level=level) & reviewed
            return terms

        terms = Q(**{f"next_review__{lookup}": day})
        for organisation_id, months in self.by_organisation.items():
            terms |= Q(organisation_id=organisation_id) & cadence(months)
        terms |= ~Q(organisation_id__in=list(self.by_organisation)) & cadence(self.default)
        return terms

    def overdue_q(self, today: date) -> Q:
        return self.due_q(today)

    def due_on(self, risk: Risk) -> date:
        """The day ``risk``'s revurdering is due."""
        base = risk.last_reviewed or (
            localdate(risk.created_at) if risk.created_at else localdate()
        )
        due = add_months(base, self.months(risk.organisation_id, risk.residual_level))
        return min(due, risk.next_review) if risk.next_review else due

    def attach(self, risks, *, today: date) -> list[Risk]:
        """``risks`` as a list, each with ``review_due`` and ``review_overdue``."""
        rows = list(risks)
        for risk in rows:
            risk.review_due = self.due_on(risk)
            risk.review_overdue = risk.review_due < today
        return rows
