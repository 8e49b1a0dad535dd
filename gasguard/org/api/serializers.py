"""Serializers of the read-only organisation API."""

from rest_framework import serializers

from gasguard.org.models import Department, Region, TaskForce


class RegionSerializer(serializers.ModelSerializer):
    """An administrative region; `parent` is the parent's code."""

    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = (
            "id",
            "code",
            "name",
            "level",
            "level_display",
            "parent",
            "center_lon",
            "center_lat",
            "boundary",
        )


class DepartmentSerializer(serializers.ModelSerializer):
    """A department of one kind in one region."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Department
        fields = ("id", "name", "kind", "kind_display", "region_code", "region_name", "phone")


class TaskForceSerializer(serializers.ModelSerializer):
    """A task force (专班) with its lead, deputy lead and member departments."""

    lead = DepartmentSerializer(read_only=True)
    deputy_lead = DepartmentSerializer(read_only=True)
    members = DepartmentSerializer(many=True, read_only=True)

    class Meta:
        model = TaskForce
        fields = (
            "id",
            "name",
            "region_code",
            "lead",
            "deputy_lead",
            "members",
            "head",
            "liaison",
            "liaison_phone",
        )
