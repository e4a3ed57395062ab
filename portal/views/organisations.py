from portal.filtersets import OrganisationFilterSet
from portal.forms import OrganisationForm
from portal.models import Organisation
from portal.views.generic import ObjectDetailView, ObjectEditView, ObjectListView


class OrganisationListView(ObjectListView):
    queryset = Organisation.objects.all()
    filterset_class = OrganisationFilterSet
    template_name = "portal/organisation_list.html"


class OrganisationDetailView(ObjectDetailView):
    queryset = Organisation.objects.all()
    template_name = "portal/organisation_detail.html"
    edit_url_name = "organisation_edit"


class OrganisationEditView(ObjectEditView):
    queryset = Organisation.objects.all()
    form_class = OrganisationForm
