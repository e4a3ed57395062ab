"""Access policies: how a model's objects may be seen and changed.

A policy turns a principal (the user's role memberships) and an action into a ``Q`` filter,
or ``None`` for "no restriction". Sector administrators never reach a policy: the queryset
layer lets them through first.
"""

from collections.abc import Sequence

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q

from portal.access.actions import Action
from portal.access.named import named_action
from portal.access.object_permissions import object_permission_q
from portal.access.principal import Principal
from portal.access.roles import REGION_ROLES, Role

#: A filter that matches nothing, for principals without any right.
NOTHING = Q(pk__in=[])


class AccessPolicy:
    """Base class. Subclasses answer ``q(principal, model, action)``."""

    def q(self, principal: Principal, model: type[Model], action: Action) -> Q | None:
        raise NotImplementedError

    def organisations(self, principal: Principal, action: Action) -> list[int] | None:
        """Organisations in which the principal may ``action`` objects (None: any)."""
        return None

    def may_add(self, principal: Principal, model: type[Model]) -> bool:
        """Whether the principal could add an object at all (to offer an "Add" button)."""
        organisations = self.organisations(principal, Action.ADD)
        if organisations is not None:
            return bool(organisations)
        return self.q(principal, model, Action.ADD) is None

    def organisation_path(self, model: type[Model]) -> str | None:
        """The lookup from an object to the organisation it belongs to (None: none)."""
        return None

    def covers(
        self, principal: Principal, model: type[Model], action: Action, organisation_id: int
    ) -> bool:
        """Whether the principal may ``action`` every object of the organisation, so that
        narrowing them to the organisation needs no further filter. False when unsure."""
        return False


def policy_of(model: type[Model]) -> AccessPolicy:
    """The access policy ``model`` declares (every model the permission layer serves has one)."""
    policy = getattr(model, "access_policy", None)
    if not isinstance(policy, AccessPolicy):
        raise ImproperlyConfigured(f"{model.__name__} declares no access_policy")
    return policy


class MemberReadable(AccessPolicy):
    """Sector data every signed-in user reads (organisations, the strategy, initiatives).

    ``edit_roles`` held in any organisation allow every change; ``members``, a lookup from
    an object to users (e.g. ``"working_group__members"``), lets those users change it (not
    delete it) — a join on the membership as it is now, so joining or leaving a group
    changes the rights at once; with ``object_permissions`` a django-guardian object
    permission ``<action>_<model>`` allows the action on that one object.
    """

    def __init__(
        self,
        *,
        edit_roles: Sequence[str] = (Role.SECRETARIAT,),
        members: str | None = None,
        object_permissions: bool = False,
    ) -> None:
        self.edit_roles = tuple(edit_roles)
        self.members = members
        self.object_permissions = object_permissions

    def q(self, principal: Principal, model: type[Model], action: Action) -> Q | None:
        if action == Action.VIEW:
            return None
        if principal.has_any_role(self.edit_roles):
            return None
        q = NOTHING
        if self.members and action == Action.CHANGE:
            # A subquery rather than a join keeps rows unique without DISTINCT.
            theirs = model._default_manager.filter(**{self.members: principal.user.pk})
            q = Q(pk__in=theirs.values("pk"))
        if self.object_permissions and action != Action.ADD:
            permitted = object_permission_q(principal, model, f"{action}_{model._meta.model_name}")
            q = permitted if q is NOTHING else q | permitted
        return q


class OrganisationOwned(AccessPolicy):
    """Objects that belong to one organisation, e.g. a region's assets and risks.

    * ``read_roles`` read the objects of the organisations where they hold the role, and the
      objects that another organisation shares with theirs through ``shared_field``;
    * ``sector_read_roles`` held anywhere read every organisation's objects (e.g. the TSI
      secretariat reading maturity, which is shared within TSI) — only those matching
      ``sector_read_filter`` when it is given (e.g. approved assessments);
    * ``named_reads``: ``(named action, filter)`` pairs — whoever may take the named action
      (asked without arguments) reads the objects matching the filter, in every
      organisation: e.g. the runs of the sector's risk picture, read by whoever may read the
      picture itself (``risks.view_sector_picture``), so the two cannot disagree;
    * ``edit_roles`` add, change and delete in their own organisations;
    * ``owner_roles`` change (not add or delete) the objects whose ``owner_field`` is them;
    * with ``object_permissions`` a django-guardian permission on one object also counts;
    * ``public_read``: every signed-in user reads every organisation's objects (e.g. the
      regions' implementation status of the sector strategy), and ``sector_edit_roles`` held
      anywhere change every organisation's objects (the TSI secretariat);
    * ``joint_field`` (with ``shared_field``): an object whose boolean ``joint_field`` is set
      is assessed jointly — the ``edit_roles`` of every organisation it is shared with change
      it too (not delete it), and so do the people such an organisation names on it
      (``joint_owners``: a lookup to rows with a ``user`` and the ``organisation`` that named
      them) while they hold one of ``owner_roles`` there. Its own organisation leads.
    """

    def __init__(
        self,
        *,
        field: str = "organisation",
        read_roles: Sequence[str] = REGION_ROLES,
        edit_roles: Sequence[str] = (Role.CISO,),
        sector_read_roles: Sequence[str] = (),
        shared_field: str | None = None,
        owner_field: str | None = None,
        owner_roles: Sequence[str] = (Role.RISK_OWNER,),
        object_permissions: bool = False,
        public_read: bool = False,
        sector_edit_roles: Sequence[str] = (),
        sector_read_filter: Q | None = None,
        named_reads: Sequence[tuple[str, Q]] = (),
        joint_field: str | None = None,
        joint_owners: str | None = None,
    ) -> None:
        if joint_field is not None and shared_field is None:
            raise ImproperlyConfigured("a joint assessment needs a shared_field")
        self.joint_field = joint_field
        self.joint_owners = joint_owners
        self.field = field
        self.public_read = public_read
        self.sector_edit_roles = tuple(sector_edit_roles)
        self.sector_read_filter = sector_read_filter
        self.named_reads = tuple(named_reads)
        self.read_roles = tuple(read_roles)
        self.edit_roles = tuple(edit_roles)
        self.sector_read_roles = tuple(sector_read_roles)
        self.shared_field = shared_field
        self.owner_field = owner_field
        self.owner_roles = tuple(owner_roles)
        self.object_permissions = object_permissions

    def named_read_filters(self, principal: Principal) -> list[Q]:
        """The filters of the ``named_reads`` whose named action the principal may take."""
        return [q for name, q in self.named_reads if named_action(name).rule(principal)]

    def organisations(self, principal: Principal, action: Action) -> list[int] | None:
        if action == Action.VIEW:
            if self.public_read or principal.has_any_role(self.sector_read_roles):
                return None  # (with a sector_read_filter: some objects of every organisation)
            if self.named_read_filters(principal):
                return None  # some objects of every organisation
            return principal.organisations_with(self.read_roles)
        if principal.has_any_role(self.sector_edit_roles):
            return None
        return principal.organisations_with(self.edit_roles)

    def organisation_path(self, model: type[Model]) -> str | None:
        return self.field

    def covers(
        self, principal: Principal, model: type[Model], action: Action, organisation_id: int
    ) -> bool:
        # The filter q() builds is "the organisations the roles give" OR extra objects
        # (shared, sector-wide, owned, object permissions): inside one of those
        # organisations it lets every object through.
        if action == Action.VIEW:
            if self.public_read or (
                self.sector_read_filter is None and principal.has_any_role(self.sector_read_roles)
            ):
                return True
            return organisation_id in principal.organisations_with(self.read_roles)
        if principal.has_any_role(self.sector_edit_roles):
            return True
        return organisation_id in principal.organisations_with(self.edit_roles)

    def q(
        self, principal: Principal, model: type[Model], action: Action, *, joint: bool = True
    ) -> Q | None:
        """``joint=False``: without the jointly assessed objects of other organisations
        (for children that stay with the lead organisation, ``ParentPolicy``)."""
        if action == Action.VIEW:
            if self.public_read or (
                self.sector_read_filter is None and principal.has_any_role(self.sector_read_roles)
            ):
                return None
            readable = principal.organisations_with(self.read_roles)
            q = Q(**{f"{self.field}__in": readable})
            if self.sector_read_filter is not None and principal.has_any_role(
                self.sector_read_roles
            ):
                q |= self.sector_read_filter
            for named in self.named_read_filters(principal):
                q |= named
            if self.shared_field and readable:
                # A subquery rather than a join keeps rows unique without DISTINCT.
                shared = model._default_manager.filter(
                    **{f"{self.shared_field}__in": readable}
                ).values("pk")
                q |= Q(pk__in=shared)
            return q

        if principal.has_any_role(self.sector_edit_roles):
            return None
        q = Q(**{f"{self.field}__in": principal.organisations_with(self.edit_roles)})
        if self.owner_field and action == Action.CHANGE:
            owned_in = principal.organisations_with(self.owner_roles)
            if owned_in:
                q |= Q(**{self.owner_field: principal.user.pk, f"{self.field}__in": owned_in})
        if self.object_permissions and action != Action.ADD:
            q |= object_permission_q(principal, model, f"{action}_{model._meta.model_name}")
        if self.joint_field and joint and action == Action.CHANGE:
            q |= self._joint_q(principal, model)
        return q

    def _joint_q(self, principal: Principal, model: type[Model]) -> Q:
        """The jointly assessed objects the principal changes for another organisation: as
        one of ``edit_roles`` of an organisation they are shared with, or as a person that
        organisation names on them (subqueries: no join, no DISTINCT)."""
        joint = Q(**{str(self.joint_field): True})
        q = NOTHING
        editing = principal.organisations_with(self.edit_roles)
        if editing:
            shared = model._default_manager.filter(**{f"{self.shared_field}__in": editing}).values(
                "pk"
            )
            q = joint & Q(pk__in=shared)
        named_in = principal.organisations_with(self.owner_roles)
        if self.joint_owners and named_in:
            named = model._default_manager.filter(
                **{
                    f"{self.joint_owners}__user": principal.user.pk,
                    f"{self.joint_owners}__organisation__in": named_in,
                }
            ).values("pk")
            q = q | (joint & Q(pk__in=named)) if q is not NOTHING else joint & Q(pk__in=named)
        return q

    def acting_organisation(self, principal: Principal, obj: Model) -> int | None:
        """The organisation in whose name the principal changes ``obj``: its own when they
        hold a role there that changes objects, else (a jointly assessed object) the first
        organisation it is shared with in which they hold such a role or are named on it;
        None when neither."""
        if "__" in self.field:  # an organisation reached through another object: none here
            return None
        own = getattr(obj, f"{self.field}_id")
        roles = (*self.edit_roles, *self.owner_roles)
        if principal.is_sector_admin or own in principal.organisations_with(roles):
            return int(own)
        if not self.joint_field or not getattr(obj, self.joint_field):
            return None
        shared = set(
            model_values(obj, f"{self.shared_field}")  # the organisations it is shared with
        )
        for organisation in principal.organisations_with(self.edit_roles):
            if organisation in shared:
                return organisation
        if self.joint_owners:
            named = (
                type(obj)
                ._default_manager.filter(
                    pk=obj.pk,
                    **{
                        f"{self.joint_owners}__user": principal.user.pk,
                        f"{self.joint_owners}__organisation__in": principal.organisations_with(
                            self.owner_roles
                        ),
                    },
                )
                .values_list(f"{self.joint_owners}__organisation", flat=True)
                .order_by(f"{self.joint_owners}__organisation")
            )
            for organisation in named:
                if organisation in shared:
                    return int(organisation)
        return None


def model_values(obj: Model, path: str) -> list[int]:
    """The ids ``path`` reaches from ``obj`` (e.g. the organisations its assets are shared
    with), in one query."""
    values = (
        type(obj)
        ._default_manager.filter(pk=obj.pk)
        .filter(**{f"{path}__isnull": False})
        .values_list(path, flat=True)
    )
    return [int(value) for value in values]


class ParentPolicy(AccessPolicy):
    """Objects that live inside a parent, e.g. an initiative's milestones.

    They are seen with the parent and changed by whoever may change the parent — so the
    members of an initiative's working group change its milestones and status updates. ``append_only`` children (status updates)
    can be added but never changed or deleted. With ``joint_parent=False`` the children of a
    jointly assessed parent (``OrganisationOwned``'s ``joint_field``) stay with the parent's
    own organisation: the regions sharing it read them, and change none.
    """

    def __init__(
        self,
        *,
        field: str,
        append_only: bool = False,
        organisation: str | None = None,
        joint_parent: bool = True,
    ) -> None:
        self.field = field
        self.append_only = append_only
        self.joint_parent = joint_parent
        #: A field of the child's own that always holds its parent's organisation, if it has
        #: one: a region's children are then found without a join to their parents.
        self.organisation = organisation

    def q(self, principal: Principal, model: type[Model], action: Action) -> Q | None:
        if self.append_only and action in (Action.CHANGE, Action.DELETE):
            return NOTHING
        parent = self._parent(model)
        parent_action = Action.VIEW if action == Action.VIEW else Action.CHANGE
        parent_q = self.parent_q(principal, parent, parent_action)
        if parent_q is None:
            return None
        return Q(**{f"{self.field}__in": parent._default_manager.filter(parent_q).values("pk")})

    def parent_q(self, principal: Principal, parent: type[Model], action: Action) -> Q | None:
        """The parent policy's filter for ``action``, as the children see it."""
        policy = policy_of(parent)
        if not self.joint_parent and isinstance(policy, OrganisationOwned):
            return policy.q(principal, parent, action, joint=False)
        return policy.q(principal, parent, action)

    def _parent(self, model: type[Model]) -> type[Model]:
        parent = model._meta.get_field(self.field).related_model
        if not isinstance(parent, type):
            raise ImproperlyConfigured(f"{model.__name__}.{self.field} is not a relation")
        return parent

    def organisation_path(self, model: type[Model]) -> str | None:
        if self.organisation is not None:
            return self.organisation
        parent = self._parent(model)
        path = policy_of(parent).organisation_path(parent)
        return None if path is None else f"{self.field}__{path}"

    def covers(
        self, principal: Principal, model: type[Model], action: Action, organisation_id: int
    ) -> bool:
        if self.append_only and action in (Action.CHANGE, Action.DELETE):
            return False
        parent_action = Action.VIEW if action == Action.VIEW else Action.CHANGE
        parent = self._parent(model)
        return policy_of(parent).covers(principal, parent, parent_action, organisation_id)

    def may_add(self, principal: Principal, model: type[Model]) -> bool:
        parent = self._parent(model)
        parent_q = self.parent_q(principal, parent, Action.CHANGE)
        return parent_q is None or parent._default_manager.filter(parent_q).exists()


class AdminOnly(AccessPolicy):
    """Only sector administrators act; everyone signed in may read when ``readable``."""

    def __init__(self, *, readable: bool = True) -> None:
        self.readable = readable

    def q(self, principal: Principal, model: type[Model], action: Action) -> Q | None:
        if action == Action.VIEW and self.readable:
            return None
        return NOTHING
