"""The consequence dimensions of a risk (ISO 27005's "consequence criteria"): what the risk
would do to patient safety and operations, to confidentiality, integrity and availability,
to the data subjects (GDPR: Datatilsynet asks that risks to personal data be judged from
their point of view), to the region's finances and to its reputation.

The model, kept as small as the scores allow to be honest:

* Each dimension is scored on the matrix's consequence scale, for the *inherent*
  consequence — what happens if the threat is realised, before the controls. A dimension
  left empty is not scored.
* The risk's inherent consequence is the highest of its scored dimensions that the region's
  matrix has switched on (``RiskMatrix.consequence_dimensions``); the dimension that sets it
  (the first in ``DIMENSION_ORDER`` on a tie) is stored as ``Risk.consequence_dimension``, for
  the register's filters, the snapshots and the sector's picture.
* The residual consequence stays one judgement of the risk after its controls, capped by the
  inherent one (as before): it can never exceed the highest switched-on dimension.
* A risk without a switched-on dimension scored keeps its consequence as typed, as before the
  dimensions — old risks and files without the dimension columns keep working.

``Risk.follow_dimensions`` is the one rule; ``Risk.save``, the register's service (form, API,
import updates), the importer's bulk creation and the re-computation after the matrix
changes (``risks.services.risks_follow_dimensions``) all apply it.
"""

from collections.abc import Iterable, Mapping

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsequenceDimension(models.TextChoices):
    PATIENT_SAFETY = "patient_safety", _("Patient safety and operations")
    CONFIDENTIALITY = "confidentiality", _("Confidentiality")
    INTEGRITY = "integrity", _("Integrity")
    AVAILABILITY = "availability", _("Availability")
    DATA_SUBJECTS = "data_subjects", _("The data subjects")
    FINANCE = "finance", _("Finance")
    REPUTATION = "reputation", _("Reputation")


#: The dimensions in the order they are shown, and that breaks a tie for the highest.
DIMENSION_ORDER: list[str] = list(ConsequenceDimension.values)


def dimension_field(dimension: str) -> str:
    """The ``Risk`` field holding the score of ``dimension``."""
    return f"consequence_{dimension}"


#: ``Risk`` fields of the dimensions, in ``DIMENSION_ORDER``.
DIMENSION_FIELDS: list[str] = [dimension_field(dimension) for dimension in DIMENSION_ORDER]


def default_dimensions() -> list[str]:
    """A matrix's switched-on dimensions when it is made: all of them."""
    return list(DIMENSION_ORDER)


def enabled_dimensions(stored: object) -> list[str]:
    """The known dimensions among ``stored`` (a matrix's list), in ``DIMENSION_ORDER``."""
    chosen = set(stored) if isinstance(stored, list | tuple) else set()
    return [dimension for dimension in DIMENSION_ORDER if dimension in chosen]


def highest_dimension(
    scores: Mapping[str, int | None], enabled: Iterable[str]
) -> tuple[str, int] | None:
    """The switched-on dimension with the highest score (the first on a tie) and its score;
    None when no switched-on dimension is scored."""
    chosen = set(enabled)
    best: tuple[str, int] | None = None
    for dimension in DIMENSION_ORDER:
        score = scores.get(dimension)
        if dimension in chosen and score is not None and (best is None or score > best[1]):
            best = (dimension, score)
    return best
