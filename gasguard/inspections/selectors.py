"""Reads of inspections, already restricted to the user's scope (UI, API and exports share them)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from gasguard.accounts.choices import MembershipRoleChoices as ROLE
from gasguard.accounts.selectors import user_scope
from gasguard.core.errors import NotFound, PermissionDenied
from gasguard.inspections.choices import InspectionStatusChoices, InspectionTaskStatusChoices
from gasguard.inspections.models import (
    Inspection,
    InspectionAnswer,
    InspectionBatch,
    InspectionSignature,
    InspectionTask,
)

S = InspectionStatusChoices
GOVERNMENT = (ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR, ROLE.INSPECTOR, ROLE.LEADER, ROLE.MONITOR_OPERATOR)
NOT_FOUND = "未找到，或不在您的数据权限范围内。"


def _government_scope(user):
    scope = user_scope(user=user)
    if not scope.has_role(*GOVERNMENT) or not (scope.is_global or scope.region_prefixes):
        raise PermissionDenied("仅限监管部门用户")
    return scope


# --- batches and tasks ---------------------------------------------------------------------


def batch_list(*, user) -> QuerySet:
    """Batches in the user's regions, with task totals."""
    scope = _government_scope(user)
    return (
        scope.apply(InspectionBatch.objects.select_related("region", "lead_department", "created_by"))
        .annotate(
            task_total=Count("tasks", distinct=True),
            task_done=Count("tasks", filter=Q(tasks__status=InspectionTaskStatusChoices.DONE), distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def batch_get(*, user, pk) -> InspectionBatch:
    try:
        return batch_list(user=user).get(pk=pk)
    except (InspectionBatch.DoesNotExist, ValueError, TypeError):
        raise NotFound(NOT_FOUND) from None


def task_list(*, user, mine: bool = False, state: str = "", batch_id=None) -> QuerySet:
    """Tasks in scope; `mine` = assigned to the user; state pending/done/overdue/open (pending incl. overdue)."""
    scope = _government_scope(user)
    qs = scope.apply(InspectionTask.objects.all()).select_related(
        "batch", "premises", "enterprise", "facility"
    )
    if mine:
        qs = qs.filter(assignees=user)
    today = timezone.localdate()
    if state == "overdue":
        qs = qs.filter(status=InspectionTaskStatusChoices.PENDING, due_date__lt=today)
    elif state == "pending":
        qs = qs.filter(status=InspectionTaskStatusChoices.PENDING, due_date__gte=today)
    elif state == "open":
        qs = qs.filter(status=InspectionTaskStatusChoices.PENDING)
    elif state == "done":
        qs = qs.filter(status=InspectionTaskStatusChoices.DONE)
    if batch_id:
        qs = qs.filter(batch_id=batch_id)
    return qs.prefetch_related("assignees").order_by("due_date", "region_code", "id")


def task_get(*, user, pk) -> InspectionTask:
    try:
        return task_list(user=user).get(pk=pk)
    except (InspectionTask.DoesNotExist, ValueError, TypeError):
        raise NotFound(NOT_FOUND) from None


# --- inspections ---------------------------------------------------------------------------


def inspection_list(*, user) -> QuerySet:
    """Inspections the user may see: their regions', or (enterprise users) their own sealed records."""
    scope = user_scope(user=user)
    if scope.is_empty:
        return Inspection.objects.none()
    qs = scope.apply(Inspection.objects.all(), region_field="region_code", enterprise_field="enterprise_id")
    if not scope.is_global and not scope.region_prefixes:
        qs = qs.filter(status=S.SEALED)  # an enterprise sees records once signed and sealed
    return qs.select_related("premises", "enterprise", "facility", "department", "task").prefetch_related(
        "inspectors"
    )


def inspection_get(*, user, pk, full: bool = False) -> Inspection:
    """One inspection in scope (404 otherwise); `full` also loads answers, photos and signatures."""
    qs = inspection_list(user=user)
    if full:
        qs = qs.prefetch_related(
            Prefetch("answers", queryset=InspectionAnswer.objects.select_related("hazard")),
            "photos",
            Prefetch("signatures", queryset=InspectionSignature.objects.select_related("user")),
            "corrections",
        ).select_related("corrects", "notice_issued_by", "created_by")
    try:
        return qs.get(pk=pk)
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise NotFound(NOT_FOUND) from None


def can_edit(*, user, inspection) -> bool:
    return inspection.status == S.DRAFT and any(u.pk == user.pk for u in inspection.inspectors.all())


def checklist_view(inspection):
    """(rule, answer or None, photos) rows in catalogue order, for the form and the detail page."""
    from gasguard.inspections.services import checklist_rules

    answers = {a.rule_id: a for a in inspection.answers.all()}
    photos: dict[str, list] = {}
    for photo in inspection.photos.all():
        photos.setdefault(photo.rule_id, []).append(photo)
    rows = [(rule, answers.get(rule.id), photos.get(rule.id, [])) for rule in checklist_rules(inspection)]
    return rows


def target_search(*, user, q: str, limit: int = 20) -> list[tuple[str, object]]:
    """Premises, enterprises and facilities in the user's regions whose name contains `q`."""
    from gasguard.registry.models import Enterprise, Facility, Premises

    scope = _government_scope(user)
    q = q.strip()[:100]
    if not q:
        return []
    out: list[tuple[str, object]] = []
    for kind, model, extra in (
        ("premises", Premises, {"status__in": ["open", "suspended"]}),
        ("enterprise", Enterprise, {"is_active": True}),
        ("facility", Facility, {"is_active": True}),
    ):
        qs = scope.apply(model.objects.filter(name__icontains=q, **extra)).select_related("region")
        out.extend((kind, obj) for obj in qs.order_by("region_code", "name")[: limit - len(out)])
        if len(out) >= limit:
            break
    return out


# --- coverage ------------------------------------------------------------------------------

LEVEL_LENGTH = {"district": 6, "street": 9, "community": 12, "grid": 15}


@dataclass
class CoverageRow:
    key: str
    label: str
    registered: int = 0
    inspected: int = 0

    @property
    def rate(self) -> float:
        return round(100.0 * self.inspected / self.registered, 1) if self.registered else 0.0


@dataclass
class Coverage:
    """Registered vs inspected targets by region and by type; totals add up across rows."""

    level: str
    premises_by_region: list[CoverageRow] = field(default_factory=list)
    premises_by_kind: list[CoverageRow] = field(default_factory=list)
    enterprises_by_region: list[CoverageRow] = field(default_factory=list)
    enterprises_by_role: list[CoverageRow] = field(default_factory=list)
    premises_total: CoverageRow = None
    enterprises_total: CoverageRow = None


def _sealed_inspections(*, batch_id=None, date_from: date | None = None, date_to: date | None = None):
    qs = Inspection.objects.filter(status=S.SEALED)
    if batch_id:
        qs = qs.filter(task__batch_id=batch_id)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(submitted_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(submitted_at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    return qs


def _inspected_premises(**period):
    return Exists(_sealed_inspections(**period).filter(premises_id=OuterRef("pk")))


def _inspected_enterprise(**period):
    # An enterprise is covered by an inspection of the enterprise itself (not of its premises).
    return Exists(
        _sealed_inspections(**period).filter(enterprise_id=OuterRef("pk"), target_type="enterprise")
    )


def coverage_premises_qs(*, user, region_code: str = "", **period) -> QuerySet:
    from gasguard.registry.models import Premises

    scope = _government_scope(user)
    qs = scope.apply(Premises.objects.exclude(status="closed"))
    if region_code:
        qs = qs.filter(region_code__startswith=region_code)
    return qs.annotate(inspected=_inspected_premises(**period))


def coverage_enterprises_qs(*, user, region_code: str = "", **period) -> QuerySet:
    from gasguard.registry.models import Enterprise

    scope = _government_scope(user)
    qs = scope.apply(Enterprise.objects.filter(is_active=True))
    if region_code:
        qs = qs.filter(region_code__startswith=region_code)
    return qs.annotate(inspected=_inspected_enterprise(**period))


def _rows(qs, key_expr, labels: dict) -> list[CoverageRow]:
    data = (
        qs.annotate(k=key_expr)
        .values("k")
        .annotate(
            # One row per target (no joins), so plain counts are exact and cheaper than DISTINCT.
            registered=Count("pk"),
            inspected=Count("pk", filter=Q(inspected=True)),
        )
        .order_by("k")
    )
    return [
        CoverageRow(
            key=row["k"] or "",
            label=labels.get(row["k"], row["k"] or "未登记"),
            registered=row["registered"],
            inspected=row["inspected"],
        )
        for row in data
    ]


def coverage(
    *,
    user,
    level: str = "street",
    region_code: str = "",
    batch_id=None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Coverage:
    """Coverage (全覆盖、底数清): registered vs inspected premises and enterprises, by region and type."""
    from gasguard.registry.choices import EnterpriseRoleChoices, PremisesKindChoices
    from gasguard.registry.models import EnterpriseRole

    length = LEVEL_LENGTH.get(level, 9)
    period = {"batch_id": batch_id, "date_from": date_from, "date_to": date_to}
    premises = coverage_premises_qs(user=user, region_code=region_code, **period)
    enterprises = coverage_enterprises_qs(user=user, region_code=region_code, **period)
    key = Substr("region_code", 1, length)
    p_regions = _rows(premises, key, {})
    e_regions = _rows(enterprises, key, {})
    codes = {r.key for r in p_regions} | {r.key for r in e_regions}
    names = {r.code: r.full_name_short for r in _region_names(codes)}
    for row in (*p_regions, *e_regions):
        row.label = names.get(row.key, row.key)
    result = Coverage(level=level)
    result.premises_by_region = p_regions
    result.enterprises_by_region = e_regions
    result.premises_by_kind = _rows(premises, key_expr=F("kind"), labels=dict(PremisesKindChoices.choices))
    role_qs = EnterpriseRole.objects.filter(enterprise__in=enterprises.values("pk")).annotate(
        inspected=_inspected_enterprise_role(**period)
    )
    result.enterprises_by_role = _rows(role_qs, F("role"), dict(EnterpriseRoleChoices.choices))
    total = premises.aggregate(r=Count("pk"), i=Count("pk", filter=Q(inspected=True)))
    result.premises_total = CoverageRow("total", "合计", total["r"], total["i"])
    total = enterprises.aggregate(r=Count("pk"), i=Count("pk", filter=Q(inspected=True)))
    result.enterprises_total = CoverageRow("total", "合计", total["r"], total["i"])
    return result


def _inspected_enterprise_role(**period):
    return Exists(
        _sealed_inspections(**period).filter(
            enterprise_id=OuterRef("enterprise_id"), target_type="enterprise"
        )
    )


class _RegionName:
    def __init__(self, code: str, name: str):
        self.code = code
        self.full_name_short = name


def _region_names(codes) -> list[_RegionName]:
    """Names for region codes, prefixed with the parent's name for streets and below."""
    from gasguard.org.models import Region

    regions = {r.code: r for r in Region.objects.filter(code__in=list(codes)).select_related("parent")}
    out = []
    for code, region in regions.items():
        name = region.name
        if region.level == 4 and region.parent is not None:
            name = f"{region.parent.name}{name}"
        out.append(_RegionName(code, name))
    return out


def never_inspected_premises(*, user, region_code: str = "", **period) -> QuerySet:
    """Premises in scope with no sealed inspection (in the period/batch when given)."""
    return (
        coverage_premises_qs(user=user, region_code=region_code, **period)
        .filter(inspected=False)
        .select_related("region", "enterprise")
        .order_by("region_code", "name", "id")
    )


def never_inspected_enterprises(*, user, region_code: str = "", **period) -> QuerySet:
    """Enterprises in scope with no sealed inspection of the enterprise itself."""
    return (
        coverage_enterprises_qs(user=user, region_code=region_code, **period)
        .filter(inspected=False)
        .select_related("region")
        .prefetch_related("roles")
        .order_by("region_code", "name", "id")
    )


# --- 责任倒查 timeline -----------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # inspection / signature / answer / hazard / hazard_history / audit
    title: str
    actor: str = ""
    detail: str = ""
    link: str = ""
    items: list = field(default_factory=list)
    badge: str = ""

    @property
    def kind_label(self) -> str:
        return {
            "inspection": "检查",
            "signature": "签字",
            "hazard": "隐患登记",
            "hazard_history": "隐患处理",
            "audit": "审计链",
        }.get(self.kind, self.kind)


def timeline_target(*, user, target_type: str, target_id):
    """The premises or enterprise a timeline is about, if the user may see it (404 otherwise)."""
    from gasguard.registry.models import Enterprise, Premises

    scope = user_scope(user=user)
    if scope.is_empty:
        raise NotFound(NOT_FOUND)
    if target_type == "premises":
        qs = scope.apply(Premises.objects.all(), enterprise_field="enterprise_id")
    elif target_type == "enterprise":
        qs = scope.apply(Enterprise.objects.all(), enterprise_field="id")
    else:
        raise NotFound(NOT_FOUND)
    try:
        return qs.get(pk=target_id)
    except (Premises.DoesNotExist, Enterprise.DoesNotExist, ValueError, TypeError):
        raise NotFound(NOT_FOUND) from None


def timeline(*, user, target_type: str, target_id) -> tuple[object, list[TimelineEntry]]:
    """责任倒查: every inspection, who signed which items as compliant, every hazard and its history,
    and the audit events of all of them, on one timeline (newest first)."""
    from django.urls import reverse

    from gasguard.audit.models import AuditEvent
    from gasguard.hazards.models import Hazard, HazardHistory
    from gasguard.rules.catalog import get_catalog

    target = timeline_target(user=user, target_type=target_type, target_id=target_id)
    inspections = inspection_list(user=user)
    hazards = Hazard.objects.all()
    if target_type == "premises":
        inspections = inspections.filter(premises=target)
        hazards = hazards.filter(premises=target)
    else:
        inspections = inspections.filter(enterprise=target)
        hazards = hazards.filter(enterprise=target)
    scope = user_scope(user=user)
    hazards = scope.apply(hazards, enterprise_field="enterprise_id")
    inspections = list(inspections.prefetch_related("answers", "signatures__user").order_by("started_at"))
    hazards = list(hazards.order_by("found_at"))
    catalog = get_catalog()
    entries: list[TimelineEntry] = []
    for insp in inspections:
        compliant = [
            catalog.get(a.rule_id).title if catalog.get(a.rule_id) else a.rule_id
            for a in insp.answers.all()
            if not a.is_hazard and not a.not_applicable
        ]
        failed = [
            (catalog.get(a.rule_id).title if catalog.get(a.rule_id) else a.rule_id)
            + ("（立行立改）" if a.fixed_on_spot else "")
            for a in insp.answers.all()
            if a.is_hazard
        ]
        signers = [s for s in insp.signatures.all()]
        entries.append(
            TimelineEntry(
                at=insp.submitted_at or insp.started_at,
                kind="inspection",
                title=f"检查记录 {insp.number}（{insp.get_status_display()}）"
                + (f"，更正自 {insp.corrects_id}" if insp.corrects_id else ""),
                actor="、".join(s.name for s in signers if s.signer_role == "inspector"),
                detail=(
                    f"合格项 {len(compliant)} 项，隐患 {len(failed)} 项"
                    + ("；未发现隐患" if insp.no_hazard_found else "")
                ),
                link=reverse("inspections:inspection_detail", args=[insp.pk]),
                items=[("合格", t) for t in compliant] + [("隐患", t) for t in failed],
                badge="success" if insp.no_hazard_found else ("warning" if insp.is_sealed else "secondary"),
            )
        )
        for s in signers:
            entries.append(
                TimelineEntry(
                    at=s.signed_at,
                    kind="signature",
                    title=(
                        f"{s.get_signer_role_display()} {s.name} 拒绝签字"
                        if s.refused
                        else f"{s.get_signer_role_display()} {s.name} 签字确认检查记录 {insp.number}"
                    ),
                    actor=s.name,
                    detail=s.refusal_note
                    if s.refused
                    else f"签名哈希 {s.sha256[:16]}…，确认合格项 {len(compliant)} 项",
                    badge="danger" if s.refused else "info",
                )
            )
    for h in hazards:
        entries.append(
            TimelineEntry(
                at=h.found_at,
                kind="hazard",
                title=f"隐患 {h.code}：{h.title}",
                detail=f"{h.get_severity_display()} · {h.get_status_display()} · 完成时限 {h.deadline}",
                link=_hazard_link(h.pk),
                badge="danger" if h.severity == "major" else "warning",
            )
        )
    from gasguard.hazards.choices import HazardActionChoices, HazardStatusChoices

    actions = {**dict(HazardActionChoices.choices), "register": "登记入账"}
    statuses = dict(HazardStatusChoices.choices)
    for row in HazardHistory.objects.filter(hazard__in=[h.pk for h in hazards]).select_related("hazard"):
        change = ""
        if row.to_status:
            change = f"（{statuses.get(row.from_status, row.from_status) or '—'} → {statuses.get(row.to_status, row.to_status)}）"
        entries.append(
            TimelineEntry(
                at=row.created_at,
                kind="hazard_history",
                title=f"隐患 {row.hazard.code}：{actions.get(row.action, row.action)}{change}",
                actor=row.actor_name,
                detail=row.reason[:300],
            )
        )
    object_ids = Q(object_type="inspection", object_id__in=[str(i.pk) for i in inspections]) | Q(
        object_type="hazard", object_id__in=[str(h.pk) for h in hazards]
    )
    object_ids |= Q(object_type=target_type, object_id=str(target.pk))
    for ev in AuditEvent.objects.filter(object_ids).order_by("seq"):
        entries.append(
            TimelineEntry(
                at=ev.occurred_at,
                kind="audit",
                title=f"审计事件 #{ev.seq} {EVENT_LABELS.get(ev.event_type, '')} {ev.event_type}".replace(
                    "  ", " "
                ),
                actor=ev.actor_name,
                detail=f"{ev.object_type}:{ev.object_id} · 哈希 {ev.hash[:16]}…",
            )
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return target, entries


EVENT_LABELS = {
    "INSPECTION_STARTED": "开始检查",
    "INSPECTION_ANSWERED": "填写检查项",
    "INSPECTION_PHOTO_ADDED": "上传照片",
    "INSPECTION_SIGNED": "签字",
    "INSPECTION_SEALED": "签章封存",
    "INSPECTION_CORRECTED": "创建更正记录",
    "INSPECTION_NOTICE_ISSUED": "下达整改通知书",
    "HAZARD_REGISTERED": "隐患登记",
    "HAZARD_CLOSED": "隐患销号",
    "HAZARD_CLOSED_ON_SPOT": "立行立改销号",
}


def _hazard_link(pk) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("hazards:hazard_detail", args=[pk])
    except NoReverseMatch:
        return ""
