"""Forms of the fleet pages (配送): input shape only; `delivery_worker_create` validates and saves.

A service's ValidationFailed/Conflict naming a field is put back on that field by
`apply_domain_error`, so the page shows the same Chinese message the API returns.
"""

from django import forms
from django.db.models import Q

from gasguard.accounts.selectors import user_scope
from gasguard.cylinders.permissions import market_prefixes
from gasguard.registry.forms import apply_domain_error, bootstrapify
from gasguard.registry.models import Enterprise, Staff

__all__ = ["DeliveryWorkerForm", "apply_domain_error", "worker_enterprises"]


def worker_enterprises(user):
    """Enterprises the user may register 送气工 for: their own, and bottled-LPG operators
    (瓶装液化气经营企业) in the regions where they write as 市场监管 or task force."""
    prefixes = market_prefixes(user, write=True)
    if prefixes is None:
        return Enterprise.objects.filter(roles__role="bottled_lpg").distinct().order_by("name")
    allowed = Q(pk__in=user_scope(user=user).enterprise_ids)
    for prefix in prefixes:
        allowed |= Q(roles__role="bottled_lpg", region_code__startswith=prefix)
    return Enterprise.objects.filter(allowed).distinct().order_by("name")


class DeliveryWorkerForm(forms.Form):
    """Register a 送气工 (delivery worker) of an enterprise, optionally from a registry staff row."""

    enterprise = forms.ModelChoiceField(
        label="企业",
        queryset=Enterprise.objects.none(),
        empty_label="请选择",
        error_messages={"required": "请选择企业", "invalid_choice": "企业不存在或不可选，请重新选择"},
    )
    staff = forms.ModelChoiceField(
        label="从业人员（已登记的送气工）",
        queryset=Staff.objects.none(),
        required=False,
        empty_label="（可不选）",
        help_text="选了从业人员时姓名、电话可留空，取其登记信息",
        error_messages={"invalid_choice": "从业人员不存在或不可选，请重新选择"},
    )
    name = forms.CharField(label="姓名", max_length=50, required=False)
    phone = forms.RegexField(
        label="电话",
        regex=r"^[0-9+\- ]{5,20}$",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        error_messages={"invalid": "电话只能包含数字、空格、+ 和 -（5至20位）", "max_length": "电话最多20位"},
    )
    work_card_no = forms.CharField(
        label="工牌号", max_length=40, required=False, error_messages={"max_length": "工牌号最多40个字符"}
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["max_length"] = "姓名最多50个字符"
        enterprises = worker_enterprises(user)
        self.fields["enterprise"].queryset = enterprises
        if len(enterprises[:2]) == 1:
            self.fields["enterprise"].initial = enterprises[0].pk
        self.fields["staff"].queryset = (
            Staff.objects.filter(enterprise__in=enterprises, post="delivery", delivery_worker__isnull=True)
            .select_related("enterprise")
            .order_by("enterprise_id", "name")
        )
        self.fields["staff"].label_from_instance = lambda s: f"{s.name}（{s.enterprise.name}）"
        bootstrapify(self)
