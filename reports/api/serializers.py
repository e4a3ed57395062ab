from django.urls import reverse
from rest_framework import serializers

from initiatives.models import Strategy
from portal.access import Action
from portal.api.serializers import OrganisationSlugField
from reports.models import Classification, ReportKind, ReportRun
from reports.services import may_request, requestable_regions


class ReportRunSerializer(serializers.ModelSerializer):
    organisation = OrganisationSlugField(read_only=True)
    # Empty for a run the schedule requested, and until a run is approved.
    requested_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    approved_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    url = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()
    strategy = serializers.SerializerMethodField(
        help_text="The slug of the strategy chosen when the run was requested; null for the "
        "strategy in force at the end of the period."
    )

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "url",
            "kind",
            "organisation",
            "period",
            "language",
            "classification",
            "status",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
            "size",
            "sha256",
            "error",
            "pdf",
            "approved_at",
            "approved_by",
            "approval_reference",
            "final",
            "strategy",
        ]
        read_only_fields = fields

    def get_url(self, run: ReportRun) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:reportrun-detail", kwargs={"pk": run.pk})
        )

    def get_strategy(self, run: ReportRun) -> str | None:
        return (run.parameters or {}).get("strategy")

    def get_pdf(self, run: ReportRun) -> str | None:
        if run.status != ReportRun.Status.DONE:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("api:reportrun-pdf", kwargs={"pk": run.pk})
        )


class ReportApprovalSerializer(serializers.Serializer):
    reference = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="The decision's reference, e.g. the TSI meeting and agenda item (required "
        "for a sector edition).",
    )


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    organisation = OrganisationSlugField(required=False, allow_null=True)
    period = serializers.CharField(max_length=7)
    language = serializers.ChoiceField(choices=[("da", "da"), ("en", "en")], default="da")
    classification = serializers.ChoiceField(
        choices=Classification.choices,
        required=False,
        help_text="public (no risk figures) or confidential (a region's edition with its risk "
        "picture). Default: public, except the CISO's quarterly report and the sector's risk "
        "picture (sector_risk_picture, the sector's edition only), always confidential.",
    )
    strategy = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Strategy.objects.none(),
        required=False,
        allow_null=True,
        help_text="The slug of the strategy whose implementation the council appendix or the "
        "portfolio report shows (e.g. 2023-2025). Default: the strategy in force at the end "
        "of the period.",
    )
    notify = serializers.BooleanField(
        default=False, help_text="E-mail the caller a link when the run has finished."
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # none when the schema is generated
        # Only the regions whose editions the caller may request: another region's slug is
        # answered like an unknown one, before any other check.
        user = getattr(request, "user", None)
        self.fields["organisation"].queryset = requestable_regions(user)
        self.fields["strategy"].queryset = Strategy.objects.restrict(user, Action.VIEW)

    def validate(self, attrs: dict) -> dict:
        organisation = attrs.get("organisation")
        user = self.context["request"].user
        if organisation is not None and not may_request(user, attrs["kind"], organisation):
            # Another region's edition is answered as for a region that does not exist.
            try:
                self.fields["organisation"].fail(
                    "does_not_exist", slug_name="slug", value=organisation.slug
                )
            except serializers.ValidationError as error:
                raise serializers.ValidationError({"organisation": error.detail}) from None
        return attrs
