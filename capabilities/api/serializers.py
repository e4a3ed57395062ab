from rest_framework import serializers

from capabilities.models import Discipline


class DisciplineSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    question = serializers.CharField(read_only=True)

    class Meta:
        model = Discipline
        fields = [
            "code",
            "order",
            "name",
            "name_da",
            "name_en",
            "question",
            "question_da",
            "question_en",
            "strategy_heading_da",
            "strategy_heading_en",
        ]
