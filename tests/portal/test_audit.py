"""The audit trail: who, when, which fields from what to what; append-only."""

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from portal import rls
from portal.audit import AuditTrailIsAppendOnly, entries_for, history_for
from tests.factories import AssetFactory, api_token_for
from tests.portal.test_audit_retention import acting_as, create_app_role


def test_an_api_update_is_recorded_with_user_and_changed_fields(personas, api_client):
    # Token authentication happens inside the API view, after the middleware: still attributed.
    api_client.credentials(HTTP_AUTHORIZATION=api_token_for(personas.admin))
    url = reverse("api:organisation-detail", kwargs={"slug": "region-a"})
    assert api_client.patch(url, {"name_en": "Capital"}, format="json").status_code == 200

    entry = entries_for(personas.region_a).latest("timestamp")
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == personas.admin
    assert entry.changes_dict == {"name_en": ["", "Capital"]}


def test_an_html_form_update_is_recorded_with_user_and_changed_fields(personas, client_as):
    asset = AssetFactory(organisation=personas.region_a, supplier="Old")
    client = client_as(personas.ciso_a)
    response = client.post(
        reverse("risks:asset_edit", kwargs={"pk": asset.pk}),
        {
            "organisation": personas.region_a.pk,
            "name": asset.name,
            "kind": asset.kind,
            "supplier": "New",
            "quantity": 1,
            "version": asset.version,
        },
    )
    assert response.status_code == 302
    entry = entries_for(asset).latest("timestamp")
    assert entry.actor == personas.ciso_a
    assert entry.changes_dict == {"supplier": ["Old", "New"]}
    # …and it is shown as "History" on the object's page.
    page = client.get(reverse("risks:asset_detail", kwargs={"pk": asset.pk}))
    history = page.context["history_entries"]
    assert history[0].actor == "ciso.a"
    assert [(c.old, c.new) for c in history[0].changes] == [("Old", "New")]
    assert "New" in page.content.decode()


def test_history_is_available_from_the_api(personas, api_as):
    asset = AssetFactory(organisation=personas.region_a, supplier="Old")
    api = api_as(personas.ciso_a)
    api.patch(
        reverse("api:asset-detail", kwargs={"pk": asset.pk}), {"supplier": "New"}, format="json"
    )
    response = api.get(reverse("api:asset-history", kwargs={"pk": asset.pk}))
    assert response.status_code == 200
    latest = response.json()["results"][0]
    assert latest["actor"] == "ciso.a"
    assert {"field": "supplier", "old": "Old", "new": "New"} in [
        {**change, "field": "supplier"} for change in latest["changes"]
    ]
    # Another region cannot read the history of an object it cannot see.
    other = api_as(personas.ciso_b).get(reverse("api:asset-history", kwargs={"pk": asset.pk}))
    assert other.status_code == 404


def test_create_and_delete_are_recorded(personas):
    asset = AssetFactory(organisation=personas.region_a)
    pk = asset.pk
    asset.delete()
    actions = list(
        LogEntry.objects.filter(object_id=pk, content_type__model="asset").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [LogEntry.Action.CREATE, LogEntry.Action.DELETE]


def test_entries_cannot_be_changed_or_deleted_through_the_orm(personas):
    AssetFactory(organisation=personas.region_a)
    entry = LogEntry.objects.first()
    entry.object_repr = "forged"
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.delete()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database trigger is PostgreSQL's"
)
def test_the_database_refuses_updates_and_deletes_of_entries(personas):
    AssetFactory(organisation=personas.region_a)
    # As the application connects: a plain role (tests connect as a superuser, which the
    # trigger lets through; see test_audit_retention).
    with acting_as(create_app_role()):
        if connection.vendor == "postgresql":  # row-level security: no context, no entry
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM auditlog_logentry")
                assert cursor.rowcount == 0
        # In the system context the policies let every entry through: the trigger refuses.
        with rls.system_context("test: past row-level security, to the trigger"):
            with pytest.raises(DatabaseError), transaction.atomic():
                LogEntry.objects.all().update(object_repr="forged")
            with (
                pytest.raises(DatabaseError),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute("DELETE FROM auditlog_logentry")  # below the ORM's own guard
    assert not LogEntry.objects.filter(object_repr="forged").exists()
    assert LogEntry.objects.exists()


def test_the_admin_shows_entries_read_only(personas, client_as):
    AssetFactory(organisation=personas.region_a)
    entry = LogEntry.objects.first()
    client = client_as(personas.admin)
    personas.admin.is_staff = True
    personas.admin.is_superuser = True
    personas.admin.save()
    change_url = reverse("admin:auditlog_logentry_change", args=[entry.pk])
    page = client.get(change_url)
    assert page.status_code == 200  # viewable
    assert b'name="_save"' not in page.content
    response = client.post(change_url, {"object_repr": "forged"})
    assert response.status_code == 403
    delete = client.post(
        reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    entry.refresh_from_db()
    assert entry.object_repr != "forged"


def test_history_for_shows_field_labels(personas):
    asset = AssetFactory(organisation=personas.region_a, supplier="A")
    asset.supplier = "B"
    asset.save()
    newest = history_for(asset)[0]
    assert newest.changes[0].old == "A"
    assert newest.changes[0].new == "B"


def test_many_to_many_additions_read_as_additions(personas):
    asset = AssetFactory(organisation=personas.region_a)
    asset.shared_with.add(personas.region_b)
    newest = history_for(asset)[0]
    assert [(c.old, c.new) for c in newest.changes] == [("", "Region B")]
    asset.shared_with.remove(personas.region_b)
    newest = history_for(asset)[0]
    assert [(c.old, c.new) for c in newest.changes] == [("Region B", "")]
