from risks.models.asset import Asset
from risks.models.critical_function import CriticalFunction
from risks.models.import_job import ImportJob, ImportKind
from risks.models.joint import JointRiskOwner
from risks.models.matrix import LEVEL_ORDER, Level, RiskMatrix, risk_matrix_for
from risks.models.profile import AttackSurfaceProfile, RiskSnapshot, RiskSnapshotListing
from risks.models.risk import Risk, RiskStatus, TreatmentDecision
from risks.models.threat import AttackSurface, Threat
from risks.models.treatment import TreatmentAction

__all__ = [
    "LEVEL_ORDER",
    "Asset",
    "AttackSurface",
    "AttackSurfaceProfile",
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
