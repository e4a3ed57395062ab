"""The one permission layer.

Every HTML view and every API endpoint asks the same two questions here:

* ``Model.objects.restrict(user, action)`` — which objects may this user see (``view``) or
  ``add`` / ``change`` / ``delete``? Objects outside the result do not exist for the user (404).
* ``can(user, action, obj)`` — may this user do ``action`` on an object they can see? If not,
  the answer is 403.
* ``can(user, name, *args)`` — may this user take a named action, e.g. ``can(user,
  "capabilities.approve", assessment)``? Named actions (``named.py``) are the decisions that
  are not a change of one object; their rules (``rules.py``) are the only code that reads
  roles, and ``organisations_where(user, name)`` says in which organisations a user may
  take one (for a form's choices). ``people.py`` answers "who holds role R in O".

Each model declares an ``access_policy`` (see ``policies.py``) that turns the user's role
memberships and django-guardian object permissions into a filter. ``can`` is answered by the
same filter, so the list, the detail page, the form and the API cannot disagree.
"""

from portal.access.actions import Action
from portal.access.checks import (
    acting_organisation,
    can,
    can_add_child,
    can_add_somewhere,
    can_all_of,
    dashboard_regions,
    is_sector_admin,
    organisations_for,
    sees_all_of,
)
from portal.access.named import NamedAction, may, named_actions, organisations_where
from portal.access.people import (
    cisos_of,
    grant_reading,
    grantable_roles,
    member_counts_by_role,
    people_holding,
    people_managed_by,
    risk_owners_of,
)
from portal.access.principal import Principal, forget_principal, principal_for
from portal.access.querysets import RestrictedQuerySet

__all__ = [
    "Action",
    "NamedAction",
    "Principal",
    "RestrictedQuerySet",
    "acting_organisation",
    "can",
    "can_add_child",
    "can_add_somewhere",
    "can_all_of",
    "cisos_of",
    "dashboard_regions",
    "forget_principal",
    "grant_reading",
    "grantable_roles",
    "is_sector_admin",
    "may",
    "member_counts_by_role",
    "named_actions",
    "organisations_for",
    "organisations_where",
    "people_holding",
    "people_managed_by",
    "principal_for",
    "risk_owners_of",
    "sees_all_of",
]
