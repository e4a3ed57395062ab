from reports.models.draft import NarrativeDraft
from reports.models.run import Classification, ReportKind, ReportRun

__all__ = ["Classification", "NarrativeDraft", "ReportKind", "ReportRun"]
