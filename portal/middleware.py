from auditlog.middleware import AuditlogMiddleware
from django.utils.functional import SimpleLazyObject


class AuditActorMiddleware(AuditlogMiddleware):
    """Attribute audit entries to the user who made the request, API tokens included.

    django-auditlog reads the actor when the request enters the middleware, before the REST
    framework has authenticated a token. Reading it lazily — when an entry is written — picks up
    the user the API authenticated, since DRF sets it on the underlying request.
    """

    @staticmethod
    def _get_actor(request):
        return SimpleLazyObject(lambda: getattr(request, "user", None))
