from datetime import date

import pytest

from initiatives.models import Strategy
from initiatives.services import strategy_periods
from portal.periods import InvalidPeriod, Period, periods_between


def test_half_years_and_quarters():
    assert Period.parse("2026-H1").start == date(2026, 1, 1)
    assert Period.parse("2026-H1").end == date(2026, 6, 30)
    assert Period.parse("2026-Q3").start == date(2026, 7, 1)
    assert Period.parse("2026-Q4").end == date(2026, 12, 31)
    assert Period.containing(date(2026, 11, 22), "H").label == "2026-H2"
    assert Period.containing(date(2026, 11, 22), "Q").label == "2026-Q4"
    assert Period.parse("2026-H2").next().label == "2027-H1"
    assert Period.parse("2026-Q1").previous().label == "2025-Q4"


@pytest.mark.parametrize("label", ["2026-H3", "2026-Q5", "2026", "H1-2026", ""])
def test_malformed_labels_are_refused(label):
    with pytest.raises(InvalidPeriod):
        Period.parse(label)


def test_quarters_can_be_configured(settings, portfolio):
    settings.REPORTING_PERIODS = "quarter"
    periods = strategy_periods(portfolio.initiative.strategy, today=date(2023, 8, 1))
    assert [p.label for p in periods] == ["2023-Q1", "2023-Q2", "2023-Q3"]


def test_a_strategy_reports_until_its_successor_starts(portfolio):
    strategy = portfolio.initiative.strategy
    periods = strategy_periods(strategy, today=date(2026, 11, 22))
    assert periods[0].label == "2023-H1" and periods[-1].label == "2026-H2"
    Strategy.objects.create(
        slug="2026-2028", title_da="Næste", start_year=2026, end_year=2028, predecessor=strategy
    )
    periods = strategy_periods(strategy, today=date(2026, 11, 22))
    assert periods[-1].label == "2025-H2"


def test_periods_between_is_bounded():
    assert len(periods_between(Period(2000, "H", 1), Period(2400, "H", 1))) == 400
