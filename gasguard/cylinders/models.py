"""一瓶一码: the cylinder registry, the pre-fill gate's attempts, fills, gas batches and quality
samples, deliveries to the kitchen with 随瓶安检, custody after seizure, and the timeline.

A cylinder's `region_code` is its owner filling unit's (产权单位), so a regulator's scope and an
enterprise's own view are both one indexed filter. Codes are never deleted or reused: a
scrapped cylinder keeps its row (status 报废) and the unique constraint keeps the code void.
"""

from django.db import models

from gasguard.core.models import BaseModel, RegionScopedModel
from gasguard.cylinders.choices import (
    CylinderEventKindChoices,
    CylinderSpecChoices,
    CylinderStatusChoices,
    DeliveryItemDirectionChoices,
    GasBatchStatusChoices,
    GateDecisionChoices,
    InspectionResultChoices,
)


class Cylinder(RegionScopedModel):
    """One LPG cylinder with its unique code (气瓶码), stamp data and owner filling unit."""

    code = models.CharField("气瓶码", max_length=40, unique=True)
    serial = models.CharField("钢印号", max_length=40)
    manufacturer = models.ForeignKey(
        "registry.Enterprise",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="made_cylinders",
        verbose_name="制造单位",
    )
    maker_name = models.CharField("制造单位名称", max_length=200, blank=True)
    product_model = models.ForeignKey(
        "products.ProductModel", models.PROTECT, null=True, blank=True, related_name="cylinders"
    )
    spec = models.CharField("型号规格", max_length=20, choices=CylinderSpecChoices.choices)
    is_two_phase = models.BooleanField("气液双相", default=False)
    manufactured_on = models.DateField("制造日期")
    design_life_years = models.PositiveSmallIntegerField("设计使用年限(年)")
    life_extended_until = models.DateField("检验评定延用至", null=True, blank=True)
    last_inspected_on = models.DateField("上次定期检验", null=True, blank=True)
    next_inspection_due = models.DateField("下次检验日期")
    owner = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="owned_cylinders", verbose_name="产权单位"
    )
    status = models.CharField(
        "状态", max_length=24, choices=CylinderStatusChoices.choices, default=CylinderStatusChoices.IN_USE
    )
    refurbished = models.BooleanField("翻新瓶", default=False)
    last_filled_at = models.DateTimeField("最近充装", null=True, blank=True)

    class Meta:
        ordering = ["region_code", "code"]
        indexes = [
            models.Index(fields=["owner", "status"], name="cyl_owner_status_idx"),
            models.Index(fields=["next_inspection_due"], name="cyl_next_insp_idx"),
            models.Index(fields=["spec"], name="cyl_spec_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(next_inspection_due__gte=models.F("manufactured_on")),
                name="cyl_next_inspection_after_manufacture",
            )
        ]
        verbose_name = "气瓶"
        verbose_name_plural = "气瓶"

    def __str__(self) -> str:
        return self.code


class CylinderEvent(RegionScopedModel):
    """One step of a cylinder's life (the timeline and the EPCIS export read these)."""

    cylinder = models.ForeignKey(Cylinder, models.PROTECT, related_name="events")
    kind = models.CharField("事件", max_length=20, choices=CylinderEventKindChoices.choices)
    occurred_at = models.DateTimeField("时间", db_index=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, null=True, blank=True, related_name="+"
    )
    facility = models.ForeignKey("registry.Facility", models.PROTECT, null=True, blank=True, related_name="+")
    premises = models.ForeignKey("registry.Premises", models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.ForeignKey("accounts.User", models.SET_NULL, null=True, blank=True, related_name="+")
    summary = models.CharField("说明", max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["cylinder_id", "occurred_at", "id"]
        indexes = [models.Index(fields=["cylinder", "occurred_at"], name="cyl_event_cyl_time_idx")]
        verbose_name = "气瓶事件"
        verbose_name_plural = "气瓶事件"


class CylinderCustody(BaseModel):
    """Where a seized (查封) cylinder is held until scrapped: an inspection body, since when."""

    cylinder = models.ForeignKey(Cylinder, models.PROTECT, related_name="custodies")
    holder = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="+", verbose_name="保管单位"
    )
    since = models.DateTimeField("移交时间")
    until = models.DateTimeField("结束时间", null=True, blank=True)
    reason = models.CharField("原因", max_length=300)

    class Meta:
        ordering = ["-since"]
        constraints = [
            models.UniqueConstraint(
                fields=["cylinder"], condition=models.Q(until__isnull=True), name="cyl_one_open_custody"
            )
        ]
        verbose_name = "查封保管"
        verbose_name_plural = "查封保管"


class PeriodicInspection(RegionScopedModel):
    """A periodic inspection (定期检验) by an inspection body; sets the next due date."""

    cylinder = models.ForeignKey(Cylinder, models.PROTECT, related_name="inspections")
    body = models.ForeignKey("registry.Enterprise", models.PROTECT, related_name="+", verbose_name="检验机构")
    inspected_on = models.DateField("检验日期")
    result = models.CharField("结论", max_length=8, choices=InspectionResultChoices.choices)
    report_no = models.CharField("报告编号", max_length=64, blank=True)
    next_due = models.DateField("下次检验日期", null=True, blank=True)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = "定期检验"
        verbose_name_plural = "定期检验"


class FillAttempt(RegionScopedModel):
    """One scan at the pre-fill gate with its decision and every reason (the record of attempts).

    A denied attempt is a violation visible to 市场监管. `(station, idempotency_key)` is unique, so
    a retried request returns the stored decision instead of counting twice.
    """

    idempotency_key = models.CharField("幂等键", max_length=64)
    # The busiest insert of the product (every scan): no single-column index where a composite
    # one below already starts with the column (station → cyl_attempt_idempotent, cylinder →
    # cyl_attempt_cyl_time_idx) and only the few escalated rows indexed by hazard.
    station = models.ForeignKey(
        "registry.Facility", models.PROTECT, related_name="+", verbose_name="充装站", db_index=False
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="+", verbose_name="充装单位"
    )
    code = models.CharField("扫码内容", max_length=80)
    cylinder = models.ForeignKey(
        Cylinder, models.PROTECT, null=True, blank=True, related_name="attempts", db_index=False
    )
    operator = models.ForeignKey(
        "registry.Staff", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="作业人员"
    )
    actor = models.ForeignKey("accounts.User", models.SET_NULL, null=True, blank=True, related_name="+")
    decision = models.CharField("结论", max_length=8, choices=GateDecisionChoices.choices)
    reasons = models.JSONField("原因", default=list, blank=True)
    scanned_at = models.DateTimeField("站端扫码时间")
    hazard = models.ForeignKey(
        "hazards.Hazard", models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["station", "idempotency_key"], name="cyl_attempt_idempotent"),
        ]
        indexes = [
            models.Index(fields=["cylinder", "created_at"], name="cyl_attempt_cyl_time_idx"),
            models.Index(
                fields=["hazard"], condition=models.Q(hazard__isnull=False), name="cyl_attempt_hazard_idx"
            ),
            models.Index(fields=["code", "station", "created_at"], name="cyl_attempt_code_st_idx"),
            models.Index(fields=["decision", "region_code", "created_at"], name="cyl_attempt_violation_idx"),
        ]
        verbose_name = "充装核验记录"
        verbose_name_plural = "充装核验记录"

    @property
    def reason_messages(self) -> list[str]:
        return [r.get("message", "") for r in self.reasons or []]


class GateEscalation(BaseModel):
    """The one hazard registered when a station keeps trying to fill a refused cylinder."""

    station = models.ForeignKey("registry.Facility", models.PROTECT, related_name="+")
    code = models.CharField("气瓶码", max_length=80)
    hazard = models.ForeignKey("hazards.Hazard", models.PROTECT, related_name="+")
    deny_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station", "code"], name="cyl_escalation_once")]
        verbose_name = "反复违规充装升级"
        verbose_name_plural = "反复违规充装升级"


class GasBatch(RegionScopedModel):
    """A batch of LPG (气源批次) received by a filling unit from a producer/supplier."""

    supplier = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="+", verbose_name="生产/供应企业"
    )
    filler = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="gas_batches", verbose_name="充装单位"
    )
    batch_no = models.CharField("批次号", max_length=64)
    received_on = models.DateField("进货日期")
    quantity_t = models.DecimalField("数量(吨)", max_digits=10, decimal_places=3, null=True, blank=True)
    status = models.CharField(
        "质量状态",
        max_length=10,
        choices=GasBatchStatusChoices.choices,
        default=GasBatchStatusChoices.UNTESTED,
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "batch_no"], name="cyl_gas_batch_unique"),
        ]
        verbose_name = "气源批次"
        verbose_name_plural = "气源批次"

    def __str__(self) -> str:
        return self.batch_no


class GasQualitySample(RegionScopedModel):
    """A quality sample (气质抽检) of a gas batch against the configured GB 11174 limits."""

    batch = models.ForeignKey(GasBatch, models.PROTECT, related_name="samples")
    sampled_on = models.DateField("抽样日期")
    department = models.ForeignKey("org.Department", models.PROTECT, null=True, blank=True, related_name="+")
    dme_pct = models.DecimalField("二甲醚(%)", max_digits=6, decimal_places=3)
    odour_ok = models.BooleanField("警示性臭味")
    vapour_pressure_kpa = models.DecimalField(
        "蒸气压(37.8℃, kPa)", max_digits=8, decimal_places=1, null=True, blank=True
    )
    c5_plus_pct = models.DecimalField("C5及以上(%)", max_digits=6, decimal_places=3, null=True, blank=True)
    sulphur_mg_m3 = models.DecimalField("总硫(mg/m³)", max_digits=8, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField("合格")
    failures = models.JSONField("不合格项", default=list, blank=True)
    limits = models.JSONField("判定限值", default=dict, blank=True)
    hazard = models.ForeignKey("hazards.Hazard", models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-sampled_on", "-id"]
        verbose_name = "气质抽检"
        verbose_name_plural = "气质抽检"


class Fill(RegionScopedModel):
    """One fill (充装记录) after an allowed gate decision: mass, scale, batch, pre/post checks."""

    attempt = models.OneToOneField(FillAttempt, models.PROTECT, related_name="fill")
    cylinder = models.ForeignKey(Cylinder, models.PROTECT, related_name="fills")
    station = models.ForeignKey("registry.Facility", models.PROTECT, related_name="+", verbose_name="充装站")
    enterprise = models.ForeignKey("registry.Enterprise", models.PROTECT, related_name="+")
    operator = models.ForeignKey("registry.Staff", models.PROTECT, related_name="+", verbose_name="作业人员")
    scale_id = models.CharField("充装秤编号", max_length=40, blank=True)
    net_mass_kg = models.DecimalField("充装量(kg)", max_digits=6, decimal_places=2)
    gas_batch = models.ForeignKey(GasBatch, models.PROTECT, null=True, blank=True, related_name="fills")
    pre_check = models.JSONField("充装前检查", default=dict, blank=True)
    post_check = models.JSONField("充装后检查", default=dict, blank=True)
    filled_at = models.DateTimeField("充装时间", db_index=True)

    class Meta:
        ordering = ["-filled_at", "-id"]
        indexes = [
            models.Index(fields=["cylinder", "filled_at"], name="cyl_fill_cyl_time_idx"),
            models.Index(fields=["gas_batch"], name="cyl_fill_batch_idx"),
            models.Index(fields=["region_code", "filled_at"], name="cyl_fill_scope_idx"),
        ]
        verbose_name = "充装记录"
        verbose_name_plural = "充装记录"


class Delivery(RegionScopedModel):
    """A delivery (配送) of cylinders to a customer premises; region is the premises'."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, related_name="+", verbose_name="经营企业"
    )
    supply_station = models.ForeignKey(
        "registry.Facility", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="供应站"
    )
    premises = models.ForeignKey("registry.Premises", models.PROTECT, related_name="cylinder_deliveries")
    worker = models.ForeignKey("fleet.DeliveryWorker", models.PROTECT, related_name="deliveries")
    vehicle = models.ForeignKey("fleet.Vehicle", models.PROTECT, null=True, blank=True, related_name="+")
    delivered_at = models.DateTimeField("配送时间", db_index=True)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    cylinders = models.ManyToManyField(Cylinder, through="DeliveryItem", related_name="deliveries")

    class Meta:
        ordering = ["-delivered_at", "-id"]
        indexes = [models.Index(fields=["region_code", "delivered_at"], name="cyl_delivery_scope_idx")]
        verbose_name = "配送记录"
        verbose_name_plural = "配送记录"


class DeliveryItem(BaseModel):
    """A cylinder on a delivery: a full one handed over or an empty one taken back."""

    delivery = models.ForeignKey(Delivery, models.CASCADE, related_name="items")
    cylinder = models.ForeignKey(Cylinder, models.PROTECT, related_name="delivery_items")
    direction = models.CharField(
        "方向",
        max_length=8,
        choices=DeliveryItemDirectionChoices.choices,
        default=DeliveryItemDirectionChoices.OUT,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "cylinder", "direction"], name="cyl_delivery_item_unique"
            )
        ]
        indexes = [models.Index(fields=["cylinder", "direction"], name="cyl_delivery_item_cyl_idx")]


class DeliveryCheck(RegionScopedModel):
    """随瓶安检: the safety check the delivery worker makes at the customer with each delivery."""

    delivery = models.OneToOneField(Delivery, models.PROTECT, related_name="safety_check")
    premises = models.ForeignKey("registry.Premises", models.PROTECT, related_name="+")
    answers = models.JSONField("检查结果", default=dict)
    failed_rule_ids = models.JSONField("不合格项", default=list, blank=True)
    hazard_ids = models.JSONField("登记隐患", default=list, blank=True)
    checked_at = models.DateTimeField("检查时间")

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = "随瓶安检"
        verbose_name_plural = "随瓶安检"
