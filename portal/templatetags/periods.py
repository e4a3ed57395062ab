"""``{{ label|period_name }}``: a period label ("2025-H2") as a reader writes it."""

from django import template

from portal import periods

register = template.Library()


@register.filter
def period_name(label: object) -> str:
    """The period's name in the active language ("2. halvår 2025"); anything that is not a
    half-year or quarter label (a year, say) is returned as it is."""
    return periods.period_name(label)
