"""People and roles ("Personer og roller"): the accounts a user may manage, with their
memberships, last sign-in and state; the access review's export; a new account; one person's
roles, deactivation and a reset of a lost authenticator.

Sector administrators manage every account; a region's CISO the risk owners and viewers of
their own region (the named actions in ``portal/named_actions.py``). An account the user may
not manage does not exist here (404); the page itself answers 403 to whoever manages nobody.
"""

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from portal.access import can, organisations_where, people_managed_by
from portal.access.principal import signed_in_user
from portal.audit.reads import record_read
from portal.auth.mfa import user_has_authenticator
from portal.models import Membership, ReadKind
from portal.people import selectors, services
from portal.people.forms import MembershipForm, PeopleFilterForm, PersonActiveForm, PersonForm


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterator[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that Excel reads the file as UTF-8
    for row in rows:
        yield writer.writerow(row)


def _form_error(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class PeopleView(LoginRequiredMixin, View):
    """Base of the people pages: only for those who may manage people somewhere."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and (
            organisations_where(request.user, "portal.manage_people") == frozenset()
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


@method_decorator(never_cache, name="dispatch")
class PeopleListView(PeopleView):
    """``/people/``: the accounts the user may manage, filtered by organisation, role, state
    and a search; ``?export=csv`` downloads them as the access review (a recorded read)."""

    template_name = "portal/people/list.html"
    paginate_by = 50

    def get(self, request: HttpRequest) -> HttpResponseBase:
        form = PeopleFilterForm(request.GET or None, user=request.user)
        if form.is_bound and not form.is_valid():
            context = {"filter_form": form, "object_list": [], "result_count": 0}
            return render(request, self.template_name, context, status=400)
        data = form.cleaned_data if form.is_bound else {}
        organisation = data.get("organisation")
        people = selectors.people_list(
            user=request.user,
            organisation=organisation,
            role=data.get("role") or None,
            active=form.active_value if form.is_bound else None,
            search=data.get("q") or "",
        )
        if request.GET.get("export") == "csv":
            return self.export(request, people, organisation)
        page = Paginator(people, self.paginate_by).get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        export = request.GET.copy()
        export.pop("page", None)
        export["export"] = "csv"
        context = {
            "title": _("People and roles"),
            "filter_form": form,
            "filter_panel_fields": [form["organisation"], form["role"], form["active"]],
            "filter_panel_open": any(data.get(name) for name in ("organisation", "role", "active")),
            "is_filtered": any(data.values()),
            "object_list": page.object_list,
            "page_obj": page,
            "result_count": page.paginator.count,
            "querystring_without_page": params.urlencode(),
            "export_query": export.urlencode(),
            "add_url": reverse("person_add"),
        }
        return render(request, self.template_name, context)

    def export(self, request: HttpRequest, people: Any, organisation: Any) -> HttpResponseBase:
        if organisation is not None:
            organisation_ids: list[int | None] = [organisation.pk]
        else:
            scope = organisations_where(request.user, "portal.manage_people")
            organisation_ids = [None] if scope is None else [*sorted(scope)]
        rows = list(selectors.access_review_rows(people))
        record_read(
            user=request.user,
            kind=ReadKind.ACCESS_REVIEW,
            model=Membership,
            organisation_ids=organisation_ids,
            filters=request.GET,
            request=request,
            detail={"rows": len(rows) - 1},
        )
        response = StreamingHttpResponse(_csv_lines(iter(rows)), content_type="text/csv")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="access-review-{stamp}.csv"'
        return response


@method_decorator(never_cache, name="dispatch")
class PersonCreateView(PeopleView):
    """``/people/new/``: a new account with its first role; its one-time initial password is
    shown once."""

    template_name = "portal/people/person_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": PersonForm(user=request.user)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PersonForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                person, password = services.person_create(
                    actor=signed_in_user(request.user),
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    organisation=data.get("organisation"),
                    role=data.get("role") or "",
                )
            except ValidationError as error:
                _form_error(form, error)
            else:
                response = render(
                    request,
                    "portal/people/person_created.html",
                    {"person": person, "password": password},
                )
                add_never_cache_headers(response)
                return response
        return render(request, self.template_name, {"form": form}, status=400)


class PersonMixin(PeopleView):
    """A view of one account the user may manage (``people_managed_by``); any other is 404."""

    model = get_user_model()
    pk_url_kwarg = "pk"

    def person(self, pk: int) -> User:
        person: User = get_object_or_404(people_managed_by(self.request.user), pk=pk)
        return person

    def back(self, person: User) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("person_detail", kwargs={"pk": person.pk}))


@method_decorator(never_cache, name="dispatch")
class PersonDetailView(PersonMixin):
    """``/people/<pk>/``: the person's account, roles and history; a new role."""

    template_name = "portal/people/person_detail.html"

    def render_person(
        self,
        person: User,
        form: MembershipForm | None = None,
        status: int = 200,
        active_form: PersonActiveForm | None = None,
    ) -> HttpResponse:
        user = self.request.user
        memberships = [
            (membership, can(user, "portal.revoke_membership", membership))
            for membership in person.memberships.select_related("organisation").order_by(
                "organisation__name_da", "role"
            )
        ]
        context = {
            "person": person,
            "memberships": memberships,
            "form": form or MembershipForm(user=user, person=person),
            "active_form": active_form or PersonActiveForm(person=person),
            "has_authenticator": user_has_authenticator(person),
            "history_entries": selectors.person_history(person, reader=user),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_person(self.person(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A new role for the person."""
        person = self.person(pk)
        form = MembershipForm(request.POST, user=request.user, person=person)
        if form.is_valid():
            try:
                membership = services.membership_grant(
                    actor=signed_in_user(request.user),
                    person=person,
                    organisation=form.cleaned_data["organisation"],
                    role=form.cleaned_data["role"],
                )
            except ValidationError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(person)s is now %(role)s in %(organisation)s.")
                    % {
                        "person": selectors.person_name(person),
                        "role": membership.get_role_display(),
                        "organisation": membership.organisation,
                    },
                )
                return self.back(person)
        return self.render_person(person, form, status=400)


class PersonRoleRemoveView(PersonMixin):
    """``POST /people/<pk>/roles/remove/`` with ``membership``: take one role away."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self.person(pk)
        try:
            membership_pk = int(request.POST.get("membership", ""))
        except ValueError:
            membership_pk = 0
        membership = get_object_or_404(
            Membership.objects.select_related("organisation", "user"),
            pk=membership_pk,
            user=person,
        )
        if not can(request.user, "portal.revoke_membership", membership):
            raise PermissionDenied
        try:
            services.membership_revoke(actor=signed_in_user(request.user), membership=membership)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return self.back(person)
        messages.success(
            request,
            _("%(person)s is no longer %(role)s in %(organisation)s.")
            % {
                "person": selectors.person_name(person),
                "role": membership.get_role_display(),
                "organisation": membership.organisation,
            },
        )
        if people_managed_by(request.user).filter(pk=person.pk).exists():
            return self.back(person)
        return HttpResponseRedirect(reverse("people"))


class PersonActiveView(PersonDetailView):
    """``POST /people/<pk>/active/`` with ``active`` (``1`` or ``0``): reactivate or
    deactivate the account. Deactivation needs ``confirm``: without it the person's page
    comes back (400) with the field's error, and nothing changes."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self.person(pk)
        form = PersonActiveForm(request.POST, person=person)
        if not form.is_valid():
            return self.render_person(person, status=400, active_form=form)
        active = form.cleaned_data["active"]
        services.person_set_active(actor=signed_in_user(request.user), person=person, active=active)
        name = selectors.person_name(person)
        if active:
            messages.success(request, _("%(person)s can sign in again.") % {"person": name})
        else:
            messages.success(
                request, _("%(person)s is deactivated and cannot sign in.") % {"person": name}
            )
        return self.back(person)


class PersonAuthenticatorResetView(PersonMixin):
    """``POST /people/<pk>/authenticator/reset/``: remove a lost authenticator."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self.person(pk)
        services.person_reset_authenticator(actor=signed_in_user(request.user), person=person)
        messages.success(
            request,
            _(
                "The authenticator of %(person)s is removed. They set up a new one at their "
                "next sign-in."
            )
            % {"person": selectors.person_name(person)},
        )
        return self.back(person)
