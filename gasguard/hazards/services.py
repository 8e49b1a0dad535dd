"""Services of the hazard ledger. Every other app registers hazards through `hazard_register`."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from gasguard.audit.services import audit_record
from gasguard.core.errors import ValidationFailed
from gasguard.hazards.choices import HazardSourceChoices, HazardStatusChoices, HazardTargetTypeChoices
from gasguard.hazards.models import Hazard, HazardHistory
from gasguard.org.choices import DepartmentKindChoices
from gasguard.org.models import Department
from gasguard.rules.catalog import get_catalog
from gasguard.rules.choices import ActionChoices, CategoryChoices, SeverityChoices


def department_for(*, kind: str, region_code: str) -> Department | None:
    """The department of a kind responsible for a place: the nearest one at or above it."""
    prefixes = [region_code[:n] for n in (15, 12, 9, 6, 4, 2) if len(region_code) >= n]
    candidates = Department.objects.filter(kind=kind, region_code__in=prefixes)
    return max(candidates, key=lambda d: len(d.region_code), default=None)


def _target_fields(target) -> dict:
    from gasguard.registry.models import Enterprise, Facility, Premises

    if isinstance(target, Premises):
        return {
            "target_type": HazardTargetTypeChoices.PREMISES,
            "premises": target,
            "enterprise_id": target.enterprise_id,
            "target_name": target.name,
            "region_code": target.region_code,
        }
    if isinstance(target, Enterprise):
        return {
            "target_type": HazardTargetTypeChoices.ENTERPRISE,
            "enterprise": target,
            "target_name": target.name,
            "region_code": target.region_code,
        }
    if isinstance(target, Facility):
        return {
            "target_type": HazardTargetTypeChoices.FACILITY,
            "facility": target,
            "enterprise_id": target.enterprise_id,
            "target_name": target.name,
            "region_code": target.region_code,
        }
    raise ValidationFailed("隐患对象须为场所、企业或设施", field="target")


def hazard_register(
    *,
    actor,
    target,
    source: str,
    description: str,
    rule_id: str | None = None,
    title: str | None = None,
    category: str | None = None,
    severity: str | None = None,
    lead_department_kind: str | None = None,
    deadline: date | None = None,
    responsible_person: str = "",
    responsible_phone: str = "",
    source_ref: str = "",
    found_at=None,
    extra: dict | None = None,
) -> Hazard:
    """Put one hazard on the ledger (逐一登记在册) with rule defaults, in one transaction.

    `target` is a registry Premises, Enterprise or Facility. With `rule_id`, the catalogue
    supplies title, category, severity, lead department, legal basis, action and deadline;
    explicit arguments override them. Without a rule, `title`, `category` and
    `lead_department_kind` are required. 重大隐患 are 挂牌督办 from the start.
    """
    errors: dict[str, list[str]] = {}
    if source not in HazardSourceChoices.values:
        errors["source"] = [f"未知来源：{source}"]
    description = (description or "").strip()
    if not description:
        errors["description"] = ["隐患描述不能为空"]
    catalog = get_catalog()
    rule = None
    if rule_id:
        rule = catalog.get(rule_id)
        if rule is None:
            errors["rule_id"] = [f"规则库中没有规则 {rule_id}"]
    if rule is None and not rule_id:
        for name, value in (
            ("title", title),
            ("category", category),
            ("lead_department_kind", lead_department_kind),
        ):
            if not value:
                errors[name] = ["未引用规则时必须填写"]
    if category and category not in CategoryChoices.values:
        errors["category"] = [f"未知类别：{category}"]
    if severity and severity not in SeverityChoices.values:
        errors["severity"] = [f"未知等级：{severity}"]
    if lead_department_kind and lead_department_kind not in DepartmentKindChoices.values:
        errors["lead_department_kind"] = [f"未知部门类型：{lead_department_kind}"]
    if errors:
        raise ValidationFailed("隐患登记信息有误", errors=errors)

    fields = _target_fields(target)
    now = found_at or timezone.now()
    severity = severity or (rule.severity if rule else SeverityChoices.GENERAL)
    lead_kind = lead_department_kind or rule.lead
    if deadline is None:
        days = rule.deadline_days if rule else 30
        deadline = timezone.localdate(now) + timedelta(days=days)
    if deadline < timezone.localdate(now) - timedelta(days=3650):
        raise ValidationFailed("完成时限不合理", field="deadline")

    with transaction.atomic():
        hazard = Hazard.objects.create(
            **fields,
            rule_id=rule.id if rule else "",
            catalog_version=catalog.version if rule else "",
            category=category or (rule.category if rule else CategoryChoices.OTHER),
            title=(title or (rule.title if rule else ""))[:200],
            description=description,
            severity=severity,
            lead_department_kind=lead_kind,
            lead_department=department_for(kind=lead_kind, region_code=fields["region_code"]),
            support_department_kinds=list(rule.support) if rule else [],
            legal_basis=rule.legal_basis if rule else "",
            prescribed_action="、".join(ActionChoices(a).label for a in rule.actions) if rule else "",
            responsible_person=responsible_person,
            responsible_phone=responsible_phone,
            deadline=deadline,
            status=HazardStatusChoices.PENDING,
            source=source,
            source_ref=source_ref,
            found_at=now,
            found_by=actor if getattr(actor, "pk", None) else None,
            is_supervised=severity == SeverityChoices.MAJOR,
        )
        hazard.code = f"YH{hazard.region_code[:6]}{timezone.localdate(now):%Y%m}{hazard.pk:07d}"
        Hazard.objects.filter(pk=hazard.pk).update(code=hazard.code)
        HazardHistory.objects.create(
            hazard=hazard,
            action="register",
            to_status=hazard.status,
            actor=hazard.found_by,
            actor_name=getattr(actor, "display_name", "") or "系统",
            reason=description[:500],
            data=extra or {},
        )
        audit_record(
            event_type="HAZARD_REGISTERED",
            object_type="hazard",
            object_id=hazard.pk,
            actor=actor,
            region_code=hazard.region_code,
            payload={
                "code": hazard.code,
                "target": hazard.target_name,
                "rule_id": hazard.rule_id,
                "severity": hazard.severity,
                "deadline": hazard.deadline,
                "source": source,
                "source_ref": source_ref,
                "description": description,
            },
        )
    return hazard
