import logging

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.utils.functional import SimpleLazyObject

from portal.client_address import client_address, client_port

log = logging.getLogger(__name__)


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


class DatabasePrincipalMiddleware:
    """Give the database session the signed-in user's principal for the request, and take it
    away after the response (``portal.rls``): PostgreSQL's row-level security then shows the
    request only what the user's organisations and roles allow, whatever query a view makes.

    Derived from ``request.user`` alone (the API sets its token's user once it has
    authenticated it). A streaming response keeps the context until it is closed. If the
    context cannot be set the session has none, and sees no row.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        from portal import rls

        if not rls.is_active():
            return self.get_response(request)
        try:
            previous = rls.activate_user(getattr(request, "user", None))
        except Exception:
            log.exception("row-level security context not set: the request sees no rows")
            previous = dict(rls.NO_CONTEXT)
        try:
            response = self.get_response(request)
        except BaseException:
            rls.restore(previous)
            raise
        if getattr(response, "streaming", False):
            response._resource_closers.append(lambda: rls.restore(previous))
        else:
            rls.restore(previous)
        return response
