"""What a report edition prints that people wrote: its narrative sections."""

from dataclasses import dataclass

from reports.models import NarrativeDraft, ReportKind, ReportRun

#: The narrative sections an edition prints with no text of the portal's own in their place:
#: approval waits until they are written (the introduction has the sector's standard text).
REQUIRED_SECTIONS: dict[str, tuple[str, ...]] = {
    ReportKind.COUNCIL_APPENDIX: (
        NarrativeDraft.Section.THREAT_ASSESSMENT,
        NarrativeDraft.Section.CONCLUSION,
    ),
    ReportKind.CISO_QUARTERLY: (NarrativeDraft.Section.CONCLUSION,),
    ReportKind.TSI_PORTFOLIO: (),
    ReportKind.SECTOR_RISK_PICTURE: (),
}


#: The narrative sections each kind prints, in the order its editor shows them.
SECTIONS: dict[str, tuple[str, ...]] = {
    ReportKind.COUNCIL_APPENDIX: (
        NarrativeDraft.Section.INTRODUCTION,
        NarrativeDraft.Section.FOCUS_LAST_HALF,
        NarrativeDraft.Section.FOCUS_CURRENT_HALF,
        NarrativeDraft.Section.THREAT_ASSESSMENT,
        NarrativeDraft.Section.CONCLUSION,
    ),
    ReportKind.CISO_QUARTERLY: (
        NarrativeDraft.Section.INTRODUCTION,
        NarrativeDraft.Section.THREAT_ASSESSMENT,
        NarrativeDraft.Section.CONCLUSION,
    ),
    ReportKind.TSI_PORTFOLIO: (
        NarrativeDraft.Section.INTRODUCTION,
        NarrativeDraft.Section.THREAT_ASSESSMENT,
        NarrativeDraft.Section.CONCLUSION,
    ),
    # Counts only, every word the portal's own: nothing is written for it.
    ReportKind.SECTOR_RISK_PICTURE: (),
}


def sections_for(kind: str) -> tuple[str, ...]:
    """The narrative sections of ``kind`` (``SECTIONS``); none for a kind whose every word
    is the portal's own (the sector's risk picture)."""
    return SECTIONS.get(kind, tuple(NarrativeDraft.Section.values))


@dataclass(frozen=True)
class Narrative:
    section: str
    #: Markdown, as written.
    body: str
    #: Whether a region's edition prints the secretariat's text (it wrote none of its own).
    inherited: bool


def _written(run: ReportRun, *, sector: bool) -> dict[str, str]:
    drafts = NarrativeDraft.objects.filter(
        kind=run.kind, organisation=None if sector else run.organisation, period=run.period
    ).values_list("section", "body")
    return {section: body for section, body in drafts if body.strip()}


def narratives_for(run: ReportRun) -> dict[str, Narrative]:
    """The narrative sections the run prints, by section: the edition's own texts, and in a
    region's edition of the councils' appendix the secretariat's for any section the region
    has not written."""
    own = _written(run, sector=False)
    inherited: dict[str, str] = {}
    if run.organisation_id is not None and run.kind == ReportKind.COUNCIL_APPENDIX:
        inherited = _written(run, sector=True)
    result: dict[str, Narrative] = {}
    for section in NarrativeDraft.Section.values:
        if section in own:
            result[section] = Narrative(section, own[section], inherited=False)
        elif section in inherited:
            result[section] = Narrative(section, inherited[section], inherited=True)
    return result


def narratives_missing(run: ReportRun) -> list[str]:
    """The required sections (``REQUIRED_SECTIONS``) the run would print empty."""
    written = narratives_for(run)
    return [section for section in REQUIRED_SECTIONS[run.kind] if section not in written]
