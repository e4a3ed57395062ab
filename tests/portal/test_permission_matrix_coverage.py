"""Every organisation-owned model has a permission matrix (``tests/permission_matrix.py``).

The models are found from the access layer — each model's ``access_policy`` is an
``OrganisationOwned`` policy, or a ``ParentPolicy`` whose parents end in one — and the
matrices by importing the test modules that subclass ``OrganisationOwnedMatrix``. A new
organisation-owned model without a matrix subclass fails here."""

import importlib
from pathlib import Path

from django.apps import apps

from tests.permission_matrix import OrganisationOwnedMatrix, is_organisation_owned
from tests.test_factories import PROJECT_APPS

TESTS = Path(__file__).resolve().parent.parent


def organisation_owned_models() -> set[type]:
    return {
        model
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
        if is_organisation_owned(model)
    }


def matrices() -> list[type[OrganisationOwnedMatrix]]:
    for path in sorted(TESTS.rglob("test_*.py")):
        if "OrganisationOwnedMatrix" in path.read_text(encoding="utf-8"):
            module = ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)
            importlib.import_module(module)
    found, pending = [], list(OrganisationOwnedMatrix.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_the_access_layer_names_the_organisation_owned_models():
    # A floor for the discovery itself: these are organisation-owned today.
    labels = {model._meta.label for model in organisation_owned_models()}
    assert {"risks.Risk", "risks.Asset", "risks.TreatmentAction", "reports.ReportRun"} <= labels


def test_every_organisation_owned_model_has_a_permission_matrix():
    covered = {cls.model for cls in matrices() if getattr(cls, "model", None) is not None}
    missing = sorted(model._meta.label for model in organisation_owned_models() - covered)
    assert not missing, (
        f"organisation-owned models without an OrganisationOwnedMatrix subclass: {missing}"
    )


def test_every_matrix_is_about_an_organisation_owned_model():
    for cls in matrices():
        model = getattr(cls, "model", None)
        assert model is not None, f"{cls.__qualname__} declares no model"
        assert is_organisation_owned(model), f"{cls.__qualname__}: {model} is not owned"
