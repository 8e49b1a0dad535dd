"""Form of the channel configuration page (parsing only; `channel_create` validates)."""

from django import forms

from gasguard.notifications.models import ChannelKindChoices


class ChannelForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="渠道类型", choices=ChannelKindChoices.choices)
    region = forms.ChoiceField(label="区划")
    department = forms.ChoiceField(label="部门（选填，空=整个区划）", required=False)
    address = forms.CharField(
        label="邮箱或 Webhook URL（邮件留空=发到个人邮箱）", required=False, max_length=500
    )
    secret = forms.CharField(
        label="钉钉加签密钥（选填）", required=False, max_length=200, widget=forms.PasswordInput
    )
    kinds = forms.CharField(label="消息类型（逗号分隔，空=全部）", required=False, max_length=500)

    def __init__(self, *args, regions=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, f"{r.code} {r.name}") for r in regions]
        self.fields["department"].choices = [("", "—")] + [(str(d.pk), d.name) for d in departments]
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )
