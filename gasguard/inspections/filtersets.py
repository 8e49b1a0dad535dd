"""Filters shared by the inspection list page and the API (one FilterSet, two doors)."""

import django_filters
from django import forms

from gasguard.core.filters import IdFilter, StrictBooleanFilter, StrictBooleanWidget
from gasguard.inspections.choices import InspectionStatusChoices, InspectionTargetTypeChoices
from gasguard.inspections.models import Inspection


class InspectionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="检查对象/编号", method="filter_q")
    status = django_filters.ChoiceFilter(label="状态", choices=InspectionStatusChoices.choices)
    target_type = django_filters.ChoiceFilter(label="对象类型", choices=InspectionTargetTypeChoices.choices)
    region = django_filters.CharFilter(label="区划代码", method="filter_region")
    has_hazard = StrictBooleanFilter(
        label="发现隐患",
        method="filter_has_hazard",
        widget=StrictBooleanWidget(choices=[("", "全部"), ("true", "有隐患"), ("false", "无隐患")]),
    )
    batch = IdFilter(label="批次", field_name="task__batch_id")
    premises = IdFilter(label="场所", field_name="premises_id")
    enterprise = IdFilter(label="企业", field_name="enterprise_id")
    date_from = django_filters.DateFilter(
        label="检查日期起",
        field_name="started_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label="检查日期止",
        field_name="started_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    mine = StrictBooleanFilter(
        label="我参与的",
        method="filter_mine",
        widget=StrictBooleanWidget(choices=[("", "全部"), ("true", "我参与的")]),
    )

    class Meta:
        model = Inspection
        fields = []

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(target_name__icontains=value) | queryset.filter(number=value)

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_code__startswith=value.strip()) if value.strip() else queryset

    def filter_has_hazard(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(hazard_count__gt=0) if value else queryset.filter(hazard_count=0, status="sealed")
        )

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value and user is not None:
            return queryset.filter(inspectors=user)
        return queryset
