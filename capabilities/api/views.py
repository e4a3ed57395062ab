from capabilities.api.serializers import DisciplineSerializer
from capabilities.models import Discipline
from portal.api.viewsets import RestrictedReadOnlyViewSet


class DisciplineViewSet(RestrictedReadOnlyViewSet):
    """The four defence disciplines: anticipate, prevent, detect, respond."""

    queryset = Discipline.objects.all()
    serializer_class = DisciplineSerializer
    lookup_field = "code"
    pagination_class = None
