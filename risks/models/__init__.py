from risks.models.asset import Asset
from risks.models.critical_function import CriticalFunction
from risks.models.dimension import DIMENSION_FIELDS, DIMENSION_ORDER, ConsequenceDimension
from risks.models.import_job import ImportJob, ImportKind
from risks.models.joint import JointRiskOwner
from risks.models.matrix import LEVEL_ORDER, Level, RiskMatrix, risk_matrix_for
from risks.models.profile import AttackSurfaceProfile, RiskSnapshot, RiskSnapshotListing
from risks.models.risk import Risk, RiskStatus, TreatmentDecision
from risks.models.threat import AttackSurface, Threat
from risks.models.treatment import TreatmentAction

__all__ = [
    "DIMENSION_FIELDS",
    "DIMENSION_ORDER",
    "LEVEL_ORDER",
    "Asset",
    "AttackSurface",
    "AttackSurfaceProfile",
    "ConsequenceDimension",
    "CriticalFunction",
    "ImportJob",
    "ImportKind",
    "JointRiskOwner",
    "Level",
    "Risk",
    "RiskMatrix",
    "RiskSnapshot",
    "RiskSnapshotListing",
    "RiskStatus",
    "Threat",
    "TreatmentAction",
    "TreatmentDecision",
    "risk_matrix_for",
]
