"""Administrative regions, departments and task forces (专项整治工作专班)."""

from django.core.exceptions import ValidationError
from django.db import models

from gasguard.core.models import BaseModel
from gasguard.org.choices import REGION_CODE_LENGTH, DepartmentKindChoices, RegionLevelChoices


class Region(BaseModel):
    """A node of the administrative tree with a GB/T 2260-style hierarchical code."""

    code = models.CharField("区划代码", max_length=15, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("层级", choices=RegionLevelChoices.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")
    # GeoJSON Polygon/MultiPolygon of the outline (WGS-84), optional; used by the offline map.
    boundary = models.JSONField("边界(GeoJSON)", null=True, blank=True)
    center_lon = models.FloatField("中心经度", null=True, blank=True)
    center_lat = models.FloatField("中心纬度", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected = REGION_CODE_LENGTH.get(self.level)
        if expected and len(self.code) != expected:
            raise ValidationError({"code": f"{self.get_level_display()}代码应为{expected}位"})
        if not self.code.isdigit():
            raise ValidationError({"code": "区划代码只能包含数字"})
        if self.parent and not self.code.startswith(self.parent.code):
            raise ValidationError({"code": "下级区划代码必须以上级区划代码开头"})

    @property
    def full_name(self) -> str:
        names = []
        node = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class Department(BaseModel):
    """A government department of one kind in one region (e.g. 南山区住房和建设局)."""

    region = models.ForeignKey(Region, models.PROTECT, related_name="departments")
    region_code = models.CharField("区划代码", max_length=15, db_index=True, editable=False)
    kind = models.CharField("部门类型", max_length=32, choices=DepartmentKindChoices.choices)
    name = models.CharField("名称", max_length=100)
    phone = models.CharField("联系电话", max_length=40, blank=True)

    class Meta:
        ordering = ["region_code", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "name"], name="org_department_unique")
        ]
        verbose_name = "部门"
        verbose_name_plural = "部门"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.region_code = self.region.code
        super().save(*args, **kwargs)


class TaskForce(BaseModel):
    """专项整治工作专班 of a region: lead unit 住建, deputy lead 应急, member departments."""

    region = models.OneToOneField(Region, models.PROTECT, related_name="task_force")
    region_code = models.CharField("区划代码", max_length=15, db_index=True, editable=False)
    name = models.CharField("名称", max_length=100)
    lead = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name="召集人单位")
    deputy_lead = models.ForeignKey(
        Department, models.PROTECT, related_name="+", null=True, blank=True, verbose_name="副召集人单位"
    )
    members = models.ManyToManyField(
        Department, related_name="task_forces", blank=True, verbose_name="成员单位"
    )
    head = models.CharField("负责人", max_length=50, blank=True)
    liaison = models.CharField("联络员", max_length=50, blank=True)
    liaison_phone = models.CharField("联络电话", max_length=40, blank=True)

    class Meta:
        verbose_name = "专项整治工作专班"
        verbose_name_plural = "专项整治工作专班"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.region_code = self.region.code
        super().save(*args, **kwargs)
