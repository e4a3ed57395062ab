from django.urls import reverse
from rest_framework import serializers

from portal.api.serializers import OrganisationSlugField
from reports.models import ReportKind, ReportRun


class ReportRunSerializer(serializers.ModelSerializer):
    organisation = OrganisationSlugField(read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    url = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "url",
            "kind",
            "organisation",
            "period",
            "language",
            "status",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
            "size",
            "sha256",
            "error",
            "pdf",
        ]
        read_only_fields = fields

    def get_url(self, run: ReportRun) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:reportrun-detail", kwargs={"pk": run.pk})
        )

    def get_pdf(self, run: ReportRun) -> str | None:
        if run.status != ReportRun.Status.DONE:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("api:reportrun-pdf", kwargs={"pk": run.pk})
        )


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    organisation = OrganisationSlugField(required=False, allow_null=True)
    period = serializers.CharField(max_length=7)
    language = serializers.ChoiceField(choices=[("da", "da"), ("en", "en")], default="da")
    notify = serializers.BooleanField(
        default=False, help_text="E-mail the caller a link when the run has finished."
    )
