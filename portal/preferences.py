"""A person's own settings (``portal.models.Preferences``): read with their defaults, changed
only by the person on their account page."""

from django.contrib.auth.models import User
from django.db import transaction

from portal.models import Preferences


def preferences_of(user: User, *, language: str | None = None) -> Preferences:
    """``user``'s settings, or an unsaved row with the defaults (in ``language`` when given:
    the language they read the portal in)."""
    found = Preferences.objects.filter(user=user).first()
    if found is not None:
        return found
    unsaved = Preferences(user=user)
    if language:
        unsaved.language = language
    return unsaved


def preferences_save(*, user: User, daily_digest: bool, language: str) -> Preferences:
    """Store ``user``'s choice of the daily digest and of the language the portal writes to
    them in (audited)."""
    with transaction.atomic():
        preferences = Preferences.objects.select_for_update().filter(user=user).first()
        if preferences is None:
            return Preferences.objects.create(
                user=user, daily_digest=daily_digest, language=language
            )
        if (preferences.daily_digest, preferences.language) != (daily_digest, language):
            preferences.daily_digest = daily_digest
            preferences.language = language
            preferences.save(update_fields=["daily_digest", "language"])
    return preferences
