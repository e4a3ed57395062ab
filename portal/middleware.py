from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.utils.functional import SimpleLazyObject

from portal.client_address import client_address, client_port


class AuditActorMiddleware(AuditlogMiddleware):
    """Attribute audit entries to the user who made the request, API tokens included, and to
    the address it came from as ``portal.client_address`` trusts it (``TRUSTED_PROXY_COUNT``).

    django-auditlog reads the actor when the request enters the middleware, before the REST
    framework has authenticated a token. Reading it lazily — when an entry is written — picks up
    the user the API authenticated, since DRF sets it on the underlying request.
    """

    @staticmethod
    def _get_remote_addr(request):
        # django-auditlog takes the left-most X-Forwarded-For entry: the one the client wrote.
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return client_address(request)

    @staticmethod
    def _get_remote_port(request):
        return client_port(request)

    @staticmethod
    def _get_actor(request):
        return SimpleLazyObject(lambda: getattr(request, "user", None))
