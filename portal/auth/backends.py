"""The password backend, switched by ``LOCAL_LOGIN_ENABLED``."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class LocalPasswordBackend(ModelBackend):
    """Django's user name and password, answering only while local sign-in is enabled.

    With ``LOCAL_LOGIN_ENABLED=false`` no password signs in anywhere (the login page, the
    admin site, the API's token endpoint) and sessions opened with a password end.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.LOCAL_LOGIN_ENABLED:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        if not settings.LOCAL_LOGIN_ENABLED:
            return None
        return super().get_user(user_id)
