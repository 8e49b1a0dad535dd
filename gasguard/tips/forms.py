"""Forms of the public report page and the staff actions (they only parse; services decide)."""

from django import forms
from django.conf import settings

from gasguard.org.models import Region
from gasguard.tips.choices import (
    STAFF_CHANNELS,
    TIP_CATEGORY_HELP,
    TipCategoryChoices,
    TipChannelChoices,
    TipOutcomeChoices,
    TipStatusChoices,
)
from gasguard.tips.services import TipInput


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        if isinstance(data, list | tuple):
            return [d for d in data if d]
        return [data]


def district_choices():
    return [("", "请选择区县")] + [(r.code, r.name) for r in Region.objects.filter(level=3).order_by("code")]


def street_options():
    """Streets with their district code, for the district → street select."""
    return list(Region.objects.filter(level=4).order_by("code").values_list("code", "name"))


class PublicTipForm(forms.Form):
    """The public form (no login). `website` is a honeypot: people never see or fill it."""

    category = forms.ChoiceField(
        label="问题类别", choices=[("", "请选择")] + list(TipCategoryChoices.choices), required=False
    )
    description = forms.CharField(
        label="问题描述",
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "请描述发现的问题，如：饭店后厨液化气软管老化、有燃气味"}
        ),
        required=False,
        max_length=10000,
    )
    district = forms.ChoiceField(label="所在区县", required=False)
    street = forms.CharField(label="街道/乡镇", required=False, max_length=15)
    address = forms.CharField(label="详细地址", required=False, max_length=300)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    target_name = forms.CharField(label="被举报单位/场所名称（选填）", required=False, max_length=200)
    photos = MultipleFileField(label="现场照片（选填）", required=False)
    is_anonymous = forms.TypedChoiceField(
        label="举报方式",
        choices=[("1", "匿名举报"), ("0", "实名举报（便于核实和兑现奖励）")],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    reporter_name = forms.CharField(label="姓名", required=False, max_length=50)
    reporter_phone = forms.CharField(label="手机号", required=False, max_length=30)
    website = forms.CharField(required=False, label="请勿填写此项")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = district_choices()
        self.fields["photos"].widget.attrs.update(
            {"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}
        )
        self.category_help = TIP_CATEGORY_HELP
        self.max_photos = settings.GASGUARD_TIP_MAX_PHOTOS

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def to_input(self) -> TipInput:
        d = self.cleaned_data
        return TipInput(
            category=d.get("category") or "",
            description=d.get("description") or "",
            district_code=d.get("district") or "",
            street_code=d.get("street") or "",
            lon=d.get("lon"),
            lat=d.get("lat"),
            address=d.get("address") or "",
            target_name=d.get("target_name") or "",
            is_anonymous=d.get("is_anonymous", True) is not False,
            reporter_name=d.get("reporter_name") or "",
            reporter_phone=d.get("reporter_phone") or "",
            photos=self.files.getlist("photos") if hasattr(self.files, "getlist") else [],
        )


class StaffTipForm(PublicTipForm):
    """An operator enters a hotline / 12345 / on-site report on the same workflow."""

    channel = forms.ChoiceField(
        label="来源渠道", choices=[(c, TipChannelChoices(c).label) for c in STAFF_CHANNELS], initial="hotline"
    )
    external_ref = forms.CharField(label="工单号（12345等）", required=False, max_length=100)

    def to_input(self) -> TipInput:
        data = super().to_input()
        data.external_ref = self.cleaned_data.get("external_ref") or ""
        return data


class StatusLookupForm(forms.Form):
    code = forms.CharField(label="查询码", max_length=40)


class TipFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "全部状态")] + list(TipStatusChoices.choices))
    category = forms.ChoiceField(
        required=False, choices=[("", "全部类别")] + list(TipCategoryChoices.choices)
    )
    channel = forms.ChoiceField(required=False, choices=[("", "全部渠道")] + list(TipChannelChoices.choices))
    region = forms.ChoiceField(required=False)
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(required=False, max_length=100)
    mine = forms.BooleanField(required=False, label="本部门")

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "全部区划")] + [(r.code, r.name) for r in regions]


class VerifyForm(forms.Form):
    outcome = forms.ChoiceField(label="核查结论", choices=TipOutcomeChoices.choices)
    reason = forms.CharField(
        label="核查说明（内部）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    public_reply = forms.CharField(
        label="答复举报人（公开）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    target_type = forms.ChoiceField(
        label="被举报对象类型",
        required=False,
        choices=[("premises", "用气场所"), ("enterprise", "企业"), ("facility", "燃气设施")],
    )
    target_id = forms.IntegerField(label="对象编号", required=False, min_value=1)
    rule_id = forms.CharField(label="对应规则（选填）", required=False, max_length=80)
    hazard_title = forms.CharField(label="隐患名称", required=False, max_length=200)
    hazard_description = forms.CharField(
        label="隐患描述（登记入台账，勿写举报人信息）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    severity = forms.ChoiceField(
        label="等级",
        required=False,
        choices=[("", "按规则/一般"), ("general", "一般隐患"), ("major", "重大隐患")],
    )
    deadline = forms.DateField(
        label="完成时限", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    duplicate_of = forms.IntegerField(label="重复于（举报编号）", required=False, min_value=1)


class RouteForm(forms.Form):
    department = forms.IntegerField(min_value=1)
    note = forms.CharField(required=False, max_length=500)


class RewardProposeForm(forms.Form):
    amount = forms.DecimalField(label="金额（元）", required=False, max_digits=10, decimal_places=2)
    basis = forms.CharField(label="依据", required=False, max_length=500)


class RewardPayForm(forms.Form):
    paid_on = forms.DateField(label="发放日期", widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label="凭证号", max_length=100)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", required=False, max_length=1000)


def add_service_errors(form, exc) -> list[str]:
    """Put a service's field errors on the form; returns the location errors (shown in their box)."""
    location = []
    for name, msgs in exc.errors.items():
        for message in msgs:
            if name == "location":
                location.append(message)
            else:
                form.add_error(name if name in form.fields else None, message)
    return location


class RewardRuleForm(forms.Form):
    region = forms.ChoiceField(label="区划")
    general_amount = forms.DecimalField(
        label="一般隐患建议金额(元)", max_digits=10, decimal_places=2, min_value=0
    )
    major_amount = forms.DecimalField(
        label="重大隐患建议金额(元)", max_digits=10, decimal_places=2, min_value=0
    )
    min_amount = forms.DecimalField(label="最低金额(元)", max_digits=10, decimal_places=2, min_value=0)
    max_amount = forms.DecimalField(label="最高金额(元)", max_digits=10, decimal_places=2, min_value=0)
    requires_real_name = forms.BooleanField(label="须实名举报", required=False, initial=True)
    exclude_target_staff = forms.BooleanField(label="排除被举报单位员工", required=False, initial=True)
    note = forms.CharField(label="依据/说明", required=False, max_length=1000)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions if r.level in (2, 3)]
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field, forms.BooleanField) else "form-control"
            field.widget.attrs.setdefault("class", css)
        self.fields["region"].widget.attrs["class"] = "form-select"
