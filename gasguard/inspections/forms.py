"""Forms of the inspection pages; they only parse input, the services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from gasguard.accounts.selectors import user_scope
from gasguard.inspections.choices import InspectionBatchKindChoices, InspectionTargetTypeChoices
from gasguard.registry.choices import EnterpriseRoleChoices, FacilityKindChoices, PremisesKindChoices

KIND_CHOICES = [
    ("用气场所", [(f"premises:{v}", label) for v, label in PremisesKindChoices.choices]),
    ("企业", [(f"enterprise:{v}", label) for v, label in EnterpriseRoleChoices.choices]),
    ("燃气设施", [(f"facility:{v}", label) for v, label in FacilityKindChoices.choices]),
]


def inspectors_in_scope(user):
    """Active inspectors and supervisors whose department lies in the user's regions."""
    scope = user_scope(user=user)
    qs = get_user_model().objects.filter(
        is_active=True,
        memberships__is_active=True,
        memberships__role__in=("inspector", "supervisor"),
        memberships__department__isnull=False,
    )
    if not scope.is_global:
        from django.db.models import Q

        condition = Q(pk__in=[])
        for prefix in scope.region_prefixes:
            condition |= Q(memberships__department__region_code__startswith=prefix)
        qs = qs.filter(condition)
    return qs.distinct().order_by("username")


def regions_in_scope(user):
    from django.db.models import Q

    from gasguard.org.models import Region

    scope = user_scope(user=user)
    qs = Region.objects.filter(level__lte=4)
    if not scope.is_global:
        condition = Q(pk__in=[])
        for prefix in scope.region_prefixes:
            condition |= Q(code__startswith=prefix)
        qs = qs.filter(condition)
    return qs.order_by("code")


def departments_in_scope(user):
    from django.db.models import Q

    from gasguard.org.models import Department

    scope = user_scope(user=user)
    qs = Department.objects.all()
    if not scope.is_global:
        condition = Q(pk__in=[])
        for prefix in scope.region_prefixes:
            condition |= Q(region_code__startswith=prefix)
        qs = qs.filter(condition)
    return qs.order_by("region_code", "kind")


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class BatchForm(forms.Form):
    name = forms.CharField(label="批次名称", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=InspectionBatchKindChoices.choices)
    region = forms.ModelChoiceField(label="范围（区划）", queryset=None, to_field_name="code")
    target_type = forms.ChoiceField(label="对象类型", choices=InspectionTargetTypeChoices.choices)
    target_kinds = forms.MultipleChoiceField(
        label="对象细类（不选 = 全部）",
        choices=KIND_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    lead_department = forms.ModelChoiceField(label="牵头部门", queryset=None, required=False)
    due_date = forms.DateField(label="完成期限", widget=forms.DateInput(attrs={"type": "date"}))
    assignees = UserChoiceField(label="检查人员（可多选，可稍后分派）", queryset=None, required=False)
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_in_scope(user)
        self.fields["lead_department"].queryset = departments_in_scope(user)
        self.fields["assignees"].queryset = inspectors_in_scope(user)
        self.fields["due_date"].initial = timezone.localdate() + timezone.timedelta(days=30)
        for name, field in self.fields.items():
            css = (
                "form-select"
                if isinstance(field.widget, forms.Select | forms.SelectMultiple)
                else "form-control"
            )
            field.widget.attrs.setdefault("class", css)
            del name

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kinds = [v.split(":", 1)[1] for v in data["target_kinds"] if v.startswith(data["target_type"] + ":")]
        other = [v for v in data["target_kinds"] if not v.startswith(data["target_type"] + ":")]
        if other:
            self.add_error("target_kinds", "所选细类与对象类型不一致")
            return {}
        return {
            "name": data["name"],
            "kind": data["kind"],
            "region_code": data["region"].code,
            "target_type": data["target_type"],
            "target_kinds": kinds,
            "lead_department_id": data["lead_department"].pk if data["lead_department"] else None,
            "due_date": data["due_date"],
            "assignee_ids": [u.pk for u in data["assignees"]],
            "note": data["note"],
        }


class AssignForm(forms.Form):
    tasks = forms.CharField(widget=forms.MultipleHiddenInput, required=False)
    assignees = UserChoiceField(label="检查人员", queryset=None)
    due_date = forms.DateField(
        label="新完成期限（可不填）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignees"].queryset = inspectors_in_scope(user)
        self.fields["assignees"].widget.attrs["class"] = "form-select"
        self.fields["due_date"].widget.attrs["class"] = "form-control"


class NewInspectionForm(forms.Form):
    target_type = forms.ChoiceField(label="对象类型", choices=InspectionTargetTypeChoices.choices)
    target_id = forms.IntegerField(label="对象编号", min_value=1)


class CorrectForm(forms.Form):
    reason = forms.CharField(
        label="更正原因", widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )


class CoverageFilterForm(forms.Form):
    level = forms.ChoiceField(
        label="统计层级",
        choices=[("district", "区县"), ("street", "街道"), ("community", "社区"), ("grid", "网格")],
        required=False,
    )
    region = forms.CharField(label="区划代码", required=False, max_length=15)
    batch = forms.IntegerField(label="批次", required=False, min_value=1, max_value=2**63 - 1)
    date_from = forms.DateField(label="起", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="止", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm",
            )
