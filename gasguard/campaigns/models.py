"""The campaign (专项整治) and its command tools: phases, targets, 回头看 waves, monthly progress
reports (月度工作进展报告), and supervision records (督办通报、约谈、警示建议、事故提级调查)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from gasguard.campaigns.choices import (
    CampaignPhaseKindChoices,
    InterviewOutcomeChoices,
    MonthlyReportStatusChoices,
    NoticeKindChoices,
)
from gasguard.core.models import BaseModel, RegionScopedModel


class Campaign(RegionScopedModel):
    """A region's rectification campaign (e.g. 深圳市城镇燃气安全专项整治) with its dates."""

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="campaigns", verbose_name="区划")
    name = models.CharField("名称", max_length=200)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("专项整治结束日期", null=True, blank=True)
    description = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="创建人",
    )

    class Meta:
        ordering = ["region_code", "-start_date", "id"]
        verbose_name = "专项整治"
        verbose_name_plural = "专项整治"

    def __str__(self) -> str:
        return self.name


class CampaignPhase(BaseModel):
    """One phase of a campaign (集中攻坚 / 巩固提升 / 长效机制) with its dates."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="phases")
    kind = models.CharField("阶段", max_length=16, choices=CampaignPhaseKindChoices.choices)
    name = models.CharField("名称", max_length=100)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    includes_revisit = models.BooleanField("开展回头看", default=False)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        ordering = ["campaign_id", "order", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="campaign_phase_dates",
            )
        ]
        verbose_name = "工作阶段"
        verbose_name_plural = "工作阶段"

    def __str__(self) -> str:
        return self.name

    def contains(self, day) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class CampaignTarget(RegionScopedModel):
    """Targets of one subordinate region (目标: 覆盖率, 整改率, 重大隐患清零率, 回头看完成率, %)."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="targets")
    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name="区划")
    coverage_pct = models.DecimalField("排查覆盖率目标(%)", max_digits=5, decimal_places=1, default=100)
    rectification_pct = models.DecimalField("隐患整改率目标(%)", max_digits=5, decimal_places=1, default=100)
    major_cleared_pct = models.DecimalField(
        "重大隐患清零率目标(%)", max_digits=5, decimal_places=1, default=100
    )
    revisit_pct = models.DecimalField("回头看完成率目标(%)", max_digits=5, decimal_places=1, default=100)

    class Meta:
        ordering = ["campaign_id", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "region"], name="campaign_target_unique"),
        ]
        verbose_name = "目标任务"
        verbose_name_plural = "目标任务"

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.region_code}"


class RevisitWave(RegionScopedModel):
    """A 回头看 wave: a date window in which closed hazards drawn by the ledger are re-inspected."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="revisit_waves")
    phase = models.ForeignKey(
        CampaignPhase,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisit_waves",
        verbose_name="阶段",
    )
    name = models.CharField("名称", max_length=100)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["campaign_id", "start_date", "id"]
        verbose_name = "回头看批次"
        verbose_name_plural = "回头看批次"

    def __str__(self) -> str:
        return self.name


def report_path(instance, filename: str) -> str:
    return f"campaigns/reports/{instance.region_code}/{instance.month:%Y-%m}/{filename}"


class MonthlyReport(RegionScopedModel):
    """A region's monthly progress report (每月25日前报送工作进展情况): narrative + frozen figures."""

    campaign = models.ForeignKey(
        Campaign, models.SET_NULL, null=True, blank=True, related_name="reports", verbose_name="专项整治"
    )
    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name="报送区划")
    month = models.DateField("月份")  # the first day of the month
    cutoff_date = models.DateField("统计截止日")
    period_start = models.DateField("统计期起")
    status = models.CharField(
        "状态",
        max_length=16,
        choices=MonthlyReportStatusChoices.choices,
        default=MonthlyReportStatusChoices.DRAFT,
        db_index=True,
    )
    work_summary = models.TextField("工作开展情况", blank=True)
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下一步工作安排", blank=True)
    snapshot = models.JSONField("报送数据快照", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="填报人",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="报送人",
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    docx_file = models.FileField("报告(Word)", upload_to=report_path, max_length=300, blank=True)
    xlsx_file = models.FileField("附表(Excel)", upload_to=report_path, max_length=300, blank=True)
    docx_sha256 = models.CharField("报告SHA-256", max_length=64, blank=True)
    xlsx_sha256 = models.CharField("附表SHA-256", max_length=64, blank=True)

    class Meta:
        ordering = ["-month", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="monthly_report_region_month"),
            models.CheckConstraint(
                condition=~models.Q(status="submitted")
                | models.Q(snapshot__isnull=False, submitted_at__isnull=False),
                name="monthly_report_submitted_has_snapshot",
            ),
        ]
        indexes = [models.Index(fields=["month", "region_code"], name="monthly_report_month_idx")]
        verbose_name = "月度工作进展报告"
        verbose_name_plural = "月度工作进展报告"

    def __str__(self) -> str:
        return f"{self.region_code} {self.month:%Y年%m月}"

    @property
    def is_submitted(self) -> bool:
        return self.status == MonthlyReportStatusChoices.SUBMITTED


class SupervisionNotice(RegionScopedModel):
    """A 通报 naming regions/departments behind schedule with their figures (Word generated)."""

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name="通报单位区划")
    kind = models.CharField(
        "类型", max_length=32, choices=NoticeKindChoices.choices, default=NoticeKindChoices.BEHIND_SCHEDULE
    )
    title = models.CharField("标题", max_length=200)
    number = models.CharField("文号", max_length=100, blank=True)
    issued_on = models.DateField("印发日期")
    period_start = models.DateField("统计期起", null=True, blank=True)
    period_end = models.DateField("统计期止", null=True, blank=True)
    body = models.TextField("正文", blank=True)
    figures = models.JSONField("通报数据", default=dict, blank=True)
    docx_sha256 = models.CharField("通报SHA-256", max_length=64, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="印发人",
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = "通报"
        verbose_name_plural = "通报"

    def __str__(self) -> str:
        return self.title


class Interview(RegionScopedModel):
    """A 约谈 record: who was interviewed, from which unit, when, why, and the outcome."""

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name="被约谈单位区划")
    interviewee = models.CharField("被约谈人", max_length=100)
    unit = models.CharField("被约谈单位", max_length=200)
    held_on = models.DateField("约谈日期")
    reason = models.TextField("约谈事由")
    outcome = models.CharField(
        "约谈结果",
        max_length=32,
        choices=InterviewOutcomeChoices.choices,
        default=InterviewOutcomeChoices.RECTIFY,
    )
    outcome_note = models.TextField("整改要求/结果", blank=True)
    interviewer = models.CharField("约谈人", max_length=100, blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="相关隐患"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = "约谈记录"
        verbose_name_plural = "约谈记录"

    def __str__(self) -> str:
        return f"{self.unit} {self.held_on}"


class WarningAdvice(RegionScopedModel):
    """A 警示建议 (warning / recommendation letter) sent to a unit about a risk or a trend."""

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name="区划")
    recipient_unit = models.CharField("接收单位", max_length=200)
    issued_on = models.DateField("发出日期")
    subject = models.CharField("事项", max_length=200)
    content = models.TextField("警示内容及建议")
    response_due = models.DateField("反馈期限", null=True, blank=True)
    response = models.TextField("反馈情况", blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发出人",
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = "警示建议"
        verbose_name_plural = "警示建议"

    def __str__(self) -> str:
        return self.subject


class Accident(RegionScopedModel):
    """A gas accident; during the campaign one marked 影响恶劣 is 提级调查 whatever the casualties (五(三))."""

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name="区划")
    occurred_at = models.DateTimeField("发生时间", db_index=True)
    place = models.CharField("地点", max_length=300)
    premises = models.ForeignKey(
        "registry.Premises", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="涉事场所"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="涉事企业",
    )
    deaths = models.PositiveIntegerField("死亡人数", default=0)
    injuries = models.PositiveIntegerField("受伤人数", default=0)
    description = models.TextField("事故经过")
    is_egregious = models.BooleanField("影响恶劣", default=False)
    during_campaign = models.BooleanField("发生在专项整治期间", default=False)
    escalated_investigation = models.BooleanField("提级调查", default=False, db_index=True)
    escalation_reason = models.CharField("提级依据", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = "燃气事故"
        verbose_name_plural = "燃气事故"

    def __str__(self) -> str:
        return f"{timezone.localtime(self.occurred_at):%Y-%m-%d} {self.place}"

    @property
    def timeline_url(self) -> str:
        """The 责任倒查 timeline of the target (owned by the inspections app)."""
        if self.premises_id:
            return f"/inspections/timeline/premises/{self.premises_id}/"
        if self.enterprise_id:
            return f"/inspections/timeline/enterprise/{self.enterprise_id}/"
        return ""
