from django.core.management import call_command

from capabilities.models import Discipline, Framework, Requirement
from initiatives.models import Initiative, StrategicObjective, Strategy
from portal.models import Organisation

EXPECTED_NUMBERS = [
    "1.1",
    "1.2",
    "2.1",
    "2.2",
    "2.3",
    "2.5",
    "2.6",
    "2.7",
    "2.8",
    "2.9",
    "3.1",
    "3.2",
    "4.3",
]


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Organisation,
            Discipline,
            Framework,
            Requirement,
            Strategy,
            StrategicObjective,
            Initiative,
        )
    }


def test_it_loads_the_regions_disciplines_objectives_and_the_13_initiatives(db):
    call_command("load_reference", verbosity=0)
    assert set(Organisation.objects.filter(kind="region").values_list("slug", flat=True)) == {
        "hovedstaden",
        "sjaelland",
        "syddanmark",
        "midtjylland",
        "nordjylland",
    }
    assert list(Discipline.objects.values_list("code", flat=True)) == [
        "anticipate",
        "prevent",
        "detect",
        "respond",
    ]
    assert Discipline.objects.get(code="anticipate").name_da == "Forudse"
    strategy = Strategy.objects.get(slug="2023-2025")
    assert strategy.predecessor.slug == "2019-2022"
    assert strategy.objectives.count() == 4
    initiatives = strategy.initiatives.order_by("sort_key")
    assert [i.number for i in initiatives] == EXPECTED_NUMBERS
    assert (
        initiatives.get(number="2.7").title_da == "Borgernært behandlingsudstyr og cybersikkerhed"
    )
    assert initiatives.get(number="4.3").title_da == (
        "Udbredelse af beredskabsøvelser for fælles systemer og forsyningskæder"
    )
    assert initiatives.get(number="3.1").discipline.code == "detect"
    assert list(
        Requirement.objects.filter(framework__slug="nis2-art21").values_list("code", flat=True)
    ) == list("abcdefghij")


def test_loading_twice_changes_nothing(db):
    from auditlog.models import LogEntry

    call_command("load_reference", verbosity=0)
    before = counts()
    versions = list(Initiative.objects.order_by("pk").values_list("version", flat=True))
    entries = LogEntry.objects.count()
    call_command("load_reference", verbosity=0)
    assert counts() == before
    assert list(Initiative.objects.order_by("pk").values_list("version", flat=True)) == versions
    assert LogEntry.objects.count() == entries


def test_it_repairs_a_changed_title(db):
    call_command("load_reference", verbosity=0)
    initiative = Initiative.objects.get(number="1.1")
    initiative.title_da = "Forkert"
    initiative.save()
    call_command("load_reference", verbosity=0)
    initiative.refresh_from_db()
    assert initiative.title_da.startswith("Identifikation af sundhedssektorens")
