"""``{% can %}``: the permission layer's answer in a template, so that a page offers a link,
a button or a form only to whom the view behind it will say yes.

    {% load access %}
    {% can "change" risk as may_change %}{% if may_change %}<a href="…">Edit</a>{% endif %}
    {% can "reports.request" kind organisation as may_request %}
    {% can "add" "risks.Risk" as may_add_risks %}

The first argument is an object action (``view``, ``add``, ``change``, ``delete``) with one
object, or a named action with its arguments — exactly what the view asks ``can`` (and so
never a different rule). ``add`` with a model's label (``"app.Model"``) instead of an object
asks whether the user may add such objects anywhere (``can_add_somewhere``)."""

from typing import Any

from django import template
from django.apps import apps

from portal.access import Action, can_add_somewhere
from portal.access import can as access_can

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: template.Context, action: str, *args: Any) -> bool:
    """Whether the signed-in user may ``action`` (with ``args``)."""
    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    if action == Action.ADD and len(args) == 1 and isinstance(args[0], str):
        return can_add_somewhere(user, apps.get_model(args[0]))
    return access_can(user, action, *args)
