"""A period is written as a reader writes it in reports ("2. halvår 2025", "H2 2025"), while
its label ("2025-H2") stays the value in data and the API."""

import pytest
from django.template import Context, Template
from django.utils import translation

from portal.periods import Period


@pytest.mark.parametrize(
    ("label", "danish", "english"),
    [
        ("2025-H2", "2. halvår 2025", "H2 2025"),
        ("2026-H1", "1. halvår 2026", "H1 2026"),
        ("2026-Q3", "3. kvartal 2026", "Q3 2026"),
    ],
)
def test_a_period_is_named_in_the_active_language(label, danish, english):
    period = Period.parse(label)
    with translation.override("da"):
        assert period.name == danish
    with translation.override("en"):
        assert period.name == english
    assert str(period) == label


def test_the_template_filter_names_periods_and_leaves_other_values_alone():
    template = Template("{% load periods %}{{ a|period_name }} · {{ b|period_name }}")
    with translation.override("da"):
        assert template.render(Context({"a": "2025-H2", "b": "2025"})) == "2. halvår 2025 · 2025"
