"""The ledger's filters, shared by the list page, the API, the totals and the Excel export."""

import django_filters
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from gasguard.core.filters import IdFilter
from gasguard.hazards.choices import HazardSourceChoices, HazardStatusChoices, HazardTargetTypeChoices
from gasguard.hazards.models import Hazard
from gasguard.rules.choices import CategoryChoices, SeverityChoices

YES_NO = (("1", "是"), ("0", "否"))


# The search text indexed by hazards migration 0004 (gg_bigrams comes from registry 0002).
HAZARD_BIGRAM_SQL = (
    "gg_bigrams(lower(coalesce(hazards_hazard.code, '') || ' ' || hazards_hazard.target_name || ' ' "
    "|| hazards_hazard.title || ' ' || hazards_hazard.responsible_person)) @> %s::text[]"
)


class HazardFilterSet(django_filters.FilterSet):
    """区域/部门/类别/等级/状态/逾期/来源/对象类型/日期范围/挂牌督办/改后反弹/关键词."""

    region = django_filters.CharFilter(label="区域代码", method="filter_region")
    department = IdFilter(label="监管部门", field_name="lead_department_id")
    category = django_filters.ChoiceFilter(label="类别", choices=CategoryChoices.choices)
    severity = django_filters.ChoiceFilter(label="等级", choices=SeverityChoices.choices)
    status = django_filters.MultipleChoiceFilter(
        label="状态", choices=HazardStatusChoices.choices, distinct=False
    )
    overdue = django_filters.ChoiceFilter(label="是否逾期", choices=YES_NO, method="filter_overdue")
    source = django_filters.ChoiceFilter(label="来源", choices=HazardSourceChoices.choices)
    target_type = django_filters.ChoiceFilter(label="对象类型", choices=HazardTargetTypeChoices.choices)
    premises = IdFilter(label="场所", field_name="premises_id")
    enterprise = IdFilter(label="企业", field_name="enterprise_id")
    found_from = django_filters.DateFilter(label="发现起", field_name="found_at", lookup_expr="date__gte")
    found_to = django_filters.DateFilter(label="发现止", field_name="found_at", lookup_expr="date__lte")
    deadline_from = django_filters.DateFilter(label="时限起", field_name="deadline", lookup_expr="gte")
    deadline_to = django_filters.DateFilter(label="时限止", field_name="deadline", lookup_expr="lte")
    closed_from = django_filters.DateFilter(label="销号起", field_name="closed_at", lookup_expr="date__gte")
    closed_to = django_filters.DateFilter(label="销号止", field_name="closed_at", lookup_expr="date__lte")
    supervised = django_filters.ChoiceFilter(label="挂牌督办", choices=YES_NO, method="filter_supervised")
    reappeared = django_filters.ChoiceFilter(label="改后反弹", choices=YES_NO, method="filter_reappeared")
    q = django_filters.CharFilter(label="关键词", method="filter_q")

    class Meta:
        model = Hazard
        fields: list[str] = []

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            from django import forms

            for f in form.fields.values():
                widget = f.widget
                if isinstance(widget, forms.Select):
                    widget.attrs.setdefault("class", "form-select form-select-sm")
                else:
                    widget.attrs.setdefault("class", "form-control form-control-sm")
                if isinstance(f, forms.DateField):
                    widget.input_type = "date"
            form._styled = True
        return form

    def filter_region(self, qs, name, value):
        value = (value or "").strip()
        if not value.isdigit():
            return qs
        from gasguard.core.listing import prefix_range

        return qs.filter(**prefix_range("region_code", value))

    def filter_overdue(self, qs, name, value):
        from gasguard.hazards.selectors import overdue_q  # selectors import this module

        overdue = overdue_q()
        return qs.filter(overdue) if value == "1" else qs.exclude(overdue)

    def filter_supervised(self, qs, name, value):
        return qs.filter(is_supervised=value == "1")

    def filter_reappeared(self, qs, name, value):
        return qs.filter(reappeared_from__isnull=value != "1")

    def filter_q(self, qs, name, value):
        value = (value or "").strip()
        if not value:
            return qs
        qs = qs.filter(
            Q(code__icontains=value)
            | Q(target_name__icontains=value)
            | Q(title__icontains=value)
            | Q(responsible_person__icontains=value)
        )
        if connection.vendor == "postgresql" and len(value) >= 2:
            # Narrow with the bigram index (migration 0004) first; the ILIKEs above stay exact.
            lowered = value.lower()
            grams = sorted({lowered[i : i + 2] for i in range(len(lowered) - 1)})
            qs = qs.filter(RawSQL(HAZARD_BIGRAM_SQL, (grams,), output_field=BooleanField()))
        return qs
