from capabilities.models.capability import Capability, CapabilityRequirement
from capabilities.models.discipline import Discipline
from capabilities.models.framework import Framework, Requirement
from capabilities.models.maturity import MATURITY_LEVELS, MaturityAssessment, MaturityEntry

__all__ = [
    "MATURITY_LEVELS",
    "Capability",
    "CapabilityRequirement",
    "Discipline",
    "Framework",
    "MaturityAssessment",
    "MaturityEntry",
    "Requirement",
]
