"""``drafts_save``: the narrative sections of one edition, saved all or none."""

import pytest
from django.core.exceptions import PermissionDenied

from portal.models import ConcurrentUpdate
from reports.models import NarrativeDraft
from reports.services import drafts_save
from tests.conftest import Personas
from tests.factories import NarrativeDraftFactory

Section = NarrativeDraft.Section


def edition(personas: Personas, organisation=None) -> dict[str, NarrativeDraft]:
    organisation = organisation or personas.region_a
    found = {
        draft.section: draft
        for draft in NarrativeDraft.objects.filter(organisation=organisation, period="2026-Q1")
    }
    return {
        section: found.get(section)
        or NarrativeDraft(
            kind="ciso_quarterly", organisation=organisation, period="2026-Q1", section=section
        )
        for section in Section.values
    }


def test_it_saves_changed_sections_and_skips_empty_new_ones(personas: Personas):
    intro = NarrativeDraftFactory(organisation=personas.region_a, body="Før.")
    saved = drafts_save(
        user=personas.ciso_a,
        drafts=edition(personas),
        values={
            Section.INTRODUCTION: {"body": "Efter.", "version": intro.version},
            Section.THREAT_ASSESSMENT: {"body": "", "version": None},
            Section.CONCLUSION: {"body": "Slut.", "version": None},
        },
    )
    assert saved == 2
    bodies = dict(
        NarrativeDraft.objects.filter(organisation=personas.region_a).values_list("section", "body")
    )
    assert bodies == {Section.INTRODUCTION: "Efter.", Section.CONCLUSION: "Slut."}


def test_it_writes_nothing_when_a_section_was_saved_in_between(personas: Personas):
    intro = NarrativeDraftFactory(organisation=personas.region_a, body="Før.")
    seen = intro.version
    intro.body = "Someone else's."
    intro.save()
    with pytest.raises(ConcurrentUpdate):
        drafts_save(
            user=personas.ciso_a,
            drafts=edition(personas),
            values={
                Section.INTRODUCTION: {"body": "Mine.", "version": seen},
                Section.THREAT_ASSESSMENT: {"body": "Ny.", "version": None},
                Section.CONCLUSION: {"body": "", "version": None},
            },
        )
    assert list(NarrativeDraft.objects.values_list("body", flat=True)) == ["Someone else's."]


def test_it_refuses_a_user_who_may_not_change_the_edition(personas: Personas):
    with pytest.raises(PermissionDenied):
        drafts_save(
            user=personas.ciso_b,
            drafts=edition(personas),
            values={
                Section.INTRODUCTION: {"body": "Fremmed.", "version": None},
                Section.THREAT_ASSESSMENT: {"body": "", "version": None},
                Section.CONCLUSION: {"body": "", "version": None},
            },
        )
    assert not NarrativeDraft.objects.exists()
