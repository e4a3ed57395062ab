from reports.models.draft import NarrativeDraft
from reports.models.run import ReportKind, ReportRun

__all__ = ["NarrativeDraft", "ReportKind", "ReportRun"]
