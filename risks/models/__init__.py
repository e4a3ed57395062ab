from risks.models.asset import Asset
from risks.models.criteria import (
    AUTHORITY_ORDER,
    AcceptanceCriteria,
    Acceptor,
    CriteriaStatus,
    LevelRule,
)
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
    "AUTHORITY_ORDER",
    "DIMENSION_FIELDS",
    "DIMENSION_ORDER",
    "LEVEL_ORDER",
    "AcceptanceCriteria",
    "Acceptor",
    "Asset",
    "AttackSurface",
    "AttackSurfaceProfile",
    "ConsequenceDimension",
    "CriteriaStatus",
    "CriticalFunction",
    "ImportJob",
    "ImportKind",
    "JointRiskOwner",
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
