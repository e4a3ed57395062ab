import pytest
from django.core.management import call_command

from capabilities.maturity import assessment_approve, assessment_start, assessment_submit
from capabilities.models import MaturityAssessment


@pytest.fixture
def catalogue(db):
    call_command("load_reference", verbosity=0)


def approved_campaign(region, ciso, period="2025-H2", level=2, target=4) -> MaturityAssessment:
    assessment = assessment_start(organisation=region, period=period, user=ciso)
    assessment.entries.update(current_level=level, target_level=target)
    assessment_submit(assessment=assessment, user=ciso)
    assessment_approve(assessment=assessment, user=ciso)
    assessment.refresh_from_db()
    return assessment
