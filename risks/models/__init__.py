from risks.models.asset import Asset
from risks.models.criteria import (
    AUTHORITY_ORDER,
    AcceptanceCriteria,
    Acceptor,
    CriteriaStatus,
    LevelRule,
)
from risks.models.critical_function import CriticalFunction
from risks.models.import_job import ImportJob, ImportKind
from risks.models.matrix import LEVEL_ORDER, Level, RiskMatrix, risk_matrix_for
from risks.models.profile import AttackSurfaceProfile, RiskSnapshot, RiskSnapshotListing
from risks.models.risk import Risk, RiskStatus, TreatmentDecision
from risks.models.threat import AttackSurface, Threat
from risks.models.treatment import TreatmentAction

__all__ = [
    "AUTHORITY_ORDER",
    "LEVEL_ORDER",
    "AcceptanceCriteria",
    "Acceptor",
    "Asset",
    "AttackSurface",
    "AttackSurfaceProfile",
    "CriteriaStatus",
    "CriticalFunction",
    "ImportJob",
    "ImportKind",
    "Level",
    "LevelRule",
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
