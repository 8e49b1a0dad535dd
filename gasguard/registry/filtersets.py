"""FilterSets shared by the registry's list pages, exports, the map and the API.

Query parameters (the same everywhere): premises `q`, `kind`, `region`, `gas_lpg`,
`gas_pipeline`, `gas_alcohol`, `underground`, `status`, `enterprise`, `supplier`; enterprises
`q`, `role`, `region`, `licence`; licences `q`, `kind`, `status`, `region`, `enterprise`,
`expiry`; staff `q`, `post`, `region`, `enterprise`, `is_active`, `certificate`; facilities `q`,
`kind`, `region`, `enterprise`, `pressure_class`, `is_active`.
"""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import BooleanField, Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django_filters import rest_framework as filters

from gasguard.accounts.selectors import user_scope
from gasguard.core.filters import IdFilter, StrictBooleanFilter
from gasguard.core.listing import prefix_range
from gasguard.registry.choices import (
    CertificateKindChoices,
    EnterpriseRoleChoices,
    FacilityKindChoices,
    LicenceKindChoices,
    LicenceStatusChoices,
    PremisesKindChoices,
    PremisesStatusChoices,
    PressureClassChoices,
    StaffPostChoices,
    UndergroundChoices,
)
from gasguard.registry.models import (
    Certificate,
    Enterprise,
    EnterpriseRole,
    Facility,
    Licence,
    Premises,
    Staff,
)

EXPIRING_DAYS = 90
PREMISES_BIGRAM_SQL = (
    "gg_bigrams(lower(registry_premises.name || ' ' || registry_premises.address || ' ' "
    "|| registry_premises.operator_name)) @> %s::text[]"
)


class ScopedFilterForm(forms.Form):
    """Validates `region`: digits, and inside (or above) the user's own regions."""

    scope = None

    def clean_region(self):
        code = (self.cleaned_data.get("region") or "").strip()
        if not code:
            return ""
        if not code.isdigit() or len(code) > 15:
            raise ValidationError("区划代码应为不超过15位的数字")
        scope = self.scope
        if scope is not None and not scope.is_global and scope.region_prefixes:
            if not any(code.startswith(p) or p.startswith(code) for p in scope.region_prefixes):
                raise ValidationError(f"区划 {code} 不在您的数据权限范围内")
        return code


class ScopedFilterSet(filters.FilterSet):
    """Base: a `q` search box and a `region` prefix filter checked against the user's scope."""

    region = django_filters.CharFilter(label="区划代码", method="filter_region")

    class Meta:
        form = ScopedFilterForm

    @property
    def form(self):
        form = super().form
        if self.request is not None and form.scope is None:
            form.scope = user_scope(user=self.request.user)
        return form

    def filter_region(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(**prefix_range(self.region_field, value))

    region_field = "region_code"


def _choice(choices, label):
    return django_filters.ChoiceFilter(choices=choices, label=label, empty_label="全部")


def _bool(label):
    return StrictBooleanFilter(label=label)


class PremisesFilterSet(ScopedFilterSet):
    """Filters of the premises list (用气场所)."""

    q = django_filters.CharFilter(label="名称/地址/经营者", method="filter_q")
    kind = _choice(PremisesKindChoices.choices, "场所类型")
    gas_lpg = _bool("瓶装液化石油气")
    gas_pipeline = _bool("管道天然气")
    gas_alcohol = _bool("醇基燃料")
    underground = _choice(UndergroundChoices.choices, "地下/半地下")
    status = _choice(PremisesStatusChoices.choices, "状态")
    enterprise = IdFilter(field_name="enterprise_id", label="经营主体企业ID", widget=forms.HiddenInput)
    external_id = django_filters.CharFilter(field_name="external_id", label="外部编号")
    supplier = IdFilter(field_name="supplier_id", label="供气企业ID", widget=forms.HiddenInput)

    class Meta(ScopedFilterSet.Meta):
        model = Premises
        fields = ["q", "kind", "region", "gas_lpg", "gas_pipeline", "gas_alcohol", "underground", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        queryset = queryset.filter(
            Q(name__icontains=value) | Q(address__icontains=value) | Q(operator_name__icontains=value)
        )
        if connections[queryset.db].vendor == "postgresql" and len(value) >= 2:
            # Narrow with the bigram index first (migration 0002); the ILIKE above stays exact.
            lowered = value.lower()
            grams = sorted({lowered[i : i + 2] for i in range(len(lowered) - 1)})
            queryset = queryset.filter(RawSQL(PREMISES_BIGRAM_SQL, (grams,), output_field=BooleanField()))
        return queryset


class EnterpriseFilterSet(ScopedFilterSet):
    """Filters of the enterprise list."""

    LICENCE_CHOICES = (
        ("expired", "有已过期或失效的证照"),
        ("expiring", f"{EXPIRING_DAYS}天内到期"),
        ("none", "无任何证照"),
    )
    q = django_filters.CharFilter(label="名称/信用代码/地址", method="filter_q")
    role = django_filters.ChoiceFilter(
        choices=EnterpriseRoleChoices.choices, label="业务类型", empty_label="全部", method="filter_role"
    )
    licence = django_filters.ChoiceFilter(
        choices=LICENCE_CHOICES, label="证照情况", empty_label="全部", method="filter_licence"
    )
    is_active = _bool("存续")

    class Meta(ScopedFilterSet.Meta):
        model = Enterprise
        fields = ["q", "role", "region", "licence", "is_active"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(uscc=value.upper()) | Q(address__icontains=value))

    def filter_role(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(EnterpriseRole.objects.filter(enterprise=OuterRef("pk"), role=value)))

    def filter_licence(self, queryset, name, value):
        today = timezone.localdate()
        licences = Licence.objects.filter(enterprise=OuterRef("pk"))
        if value == "expired":
            return queryset.filter(
                Exists(licences.filter(Q(valid_to__lt=today) | ~Q(status=LicenceStatusChoices.VALID)))
            )
        if value == "expiring":
            soon = today + datetime.timedelta(days=EXPIRING_DAYS)
            return queryset.filter(
                Exists(
                    licences.filter(
                        status=LicenceStatusChoices.VALID, valid_to__gte=today, valid_to__lte=soon
                    )
                )
            )
        if value == "none":
            return queryset.filter(~Exists(licences))
        return queryset


class LicenceFilterSet(ScopedFilterSet):
    """Filters of the licence list."""

    EXPIRY_CHOICES = (
        ("expired", "已过期"),
        ("expiring", f"{EXPIRING_DAYS}天内到期"),
        ("valid", "在有效期内"),
    )
    q = django_filters.CharFilter(label="证号/企业/发证机关", method="filter_q")
    kind = _choice(LicenceKindChoices.choices, "证照类型")
    status = _choice(LicenceStatusChoices.choices, "状态")
    enterprise = IdFilter(field_name="enterprise_id", label="企业ID", widget=forms.HiddenInput)
    expiry = django_filters.ChoiceFilter(
        choices=EXPIRY_CHOICES, label="有效期", empty_label="全部", method="filter_expiry"
    )

    class Meta(ScopedFilterSet.Meta):
        model = Licence
        fields = ["q", "kind", "status", "region", "enterprise", "expiry"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(enterprise__name__icontains=value) | Q(issuer__icontains=value)
        )

    def filter_expiry(self, queryset, name, value):
        today = timezone.localdate()
        if value == "expired":
            return queryset.filter(valid_to__lt=today)
        if value == "expiring":
            return queryset.filter(
                valid_to__gte=today, valid_to__lte=today + datetime.timedelta(days=EXPIRING_DAYS)
            )
        if value == "valid":
            return queryset.filter(valid_from__lte=today, valid_to__gte=today)
        return queryset


class StaffFilterSet(ScopedFilterSet):
    """Filters of the staff list."""

    CERT_CHOICES = (("missing", "无有效证书/考核"), ("valid", "有有效证书/考核"))
    q = django_filters.CharFilter(label="姓名/企业", method="filter_q")
    post = _choice(StaffPostChoices.choices, "岗位")
    enterprise = IdFilter(field_name="enterprise_id", label="企业ID", widget=forms.HiddenInput)
    is_active = _bool("在岗")
    certificate = django_filters.ChoiceFilter(
        choices=CERT_CHOICES, label="证书", empty_label="全部", method="filter_certificate"
    )

    class Meta(ScopedFilterSet.Meta):
        model = Staff
        fields = ["q", "post", "region", "enterprise", "is_active", "certificate"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(enterprise__name__icontains=value))

    def filter_certificate(self, queryset, name, value):
        today = timezone.localdate()
        valid = Certificate.objects.filter(staff=OuterRef("pk"), passed=True, issued_on__lte=today).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )
        if value == "missing":
            return queryset.filter(~Exists(valid))
        if value == "valid":
            return queryset.filter(Exists(valid))
        return queryset


class CertificateFilterSet(ScopedFilterSet):
    """Filters of the certificate API list."""

    kind = _choice(CertificateKindChoices.choices, "证书类型")
    staff = IdFilter(field_name="staff_id", label="人员ID")
    passed = _bool("考核合格")
    region_field = "staff__region_code"

    class Meta(ScopedFilterSet.Meta):
        model = Certificate
        fields = ["kind", "staff", "passed", "region"]


class FacilityFilterSet(ScopedFilterSet):
    """Filters of the facility list."""

    q = django_filters.CharFilter(label="名称/编号", method="filter_q")
    kind = _choice(FacilityKindChoices.choices, "设施类型")
    pressure_class = _choice(PressureClassChoices.choices, "压力级制")
    enterprise = IdFilter(field_name="enterprise_id", label="权属单位ID", widget=forms.HiddenInput)
    is_active = _bool("在用")

    class Meta(ScopedFilterSet.Meta):
        model = Facility
        fields = ["q", "kind", "region", "enterprise", "pressure_class", "is_active"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))
