from datetime import date
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from portal.access import Action, acting_organisation, may, organisations_for
from portal.access.decisions import Decision, may_decide
from portal.models import Organisation
from portal.views.generic import (
    ChildObjectEditView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RestrictedMixin,
)
from portal.views.regions import page_region
from portal.views.sorting import Sorting, SortKey
from risks.acceptance import may_accept_somehow
from risks.cadence import ReviewCadence
from risks.filtersets import RiskFilterSet
from risks.forms import JointOwnersForm, RiskForm, TreatmentActionForm
from risks.models import (
    LEVEL_ORDER,
    JointRiskOwner,
    Risk,
    RiskMatrix,
    RiskStatus,
    TreatmentAction,
    risk_matrix_for,
)
from risks.related import related_to_risk
from risks.selectors import (
    RegisterCounts,
    heatmap_cell_url,
    heatmap_register_url,
    heatmap_risks,
    register_heatmap,
    risk_trend,
    treatment_plan,
    with_review_state,
)

#: The register's sort keys (``?sort=score``, ``?sort=-score``, …); nothing else is accepted.
SORTING = Sorting(
    [
        SortKey("title", ("title",)),
        SortKey("inherent", ("inherent_score",), descending_first=True),
        SortKey("score", ("residual_score",), descending_first=True),
        # In the order a risk goes through, not alphabetically by its stored value.
        SortKey(
            "status",
            (
                Case(
                    *(When(status=status, then=n) for n, status in enumerate(RiskStatus.values)),
                    output_field=IntegerField(),
                ),
            ),
        ),
        SortKey("review", ("next_review",), nulls_last=True),
        SortKey("updated", ("updated_at",), descending_first=True),
    ],
    default="-score",
    tiebreak=("title", "pk"),
)

#: The register's columns: label, sort key (None: not sortable), CSS class.
COLUMNS = [
    (_("Risk"), "title", ""),
    (_("Region"), None, ""),
    (_("Threat"), None, ""),
    (_("Inherent"), "inherent", "numeric"),
    (_("Residual"), "score", "numeric"),
    (_("Level"), None, ""),
    (_("Status"), "status", ""),
    (_("Owner"), None, ""),
    (_("Next review"), "review", ""),
]


def visible_regions(request, model=Risk) -> QuerySet[Organisation]:
    """The regions whose ``model`` objects the user may see."""
    visible = organisations_for(request.user, model, Action.VIEW)
    regions = Organisation.objects.regions()
    return regions if visible is None else regions.filter(pk__in=visible)


def selected_organisation(request, model=Risk) -> Organisation | None:
    """The region a page is about: ``?organisation=<slug>``, else the user's only region."""
    return page_region(request, visible_regions(request, model))


class RiskListView(ObjectListView):
    """The register: filters, sorting, search, pagination; only what the user may see."""

    queryset = Risk.objects.select_related("organisation", "threat", "owner", "discipline")
    filterset_class = RiskFilterSet
    template_name = "risks/risk_list.html"
    add_url_name = "risks:risk_add"

    def annotate(self, queryset: QuerySet) -> QuerySet:
        self.sort = SORTING.parse(self.request.GET.get("sort"))
        return with_review_state(queryset).order_by(*SORTING.order_by(self.sort))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        organisation = selected_organisation(self.request)
        export = params.copy()
        export.pop("sort", None)
        context.update(
            today=date.today(),
            sort=self.sort,
            headers=SORTING.headers(COLUMNS, params=params, value=self.sort),
            organisation=organisation,
            trend=risk_trend(organisation) if organisation else [],
            export_query=export.urlencode(),
        )
        return context


class HeatmapView(RestrictedMixin, TemplateView):
    """Inherent and residual risk as heatmaps; each cell links to the register filtered to
    exactly the risks it counts (``risks.selectors.heatmap_risks``)."""

    queryset = Risk.objects.all()
    template_name = "risks/heatmap.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organisation = selected_organisation(self.request)
        # One region: its risks the user may see, without the branch for other regions'
        # shared systems when the user sees the whole region (the same rows, simpler queries).
        # The joint assessments of systems shared with the region that another region
        # leads are in its heatmap too.
        visible = (
            Risk.objects.restrict_to(self.request.user, Action.VIEW, organisation)
            | Risk.objects.restrict(self.request.user, Action.VIEW).joint_led_elsewhere(
                [organisation.pk]
            )
            if organisation is not None
            else self.get_queryset()
        )
        risks = heatmap_risks(visible, organisation=organisation)
        matrix = risk_matrix_for(organisation) if organisation else RiskMatrix()
        counts = RegisterCounts.of(risks, home=organisation)
        context.update(
            organisation=organisation,
            regions=visible_regions(self.request),
            inherent=register_heatmap(
                queryset=risks,
                matrix=matrix,
                kind="inherent",
                url_for=heatmap_cell_url(organisation, kind="inherent"),
                counts=counts.inherent_cells,
            ),
            residual=register_heatmap(
                queryset=risks,
                matrix=matrix,
                kind="residual",
                url_for=heatmap_cell_url(organisation, kind="residual"),
                counts=counts.residual_cells,
            ),
            level_counts=[
                (
                    level,
                    counts.residual_levels.get(level, 0),
                    heatmap_register_url(organisation, level=level),
                )
                for level in LEVEL_ORDER
            ],
            matrix=matrix,
            joint_count=counts.elsewhere,
        )
        return context


class RiskDetailView(ObjectDetailView):
    queryset = Risk.objects.select_related(
        "organisation", "threat", "owner", "discipline", "accepted_by", "acceptance_criteria"
    ).prefetch_related("initiatives")
    template_name = "risks/risk_detail.html"
    edit_url_name = "risks:risk_edit"
    delete_url_name = "risks:risk_delete"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        may_change = context["edit_url"] is not None
        # Another region reading a shared risk sees its shared systems, not the owner's
        # other assets.
        assets = self.object.assets.restrict(self.request.user, Action.VIEW).order_by("name")
        matrix = risk_matrix_for(self.object.organisation)
        risk = self.object
        leading = leads(self.request.user, risk) if may_change else False
        shared_with = list(
            Organisation.objects.filter(shared_assets__in=assets).distinct().order_by("name_da")
        )
        context.update(
            assets=assets,
            today=date.today(),
            treatments=self.object.treatments.select_related("owner"),
            # A joint risk's treatment actions stay with the lead region.
            may_edit_treatments=may_change and (leading or not risk.joint),
            joint=joint_context(self.request.user, risk, regions=shared_with),
            matrix=matrix,
            dimensions=_dimension_rows(self.object, matrix),
            shared_with=shared_with,
            related_sections=related_to_risk(self.object, user=self.request.user),
            review=ReviewCadence.load().attach([self.object], today=date.today())[0],
            accept_url=(
                reverse("risks:risk_accept", kwargs={"pk": self.object.pk})
                if may_accept_somehow(self.request.user, self.object)
                else None
            ),
        )
        return context


def _dimension_rows(risk: Risk, matrix: RiskMatrix) -> list[dict[str, Any]]:
    """The risk's switched-on consequence dimensions: label, score, the matrix's word for it
    and whether it sets the consequence."""
    labels = matrix.consequence_labels
    scores = risk.dimension_scores()
    return [
        {
            "label": label,
            "score": scores[value],
            "word": labels[scores[value] - 1]
            if scores[value] is not None and 0 < scores[value] <= len(labels)
            else "",
            "sets": value == risk.consequence_dimension,
        }
        for value, label in matrix.dimension_choices()
    ]


def leads(user, risk: Risk) -> bool:
    """Whether ``user`` changes ``risk`` for its own region (the lead of a joint risk)."""
    return acting_organisation(user, risk) == risk.organisation_id


def joint_context(user, risk: Risk, *, regions: list[Organisation]) -> dict[str, Any]:
    """The joint assessment section of a risk's page: whether the risk is joint, the regions
    its systems are shared with (those the user sees), whether the user may make it joint or
    end it, and the regions whose risk owners the user names (``JointOwnersView``)."""
    naming = (
        [region for region in regions if may(user, "risks.name_joint_owners", region)]
        if risk.joint
        else []
    )
    forms = []
    for region in naming:
        named = (
            JointRiskOwner.objects.restrict(user, Action.VIEW)
            .filter(risk=risk, organisation=region)
            .values_list("user_id", flat=True)
        )
        forms.append(
            (
                region,
                JointOwnersForm(user=user, organisation=region, initial={"owners": list(named)}),
            )
        )
    return {
        "is_joint": risk.joint,
        "regions": regions,
        "may_toggle": bool(regions or risk.joint) and may(user, "risks.make_joint", risk),
        "naming": forms,
    }


class RiskEditView(ObjectEditView):
    queryset = Risk.objects.select_related("organisation")
    form_class = RiskForm
    list_url_name = "risks:risk_list"
    template_name = "risks/risk_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        organisation = self.object.organisation if self.object else None
        if organisation is None:
            allowed = organisations_for(self.request.user, Risk, Action.ADD)
            if allowed and len(allowed) == 1:
                organisation = Organisation.objects.get(pk=allowed[0])
                kwargs["initial"] = {**kwargs.get("initial", {}), "organisation": organisation}
        if organisation is not None:
            kwargs["matrix"] = risk_matrix_for(organisation)
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if (
            self.object is not None
            and self.object.joint
            and not leads(self.request.user, self.object)
        ):
            # A region sharing a joint risk's system edits the assessment; which systems it
            # is on and who owns it are the lead region's (and name what it alone sees).
            del form.fields["assets"]
            del form.fields["owner"]
            return form
        if self.object is not None and not may_decide(
            self.request.user, Decision.ASSIGN_RISK_OWNER, self.object.organisation_id
        ):
            # A risk owner treats their risk; who owns it is the CISO's decision.
            form.fields["owner"].disabled = True
        return form


class RiskDeleteView(ObjectDeleteView):
    queryset = Risk.objects.select_related("organisation")
    success_url_name = "risks:risk_list"


class TreatmentPlanView(ObjectListView):
    """All open treatment actions of the risks the user may see, overdue first."""

    queryset = TreatmentAction.objects.all()
    template_name = "risks/treatment_plan.html"
    paginate_by = 100

    def annotate(self, queryset: QuerySet) -> QuerySet:
        actions = treatment_plan(queryset)
        self.organisation = selected_organisation(self.request)
        if self.organisation is not None:
            actions = actions.filter(organisation=self.organisation)
        return actions

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(today=date.today(), organisation=self.organisation)
        return context


class TreatmentEditView(ChildObjectEditView):
    """Adds a treatment action to a risk (``risk`` in the URL) or changes one."""

    queryset = TreatmentAction.objects.select_related("risk", "risk__organisation")
    form_class = TreatmentActionForm
    parent_queryset = Risk.objects.select_related("organisation")
    parent_field = parent_url_kwarg = "risk"


class TreatmentDeleteView(ObjectDeleteView):
    queryset = TreatmentAction.objects.select_related("risk")

    def deleted_url(self) -> str:
        return self.object.risk.get_absolute_url()
