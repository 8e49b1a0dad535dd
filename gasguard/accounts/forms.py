from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone


class LoginForm(AuthenticationForm):
    """Login form that tells a locked-out user until when (without revealing whether the name exists)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码错误。连续失败多次将锁定账户。",
        "locked": "登录失败次数过多，账户已锁定至 %(until)s，请稍后再试。",
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            until = getattr(self.request, "gasguard_locked_until", None)
            if until:
                raise forms.ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"until": timezone.localtime(until).strftime("%H:%M")},
                ) from None
            raise
