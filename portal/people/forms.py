"""Forms of the people page: its filters, a new account, a new membership. Their choices come
from the permission layer: the organisations where the user may manage people
(``portal.manage_people``) and the roles they may give (``portal.grant_role``)."""

from typing import Any, cast

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from portal.access import can, grantable_roles, organisations_where
from portal.access.roles import Role
from portal.forms import DesignSystemFormMixin, ScopedChoicesMixin
from portal.models import Membership, Organisation
from portal.people.services import role_mismatch

ROLE_LABELS = dict(Role.choices)


def _manageable_organisations(user: Any) -> Any:
    scope = organisations_where(user, "portal.manage_people")
    organisations = Organisation.objects.order_by("kind", "name_da")
    return organisations if scope is None else organisations.filter(pk__in=scope)


def _role_choices(user: Any) -> list[tuple[str, str]]:
    return [(role, str(ROLE_LABELS[role])) for role in grantable_roles(user)]


class _RoleInOrganisation(ScopedChoicesMixin, DesignSystemFormMixin, forms.Form):
    """An organisation and a role in it that the user may give."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation")
    )
    role = forms.ChoiceField(label=_("Role"), choices=())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = _manageable_organisations(user)
        role = cast(forms.ChoiceField, self.fields["role"])
        role.choices = [("", _("Choose a role")), *_role_choices(user)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organisation, role = data.get("organisation"), data.get("role")
        if (
            organisation is not None
            and role
            and not can(self.user, "portal.grant_role", role, organisation)
        ):
            self.add_error("role", _("You may not give this role in this organisation."))
        elif organisation is not None and role:
            problem = role_mismatch(role, organisation)
            if problem is not None:
                self.add_error("role", problem)
        return data


class MembershipForm(_RoleInOrganisation):
    """A new membership of one person."""

    def __init__(self, *args: Any, person: Any, **kwargs: Any) -> None:
        self.person = person
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        organisation, role = data.get("organisation"), data.get("role")
        if (
            organisation is not None
            and role
            and "role" not in self.errors
            and Membership.objects.filter(
                user=self.person, organisation=organisation, role=role
            ).exists()
        ):
            self.add_error("role", _("The person holds this role in the organisation."))
        return data


class PersonForm(_RoleInOrganisation):
    """A new account, and its first role. A region's CISO must give one."""

    field_order = ["username", "first_name", "last_name", "email", "organisation", "role"]

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only; the person signs in with it."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), max_length=254)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        # Only those who manage people outside any organisation create an account without
        # a role (sector administrators); a region's CISO gives one of their region's roles.
        self.role_required = not can(user, "portal.manage_people", None)
        for name in ("organisation", "role"):
            self.fields[name].required = self.role_required
        if not self.role_required:
            organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
            organisation.empty_label = _("No organisation yet")
            role = cast(forms.ChoiceField, self.fields["role"])
            role.choices = [("", _("No role yet")), *_role_choices(user)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        organisation, role = data.get("organisation"), data.get("role")
        if organisation is not None and not role and "role" not in self.errors:
            self.add_error("role", _("Choose the role in the organisation."))
        if role and organisation is None and "organisation" not in self.errors:
            self.add_error("organisation", _("Choose the organisation of the role."))
        return data


class PeopleFilterForm(ScopedChoicesMixin, DesignSystemFormMixin, forms.Form):
    """The people page's filters."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Organisation"),
        required=False,
        empty_label=_("All"),
    )
    role = forms.ChoiceField(label=_("Role"), required=False, choices=())
    active = forms.ChoiceField(
        label=_("Account"),
        required=False,
        choices=[("", _("All")), ("yes", _("Active")), ("no", _("Deactivated"))],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = _manageable_organisations(user)
        role = cast(forms.ChoiceField, self.fields["role"])
        role.choices = [("", _("All")), *_role_choices(user)]

    @property
    def active_value(self) -> bool | None:
        value = self.cleaned_data.get("active") if self.is_valid() else ""
        return {"yes": True, "no": False}.get(value or "")


class PersonActiveForm(DesignSystemFormMixin, forms.Form):
    """Deactivate or reactivate an account. Deactivation is confirmed with a checkbox (no
    JavaScript needed): without it the account stays as it is and the field says why."""

    active = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
    confirm = forms.BooleanField(
        label=_("Confirm the deactivation: the person can no longer sign in"),
        required=False,
    )

    def __init__(self, *args: Any, person: Any, **kwargs: Any) -> None:
        self.person = person
        kwargs.setdefault("initial", {"active": "0" if person.is_active else "1"})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("active") is False and not data.get("confirm"):
            self.add_error("confirm", _("Tick the box to deactivate the account."))
        return data
