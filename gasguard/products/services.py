"""Services of product quality: product models, spot checks, blacklist, recalls, findings."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from gasguard.audit.services import audit_record
from gasguard.core.errors import Conflict, ValidationFailed
from gasguard.core.filters import EARLIEST_DATE, text_error
from gasguard.cylinders.permissions import require_any_regulator, require_regulator
from gasguard.products.choices import (
    BlacklistSourceChoices,
    CccStatusChoices,
    ProductKindChoices,
    RecallStatusChoices,
    SpotCheckResultChoices,
)
from gasguard.products.models import BlacklistEntry, ProductFinding, ProductModel, Recall, SpotCheck
from gasguard.products.selectors import blacklist_cache_clear


def _region_of(actor, fallback: str = "") -> str:
    from gasguard.cylinders.permissions import market_prefixes

    prefixes = market_prefixes(actor, write=True)
    return fallback or (prefixes[0] if prefixes else "")


def product_model_create(
    *,
    actor,
    kind: str,
    model: str,
    maker=None,
    maker_name: str = "",
    name: str = "",
    ccc_status: str = CccStatusChoices.NOT_REQUIRED,
    ccc_cert_no: str = "",
) -> ProductModel:
    """Register a product model of a maker (market regulators only)."""
    require_any_regulator(actor)
    errors = {}
    if kind not in ProductKindChoices.values:
        errors["kind"] = [f"未知产品类别：{kind}"]
    model = (model or "").strip()
    if not model:
        errors["model"] = ["型号不能为空"]
    maker_name = (maker_name or (maker.name if maker else "")).strip()
    if not maker_name:
        errors["maker_name"] = ["请填写生产企业"]
    if ccc_status not in CccStatusChoices.values:
        errors["ccc_status"] = [f"未知CCC状态：{ccc_status}"]
    if ccc_status == CccStatusChoices.CERTIFIED and not ccc_cert_no.strip():
        errors["ccc_cert_no"] = ["已认证产品须填写CCC证书编号"]
    if errors:
        raise ValidationFailed("产品信息有误", errors=errors)
    try:
        with transaction.atomic():
            pm = ProductModel.objects.create(
                kind=kind,
                model=model,
                name=name,
                maker=maker,
                maker_name=maker_name,
                ccc_status=ccc_status,
                ccc_cert_no=ccc_cert_no.strip(),
            )
            audit_record(
                event_type="PRODUCT_MODEL_CREATED",
                object_type="product_model",
                object_id=pm.pk,
                actor=actor,
                payload={"kind": kind, "model": model, "maker": maker_name},
            )
    except IntegrityError as exc:
        raise Conflict(f"{maker_name} 的 {model} 已登记", field="model") from exc
    return pm


SPOT_CHECK_ITEM_KEYS = ("item", "result", "note")


def _spot_check_items(items) -> list[dict]:
    """检验项目 as [{"item", "result", "note"}] of text (what the form builds); anything else —
    a string, an object, NUL bytes PostgreSQL's jsonb refuses — is a 400 naming the row."""
    if items in (None, ""):
        return []
    if not isinstance(items, list):
        raise ValidationFailed("检验项目须为列表：[{item, result, note}]", field="items")
    if len(items) > 200:
        raise ValidationFailed("检验项目最多 200 项", field="items")
    rows = []
    for n, row in enumerate(items, start=1):
        if not isinstance(row, dict) or set(row) - set(SPOT_CHECK_ITEM_KEYS):
            raise ValidationFailed(f"检验项目第{n}项须为 {{item, result, note}}", field="items")
        values = {key: row.get(key) or "" for key in SPOT_CHECK_ITEM_KEYS}
        for key, value in values.items():
            if not isinstance(value, str) or len(value) > 500 or text_error(value):
                raise ValidationFailed(f"检验项目第{n}项的 {key} 须为不超过 500 字的文本", field="items")
        if not values["item"].strip() or not values["result"].strip():
            raise ValidationFailed(f"检验项目第{n}项须填写项目和结果", field="items")
        rows.append(values)
    return rows


def spot_check_record(
    *,
    actor,
    product_model: ProductModel,
    checked_on: date,
    result: str,
    items=None,
    department=None,
    seller=None,
    report_no: str = "",
    blacklist: bool = False,
) -> SpotCheck:
    """Record a spot check; a failed one may put the model on the blacklist in the same step."""
    region = department.region_code if department else _region_of(actor)
    require_regulator(actor, region or "-")
    if result not in SpotCheckResultChoices.values:
        raise ValidationFailed(f"未知结论：{result}", field="result")
    if checked_on > timezone.localdate():
        raise ValidationFailed("抽查日期不能晚于今天", field="checked_on")
    if checked_on < EARLIEST_DATE:
        raise ValidationFailed(f"抽查日期不能早于 {EARLIEST_DATE}", field="checked_on")
    items = _spot_check_items(items)
    with transaction.atomic():
        sc = SpotCheck.objects.create(
            product_model=product_model,
            checked_on=checked_on,
            result=result,
            items=items,
            department=department,
            seller=seller,
            report_no=report_no,
            region_code=region,
        )
        audit_record(
            event_type="SPOT_CHECK_RECORDED",
            object_type="spot_check",
            object_id=sc.pk,
            actor=actor,
            region_code=region,
            payload={"product_model": product_model.pk, "result": result, "report_no": report_no},
        )
        if blacklist and result == SpotCheckResultChoices.FAIL:
            blacklist_add(
                actor=actor,
                product_model=product_model,
                reason=f"监督抽查不合格（{report_no or checked_on}）",
                source=BlacklistSourceChoices.SPOT_CHECK,
                listed_on=checked_on,
                region_code=region,
            )
    return sc


def blacklist_add(
    *,
    actor,
    reason: str,
    source: str,
    product_model=None,
    maker=None,
    listed_on: date | None = None,
    region_code: str = "",
) -> BlacklistEntry:
    """Put a product model or a maker on the blacklist; the gate refuses them from then on."""
    region = region_code or _region_of(actor)
    require_regulator(actor, region or "-")
    errors = {}
    if product_model is None and maker is None:
        errors["product_model"] = ["须指定产品型号或生产企业"]
    if not (reason or "").strip():
        errors["reason"] = ["请填写列入原因"]
    if source not in BlacklistSourceChoices.values:
        errors["source"] = [f"未知来源：{source}"]
    if listed_on is not None and not EARLIEST_DATE <= listed_on <= timezone.localdate():
        errors["listed_on"] = [f"列入日期须在 {EARLIEST_DATE} 与今天之间"]
    if errors:
        raise ValidationFailed("黑名单信息有误", errors=errors)
    with transaction.atomic():
        entry = BlacklistEntry.objects.create(
            product_model=product_model,
            maker=maker,
            reason=reason.strip(),
            source=source,
            listed_on=listed_on or timezone.localdate(),
            region_code=region,
        )
        audit_record(
            event_type="BLACKLIST_ENTRY_ADDED",
            object_type="blacklist_entry",
            object_id=entry.pk,
            actor=actor,
            region_code=region,
            payload={
                "product_model": getattr(product_model, "pk", None),
                "maker": getattr(maker, "pk", None),
                "reason": reason,
                "source": source,
            },
        )
        transaction.on_commit(blacklist_cache_clear)
    return entry


def blacklist_lift(*, actor, entry: BlacklistEntry, reason: str) -> BlacklistEntry:
    """Take an entry off the blacklist (kept as history)."""
    require_regulator(actor, entry.region_code or "-")
    if not (reason or "").strip():
        raise ValidationFailed("请填写移出原因", field="reason")
    with transaction.atomic():
        updated = BlacklistEntry.objects.filter(pk=entry.pk, is_active=True).update(
            is_active=False, lifted_on=timezone.localdate()
        )
        if not updated:
            raise Conflict("该条目已移出黑名单")
        audit_record(
            event_type="BLACKLIST_ENTRY_LIFTED",
            object_type="blacklist_entry",
            object_id=entry.pk,
            actor=actor,
            region_code=entry.region_code,
            payload={"reason": reason},
        )
        transaction.on_commit(blacklist_cache_clear)
    entry.refresh_from_db()
    return entry


def recall_start(*, actor, product_model: ProductModel, reason: str, target_count: int = 0) -> Recall:
    """Start a recall (召回) of a product model."""
    region = _region_of(actor)
    require_regulator(actor, region or "-")
    if not (reason or "").strip():
        raise ValidationFailed("请填写召回原因", field="reason")
    if target_count < 0:
        raise ValidationFailed("应召回数量不能为负", field="target_count")
    with transaction.atomic():
        recall = Recall.objects.create(
            product_model=product_model,
            reason=reason.strip(),
            started_on=timezone.localdate(),
            target_count=target_count,
            region_code=region,
        )
        audit_record(
            event_type="RECALL_STARTED",
            object_type="recall",
            object_id=recall.pk,
            actor=actor,
            region_code=region,
            payload={"product_model": product_model.pk, "reason": reason, "target_count": target_count},
        )
    return recall


def recall_update_progress(*, actor, recall: Recall, located: int, returned: int, scrapped: int) -> Recall:
    """Update recall progress counts (scrapped ≤ returned ≤ located ≤ target when a target is set)."""
    require_regulator(actor, recall.region_code or "-")
    if recall.status == RecallStatusChoices.CLOSED:
        raise Conflict("召回已结束，不能再登记进度", field="status")
    if min(located, returned, scrapped) < 0 or not (scrapped <= returned <= located):
        raise ValidationFailed("进度须满足 已报废 ≤ 已收回 ≤ 已查找到，且不为负", field="located")
    if recall.target_count and located > recall.target_count:
        raise ValidationFailed(f"已查找到不能超过应召回数量（{recall.target_count}）", field="located")
    with transaction.atomic():
        # Conditional on 召回中: a close committed meanwhile wins, the late update is refused.
        changed = Recall.objects.filter(pk=recall.pk, status=RecallStatusChoices.OPEN).update(
            located_count=located, returned_count=returned, scrapped_count=scrapped
        )
        if not changed:
            raise Conflict("召回已结束，不能再登记进度", field="status")
        audit_record(
            event_type="RECALL_PROGRESS_UPDATED",
            object_type="recall",
            object_id=recall.pk,
            actor=actor,
            region_code=recall.region_code,
            payload={"located": located, "returned": returned, "scrapped": scrapped},
        )
    recall.refresh_from_db()
    return recall


def recall_close(*, actor, recall: Recall, note: str = "") -> Recall:
    """Close a recall (召回结束): no more progress is recorded; closing twice is refused."""
    require_regulator(actor, recall.region_code or "-")
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationFailed("结束说明最多300个字符", field="note")
    with transaction.atomic():
        changed = Recall.objects.filter(pk=recall.pk, status=RecallStatusChoices.OPEN).update(
            status=RecallStatusChoices.CLOSED
        )
        if not changed:
            raise Conflict("召回已结束，不能重复结束", field="status")
        recall.refresh_from_db()
        audit_record(
            event_type="RECALL_CLOSED",
            object_type="recall",
            object_id=recall.pk,
            actor=actor,
            region_code=recall.region_code,
            payload={
                "note": note,
                "target_count": recall.target_count,
                "located": recall.located_count,
                "returned": recall.returned_count,
                "scrapped": recall.scrapped_count,
            },
        )
    return recall


def product_finding_link(
    *, actor, hazard, product_model=None, seller=None, seller_name: str = "", note: str = ""
) -> ProductFinding:
    """Link a hazard referred to 市场监管 to the product model, its maker and its seller (溯源)."""
    require_regulator(actor, hazard.region_code)
    if product_model is None and seller is None and not seller_name.strip():
        raise ValidationFailed("须至少填写产品型号或销售者", field="product_model")
    try:
        with transaction.atomic():
            finding = ProductFinding.objects.create(
                hazard=hazard,
                product_model=product_model,
                seller=seller,
                seller_name=seller_name or (seller.name if seller else ""),
                note=note,
                region_code=hazard.region_code,
            )
            audit_record(
                event_type="PRODUCT_FINDING_LINKED",
                object_type="product_finding",
                object_id=finding.pk,
                actor=actor,
                region_code=hazard.region_code,
                payload={
                    "hazard": hazard.pk,
                    "product_model": getattr(product_model, "pk", None),
                    "seller": finding.seller_name,
                },
            )
    except IntegrityError as exc:
        raise Conflict("该隐患已关联产品", field="hazard") from exc
    return finding
