"""A many-valued choice among hundreds or thousands of objects, picked by searching.

``SearchSelectMultiple`` renders only what is chosen — never every choice — so a form over a
region's 1,500 assets stays a few kilobytes. It works in two ways:

* with the static script ``js/search-select.js``: an ARIA 1.2 combobox whose listbox is fed
  by a search endpoint (JSON, through the permission layer); each chosen object is a chip
  with a hidden input that posts the field's own name;
* without JavaScript: the chosen objects are ticked checkboxes (untick to remove), and the
  search box with its "Find" button posts the form, which answers with the matches as
  checkboxes to tick (``SearchSelectMultiple.found``) instead of saving.

Either way the form posts the same field name with object ids, and the field's scoped
queryset (``portal.forms.ScopedChoicesMixin``) decides which ids it accepts.
"""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from portal.integer_bounds import integer_key

#: The most matches a search shows, in the listbox as in the page without JavaScript.
SEARCH_LIMIT = 20


class SearchSelectMultiple(forms.SelectMultiple):
    """``search_url``: the endpoint that answers ``?q=…&<scope_param>=…`` with
    ``{"results": [{"id", "label", "detail"}], "more": bool}``; ``scope_field``: the name
    of the form field whose value (the organisation) narrows the search; ``search_fields``:
    the lookups the search without JavaScript matches against."""

    template_name = "includes/search_select.html"

    class Media:
        css = {"all": ["css/search-select.css"]}
        js = [forms.Script("js/search-select.js", defer=True)]

    def __init__(
        self,
        *,
        search_url: str,
        scope_field: str = "organisation",
        scope_param: str = "organisation",
        search_fields: tuple[str, ...] = ("name__icontains",),
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.search_url = search_url
        self.scope_field = scope_field
        self.scope_param = scope_param
        self.search_fields = search_fields
        #: The text searched without JavaScript ("Find" pressed), set by ``searched``.
        self.query = ""

    def searched(self, data: QueryDict | dict, name: str) -> bool:
        """Whether the form was posted by the field's "Find" button with a text to search
        (remembered for rendering the matches): such a post is a search, not a save."""
        query = str(data.get(f"{name}_q") or "").strip()[:100]
        if f"{name}_find" not in data or not query:
            return False
        self.query = query
        return True

    def _queryset(self) -> QuerySet | None:
        return getattr(self.choices, "queryset", None)

    def chosen(self, value: list[Any]) -> list[Any]:
        """The chosen objects among the field's choices (ids outside them are not shown)."""
        queryset = self._queryset()
        ids = {integer_key(getattr(item, "pk", item)) for item in value or ()}
        ids.discard(None)
        if queryset is None or not ids:
            return []
        return list(queryset.filter(pk__in=ids))

    def found(self, chosen: list[Any]) -> list[Any] | None:
        """The matches of the search without JavaScript (None: no search was made)."""
        queryset = self._queryset()
        if not self.query or queryset is None:
            return None
        matches = Q()
        for lookup in self.search_fields:
            matches |= Q(**{lookup: self.query})
        return list(
            queryset.filter(matches).exclude(pk__in=[obj.pk for obj in chosen])[:SEARCH_LIMIT]
        )

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = forms.Widget.get_context(self, name, value, attrs)
        chosen = self.chosen(context["widget"]["value"])
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["widget"].update(
            id=widget_id,
            attrs_html=flatatt(context["widget"]["attrs"]),
            chosen=chosen,
            found=self.found(chosen),
            query=self.query,
            search_url=self.search_url,
            scope_field_id=f"{widget_id.removesuffix(name)}{self._scope_name(name)}",
            scope_param=self.scope_param,
            texts={
                "chosen": _("Chosen"),
                "none_chosen": _("None chosen."),
                "find": _("Find"),
                "found": _("Found – tick to add, then save"),
                "matches": _("Matches"),
                "nothing_found": _("Nothing matches the search."),
                "remove": _("Remove %(name)s"),
                "added": _("%(name)s added."),
                "removed": _("%(name)s removed."),
                "results": _("%(count)s results. Use the arrow keys to choose."),
                "more": _("Showing the first %(count)s. Type more to narrow the search."),
                "scope_first": _("Choose the organisation first."),
                "scope_changed": _("The organisation changed: the chosen ones were removed."),
                "failed": _("The search did not answer. Try again."),
            },
        )
        return context

    def _scope_name(self, name: str) -> str:
        # A prefixed form ("risk-assets") has a prefixed scope field ("risk-organisation").
        prefix = name.rpartition("-")[0]
        return f"{prefix}-{self.scope_field}" if prefix else self.scope_field

    def render(self, name: str, value: Any, attrs=None, renderer=None) -> SafeString:
        # The project's templates (not the form renderer's), as every other page.
        return mark_safe(  # noqa: S308 (a rendered template: escaped where it should be)
            render_to_string(self.template_name, self.get_context(name, value, attrs))
        )

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return id_


class SearchSelectFormMixin:
    """For a form with ``SearchSelectMultiple`` fields: a post by a field's "Find" button
    (without JavaScript) is a search, not a save — the form comes back with the matches to
    tick and says so on the field."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, SearchSelectMultiple) and widget.searched(
                self.data,  # type: ignore[attr-defined]
                self.add_prefix(name),  # type: ignore[attr-defined]
            ):
                self.add_error(  # type: ignore[attr-defined]
                    name, _("Not saved yet: tick the ones you want among those found, then save.")
                )
        return cleaned
