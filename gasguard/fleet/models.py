"""Delivery fleet (配送): delivery workers, vehicles, person–vehicle bindings, delivery areas.

The delivery records themselves live in the cylinders app (they move cylinders); this app
owns who may deliver, with which vehicle, and where.
"""

from django.db import models

from gasguard.core.models import BaseModel, RegionScopedModel


class DeliveryWorker(RegionScopedModel):
    """A 送气工 of a bottled-gas operator, linked to the registry staff row (post delivery)."""

    enterprise = models.ForeignKey("registry.Enterprise", models.PROTECT, related_name="delivery_workers")
    staff = models.OneToOneField(
        "registry.Staff", models.PROTECT, null=True, blank=True, related_name="delivery_worker"
    )
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("电话", max_length=20, blank=True)
    work_card_no = models.CharField("工牌号", max_length=40, blank=True)
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        ordering = ["enterprise_id", "name"]
        verbose_name = "送气工"
        verbose_name_plural = "送气工"

    def __str__(self) -> str:
        return self.name


class Vehicle(RegionScopedModel):
    """A cylinder delivery vehicle with its 道路运输证 (dangerous-goods permit) number."""

    plate = models.CharField("车牌号", max_length=16, unique=True)
    enterprise = models.ForeignKey("registry.Enterprise", models.PROTECT, related_name="vehicles")
    dg_permit_no = models.CharField("危险货物道路运输证号", max_length=40, blank=True)
    permit_valid_to = models.DateField("运输证有效期至", null=True, blank=True)
    kind = models.CharField("车型", max_length=40, blank=True)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        ordering = ["enterprise_id", "plate"]
        verbose_name = "配送车辆"
        verbose_name_plural = "配送车辆"

    def __str__(self) -> str:
        return self.plate


class VehicleAssignment(BaseModel):
    """A person–vehicle binding (人车绑定) valid for a period."""

    worker = models.ForeignKey(DeliveryWorker, models.CASCADE, related_name="assignments")
    vehicle = models.ForeignKey(Vehicle, models.CASCADE, related_name="assignments")
    valid_from = models.DateField("绑定起")
    valid_to = models.DateField("绑定止", null=True, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="fleet_assignment_valid_range",
            )
        ]
        verbose_name = "人车绑定"
        verbose_name_plural = "人车绑定"

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class DeliveryArea(RegionScopedModel):
    """The area an operator is licensed to deliver to, as region codes (prefix match)."""

    enterprise = models.ForeignKey("registry.Enterprise", models.CASCADE, related_name="delivery_areas")
    name = models.CharField("名称", max_length=100)
    region_codes = models.JSONField("区划代码", default=list)

    class Meta:
        ordering = ["enterprise_id", "name"]
        verbose_name = "配送区域"
        verbose_name_plural = "配送区域"

    def __str__(self) -> str:
        return self.name
