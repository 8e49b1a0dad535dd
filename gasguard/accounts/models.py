"""Users, their memberships (department / task force / enterprise) and login security."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from gasguard.accounts.choices import MembershipRoleChoices
from gasguard.core.models import BaseModel


class User(AbstractUser):
    """A person who signs in; `real_name` is what appears on signatures (谁检查、谁签名)."""

    real_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    failed_logins = models.PositiveIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.real_name or self.username

    @property
    def display_name(self) -> str:
        return self.real_name or self.get_full_name() or self.username


class Membership(BaseModel):
    """A user's place in the organisation: exactly one of department, task force, enterprise."""

    user = models.ForeignKey(User, models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=32, choices=MembershipRoleChoices.choices)
    department = models.ForeignKey(
        "org.Department", models.CASCADE, null=True, blank=True, related_name="members"
    )
    task_force = models.ForeignKey(
        "org.TaskForce", models.CASCADE, null=True, blank=True, related_name="staff"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", models.CASCADE, null=True, blank=True, related_name="users"
    )
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "成员身份"
        verbose_name_plural = "成员身份"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(department__isnull=False, task_force__isnull=True, enterprise__isnull=True)
                    | models.Q(department__isnull=True, task_force__isnull=False, enterprise__isnull=True)
                    | models.Q(department__isnull=True, task_force__isnull=True, enterprise__isnull=False)
                ),
                name="accounts_membership_exactly_one_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    @property
    def unit(self):
        return self.department or self.task_force or self.enterprise

    def clean(self) -> None:
        units = [u for u in (self.department_id, self.task_force_id, self.enterprise_id) if u]
        if len(units) != 1:
            raise ValidationError("成员身份必须且只能属于一个部门、专班或企业")
        if self.enterprise_id and self.role != MembershipRoleChoices.ENTERPRISE:
            raise ValidationError({"role": "企业成员只能是企业用户角色"})
        if not self.enterprise_id and self.role == MembershipRoleChoices.ENTERPRISE:
            raise ValidationError({"role": "企业用户角色只能属于企业"})
