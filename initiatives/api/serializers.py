from rest_framework import serializers

from initiatives.models import Initiative, StrategicObjective, Strategy


class StrategySerializer(serializers.ModelSerializer):
    predecessor = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Strategy
        fields = ["id", "slug", "title_da", "title_en", "start_year", "end_year", "predecessor"]


class StrategicObjectiveSerializer(serializers.ModelSerializer):
    strategy = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = StrategicObjective
        fields = [
            "id",
            "strategy",
            "number",
            "title_da",
            "title_en",
            "description_da",
            "description_en",
        ]


class InitiativeSerializer(serializers.ModelSerializer):
    strategy = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    discipline = serializers.SlugRelatedField(slug_field="code", read_only=True)
    objectives = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)

    class Meta:
        model = Initiative
        fields = [
            "id",
            "strategy",
            "number",
            "title_da",
            "title_en",
            "description_da",
            "description_en",
            "discipline",
            "objectives",
        ]
