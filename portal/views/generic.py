"""Generic bases for the HTML views: each concrete view is a few declarative lines.

Every base goes through the permission layer: querysets are restricted to what the user may
see (anything else is 404) and changes are checked with ``can`` (visible but not allowed is
403). Writes happen in one transaction and are re-checked after saving, so a form cannot
smuggle an object into an organisation the user may not edit.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError, QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from portal.access import Action, can, can_add_child, can_add_somewhere
from portal.audit import history_for
from portal.audit.last_change import last_change
from portal.models import ConcurrentUpdate
from portal.views.filter_chips import active_filters


class RestrictedMixin(LoginRequiredMixin):
    """Narrows ``queryset`` to what the signed-in user may see."""

    queryset: QuerySet
    request: HttpRequest

    def get_queryset(self) -> QuerySet:
        return self.queryset.restrict(self.request.user, Action.VIEW)

    @property
    def model_meta(self):
        return self.queryset.model._meta


class ObjectListView(RestrictedMixin, generic.ListView):
    """A filtered, searchable, paginated list."""

    filterset_class: type | None = None
    paginate_by = 50
    add_url_name: str | None = None
    title: str | None = None

    def annotate(self, queryset: QuerySet) -> QuerySet:
        """Add computed columns the filters and the table use (before filtering)."""
        return queryset

    def get_queryset(self) -> QuerySet:
        queryset = self.annotate(super().get_queryset())
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(
                self.request.GET or None, queryset=queryset, request=self.request
            )
            queryset = self.filterset.qs
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        filter_form = self.filterset.form if self.filterset is not None else None
        chips = (
            active_filters(filter_form, params, path=self.request.path)
            if filter_form is not None
            else []
        )
        paginator = context.get("paginator")
        context.update(
            title=self.title or self.model_meta.verbose_name_plural.capitalize(),
            filter_form=filter_form,
            active_filters=chips,
            # The search stays in view; the other filters fold away in a panel.
            filter_panel_fields=(
                [field for field in filter_form.visible_fields() if field.name != "q"]
                if filter_form is not None
                else []
            ),
            # The panel opens by itself when a filter beyond the search is set or refused.
            filter_panel_open=any(chip.name != "q" for chip in chips)
            or bool(filter_form is not None and set(filter_form.errors) - {"q"}),
            result_count=(
                paginator.count if paginator is not None else len(context["object_list"])
            ),
            is_filtered=any(value for key, value in params.items()),
            querystring_without_page=params.urlencode(),
            add_url=(
                reverse(self.add_url_name)
                if self.add_url_name and can_add_somewhere(self.request.user, self.queryset.model)
                else None
            ),
        )
        return context


class ObjectDetailView(RestrictedMixin, generic.DetailView):
    """An object's page with its actions and its history."""

    edit_url_name: str | None = None
    delete_url_name: str | None = None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        kwargs_for_url = dict(self.kwargs)  # the edit and delete URLs take the same arguments
        context.update(
            edit_url=(
                reverse(self.edit_url_name, kwargs=kwargs_for_url)
                if self.edit_url_name and can(user, Action.CHANGE, self.object)
                else None
            ),
            delete_url=(
                reverse(self.delete_url_name, kwargs=kwargs_for_url)
                if self.delete_url_name and can(user, Action.DELETE, self.object)
                else None
            ),
            history_entries=history_for(self.object, reader=user),
            object_type=self.model_meta.verbose_name,
        )
        return context


class ObjectEditView(RestrictedMixin, generic.UpdateView):
    """Creates (no ``pk``/``slug`` in the URL) or changes an object, conflict-safe."""

    template_name = "generic/object_form.html"
    #: Where "Cancel" leads when adding (editing returns to the object).
    list_url_name: str | None = None

    def is_create(self) -> bool:
        return self.pk_url_kwarg not in self.kwargs and self.slug_url_kwarg not in self.kwargs

    def get_object(self, queryset: QuerySet | None = None) -> Model | None:
        if self.is_create():
            if not can_add_somewhere(self.request.user, self.queryset.model):
                raise PermissionDenied
            return None
        obj = super().get_object(queryset)
        if not can(self.request.user, Action.CHANGE, obj):
            raise PermissionDenied
        return obj

    def get_form_kwargs(self) -> dict[str, Any]:
        # The form's choices come from the permission layer for this user (ScopedChoicesMixin):
        # the organisation written to is one where they may add (or change), and every related
        # object one they may see.
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: BaseForm) -> HttpResponse:
        action = Action.ADD if self.is_create() else Action.CHANGE
        try:
            with transaction.atomic():
                self.before_save(form)
                self.object = form.save()
                if not can(self.request.user, action, self.object):
                    raise PermissionDenied
        except ConcurrentUpdate:
            return self.render_to_response(
                self.get_context_data(form=form, conflict=True), status=409
            )
        except ValidationError as error:
            # Rules checked while saving (services, model validation) land on the fields.
            for field, messages_ in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
            return self.form_invalid(form)
        return self.saved()

    def before_save(self, form: BaseForm) -> None:
        """Set what the user does not type (e.g. who updated it) on ``form.instance``."""

    def saved(self) -> HttpResponse:
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        verbose_name = self.model_meta.verbose_name
        if self.object is None:
            title = _("Add %(type)s") % {"type": verbose_name}
            cancel_url = reverse(self.list_url_name or "home")
        else:
            title = _("Edit %(type)s: %(object)s") % {"type": verbose_name, "object": self.object}
            cancel_url = self.object.get_absolute_url()
        context.update(title=title, cancel_url=cancel_url)
        if kwargs.get("conflict") and self.object is not None:
            # Who saved the version this form lost to, and when (as the user may know it).
            context["conflict_change"] = last_change(self.object, self.request.user)
        return context


class ChildObjectEditView(ObjectEditView):
    """Adds an object to a parent named in the URL (``parent_url_kwarg``) or changes one
    (``pk``). Adding needs the right to change the parent (anything else is 404 or 403).

    With ``fixed_parent`` the parent is the object's for good: the form gets it as the
    keyword argument ``parent_field`` and saving and cancelling return to the parent.
    Without, it is only the first choice of a new object's ``parent_field``."""

    #: Where the parent is looked up (restricted to what the user may change).
    parent_queryset: QuerySet
    #: The object's field that points to its parent.
    parent_field: str
    #: The URL's keyword that names the parent, and the parent's field it is matched with.
    parent_url_kwarg: str
    parent_lookup: str = "pk"
    fixed_parent: bool = True
    #: The parent, once ``get_object`` has run.
    parent: Any

    def is_create(self) -> bool:
        return self.pk_url_kwarg not in self.kwargs

    def get_object(self, queryset: QuerySet | None = None) -> Model | None:
        if self.is_create():
            self.parent = restricted_object_or_404(
                self.request,
                self.parent_queryset.all(),
                Action.CHANGE,
                **{self.parent_lookup: self.kwargs[self.parent_url_kwarg]},
            )
            if not can_add_child(self.request.user, self.queryset.model, self.parent):
                raise PermissionDenied
            return None
        obj = super().get_object(queryset)
        self.parent = getattr(obj, self.parent_field)
        return obj

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.fixed_parent:
            kwargs[self.parent_field] = self.parent
        elif self.is_create():
            kwargs["initial"] = {**kwargs.get("initial", {}), self.parent_field: self.parent}
        return kwargs

    def get_success_url(self) -> str:
        return (self.parent if self.fixed_parent else self.object).get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.fixed_parent or self.is_create():
            context["cancel_url"] = self.parent.get_absolute_url()
        return context


class ObjectDeleteView(RestrictedMixin, generic.DeleteView):
    """Asks for confirmation, then deletes — if the user may, and nothing depends on it."""

    template_name = "generic/object_confirm_delete.html"
    success_url_name: str | None = None

    def deleted_url(self) -> str:
        """Where to go once the object is gone."""
        return reverse(self.success_url_name or "home")

    def get_object(self, queryset: QuerySet | None = None) -> Model:
        obj = super().get_object(queryset)
        if not can(self.request.user, Action.DELETE, obj):
            raise PermissionDenied
        return obj

    def form_valid(self, form: BaseForm) -> HttpResponse:
        try:
            with transaction.atomic():
                self.object.delete()
        except ProtectedError:
            messages.error(
                self.request, _("This cannot be deleted because other records depend on it.")
            )
            return HttpResponseRedirect(self.object.get_absolute_url())
        messages.success(self.request, _("Deleted."))
        return HttpResponseRedirect(self.deleted_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            object_type=self.model_meta.verbose_name, cancel_url=self.object.get_absolute_url()
        )
        return context


def restricted_object_or_404(
    request: HttpRequest, queryset: QuerySet, action: str = Action.VIEW, **lookup: Any
) -> Model:
    """The object if the user may see it (404 otherwise) and may do ``action`` (403 otherwise)."""
    obj = get_object_or_404(queryset.restrict(request.user, Action.VIEW), **lookup)
    if action != Action.VIEW and not can(request.user, action, obj):
        raise PermissionDenied
    return obj
