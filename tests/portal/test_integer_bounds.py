"""Whole numbers beyond 64 bits are a field error in every filter, never a 500 (SQLite cannot
bind them): number filters and model choices keyed by an integer, found in every FilterSet."""

import django_filters
import pytest
from django.urls import reverse

from portal.filtersets import SearchFilterSet
from portal.integer_bounds import INT64_MAX, INT64_MIN
from tests.sector import make_sector

TOO_BIG = str(INT64_MAX + 1)
TOO_SMALL = str(INT64_MIN - 1)


def filtersets() -> list[type[django_filters.FilterSet]]:
    """Every FilterSet of the project: the subclasses of the shared base, and those that
    django-filter knows through the API's views."""
    import composition.urls  # noqa: F401  (imports every view, and with them every FilterSet)

    found, todo = set(), [django_filters.FilterSet]
    while todo:
        for subclass in todo.pop().__subclasses__():
            if subclass not in found:
                found.add(subclass)
                todo.append(subclass)
    return sorted(
        (
            cls
            for cls in found
            if cls.__module__.split(".")[0]
            in {"portal", "risks", "initiatives", "capabilities", "reports"}
            and getattr(cls._meta, "model", None) is not None
        ),
        key=lambda cls: f"{cls.__module__}.{cls.__name__}",
    )


def integer_filters(filterset_class) -> list[str]:
    names = []
    for name, filter_ in filterset_class.base_filters.items():
        if isinstance(filter_, django_filters.NumberFilter) or (
            isinstance(
                filter_, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter
            )
            and filter_.extra.get("to_field_name") in (None, "pk", "id")
        ):
            names.append(name)
    return names


CASES = [
    (filterset_class, name)
    for filterset_class in filtersets()
    for name in integer_filters(filterset_class)
]


def test_it_finds_the_integer_filters_it_checks():
    names = {f"{cls.__name__}.{name}" for cls, name in CASES}
    assert {
        "RiskFilterSet.asset",
        "TreatmentActionFilterSet.risk",
        "MilestoneFilterSet.initiative",
    } <= names
    assert any(issubclass(cls, SearchFilterSet) is False for cls, _name in CASES)


@pytest.mark.parametrize(
    ("filterset_class", "name"), CASES, ids=lambda value: getattr(value, "__name__", value)
)
@pytest.mark.parametrize("value", [TOO_BIG, TOO_SMALL])
def test_every_integer_filter_refuses_a_number_beyond_64_bits(
    personas, filterset_class, name, value, rf
):
    request = rf.get("/", {name: value})
    request.user = personas.admin
    queryset = filterset_class._meta.model._default_manager.all()
    filterset = filterset_class({name: value}, queryset=queryset, request=request)
    assert not filterset.is_valid()
    assert name in filterset.errors
    list(filterset.qs)  # and the query still runs, without the refused filter


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/risks/", "asset"),
        ("/api/v1/risks/", "threat"),
        ("/api/v1/treatments/", "risk"),
        ("/api/v1/milestones/", "initiative"),
        ("/api/v1/deliverables/", "initiative"),
    ],
)
def test_the_api_answers_400_with_the_field(personas, api_as, url, parameter):
    response = api_as(personas.ciso_a).get(url, {parameter: TOO_BIG})
    assert response.status_code == 400, response.content
    assert parameter in response.json()


def test_pages_and_object_urls_do_not_fail(personas, client_as):
    make_sector(personas)
    client = client_as(personas.ciso_a)
    for url in (
        f"{reverse('risks:risk_list')}?asset={TOO_BIG}&threat={TOO_BIG}",
        f"{reverse('risks:treatment_plan')}?risk={TOO_BIG}",
        f"/risks/{TOO_BIG}/",
        f"/api/v1/risks/{TOO_BIG}/",
        f"/api/v1/assets/{TOO_BIG}/",
        f"/reports/{TOO_BIG}/pdf/",
    ):
        response = client.get(url)
        assert response.status_code < 500, url
