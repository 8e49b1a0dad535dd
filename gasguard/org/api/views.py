"""Read-only organisation API: regions, departments, task forces, scoped to the user."""

import django_filters
from rest_framework import viewsets

from gasguard.org import selectors
from gasguard.org.api import serializers as s
from gasguard.org.choices import DepartmentKindChoices, RegionLevelChoices
from gasguard.org.models import Department, Region


class RegionFilterSet(django_filters.rest_framework.FilterSet):
    """`parent` (code), `level`, `code` prefix."""

    parent = django_filters.CharFilter(field_name="parent__code", label="上级区划代码")
    level = django_filters.ChoiceFilter(choices=RegionLevelChoices.choices, label="层级")
    code = django_filters.CharFilter(field_name="code", lookup_expr="startswith", label="区划代码前缀")

    class Meta:
        model = Region
        fields = ["parent", "level", "code"]


class DepartmentFilterSet(django_filters.rest_framework.FilterSet):
    kind = django_filters.ChoiceFilter(choices=DepartmentKindChoices.choices, label="部门类型")
    region = django_filters.CharFilter(
        field_name="region_code", lookup_expr="startswith", label="区划代码前缀"
    )

    class Meta:
        model = Department
        fields = ["kind", "region"]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative regions (行政区划), looked up by code."""

    serializer_class = s.RegionSerializer
    filterset_class = RegionFilterSet
    lookup_field = "code"

    def get_queryset(self):
        return selectors.region_list(user=self.request.user).select_related("parent")

    def get_object(self):
        return selectors.region_get(user=self.request.user, code=self.kwargs["code"])


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Departments (部门) by kind and region."""

    serializer_class = s.DepartmentSerializer
    filterset_class = DepartmentFilterSet

    def get_queryset(self):
        return selectors.department_list(user=self.request.user)

    def get_object(self):
        return selectors.department_get(user=self.request.user, pk=self.kwargs["pk"])


class TaskForceViewSet(viewsets.ReadOnlyModelViewSet):
    """Task forces (专项整治工作专班)."""

    serializer_class = s.TaskForceSerializer

    def get_queryset(self):
        return selectors.task_force_list(user=self.request.user)

    def get_object(self):
        return selectors.task_force_get(user=self.request.user, pk=self.kwargs["pk"])
