"""Slugs made from names, unique within a model."""

from django.db.models import Model
from django.utils.text import slugify

#: Danish letters that ``slugify`` would drop, spelt the Danish way.
_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def unique_slug(model: type[Model], text: str, *, field: str = "slug") -> str:
    """``slugify(text)``, made unique in ``model`` with ``-2``, ``-3`` … and cut to the field's
    length; a name with no letters or digits becomes the model's name."""
    max_length = getattr(model._meta.get_field(field), "max_length", None) or 50
    base = slugify(text.translate(_DANISH))[:max_length].strip("-") or model.__name__.lower()
    candidate, number = base, 1
    while model._default_manager.filter(**{field: candidate}).exists():
        number += 1
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
    return candidate
