"""Which region a page is about."""

from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest

from portal.models import Organisation


def page_region(
    request: HttpRequest,
    regions: QuerySet[Organisation],
    *,
    default: Literal["first", "only"] = "only",
) -> Organisation | None:
    """The region a page is about: ``?organisation=<slug>`` among ``regions`` (None for a
    slug outside them); without it the first of ``regions`` (``default="first"``) or, with
    ``default="only"``, the only one — None when there are several to choose from."""
    slug = request.GET.get("organisation")
    if slug:
        return regions.filter(slug=slug).first()
    if default == "first":
        return regions.first()
    candidates = list(regions[:2])
    return candidates[0] if len(candidates) == 1 else None
