"""Forms of the campaign pages (thin: parsing only; rules live in the services)."""

from django import forms

from gasguard.campaigns.choices import InterviewOutcomeChoices, NoticeKindChoices


class _Styled:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            else:
                widget.attrs.setdefault("class", "form-control")
            if isinstance(field, forms.DateField):
                widget.input_type = "date"
            if isinstance(field, forms.DateTimeField):
                widget.input_type = "datetime-local"


class MonthField(forms.CharField):
    """A month as YYYY-MM."""

    def to_python(self, value):
        import datetime

        value = super().to_python(value)
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(f"{value[:7]}-01")
        except ValueError:
            raise forms.ValidationError("月份格式应为 YYYY-MM") from None


class ReportCreateForm(_Styled, forms.Form):
    month = MonthField(label="月份", widget=forms.TextInput(attrs={"type": "month"}))


class ReportNarrativeForm(_Styled, forms.Form):
    work_summary = forms.CharField(
        label="工作开展情况", widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    problems = forms.CharField(label="存在问题", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    next_steps = forms.CharField(
        label="下一步工作安排", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class TargetForm(_Styled, forms.Form):
    region = forms.ChoiceField(label="区划")
    coverage_pct = forms.DecimalField(label="覆盖率目标%", min_value=0, max_value=100, initial=100)
    rectification_pct = forms.DecimalField(label="整改率目标%", min_value=0, max_value=100, initial=100)
    major_cleared_pct = forms.DecimalField(
        label="重大隐患清零率目标%", min_value=0, max_value=100, initial=100
    )
    revisit_pct = forms.DecimalField(label="回头看完成率目标%", min_value=0, max_value=100, initial=100)


class WaveForm(_Styled, forms.Form):
    name = forms.CharField(label="名称", max_length=100, required=False)
    start_date = forms.DateField(label="开始日期")
    end_date = forms.DateField(label="结束日期")


class NoticeForm(_Styled, forms.Form):
    kind = forms.ChoiceField(label="类型", choices=NoticeKindChoices.choices)
    title = forms.CharField(label="标题（可留空自动生成）", max_length=200, required=False)
    number = forms.CharField(label="文号", max_length=100, required=False)
    period_end = forms.DateField(label="统计截止日期", required=False)
    body = forms.CharField(
        label="正文导语（可留空）", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class InterviewForm(_Styled, forms.Form):
    interviewee = forms.CharField(label="被约谈人", max_length=100)
    unit = forms.CharField(label="被约谈单位", max_length=200)
    held_on = forms.DateField(label="约谈日期")
    reason = forms.CharField(label="约谈事由", widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(label="约谈结果", choices=InterviewOutcomeChoices.choices)
    outcome_note = forms.CharField(
        label="整改要求/结果", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    interviewer = forms.CharField(label="约谈人", max_length=100, required=False)


class WarningForm(_Styled, forms.Form):
    recipient_unit = forms.CharField(label="接收单位", max_length=200)
    subject = forms.CharField(label="事项", max_length=200)
    content = forms.CharField(label="警示内容及建议", widget=forms.Textarea(attrs={"rows": 3}))
    response_due = forms.DateField(label="反馈期限", required=False)


class AccidentForm(_Styled, forms.Form):
    region = forms.ChoiceField(label="区划")
    occurred_at = forms.DateTimeField(label="发生时间", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    place = forms.CharField(label="地点", max_length=300)
    premises = forms.IntegerField(label="涉事场所编号（可选）", required=False)
    enterprise = forms.IntegerField(label="涉事企业编号（可选）", required=False)
    deaths = forms.IntegerField(label="死亡人数", min_value=0, initial=0)
    injuries = forms.IntegerField(label="受伤人数", min_value=0, initial=0)
    is_egregious = forms.BooleanField(label="影响恶劣", required=False)
    description = forms.CharField(label="事故经过", widget=forms.Textarea(attrs={"rows": 4}))
