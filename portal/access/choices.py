"""Related-object choices through the permission layer.

A form's select, a serializer's related field and a filter's choices are reads of the
database like any list: they offer, and accept, only what the acting user may see. This module
says what that is for one related field, so that forms (``portal.forms``), serializers
(``portal.api.viewsets``) and FilterSets (``portal.filtersets``) narrow their choices the same
way:

* a model with an ``access_policy``: ``restrict(user, VIEW)`` — except the field that names the
  organisation an object is written to, which offers the organisations where the user may
  ``add`` objects of the form's model (a new object), or the object's own organisation (an
  existing one: objects do not move between organisations);
* people (the user model): the active members of the organisations the user belongs to;
* anything else is a configuration error: every model reachable from a form declares a policy.

Because an object outside these choices is answered exactly like one that does not exist
("Select a valid choice", "Invalid pk … does not exist"), the same narrowing closes the
existence oracle of ids and names in a request body: a uniqueness check can only ever meet
objects of an organisation the user writes to.
"""

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Field, Model, QuerySet

from portal.access.actions import Action
from portal.access.checks import organisations_for
from portal.access.principal import principal_for
from portal.access.querysets import RestrictedQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def people_visible_to(user: "AbstractBaseUser | AnonymousUser | None") -> QuerySet[Any]:
    """The people the user may see named: active members of the user's own organisations
    (every active user for sector administrators; nobody for anonymous users)."""
    people = get_user_model()._default_manager.filter(is_active=True)
    principal = principal_for(user)
    if not principal.is_authenticated:
        return people.none()
    if principal.is_sector_admin:
        return people
    from portal.models import Membership

    colleagues = Membership.objects.filter(
        organisation_id__in=list(principal.roles_by_organisation)
    ).values("user_id")
    return people.filter(pk__in=colleagues)


def scope_choices(
    queryset: QuerySet[Any],
    *,
    user: "AbstractBaseUser | AnonymousUser | None",
    model: type[Model] | None = None,
    field_name: str = "",
    writing: Action | None = None,
    instance: Model | None = None,
) -> QuerySet[Any]:
    """``queryset`` (a related field's choices) narrowed to what ``user`` may choose for the
    field ``field_name`` of ``model`` (the form's or serializer's model; None for a plain
    form or a filter). ``writing`` is the action of a form or serializer that writes an
    object (``add``, or ``change`` of ``instance``); filters only read."""
    related = queryset.model
    if related is get_user_model():
        return queryset.filter(pk__in=people_visible_to(user).values("pk"))
    policy = getattr(related, "access_policy", None)
    if policy is None:
        raise ImproperlyConfigured(
            f"{related.__name__} is offered as a choice but declares no access_policy"
        )
    if (
        writing is not None
        and model is not None
        and field_name
        and field_name == _organisation_path(model)
    ):
        if writing == Action.CHANGE and instance is not None:
            # An object stays in its organisation; whether the user may change it at all is
            # the view's question (can(user, "change", obj)), asked before the form is built.
            field = model._meta.get_field(field_name)
            if not isinstance(field, Field):
                raise ImproperlyConfigured(f"{model.__name__}.{field_name} is not a field")
            return queryset.filter(pk=getattr(instance, field.attname))
        allowed = organisations_for(user, model, writing)
        return queryset if allowed is None else queryset.filter(pk__in=allowed)
    if isinstance(queryset, RestrictedQuerySet):
        return queryset.restrict(user, Action.VIEW)
    visible = related._default_manager.restrict(user, Action.VIEW)
    return queryset.filter(pk__in=visible.values("pk"))


def _organisation_path(model: type[Model] | None) -> str | None:
    policy = getattr(model, "access_policy", None)
    return None if policy is None else policy.organisation_path(model)
