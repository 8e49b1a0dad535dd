"""Product quality (产品质量): product models, spot checks, the blacklist (黑名单), recalls, and
links from ledger hazards referred to 市场监管 to the product, its maker and its seller.

Products are not regional (a model is sold everywhere); spot checks, blacklist entries,
recalls and findings carry the `region_code` of the department or place that made them.
"""

from django.db import models

from gasguard.core.models import BaseModel, RegionScopedModel
from gasguard.products.choices import (
    BlacklistSourceChoices,
    CccStatusChoices,
    ProductKindChoices,
    RecallStatusChoices,
    SpotCheckResultChoices,
)


class ProductModel(BaseModel):
    """One product model (型号) of one maker: a cylinder spec, a valve, a hose, a detector …"""

    kind = models.CharField("产品类别", max_length=20, choices=ProductKindChoices.choices, db_index=True)
    model = models.CharField("型号规格", max_length=100)
    name = models.CharField("产品名称", max_length=200, blank=True)
    maker = models.ForeignKey(
        "registry.Enterprise",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="product_models",
        verbose_name="生产企业",
    )
    maker_name = models.CharField("生产企业名称", max_length=200)
    ccc_status = models.CharField(
        "CCC状态", max_length=16, choices=CccStatusChoices.choices, default=CccStatusChoices.NOT_REQUIRED
    )
    ccc_cert_no = models.CharField("CCC证书编号", max_length=64, blank=True)

    class Meta:
        ordering = ["kind", "maker_name", "model"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "maker_name", "model"], name="products_model_unique"),
        ]
        verbose_name = "产品型号"
        verbose_name_plural = "产品型号"

    def __str__(self) -> str:
        return f"{self.maker_name} {self.model}"


class SpotCheck(RegionScopedModel):
    """A quality spot check (监督抽查) of one product model by a department."""

    product_model = models.ForeignKey(ProductModel, models.PROTECT, related_name="spot_checks")
    checked_on = models.DateField("抽查日期")
    department = models.ForeignKey(
        "org.Department", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="抽查部门"
    )
    seller = models.ForeignKey(
        "registry.Enterprise",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="抽样单位",
    )
    result = models.CharField("结论", max_length=8, choices=SpotCheckResultChoices.choices)
    items = models.JSONField("检验项目", default=list, blank=True)  # [{"item", "result", "note"}]
    report_no = models.CharField("报告编号", max_length=64, blank=True)

    class Meta:
        ordering = ["-checked_on", "-id"]
        verbose_name = "监督抽查"
        verbose_name_plural = "监督抽查"

    def __str__(self) -> str:
        return f"{self.product_model} {self.checked_on} {self.get_result_display()}"


class BlacklistEntry(RegionScopedModel):
    """A product model or a maker on the blacklist (黑名单); the pre-fill gate refuses them."""

    product_model = models.ForeignKey(
        ProductModel, models.PROTECT, null=True, blank=True, related_name="blacklist_entries"
    )
    maker = models.ForeignKey(
        "registry.Enterprise", models.PROTECT, null=True, blank=True, related_name="blacklist_entries"
    )
    reason = models.CharField("列入原因", max_length=300)
    source = models.CharField("来源", max_length=16, choices=BlacklistSourceChoices.choices)
    listed_on = models.DateField("列入日期")
    is_active = models.BooleanField("有效", default=True, db_index=True)
    lifted_on = models.DateField("移出日期", null=True, blank=True)

    class Meta:
        ordering = ["-listed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(product_model__isnull=False) | models.Q(maker__isnull=False),
                name="products_blacklist_has_subject",
            )
        ]
        verbose_name = "黑名单"
        verbose_name_plural = "黑名单"

    def __str__(self) -> str:
        return str(self.product_model or self.maker)


class Recall(RegionScopedModel):
    """A recall (召回) of a product model, with progress counts."""

    product_model = models.ForeignKey(ProductModel, models.PROTECT, related_name="recalls")
    reason = models.CharField("召回原因", max_length=300)
    started_on = models.DateField("启动日期")
    status = models.CharField(
        "状态", max_length=8, choices=RecallStatusChoices.choices, default=RecallStatusChoices.OPEN
    )
    target_count = models.PositiveIntegerField("应召回数量", default=0)
    located_count = models.PositiveIntegerField("已查找到", default=0)
    returned_count = models.PositiveIntegerField("已收回", default=0)
    scrapped_count = models.PositiveIntegerField("已报废", default=0)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = "召回"
        verbose_name_plural = "召回"

    def __str__(self) -> str:
        return f"{self.product_model} 召回"


class ProductFinding(RegionScopedModel):
    """Links a ledger hazard (referred to 市场监管) to the product model, its maker and its seller."""

    hazard = models.OneToOneField("hazards.Hazard", models.CASCADE, related_name="product_finding")
    product_model = models.ForeignKey(
        ProductModel, models.PROTECT, null=True, blank=True, related_name="findings"
    )
    seller = models.ForeignKey(
        "registry.Enterprise", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="销售者"
    )
    seller_name = models.CharField("销售者名称", max_length=200, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "产品问题溯源"
        verbose_name_plural = "产品问题溯源"

    def __str__(self) -> str:
        return f"隐患{self.hazard_id} → {self.product_model or '未知型号'}"
