from __future__ import annotations

from typing import Any

from rest_framework import serializers


class SnapshotSerializer(serializers.Serializer[Any]):
    day = serializers.DateField(help_text="Day the figure was measured for (end of that day).")
    value = serializers.FloatField(
        allow_null=True, help_text="The figure; null when there was nothing to measure."
    )
    detail = serializers.JSONField(help_text="The counts behind the figure.")


class MetricSerializer(serializers.Serializer[Any]):
    id = serializers.CharField(help_text="Stable id, e.g. `q6.paper_free_share`.")
    question = serializers.CharField(help_text="Question of the inquiry: Q1–Q8, B1–B3.")
    title = serializers.CharField()
    unit = serializers.ChoiceField(choices=["percent", "count", "days", "score", "euro"])
    formula = serializers.CharField()
    data_source = serializers.CharField(help_text="Where the data comes from.")
    reading = serializers.CharField(help_text="How to read the figure.")
    higher_is_better = serializers.BooleanField()
    latest = SnapshotSerializer(allow_null=True)


class MetricHistorySerializer(MetricSerializer):
    history = SnapshotSerializer(many=True, help_text="One value per day, oldest first.")
