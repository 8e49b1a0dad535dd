"""Forms of the ledger pages: they only parse input; the services decide."""

from django import forms

from gasguard.hazards.choices import EnforcementKindChoices
from gasguard.org.choices import DepartmentKindChoices


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (phone camera or gallery)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf", "capture": "environment"})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ControlRequestForm(forms.Form):
    measures = forms.CharField(label="管控措施", widget=forms.Textarea(attrs={"rows": 3}))
    new_deadline = forms.DateField(label="新的完成时限", widget=forms.DateInput(attrs={"type": "date"}))


class ControlDecisionForm(forms.Form):
    reason = forms.CharField(label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SubmitForm(forms.Form):
    measures = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 3}))
    evidence = MultipleFileField(label="整改照片/文件（可多选，支持拍照）")


class VerifyForm(forms.Form):
    reason = forms.CharField(label="验收意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CloseOnSpotForm(forms.Form):
    note = forms.CharField(label="现场整改情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = MultipleFileField(label="整改后照片（必填，支持拍照）")


class AssignForm(forms.Form):
    responsible_person = forms.CharField(label="整治责任人", required=False, max_length=50)
    responsible_phone = forms.CharField(label="责任人电话", required=False, max_length=40)
    supervisor = forms.IntegerField(label="监管责任人(用户ID)", required=False, widget=forms.Select)
    deadline = forms.DateField(
        label="完成时限", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label="修改理由", widget=forms.Textarea(attrs={"rows": 2}))


class ReferForm(forms.Form):
    to_kind = forms.ChoiceField(label="移送至", choices=DepartmentKindChoices.choices, initial="market")
    reason = forms.CharField(label="移送事由", widget=forms.Textarea(attrs={"rows": 2}))


class EnforcementForm(forms.Form):
    kind = forms.ChoiceField(label="执法措施", choices=EnforcementKindChoices.choices)
    fine_amount = forms.DecimalField(
        label="罚款金额(元)", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    decision_number = forms.CharField(label="决定书文号", required=False, max_length=100)
    decided_on = forms.DateField(
        label="决定日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReferralDecisionForm(forms.Form):
    response = forms.CharField(label="处理意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RevisitForm(forms.Form):
    outcome = forms.ChoiceField(label="复查结果", choices=(("ok", "无反弹"), ("reappeared", "改后反弹")))
    note = forms.CharField(label="复查情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label="隐患台账 Excel（.xlsx）")
    valid_only = forms.BooleanField(
        label="仅导入校验通过的行（默认：有任何错误则全部不导入）", required=False
    )
