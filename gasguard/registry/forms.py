"""Forms of the registry UI: input shape only; services validate and save.

Service errors (ValidationFailed / PermissionDenied with a field) are put back on the form
as field errors by `apply_domain_error`.
"""

from django import forms
from django.forms.models import fields_for_model, model_to_dict

from gasguard.accounts.selectors import user_scope
from gasguard.core.errors import DomainError
from gasguard.org.models import Region
from gasguard.registry.choices import EnterpriseRoleChoices
from gasguard.registry.models import Certificate, Enterprise, Facility, Licence, Premises, Staff
from gasguard.registry.selectors import enterprise_choices, enterprise_list

SUPPLY_ROLES = ("pipeline_gas", "bottled_lpg")


def bootstrapify(form) -> None:
    """Bootstrap classes on every widget (form-select / form-check-input / form-control)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    if form.is_bound:
        for name in form.errors:
            if name in form.fields:
                widget = form.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


def apply_domain_error(form, exc: DomainError) -> None:
    """Show a service's error on the fields it names, else as a form-level error."""
    placed = False
    for name, messages in (exc.errors or {}).items():
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            if name in form.fields:
                form.add_error(name, message)
                placed = True
            else:
                form.add_error(None, message)
                placed = True
    if not placed:
        form.add_error(None, exc.message)
    bootstrapify(form)


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


def region_queryset(user):
    """Regions a user may file rows under: their scope's subtree; enterprise users their city."""
    scope = user_scope(user=user)
    qs = Region.objects.order_by("code").only("id", "code", "name")
    if scope.is_global:
        return qs
    prefixes = list(scope.region_prefixes)
    if scope.enterprise_ids:
        codes = enterprise_list(user=user).values_list("region_code", flat=True)
        prefixes += sorted({code[:4] for code in codes})
    from django.db.models import Q  # noqa: PLC0415

    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= Q(code__startswith=prefix)
    return qs.filter(condition)


class ServiceForm(forms.Form):
    """A form whose fields come from a model; `initial_from(instance)` fills it for editing."""

    model = None
    field_names: tuple[str, ...] = ()

    def __init__(self, *args, user=None, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(instance)
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance = instance
        self.setup()
        bootstrapify(self)

    def setup(self) -> None:
        """Limit choices to the user's scope (override)."""

    def initial_from(self, instance) -> dict:
        data = model_to_dict(instance, fields=[f for f in self.field_names if f not in ("roles", "region")])
        if "region" in self.field_names:
            data["region"] = instance.region_id
        return data

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in self.field_names}


def _model_fields(model, names):
    return fields_for_model(model, fields=names)


class EnterpriseForm(ServiceForm):
    model = Enterprise
    field_names = (
        "name",
        "uscc",
        "region",
        "address",
        "legal_representative",
        "contact_phone",
        "lon",
        "lat",
        "is_active",
    )
    locals().update(_model_fields(Enterprise, field_names))
    uscc = forms.CharField(label="统一社会信用代码", max_length=30, help_text="18位，含校验位")
    region = RegionChoiceField(queryset=Region.objects.none(), label="所在区划")
    service_regions = forms.CharField(
        label="供气/经营区域", required=False, help_text="区划代码，多个用逗号分隔，如 440305,440306"
    )
    roles = forms.MultipleChoiceField(
        label="业务类型",
        choices=EnterpriseRoleChoices.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def setup(self):
        self.fields["region"].queryset = region_queryset(self.user)

    def initial_from(self, instance):
        data = super().initial_from(instance)
        data["service_regions"] = ",".join(instance.service_region_codes or [])
        data["roles"] = [r.role for r in instance.roles.all()]
        return data

    def service_data(self):
        data = super().service_data()
        raw = self.cleaned_data.get("service_regions") or ""
        data["service_region_codes"] = [
            c for c in (p.strip() for p in raw.replace("，", ",").split(",")) if c
        ]
        return data


class LicenceForm(ServiceForm):
    model = Licence
    field_names = ("kind", "number", "issuer", "issuing_level", "scope", "valid_from", "valid_to", "status")
    locals().update(_model_fields(Licence, field_names))
    valid_from = forms.DateField(label="有效期起", widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label="有效期至", widget=forms.DateInput(attrs={"type": "date"}))


class StaffForm(ServiceForm):
    model = Staff
    field_names = ("name", "post", "phone", "id_number_masked", "is_active")
    locals().update(_model_fields(Staff, field_names))


class CertificateForm(ServiceForm):
    model = Certificate
    field_names = ("kind", "number", "passed", "issued_on", "valid_to")
    locals().update(_model_fields(Certificate, field_names))
    issued_on = forms.DateField(label="发证/考核日期", widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(
        label="有效期至", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PremisesForm(ServiceForm):
    model = Premises
    field_names = (
        "name",
        "kind",
        "region",
        "address",
        "operator_name",
        "enterprise",
        "supplier",
        "lon",
        "lat",
        "gas_pipeline",
        "gas_lpg",
        "gas_alcohol",
        "gas_other",
        "underground",
        "contact_name",
        "contact_phone",
        "status",
        "external_id",
    )
    locals().update(_model_fields(Premises, field_names))
    region = RegionChoiceField(queryset=Region.objects.none(), label="所在区划/网格")

    def setup(self):
        self.fields["region"].queryset = region_queryset(self.user)
        self.fields["enterprise"].queryset = enterprise_choices(user=self.user)
        self.fields["supplier"].queryset = (
            Enterprise.objects.filter(roles__role__in=SUPPLY_ROLES)
            .distinct()
            .only("id", "name")
            .order_by("name")
        )
        self.fields["lon"].help_text = "WGS-84 经度，如 113.93"
        self.fields["lat"].help_text = "WGS-84 纬度，如 22.53"

    def initial_from(self, instance):
        data = super().initial_from(instance)
        data["enterprise"] = instance.enterprise_id
        data["supplier"] = instance.supplier_id
        return data


class FacilityForm(ServiceForm):
    model = Facility
    field_names = (
        "kind",
        "name",
        "code",
        "enterprise",
        "region",
        "geometry",
        "pressure_class",
        "material",
        "diameter_mm",
        "length_m",
        "built_year",
        "is_active",
    )
    locals().update(_model_fields(Facility, field_names))
    region = RegionChoiceField(queryset=Region.objects.none(), label="所在区划")
    geometry = forms.JSONField(
        label="几何(GeoJSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text='如 {"type": "Point", "coordinates": [113.93, 22.53]}（经度在前）',
    )

    def setup(self):
        self.fields["region"].queryset = region_queryset(self.user)
        self.fields["enterprise"].queryset = enterprise_choices(user=self.user)

    def initial_from(self, instance):
        data = super().initial_from(instance)
        data["enterprise"] = instance.enterprise_id
        return data


class ImportForm(forms.Form):
    KIND_CHOICES = (("premises", "用气场所"), ("enterprise", "企业（可含证照）"))
    kind = forms.ChoiceField(label="导入内容", choices=KIND_CHOICES)
    file = forms.FileField(label="Excel 文件（.xlsx）")
    valid_only = forms.BooleanField(label="仅导入正确的行（默认：任何一行有误则全部不保存）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = (
            ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        bootstrapify(self)
