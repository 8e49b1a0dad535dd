"""Public reports (群众举报): the report, its photos and history, rewards (查实重奖), Open311 clients.

Reporter name and phone are stored encrypted (gasguard.notifications.crypto); lists show only
the masked phone kept beside it. A report never leaves its region: `region_code` scopes it.
"""

from django.conf import settings
from django.db import models

from gasguard.core.models import BaseModel, RegionScopedModel
from gasguard.org.choices import DepartmentKindChoices
from gasguard.tips.choices import (
    RewardStatusChoices,
    TipCategoryChoices,
    TipChannelChoices,
    TipOutcomeChoices,
    TipStatusChoices,
)


class Tip(RegionScopedModel):
    """One report from the public (or a hotline call entered by an operator)."""

    code = models.CharField("查询码", max_length=16, unique=True)
    channel = models.CharField("来源渠道", max_length=16, choices=TipChannelChoices.choices, db_index=True)
    category = models.CharField("举报类别", max_length=16, choices=TipCategoryChoices.choices, db_index=True)
    description = models.TextField("问题描述")
    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name="所在区划")
    address = models.CharField("地址", max_length=300, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    target_name = models.CharField("被举报对象", max_length=200, blank=True)
    premises = models.ForeignKey(
        "registry.Premises", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="场所"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="企业"
    )
    is_anonymous = models.BooleanField("匿名", default=True)
    reporter_name_enc = models.TextField("举报人姓名(加密)", blank=True)
    reporter_phone_enc = models.TextField("举报人电话(加密)", blank=True)
    reporter_phone_masked = models.CharField("举报人电话(脱敏)", max_length=20, blank=True)
    reporter_phone_index = models.CharField("电话索引", max_length=32, blank=True, db_index=True)
    status = models.CharField(
        "状态", max_length=16, choices=TipStatusChoices.choices, default="received", db_index=True
    )
    department_kind = models.CharField(
        "核查部门类型", max_length=32, choices=DepartmentKindChoices.choices, blank=True
    )
    department = models.ForeignKey(
        "org.Department", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="核查部门"
    )
    routed_at = models.DateTimeField("分派时间", null=True, blank=True)
    outcome = models.CharField("核查结论", max_length=16, choices=TipOutcomeChoices.choices, blank=True)
    outcome_reason = models.TextField("核查说明(内部)", blank=True)
    public_reply = models.TextField("答复举报人", blank=True)
    verified_at = models.DateTimeField("核查时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="核查人",
    )
    duplicate_of = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="duplicates", verbose_name="重复于"
    )
    hazard = models.ForeignKey(
        "hazards.Hazard", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="登记隐患"
    )
    external_ref = models.CharField("外部编号", max_length=100, blank=True)
    open311_client = models.ForeignKey(
        "tips.Open311Client", models.SET_NULL, null=True, blank=True, related_name="tips"
    )
    media_url = models.URLField("外部图片链接", max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    # Keyed hash of the submitting address: spam analysis without keeping the address itself.
    source_ip_hash = models.CharField("来源地址指纹", max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["region_code", "status", "created_at"], name="tip_scope_status_idx"),
            models.Index(fields=["lat", "lon"], name="tip_location_idx"),
        ]
        verbose_name = "群众举报"
        verbose_name_plural = "群众举报"

    def __str__(self) -> str:
        return f"{self.code} {self.get_category_display()}"

    @property
    def reporter_name(self) -> str:
        from gasguard.notifications.crypto import decrypt

        return decrypt(self.reporter_name_enc)

    @property
    def reporter_phone(self) -> str:
        from gasguard.notifications.crypto import decrypt

        return decrypt(self.reporter_phone_enc)

    @property
    def has_location(self) -> bool:
        return self.lon is not None and self.lat is not None


class TipPhoto(BaseModel):
    """A photo attached to a report (checked to be a real JPEG/PNG/WebP)."""

    tip = models.ForeignKey(Tip, models.CASCADE, related_name="photos")
    image = models.FileField("照片", upload_to="tips/%Y/%m/")
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小")

    class Meta:
        ordering = ["tip_id", "id"]
        verbose_name = "举报照片"
        verbose_name_plural = "举报照片"


class TipHistory(BaseModel):
    """One step of a report; `public` steps appear on the reporter's status page (no names)."""

    tip = models.ForeignKey(Tip, models.CASCADE, related_name="history")
    action = models.CharField("动作", max_length=32)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    note = models.TextField("说明", blank=True)
    public_text = models.CharField("公开进度", max_length=200, blank=True)

    class Meta:
        ordering = ["tip_id", "created_at", "id"]
        verbose_name = "举报处理记录"
        verbose_name_plural = "举报处理记录"

    @property
    def action_display(self) -> str:
        from gasguard.tips.choices import HISTORY_ACTIONS

        return HISTORY_ACTIONS.get(self.action, self.action)


class RewardRule(RegionScopedModel):
    """A locality's reward rule (奖励办法): amounts for general/major hazards and limits.

    The rule of the nearest region at or above the report's region applies; without any,
    the GASGUARD_TIP_REWARD_* settings apply.
    """

    region = models.OneToOneField("org.Region", models.PROTECT, related_name="+", verbose_name="区划")
    general_amount = models.DecimalField("一般隐患建议金额(元)", max_digits=10, decimal_places=2)
    major_amount = models.DecimalField("重大隐患建议金额(元)", max_digits=10, decimal_places=2)
    min_amount = models.DecimalField("最低金额(元)", max_digits=10, decimal_places=2)
    max_amount = models.DecimalField("最高金额(元)", max_digits=10, decimal_places=2)
    requires_real_name = models.BooleanField("须实名", default=True)
    exclude_target_staff = models.BooleanField("排除被举报单位员工", default=True)
    note = models.TextField("依据/说明", blank=True)

    class Meta:
        ordering = ["region_code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_amount__gte=models.F("min_amount")), name="tips_rewardrule_range"
            )
        ]
        verbose_name = "奖励规则"
        verbose_name_plural = "奖励规则"

    def __str__(self) -> str:
        return f"{self.region} 奖励规则"

    def save(self, *args, **kwargs):
        self.region_code = self.region.code
        super().save(*args, **kwargs)


class Reward(RegionScopedModel):
    """查实重奖: a proposed reward for a verified report, approved by someone else, then paid."""

    tip = models.OneToOneField(Tip, models.PROTECT, related_name="reward")
    status = models.CharField(
        "状态", max_length=16, choices=RewardStatusChoices.choices, default="proposed", db_index=True
    )
    amount = models.DecimalField("金额(元)", max_digits=10, decimal_places=2)
    basis = models.TextField("依据", blank=True)
    eligibility = models.JSONField("资格核验", default=dict, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField("建议时间")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    rejected_reason = models.TextField("驳回理由", blank=True)
    paid_on = models.DateField("发放日期", null=True, blank=True)
    payment_reference = models.CharField("发放凭证号", max_length=100, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="tips_reward_amount_positive"),
            # 审批人不能是提出人 — also enforced by the database.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True) | ~models.Q(approved_by=models.F("proposed_by")),
                name="tips_reward_four_eyes",
            ),
        ]
        verbose_name = "举报奖励"
        verbose_name_plural = "举报奖励"

    def __str__(self) -> str:
        return f"{self.tip.code} ¥{self.amount}"


class Open311Client(BaseModel):
    """A system allowed to post reports through Open311 (e.g. the 12345 hotline platform).

    The API key is shown once at creation; only its SHA-256 is stored, looked up by prefix.
    """

    name = models.CharField("接入方名称", max_length=100)
    key_prefix = models.CharField("密钥前缀", max_length=12, unique=True)
    key_hash = models.CharField("密钥哈希", max_length=64)
    region = models.ForeignKey(
        "org.Region", models.PROTECT, related_name="+", verbose_name="默认区划(无法定位时)"
    )
    channel = models.CharField(
        "记为渠道", max_length=16, choices=TipChannelChoices.choices, default=TipChannelChoices.OPEN311
    )
    is_active = models.BooleanField("启用", default=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "Open311接入方"
        verbose_name_plural = "Open311接入方"

    def __str__(self) -> str:
        return self.name
