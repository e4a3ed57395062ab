"""The reporting clocks in absolute time (``incidents.clocks``)."""

from datetime import UTC, datetime, timedelta

import pytest

from incidents.clocks import (
    COPENHAGEN,
    add_calendar_months,
    applicable_kinds,
    deadlines,
    first_submissions,
)
from incidents.reporting_rules import DeadlineKind, stage_rules

EARLY = DeadlineKind.NIS2_EARLY_WARNING
NOTIFICATION = DeadlineKind.NIS2_NOTIFICATION
FINAL = DeadlineKind.NIS2_FINAL_REPORT
GDPR = DeadlineKind.GDPR_NOTIFICATION


def cph(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=COPENHAGEN).replace(fold=fold)


def test_it_reads_the_legal_deadlines_from_the_reference_file():
    rules = stage_rules()
    assert rules[EARLY].hours == 24
    assert rules[NOTIFICATION].hours == 72
    assert rules[GDPR].hours == 72
    assert rules[FINAL].hours is None
    assert (rules[FINAL].months_after, rules[FINAL].after_kind) == (1, NOTIFICATION)
    assert "24 hours of becoming aware" in rules[EARLY].deadline_en
    assert "one month after the submission of the incident notification" in (
        rules[FINAL].deadline_en
    )
    assert "reasons for the delay" in rules[GDPR].deadline_en


@pytest.mark.parametrize(
    ("aware_at", "early_warning_due", "notification_due"),
    [
        # An ordinary summer day.
        (cph(2026, 6, 15, 9, 0), cph(2026, 6, 16, 9, 0), cph(2026, 6, 18, 9, 0)),
        # Across the change to summer time (29 March 2026, 02:00 CET → 03:00 CEST): the
        # clock keeps its hours, so the wall clock shows one hour more.
        (cph(2026, 3, 28, 12, 0), cph(2026, 3, 29, 13, 0), cph(2026, 3, 31, 13, 0)),
        (cph(2026, 3, 29, 1, 30), cph(2026, 3, 30, 2, 30), cph(2026, 4, 1, 2, 30)),
        # Across the change back (25 October 2026, 03:00 CEST → 02:00 CET): one hour less.
        (cph(2026, 10, 24, 12, 0), cph(2026, 10, 25, 11, 0), cph(2026, 10, 27, 11, 0)),
        # In the hour that happens twice: its first and its second time.
        (cph(2026, 10, 25, 2, 30), cph(2026, 10, 26, 1, 30), cph(2026, 10, 28, 1, 30)),
        (
            cph(2026, 10, 25, 2, 30, fold=1),
            cph(2026, 10, 26, 2, 30),
            cph(2026, 10, 28, 2, 30),
        ),
        # At a month's and a year's end.
        (cph(2026, 12, 31, 23, 0), cph(2027, 1, 1, 23, 0), cph(2027, 1, 3, 23, 0)),
    ],
)
def test_the_hour_clocks_keep_their_hours(aware_at, early_warning_due, notification_due):
    now = aware_at + timedelta(minutes=1)
    clocks = {
        d.kind: d
        for d in deadlines(
            aware_at=aware_at, kinds=[EARLY, NOTIFICATION, GDPR], submitted={}, now=now
        )
    }
    assert clocks[EARLY].due_at == early_warning_due
    assert clocks[NOTIFICATION].due_at == notification_due
    assert clocks[GDPR].due_at == notification_due
    assert clocks[EARLY].due_at.astimezone(COPENHAGEN).replace(tzinfo=None) == (
        early_warning_due.replace(tzinfo=None)
    )
    assert clocks[EARLY].due_at - aware_at == timedelta(hours=24)
    assert clocks[NOTIFICATION].due_at - aware_at == timedelta(hours=72)
    assert not any(d.overdue for d in clocks.values())


@pytest.mark.parametrize(
    ("notification_submitted", "final_due_local"),
    [
        # The last day of a shorter month.
        (cph(2026, 1, 31, 10, 0), datetime(2026, 2, 28, 10, 0)),
        (cph(2028, 1, 31, 10, 0), datetime(2028, 2, 29, 10, 0)),
        (cph(2026, 3, 31, 16, 45), datetime(2026, 4, 30, 16, 45)),
        # Across the change to summer time: the same wall-clock time, an hour less elapsed.
        (cph(2026, 3, 10, 10, 0), datetime(2026, 4, 10, 10, 0)),
        # Into the change back: 02:30 on 25 October is read as its first time (summer time).
        (cph(2026, 9, 25, 2, 30), datetime(2026, 10, 25, 2, 30)),
        (cph(2026, 12, 15, 8, 0), datetime(2027, 1, 15, 8, 0)),
    ],
)
def test_the_final_report_is_due_a_calendar_month_after_the_notification(
    notification_submitted, final_due_local
):
    aware_at = notification_submitted - timedelta(hours=50)
    (final,) = deadlines(
        aware_at=aware_at,
        kinds=[FINAL],
        submitted={NOTIFICATION: notification_submitted},
        now=notification_submitted,
    )
    local = final.due_at.astimezone(COPENHAGEN)
    assert local.replace(tzinfo=None) == final_due_local
    assert local.fold == 0
    assert not final.provisional


def test_a_month_across_the_change_to_summer_time_is_an_hour_shorter():
    submitted = cph(2026, 3, 10, 10, 0)
    assert add_calendar_months(submitted, 1) - submitted == timedelta(days=31, hours=-1)
    assert add_calendar_months(submitted, 1).tzinfo is UTC


def test_until_the_notification_is_submitted_the_final_report_runs_from_its_deadline():
    aware_at = cph(2026, 1, 28, 10, 0)  # the notification is due on 31 January, 10:00
    (final,) = deadlines(aware_at=aware_at, kinds=[FINAL], submitted={}, now=aware_at)
    assert final.provisional
    assert final.due_at.astimezone(COPENHAGEN).replace(tzinfo=None) == datetime(2026, 2, 28, 10, 0)
    late_notification = cph(2026, 2, 2, 9, 0)
    (final,) = deadlines(
        aware_at=aware_at, kinds=[FINAL], submitted={NOTIFICATION: late_notification}, now=aware_at
    )
    assert not final.provisional
    assert final.due_at.astimezone(COPENHAGEN).replace(tzinfo=None) == datetime(2026, 3, 2, 9, 0)


def test_a_clock_is_overdue_only_while_nothing_is_submitted():
    aware_at = cph(2026, 5, 4, 8, 0)
    now = aware_at + timedelta(hours=30)
    early, notification = deadlines(
        aware_at=aware_at, kinds=[EARLY, NOTIFICATION], submitted={}, now=now
    )
    assert early.overdue and early.is_open
    assert early.time_left(now) == timedelta(hours=-6)
    assert not notification.overdue
    assert notification.time_left(now) == timedelta(hours=42)
    (early,) = deadlines(
        aware_at=aware_at,
        kinds=[EARLY],
        submitted={EARLY: aware_at + timedelta(hours=25)},
        now=now,
    )
    assert not early.overdue
    assert early.late


def test_the_first_submission_of_a_kind_stops_its_clock():
    first = cph(2026, 5, 4, 9, 0)
    pairs = [("nis2_early_warning", first + timedelta(hours=2)), ("nis2_early_warning", first)]
    assert first_submissions(pairs) == {EARLY: first}


@pytest.mark.parametrize(
    ("nis2", "breach", "exception", "kinds"),
    [
        (False, False, False, []),
        (True, False, False, [EARLY, NOTIFICATION, FINAL]),
        (False, True, False, [GDPR]),
        (False, True, True, []),
        (True, True, False, [EARLY, NOTIFICATION, FINAL, GDPR]),
    ],
)
def test_the_classification_decides_the_clocks(nis2, breach, exception, kinds):
    assert (
        applicable_kinds(nis2_significant=nis2, gdpr_breach=breach, gdpr_exception=exception)
        == kinds
    )


def test_no_clock_runs_before_the_region_is_aware():
    assert deadlines(aware_at=None, kinds=[EARLY], submitted={}, now=cph(2026, 1, 1, 0, 0)) == []
