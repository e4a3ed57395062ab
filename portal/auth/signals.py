"""What happens to the session when someone signs in, and to a person's API tokens when their
password changes, their account is deactivated or they lose their last membership."""

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from portal.auth.mfa import IDP_MFA_SESSION_KEY
from portal.auth.middleware import touch_session
from portal.auth.tokens import api_tokens_end_for_user
from portal.models import ApiToken, Membership

_TOKENS_END_ATTRIBUTE = "_portal_api_tokens_end"


@receiver(user_logged_in, dispatch_uid="portal.auth.session_on_sign_in")
def session_on_sign_in(sender, request, user, **kwargs) -> None:
    # Whether the identity provider vouched for a second factor (False after a password).
    request.session[IDP_MFA_SESSION_KEY] = bool(getattr(user, "portal_idp_mfa", False))
    touch_session(request.session)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="portal.auth.tokens_pre_save")
def tokens_note_credential_change(sender, instance, raw=False, update_fields=None, **kwargs):
    """Note whether this save changes the password or deactivates the account (the tokens end
    after the save, in ``tokens_end_on_credential_change``)."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login at every sign-in
    before = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    reason = None
    if before["is_active"] and not instance.is_active:
        reason = ApiToken.EndReason.DEACTIVATED
    elif before["password"] != instance.password:
        # Django re-hashes an unchanged password when its hasher's strength grows: the same
        # password under a new hash is no change.
        raw_password = getattr(instance, "_password", None)
        if raw_password is None or not check_password(raw_password, before["password"]):
            reason = ApiToken.EndReason.PASSWORD_CHANGED
    setattr(instance, _TOKENS_END_ATTRIBUTE, reason)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="portal.auth.tokens_post_save")
def tokens_end_on_credential_change(sender, instance, created=False, **kwargs):
    reason = getattr(instance, _TOKENS_END_ATTRIBUTE, None)
    if reason and not created:
        api_tokens_end_for_user(user_id=instance.pk, reason=reason)
    setattr(instance, _TOKENS_END_ATTRIBUTE, None)


@receiver(post_delete, sender=Membership, dispatch_uid="portal.auth.tokens_last_membership")
def tokens_end_with_last_membership(sender, instance, **kwargs):
    if not Membership.objects.filter(user_id=instance.user_id).exists():
        api_tokens_end_for_user(user_id=instance.user_id, reason=ApiToken.EndReason.NO_MEMBERSHIP)
