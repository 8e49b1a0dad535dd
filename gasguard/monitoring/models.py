"""City-lifeline monitoring: spaces, devices, readings, rules, alarms and the dead-letter store.

Readings are stored in `monitoring_reading`, whose DDL differs per database (a table
partitioned by day on PostgreSQL, a plain table on SQLite); the model is `managed = False` and
migration 0002 creates it. Its primary key is (device, metric, ts): a duplicate is ignored.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gasguard.core.models import BaseModel, RegionScopedModel
from gasguard.monitoring.choices import (
    AlarmEventKindChoices,
    AlarmLevelChoices,
    AlarmStatusChoices,
    DeadLetterReasonChoices,
    DeviceStateChoices,
    DeviceTypeChoices,
    InstallTargetChoices,
    RuleKindChoices,
    SpaceKindChoices,
)


class MonitoredSpace(RegionScopedModel):
    """An adjacent underground space (窨井/管沟/地下室/综合管廊舱) watched for leaked gas."""

    code = models.CharField("编号", max_length=64, unique=True)
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("空间类型", max_length=16, choices=SpaceKindChoices.choices)
    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name="所在区划")
    address = models.CharField("位置描述", max_length=300, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    facility = models.ForeignKey(
        "registry.Facility",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="monitored_spaces",
        verbose_name="相邻燃气设施",
    )
    owner_name = models.CharField("权属单位", max_length=200, blank=True)

    class Meta:
        ordering = ["region_code", "code"]
        verbose_name = "相邻地下空间"
        verbose_name_plural = "相邻地下空间"

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class Device(RegionScopedModel):
    """A front-end sensor or emergency shut-off valve owned by a gas company."""

    code = models.CharField("设备编号", max_length=64, unique=True)
    name = models.CharField("名称", max_length=200)
    device_type = models.CharField(
        "设备类型", max_length=16, choices=DeviceTypeChoices.choices, db_index=True
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="monitoring_devices", verbose_name="权属燃气企业"
    )
    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name="所在区划")
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    install_target = models.CharField("安装对象", max_length=16, choices=InstallTargetChoices.choices)
    facility = models.ForeignKey(
        "registry.Facility", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="燃气设施"
    )
    space = models.ForeignKey(
        MonitoredSpace,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name="相邻地下空间",
    )
    premises = models.ForeignKey(
        "registry.Premises", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="用气场所"
    )
    installed_on = models.DateField("安装日期", null=True, blank=True)
    service_life_end = models.DateField("使用年限到期", null=True, blank=True)
    # "sha256$<salt>$<hex of sha256(salt:code:secret)>" — the secret itself is shown once.
    credential_hash = models.CharField("凭证摘要", max_length=128, editable=False)
    credential_rotated_at = models.DateTimeField("凭证更新时间", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)
    state = models.CharField(
        "运行状态",
        max_length=16,
        choices=DeviceStateChoices.choices,
        default=DeviceStateChoices.NEW,
        db_index=True,
    )
    last_seen_at = models.DateTimeField("最近上报", null=True, blank=True, db_index=True)
    last_values = models.JSONField("最新读数", default=dict, blank=True)

    class Meta:
        ordering = ["region_code", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(install_target="facility", facility__isnull=False)
                    | Q(install_target="space", space__isnull=False)
                    | Q(install_target="premises", premises__isnull=False)
                ),
                name="monitoring_device_install_target",
            )
        ]
        verbose_name = "监测设备"
        verbose_name_plural = "监测设备"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def installed_at_display(self) -> str:
        target = {"facility": self.facility, "space": self.space, "premises": self.premises}[
            self.install_target
        ]
        return str(target) if target else ""


class Reading(models.Model):
    """One value of one metric of one device at one instant (unmanaged: DDL per database)."""

    pk = models.CompositePrimaryKey("device_id", "metric", "ts")
    device = models.ForeignKey(Device, models.DO_NOTHING, db_constraint=False, related_name="+")
    metric = models.CharField(max_length=16)
    ts = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        managed = False
        db_table = "monitoring_reading"
        verbose_name = "读数"
        verbose_name_plural = "读数"

    def __str__(self) -> str:
        return f"{self.device_id} {self.metric} {timezone.localtime(self.ts):%Y-%m-%d %H:%M:%S} {self.value}"


class ReadingHourly(models.Model):
    """Hourly min/max/sum/count of a device metric, kept after raw partitions are dropped."""

    device = models.ForeignKey(Device, models.CASCADE, related_name="+")
    metric = models.CharField(max_length=16)
    hour = models.DateTimeField()
    vmin = models.FloatField()
    vmax = models.FloatField()
    vsum = models.FloatField()
    count = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "metric", "hour"], name="monitoring_hourly_unique")
        ]
        verbose_name = "小时聚合"
        verbose_name_plural = "小时聚合"

    def __str__(self) -> str:
        return f"{self.device_id} {self.metric} {self.hour:%Y-%m-%d %H}h"

    @property
    def avg(self) -> float:
        return self.vsum / self.count if self.count else 0.0


class AlarmRule(BaseModel):
    """An alarm rule for a device type, or a per-device override of the rule with the same code."""

    code = models.SlugField("规则代码", max_length=64)
    name = models.CharField("名称", max_length=200)
    device_type = models.CharField(
        "设备类型", max_length=16, choices=DeviceTypeChoices.choices, blank=True, help_text="留空=所有类型"
    )
    device = models.ForeignKey(
        Device,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="rule_overrides",
        verbose_name="单设备覆盖",
    )
    kind = models.CharField("类型", max_length=16, choices=RuleKindChoices.choices, default="condition")
    condition = models.JSONField("条件", default=dict, blank=True)
    offline_minutes = models.PositiveIntegerField("离线判定(分钟)", null=True, blank=True)
    level = models.PositiveSmallIntegerField("报警等级", choices=AlarmLevelChoices.choices, default=2)
    peak_mode = models.CharField(
        "峰值取", max_length=3, choices=[("max", "最大值"), ("min", "最小值")], default="max"
    )
    is_active = models.BooleanField("启用", default=True)
    note = models.TextField("说明(依据/默认值)", blank=True)

    class Meta:
        ordering = ["device_type", "code", "device_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "device_type"],
                condition=Q(device__isnull=True),
                name="monitoring_rule_type_code",
            ),
            models.UniqueConstraint(
                fields=["code", "device"],
                condition=Q(device__isnull=False),
                name="monitoring_rule_device_code",
            ),
        ]
        verbose_name = "报警规则"
        verbose_name_plural = "报警规则"

    def __str__(self) -> str:
        return self.name


class Alarm(RegionScopedModel):
    """One alarm of a device under a rule; repeats fold into it until it is closed."""

    device = models.ForeignKey(Device, models.PROTECT, related_name="alarms", verbose_name="设备")
    rule = models.ForeignKey(AlarmRule, models.PROTECT, related_name="alarms", verbose_name="规则")
    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="monitoring_alarms", verbose_name="权属燃气企业"
    )
    level = models.PositiveSmallIntegerField("等级", choices=AlarmLevelChoices.choices)
    status = models.CharField(
        "状态",
        max_length=16,
        choices=AlarmStatusChoices.choices,
        default=AlarmStatusChoices.RAISED,
        db_index=True,
    )
    message = models.CharField("报警内容", max_length=300)
    metric = models.CharField("指标", max_length=16, blank=True)
    first_value = models.FloatField("首次值", null=True, blank=True)
    peak_value = models.FloatField("峰值", null=True, blank=True)
    last_value = models.FloatField("最新值", null=True, blank=True)
    count = models.PositiveIntegerField("触发次数", default=1)
    raised_at = models.DateTimeField("触发时间", db_index=True)
    last_seen_at = models.DateTimeField("最近触发")
    acked_at = models.DateTimeField("确认时间", null=True, blank=True)
    acked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    judged_at = models.DateTimeField("研判时间", null=True, blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    judgement = models.CharField(
        "研判结论", max_length=8, blank=True, choices=[("real", "属实"), ("false", "误报")]
    )
    judgement_reason = models.CharField("研判说明", max_length=500, blank=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    arrived_at = models.DateTimeField("到场时间", null=True, blank=True)
    arrived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    disposed_at = models.DateTimeField("处置时间", null=True, blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalation_level = models.PositiveSmallIntegerField("升级次数", default=0)
    escalated_at = models.DateTimeField("最近升级", null=True, blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="登记隐患"
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "rule"], condition=~Q(status="closed"), name="monitoring_alarm_one_open"
            )
        ]
        indexes = [
            models.Index(fields=["region_code", "status", "raised_at"], name="monitoring_alarm_scope_idx")
        ]
        verbose_name = "报警"
        verbose_name_plural = "报警"

    def __str__(self) -> str:
        return f"报警#{self.pk} {self.message}"


class AlarmEvent(models.Model):
    """A timestamped step of an alarm (raised, folded, escalated, each handling action, by whom)."""

    alarm = models.ForeignKey(Alarm, models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=AlarmEventKindChoices.choices)
    action = models.CharField(max_length=16, blank=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "报警处置记录"
        verbose_name_plural = "报警处置记录"

    def __str__(self) -> str:
        return f"{self.alarm_id} {self.kind} {self.action}"


class DeadLetter(models.Model):
    """A rejected message or reading: why, and the raw payload (truncated)."""

    received_at = models.DateTimeField("接收时间", db_index=True)
    channel = models.CharField("通道", max_length=8, default="mqtt")
    topic = models.CharField("主题", max_length=200, blank=True)
    device_code = models.CharField("设备编号", max_length=64, blank=True, db_index=True)
    region_code = models.CharField("行政区划代码", max_length=15, blank=True, db_index=True)
    reason = models.CharField("原因", max_length=24, choices=DeadLetterReasonChoices.choices, db_index=True)
    message = models.CharField("说明", max_length=300)
    payload = models.TextField("原始报文(截断)", blank=True)
    payload_size = models.PositiveIntegerField("报文字节数", default=0)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "死信"
        verbose_name_plural = "死信"

    def __str__(self) -> str:
        return f"{self.reason} {self.topic}"
