"""Forms of the product-quality pages (产品质量): input shape only; the services validate and save.

A service's ValidationFailed/Conflict naming a field is put back on that field by
`apply_domain_error`, so the UI shows the same Chinese message the API returns.
"""

import re

from django import forms
from django.db.models import Q
from django.utils import timezone

from gasguard.cylinders.permissions import market_prefixes
from gasguard.org.models import Department
from gasguard.products.choices import (
    BlacklistSourceChoices,
    CccStatusChoices,
    ProductKindChoices,
    SpotCheckResultChoices,
)
from gasguard.products.models import ProductModel
from gasguard.registry.forms import apply_domain_error, bootstrapify
from gasguard.registry.models import Enterprise
from gasguard.registry.selectors import enterprise_choices

__all__ = [
    "BlacklistAddForm",
    "BlacklistLiftForm",
    "FindingLinkForm",
    "ProductModelForm",
    "RecallCloseForm",
    "RecallProgressForm",
    "RecallStartForm",
    "SpotCheckForm",
    "apply_domain_error",
]

MAKER_ROLES = ("cylinder_maker", "appliance_maker")
# Who sells gas products to a restaurant: appliance shops, LPG operators, fillers, the makers themselves.
SELLER_ROLES = ("appliance_seller", "bottled_lpg", "cylinder_filling", "appliance_maker", "cylinder_maker")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COUNT = forms.NumberInput(attrs={"inputmode": "numeric", "min": 0})


def _pick(label: str, queryset, *, required: bool = True, missing: str = "") -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        queryset=queryset,
        required=required,
        empty_label="请选择" if required else "（可不选）",
        error_messages={
            "required": missing or f"请选择{label}",
            "invalid_choice": f"{label}不存在或不可选，请重新选择",
        },
    )


def _count(label: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        widget=COUNT,
        error_messages={
            "required": f"请填写{label}",
            "invalid": f"{label}须为整数",
            "min_value": f"{label}不能为负",
        },
        **kwargs,
    )


def _text(label: str, max_length: int, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, error_messages={"required": f"请填写{label}"}, **kwargs
    )


def maker_queryset():
    """Makers (生产企业) are national: any enterprise holding a maker role may be named."""
    return Enterprise.objects.filter(roles__role__in=MAKER_ROLES).distinct().order_by("name")


def product_queryset():
    return ProductModel.objects.order_by("kind", "maker_name", "model")


class ProductsForm(forms.Form):
    """Bootstrap classes on every widget, and the acting user kept for scoped choices."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.setup()
        bootstrapify(self)

    def setup(self) -> None:
        """Limit choices to the user's scope (override)."""


class ProductModelForm(ProductsForm):
    kind = forms.ChoiceField(
        label="产品类别",
        choices=[("", "请选择"), *ProductKindChoices.choices],
        error_messages={"required": "请选择产品类别", "invalid_choice": "未知产品类别"},
    )
    model = forms.CharField(label="型号规格", max_length=100, error_messages={"required": "型号不能为空"})
    name = forms.CharField(label="产品名称", max_length=200, required=False)
    maker = _pick("生产企业（已登记）", Enterprise.objects.none(), required=False)
    maker_name = forms.CharField(
        label="生产企业名称",
        max_length=200,
        required=False,
        help_text="未在系统登记的生产企业填写名称；选了上一项可留空",
    )
    ccc_status = forms.ChoiceField(
        label="CCC状态",
        choices=CccStatusChoices.choices,
        initial=CccStatusChoices.NOT_REQUIRED,
        error_messages={"invalid_choice": "未知CCC状态"},
    )
    ccc_cert_no = forms.CharField(
        label="CCC证书编号", max_length=64, required=False, help_text="已获CCC认证的产品必填"
    )

    def setup(self):
        self.fields["maker"].queryset = maker_queryset()


class SpotCheckForm(ProductsForm):
    product_model = _pick("产品型号", product_queryset())
    checked_on = forms.DateField(
        label="抽查日期",
        widget=DATE,
        error_messages={"required": "请填写抽查日期", "invalid": "抽查日期格式应为 年-月-日"},
    )
    department = _pick("抽查部门", Department.objects.none(), required=False)
    seller = _pick("抽样单位（销售者）", Enterprise.objects.none(), required=False)
    result = forms.ChoiceField(
        label="结论",
        choices=[("", "请选择"), *SpotCheckResultChoices.choices],
        error_messages={"required": "请选择结论", "invalid_choice": "未知结论"},
    )
    report_no = forms.CharField(label="报告编号", max_length=64, required=False)
    items = forms.CharField(
        label="检验项目",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一项：项目：结果：备注（备注可省），如“耐压试验：不合格：爆破压力偏低”",
    )
    blacklist = forms.BooleanField(label="不合格时同时列入黑名单", required=False)

    def setup(self):
        self.fields["checked_on"].initial = timezone.localdate()
        prefixes = market_prefixes(self.user, write=True)
        departments = Department.objects.filter(kind="market").order_by("region_code")
        if prefixes is not None:
            covered = Q(pk__in=[])
            for prefix in prefixes:
                covered |= Q(region_code__startswith=prefix)
            departments = departments.filter(covered)
        self.fields["department"].queryset = departments
        first = departments.first()
        if first is not None:
            self.fields["department"].initial = first.pk
        self.fields["seller"].queryset = seller_queryset(self.user)

    def clean_items(self) -> list[dict]:
        rows = []
        for n, line in enumerate((self.cleaned_data.get("items") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in re.split(r"[:：]", line, maxsplit=2)]
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise forms.ValidationError(f"第{n}行格式应为“项目：结果：备注”")
            rows.append({"item": parts[0], "result": parts[1], "note": parts[2] if len(parts) > 2 else ""})
        return rows


def seller_queryset(user):
    """Sellers the user may name: enterprises in scope holding a selling role."""
    return enterprise_choices(user=user).filter(roles__role__in=SELLER_ROLES).distinct()


class BlacklistAddForm(ProductsForm):
    product_model = _pick("产品型号", product_queryset(), required=False)
    maker = _pick("或生产企业", Enterprise.objects.none(), required=False)
    reason = _text("列入原因", 300)
    source = forms.ChoiceField(
        label="来源",
        choices=BlacklistSourceChoices.choices,
        error_messages={"required": "请选择来源", "invalid_choice": "未知来源"},
    )

    def setup(self):
        self.fields["maker"].queryset = maker_queryset()


class BlacklistLiftForm(ProductsForm):
    reason = _text("移出原因", 300, help_text="如：整改后复检合格、撤销原处理决定")


class RecallStartForm(ProductsForm):
    product_model = _pick("产品型号", product_queryset())
    reason = _text("召回原因", 300)
    target_count = _count("应召回数量", initial=0)


class RecallProgressForm(ProductsForm):
    located = _count("已查找到")
    returned = _count("已收回")
    scrapped = _count("已报废")


class RecallCloseForm(ProductsForm):
    note = forms.CharField(
        label="结束说明",
        max_length=300,
        required=False,
        help_text="可不填，如：已全部收回并报废",
        error_messages={"max_length": "结束说明最多300个字符"},
    )


class FindingLinkForm(ProductsForm):
    hazard = forms.CharField(
        label="隐患",
        max_length=40,
        error_messages={"required": "请填写隐患台账编号或ID"},
        help_text="台账编号或ID；可从下拉建议中选择移送市场监管、尚未溯源的隐患",
        widget=forms.TextInput(attrs={"list": "hazard-options", "autocomplete": "off"}),
    )
    product_model = _pick("产品型号", product_queryset(), required=False)
    seller = _pick("销售者（已登记）", Enterprise.objects.none(), required=False)
    seller_name = forms.CharField(
        label="销售者名称", max_length=200, required=False, help_text="未在系统登记的销售者（如网店）填写名称"
    )
    note = forms.CharField(
        label="说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def setup(self):
        self.fields["seller"].queryset = seller_queryset(self.user)

    def clean_hazard(self):
        from gasguard.hazards.models import Hazard

        raw = self.cleaned_data["hazard"].strip()
        hazard = Hazard.objects.filter(code=raw).first()
        if hazard is None and raw.isdigit() and len(raw) <= 18:
            hazard = Hazard.objects.filter(pk=int(raw)).first()
        if hazard is None:
            raise forms.ValidationError(f"隐患“{raw}”不存在")
        return hazard
