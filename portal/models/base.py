from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet


class ConcurrentUpdate(Exception):
    """The object was changed by someone else since this copy of it was read."""

    def __init__(self, instance: models.Model) -> None:
        super().__init__(f"{instance._meta.label} {instance.pk} was changed concurrently")
        self.instance = instance


class VersionedModel(models.Model):
    """Governance data that people edit: optimistic locking and time stamps.

    ``version`` is the object's revision. Saving an existing object succeeds only if the row
    still has the version this copy was read with; otherwise ``ConcurrentUpdate`` is raised
    and nothing is written. Forms carry the version in a hidden field and the API in the
    ``ETag`` / ``If-Match`` headers, so every path — HTML, API, admin, services — is protected
    against lost updates by the same check.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            claimed = (
                type(self)
                ._base_manager.using(using)
                .filter(pk=self.pk, version=self.version)
                .update(version=self.version + 1)
            )
            if not claimed:
                raise ConcurrentUpdate(self)
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "updated_at"}
            super().save(*args, **kwargs)

    @property
    def etag(self) -> str:
        return f'"{self.version}"'
