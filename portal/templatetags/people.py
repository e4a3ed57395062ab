"""``{{ user|person }}``: one way to name a person on every page — the full name, with the user
name on hover (``title``); the user name alone when the account has no name, "—" for nobody."""

from django import template
from django.contrib.auth.models import AbstractBaseUser
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

NOBODY = "—"


@register.filter
def person(user: AbstractBaseUser | str | None) -> SafeString | str:
    """The person's full name in a ``<span>`` whose ``title`` is the user name (a name
    already written out, e.g. a run's requester, is shown as it is)."""
    if user is None or user == "":
        return NOBODY
    if isinstance(user, str):
        return format_html('<span class="person">{}</span>', user)
    username = user.get_username()
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    if not full_name or full_name == username:
        return format_html('<span class="person">{}</span>', username)
    return format_html('<span class="person" title="{}">{}</span>', username, full_name)
