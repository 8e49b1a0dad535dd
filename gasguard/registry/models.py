"""The registry (基础台账): enterprises, licences, key staff, gas-using premises, facilities.

Every row carries the `region_code` of where it is, so scoping is one prefix match.
"""

from django.core.exceptions import ValidationError
from django.db import models

from gasguard.core.models import BaseModel, RegionScopedModel
from gasguard.registry.choices import (
    CertificateKindChoices,
    EnterpriseRoleChoices,
    FacilityKindChoices,
    IssuingLevelChoices,
    LicenceKindChoices,
    LicenceStatusChoices,
    PremisesKindChoices,
    PremisesStatusChoices,
    PressureClassChoices,
    StaffPostChoices,
    UndergroundChoices,
)
from gasguard.registry.uscc import uscc_error

# Mainland China bounding box (WGS-84), generous: rejects swapped lat/lon and stray zeros.
CHINA_LON = (73.0, 135.5)
CHINA_LAT = (3.5, 53.7)


def location_error(lon: float | None, lat: float | None) -> dict[str, str]:
    """Field errors for a WGS-84 point that is missing half, swapped or outside China."""
    if lon is None and lat is None:
        return {}
    if lon is None or lat is None:
        return {"lon" if lon is None else "lat": "经度和纬度须同时填写"}
    if CHINA_LAT[0] <= lon <= CHINA_LAT[1] and CHINA_LON[0] <= lat <= CHINA_LON[1]:
        return {"lon": f"经纬度疑似填反：经度 {lon}、纬度 {lat}（中国境内经度约73–135，纬度约4–54）"}
    errors = {}
    if not CHINA_LON[0] <= lon <= CHINA_LON[1]:
        errors["lon"] = f"经度 {lon} 不在中国境内（约73–135）"
    if not CHINA_LAT[0] <= lat <= CHINA_LAT[1]:
        errors["lat"] = f"纬度 {lat} 不在中国境内（约4–54）"
    return errors


class Enterprise(RegionScopedModel):
    """An enterprise identified by its 统一社会信用代码 (USCC); may hold several roles."""

    name = models.CharField("企业名称", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    region = models.ForeignKey(
        "org.Region", models.PROTECT, related_name="enterprises", verbose_name="所在区划"
    )
    address = models.CharField("地址", max_length=300, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    # A gas operator's licensed supply area, as region codes (e.g. ["440305", "440306"]).
    service_region_codes = models.JSONField("供气/经营区域", default=list, blank=True)
    is_active = models.BooleanField("存续", default=True)

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = "企业"
        verbose_name_plural = "企业"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if message := uscc_error(self.uscc):
            errors["uscc"] = message
        errors.update(location_error(self.lon, self.lat))
        if errors:
            raise ValidationError(errors)

    @property
    def role_values(self) -> list[str]:
        return [r.role for r in self.roles.all()]


class EnterpriseRole(BaseModel):
    """One business role of an enterprise (管道燃气经营, 气瓶充装, …)."""

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="roles")
    role = models.CharField("业务类型", max_length=32, choices=EnterpriseRoleChoices.choices, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "role"], name="registry_role_unique")]
        verbose_name = "企业业务类型"
        verbose_name_plural = "企业业务类型"

    def __str__(self) -> str:
        return self.get_role_display()


class Licence(RegionScopedModel):
    """A licence or qualification held by an enterprise, with its validity and status."""

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="licences")
    kind = models.CharField("证照类型", max_length=32, choices=LicenceKindChoices.choices)
    number = models.CharField("证号", max_length=80)
    issuer = models.CharField("发证机关", max_length=100)
    issuing_level = models.CharField("发证层级", max_length=16, choices=IssuingLevelChoices.choices)
    scope = models.CharField("许可范围", max_length=300, blank=True)
    valid_from = models.DateField("有效期起")
    valid_to = models.DateField("有效期至")
    status = models.CharField("状态", max_length=16, choices=LicenceStatusChoices.choices, default="valid")

    class Meta:
        ordering = ["enterprise_id", "kind", "-valid_to"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="registry_licence_kind_number_unique"),
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")), name="registry_licence_valid_range"
            ),
        ]
        verbose_name = "证照"
        verbose_name_plural = "证照"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "有效期至不能早于有效期起"})

    def is_valid_on(self, day) -> bool:
        return self.status == LicenceStatusChoices.VALID and self.valid_from <= day <= self.valid_to


class Staff(RegionScopedModel):
    """A key person of an enterprise (主要负责人, 安全生产管理人员, 充装工, 送气工, 驾驶员 …)."""

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="staff")
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("岗位", max_length=32, choices=StaffPostChoices.choices)
    phone = models.CharField("电话", max_length=20, blank=True)
    id_number_masked = models.CharField("身份证号(脱敏)", max_length=18, blank=True)
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        ordering = ["enterprise_id", "post", "name"]
        verbose_name = "从业人员"
        verbose_name_plural = "从业人员"

    def __str__(self) -> str:
        return f"{self.name}（{self.get_post_display()}）"


class Certificate(BaseModel):
    """A training/assessment result or certificate of a staff member, with expiry."""

    staff = models.ForeignKey(Staff, models.CASCADE, related_name="certificates")
    kind = models.CharField("证书类型", max_length=32, choices=CertificateKindChoices.choices)
    number = models.CharField("证书编号", max_length=80, blank=True)
    passed = models.BooleanField("考核合格", default=True)
    issued_on = models.DateField("发证/考核日期")
    valid_to = models.DateField("有效期至", null=True, blank=True)

    class Meta:
        ordering = ["staff_id", "kind", "-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("issued_on")),
                name="registry_certificate_valid_range",
            )
        ]
        verbose_name = "证书/考核"
        verbose_name_plural = "证书/考核"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def is_valid_on(self, day) -> bool:
        return self.passed and self.issued_on <= day and (self.valid_to is None or day <= self.valid_to)


class Premises(RegionScopedModel):
    """A gas-using premises (餐饮企业 and other 人员密集场所) that must be covered by inspections."""

    name = models.CharField("场所名称", max_length=200)
    kind = models.CharField("场所类型", max_length=32, choices=PremisesKindChoices.choices, db_index=True)
    region = models.ForeignKey(
        "org.Region", models.PROTECT, related_name="premises", verbose_name="所在区划/网格"
    )
    operator_name = models.CharField("经营者", max_length=200, blank=True)
    enterprise = models.ForeignKey(
        Enterprise,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="premises",
        verbose_name="经营主体(已登记企业)",
    )
    address = models.CharField("地址", max_length=300)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    gas_pipeline = models.BooleanField("管道天然气", default=False)
    gas_lpg = models.BooleanField("瓶装液化石油气", default=False)
    gas_alcohol = models.BooleanField("醇基燃料", default=False)
    gas_other = models.BooleanField("其他燃料", default=False)
    underground = models.CharField(
        "地下/半地下用气", max_length=16, choices=UndergroundChoices.choices, default="none"
    )
    supplier = models.ForeignKey(
        Enterprise,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="supplied_premises",
        verbose_name="供气企业",
    )
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    status = models.CharField("状态", max_length=16, choices=PremisesStatusChoices.choices, default="open")
    # Stable external key for re-imports (the locality's own registry number, if any).
    external_id = models.CharField("外部编号", max_length=64, blank=True, db_index=True)
    # Kept by database triggers on sealed inspections (inspections migration 0002), never by hand:
    # when the premises was last inspected and how many sealed inspection records it has.
    last_inspected_at = models.DateTimeField("最近检查时间", null=True, blank=True, editable=False)
    inspection_count = models.PositiveIntegerField("检查记录数", default=0, db_default=0, editable=False)

    class Meta:
        ordering = ["region_code", "name", "id"]
        indexes = [models.Index(fields=["region_code", "kind", "name"], name="registry_premises_scope_idx")]
        verbose_name = "用气场所"
        verbose_name_plural = "用气场所"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = location_error(self.lon, self.lat)
        if errors:
            raise ValidationError(errors)

    @property
    def gas_sources_display(self) -> str:
        parts = []
        for field in ("gas_pipeline", "gas_lpg", "gas_alcohol", "gas_other"):
            if getattr(self, field):
                parts.append(self._meta.get_field(field).verbose_name)
        return "、".join(parts) or "未登记"


class Facility(RegionScopedModel):
    """A gas facility: pipeline segment, station, regulator … with GeoJSON geometry."""

    kind = models.CharField("设施类型", max_length=32, choices=FacilityKindChoices.choices, db_index=True)
    name = models.CharField("名称", max_length=200)
    code = models.CharField("编号", max_length=64, blank=True)
    enterprise = models.ForeignKey(
        Enterprise, models.PROTECT, related_name="facilities", verbose_name="权属单位"
    )
    region = models.ForeignKey(
        "org.Region", models.PROTECT, related_name="facilities", verbose_name="所在区划"
    )
    geometry = models.JSONField("几何(GeoJSON)", null=True, blank=True)
    pressure_class = models.CharField(
        "压力级制", max_length=16, choices=PressureClassChoices.choices, blank=True
    )
    material = models.CharField("材质", max_length=50, blank=True)
    diameter_mm = models.PositiveIntegerField("管径(mm)", null=True, blank=True)
    length_m = models.FloatField("长度(m)", null=True, blank=True)
    built_year = models.PositiveIntegerField("建设年份", null=True, blank=True)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        ordering = ["region_code", "kind", "name"]
        verbose_name = "燃气设施"
        verbose_name_plural = "燃气设施"

    def __str__(self) -> str:
        return self.name


class PremisesCountBase(models.Model):
    """One cell of the premises count cube (registry/rollup.py): per street, status and whether
    inspected, the number of premises and of their sealed inspections. Kept by triggers."""

    region_code = models.CharField("行政区划代码", max_length=15)
    status = models.CharField("状态", max_length=16)
    inspected = models.BooleanField("已检查")
    n = models.BigIntegerField("场所数")
    inspections = models.BigIntegerField("检查记录数")

    class Meta:
        abstract = True


class PremisesCount(PremisesCountBase):
    """Compacted counts: one row per cell."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "status", "inspected"], name="premises_count_cell_unique"
            )
        ]
        verbose_name = "场所计数"
        verbose_name_plural = "场所计数"

    def __str__(self) -> str:
        return f"{self.region_code} {self.status} {self.inspected}: {self.n}"


class PremisesCountDelta(PremisesCountBase):
    """Changes not yet folded into PremisesCount (append-only)."""

    class Meta:
        verbose_name = "场所计数增量"
        verbose_name_plural = "场所计数增量"

    def __str__(self) -> str:
        return f"{self.region_code} {self.status} {self.inspected}: {self.n:+d}"
