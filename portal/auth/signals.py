"""What happens to the session when someone signs in."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from portal.auth.mfa import IDP_MFA_SESSION_KEY
from portal.auth.middleware import touch_session


@receiver(user_logged_in, dispatch_uid="portal.auth.session_on_sign_in")
def session_on_sign_in(sender, request, user, **kwargs) -> None:
    # Whether the identity provider vouched for a second factor (False after a password).
    request.session[IDP_MFA_SESSION_KEY] = bool(getattr(user, "portal_idp_mfa", False))
    touch_session(request.session)
