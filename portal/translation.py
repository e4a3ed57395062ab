"""Fields kept in both languages (``title_da`` / ``title_en``) and read in the active one."""

from django.db.models import Model
from django.utils.translation import get_language


def localized(obj: Model, field: str) -> str:
    """``obj.<field>_<lang>`` for the active language, falling back to Danish."""
    language = (get_language() or "da").split("-")[0]
    value = getattr(obj, f"{field}_{language}", "") if language != "da" else ""
    return value or getattr(obj, f"{field}_da", "")
