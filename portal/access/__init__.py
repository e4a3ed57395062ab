"""The one permission layer.

Every HTML view and every API endpoint asks the same two questions here:

* ``Model.objects.restrict(user, action)`` — which objects may this user see (``view``) or
  ``add`` / ``change`` / ``delete``? Objects outside the result do not exist for the user (404).
* ``can(user, action, obj)`` — may this user do ``action`` on an object they can see? If not,
  the answer is 403.

Each model declares an ``access_policy`` (see ``policies.py``) that turns the user's role
memberships and django-guardian object permissions into a filter. ``can`` is answered by the
same filter, so the list, the detail page, the form and the API cannot disagree.
"""

from portal.access.actions import Action
from portal.access.checks import (
    can,
    can_add_somewhere,
    dashboard_regions,
    is_sector_admin,
    organisations_for,
    sees_all_of,
)
from portal.access.principal import Principal, forget_principal, principal_for
from portal.access.querysets import RestrictedQuerySet

__all__ = [
    "Action",
    "Principal",
    "RestrictedQuerySet",
    "can",
    "can_add_somewhere",
    "dashboard_regions",
    "forget_principal",
    "is_sector_admin",
    "organisations_for",
    "principal_for",
    "sees_all_of",
]
