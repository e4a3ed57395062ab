from portal.api.serializers import OrganisationSerializer
from portal.api.viewsets import RestrictedUpdateViewSet
from portal.filtersets import OrganisationFilterSet
from portal.models import Organisation


class OrganisationViewSet(RestrictedUpdateViewSet):
    """The five regions and the sector bodies. Sector administrators edit them."""

    queryset = Organisation.objects.all()
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    lookup_field = "slug"
    ordering_fields = ["name_da", "slug", "kind"]
