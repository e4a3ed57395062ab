"""The demo's quarterly risk snapshots carry the quarter's lists (``RiskSnapshotListing``)
that the snapshot service writes, so that the CISO's quarterly report of a past quarter
shows its ten highest risks."""

from datetime import date

import pytest
from django.utils import translation

from portal.models import Organisation
from portal.periods import Period
from reports.models import ReportRun
from reports.rendering import render_html, report_context
from risks.models import RiskSnapshot
from risks.selectors import QuarterListing, quarter_listing_live

pytestmark = pytest.mark.django_db


def test_the_demos_past_snapshots_hold_the_lists_and_the_report_shows_a_top_ten(sector):
    region = Organisation.objects.get(slug="hovedstaden")
    quarter = Period.containing(date.today(), "Q").previous()
    snapshots = RiskSnapshot.objects.filter(organisation__kind=Organisation.Kind.REGION)
    assert snapshots.exists()
    assert not snapshots.filter(listing_record__isnull=True).exists()

    snapshot = RiskSnapshot.objects.get(organisation=region, period=quarter.label)
    listing = QuarterListing.from_json(snapshot.listing_record.listing)
    assert listing.quarter == quarter.label
    assert len(listing.top) == 10
    # What the snapshot service's selector reads as of the quarter's end.
    expected = quarter_listing_live(region, today=quarter.end)
    assert [risk.title for risk in listing.top] == [risk.title for risk in expected.top]

    run = ReportRun(kind="ciso_quarterly", organisation=region, period=quarter.label, language="en")
    context = report_context(run)
    assert not context["risk_picture"].live
    assert [risk.title for risk in context["listing"].top] == [r.title for r in listing.top]
    with translation.override("en"):
        html = render_html(run)
    assert "holds no list of the highest risks" not in html
    assert 'class="long-text top-risks"' in html
    for risk in listing.top:
        assert risk.title in html
