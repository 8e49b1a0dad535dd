"""Services of the hazard ledger. Every other app registers hazards through `hazard_register`."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gasguard.accounts.choices import MembershipRoleChoices as ROLE
from gasguard.accounts.selectors import user_scope
from gasguard.audit.services import audit_record
from gasguard.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from gasguard.core.uploads import validate_image
from gasguard.hazards.choices import (
    TRANSITIONS,
    ControlRequestStatusChoices,
    EnforcementKindChoices,
    EvidenceKindChoices,
    EvidenceStageChoices,
    HazardActionChoices,
    HazardSourceChoices,
    HazardStatusChoices,
    HazardTargetTypeChoices,
    ReferralStatusChoices,
    RevisitStatusChoices,
)
from gasguard.hazards.models import (
    EnforcementAction,
    Hazard,
    HazardControlRequest,
    HazardEvidence,
    HazardHistory,
    HazardReferral,
    RevisitSample,
)
from gasguard.org.choices import DepartmentKindChoices
from gasguard.org.models import Department
from gasguard.rules.catalog import get_catalog
from gasguard.rules.choices import ActionChoices, CategoryChoices, SeverityChoices


def department_for(*, kind: str, region_code: str) -> Department | None:
    """The department of a kind responsible for a place: the nearest one at or above it."""
    prefixes = [region_code[:n] for n in (15, 12, 9, 6, 4, 2) if len(region_code) >= n]
    candidates = Department.objects.filter(kind=kind, region_code__in=prefixes)
    return max(candidates, key=lambda d: len(d.region_code), default=None)


def target_fields(target, *, noun: str = "隐患对象") -> dict:
    """Model fields naming a registry Premises, Enterprise or Facility as the target of a ledger
    row or an inspection: target_type, the three target links, target_name and region_code."""
    from gasguard.registry.models import Enterprise, Facility, Premises

    if isinstance(target, Premises):
        kind, premises, enterprise_id, facility = (
            HazardTargetTypeChoices.PREMISES,
            target,
            target.enterprise_id,
            None,
        )
    elif isinstance(target, Enterprise):
        kind, premises, enterprise_id, facility = HazardTargetTypeChoices.ENTERPRISE, None, target.pk, None
    elif isinstance(target, Facility):
        kind, premises, enterprise_id, facility = (
            HazardTargetTypeChoices.FACILITY,
            None,
            target.enterprise_id,
            target,
        )
    else:
        raise ValidationFailed(f"{noun}须为场所、企业或设施", field="target")
    return {
        "target_type": kind,
        "premises": premises,
        "enterprise_id": enterprise_id,
        "facility": facility,
        "target_name": target.name[:200],
        "region_code": target.region_code,
    }


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
    reappeared_from: Hazard | None = None,
) -> Hazard:
    """Put one hazard on the ledger (逐一登记在册) with rule defaults, in one transaction.

    `target` is a registry Premises, Enterprise or Facility. With `rule_id`, the catalogue
    supplies title, category, severity, lead department, legal basis, action and deadline;
    explicit arguments override them. Without a rule, `title`, `category` and
    `lead_department_kind` are required. 重大隐患 are 挂牌督办 from the start. A hazard at a
    target where the same rule (or, without a rule, the same category and title) was already
    closed is flagged 改后反弹 (`reappeared_from`), and counted on the earlier hazard.
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

    fields = target_fields(target)
    now = found_at or timezone.now()
    severity = severity or (rule.severity if rule else SeverityChoices.GENERAL)
    lead_kind = lead_department_kind or rule.lead
    if deadline is None:
        days = rule.deadline_days if rule else 30
        deadline = timezone.localdate(now) + timedelta(days=days)
    if deadline < timezone.localdate(now) - timedelta(days=3650):
        raise ValidationFailed("完成时限不合理", field="deadline")

    with transaction.atomic():
        if reappeared_from is None:
            reappeared_from = _previous_closed(
                fields, rule_id=rule.id if rule else "", category=category, title=title
            )
        hazard = Hazard.objects.create(
            **fields,
            reappeared_from=reappeared_from,
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
        if reappeared_from is not None:
            _count_reappearance(hazard=hazard, previous=reappeared_from, actor=actor)
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
                "reappeared_from": reappeared_from.pk if reappeared_from else None,
            },
        )
    return hazard


def _previous_closed(fields: dict, *, rule_id: str, category: str | None, title: str | None) -> Hazard | None:
    """The latest closed hazard at the same target for the same problem (改后反弹 detection)."""
    target = {k: fields[k] for k in ("premises", "facility") if fields.get(k) is not None}
    if not target:
        target = {"enterprise_id": fields.get("enterprise_id"), "target_type": fields["target_type"]}
        if target["enterprise_id"] is None:
            return None
    qs = Hazard.objects.filter(status=HazardStatusChoices.CLOSED, **target)
    if rule_id:
        qs = qs.filter(rule_id=rule_id)
    elif category and title:
        qs = qs.filter(rule_id="", category=category, title=title[:200])
    else:
        return None
    return qs.order_by("-closed_at", "-id").first()


def _count_reappearance(*, hazard: Hazard, previous: Hazard, actor) -> None:
    from django.db.models import F

    from gasguard.hazards.choices import RevisitStatusChoices
    from gasguard.hazards.models import RevisitSample

    Hazard.objects.filter(pk=previous.pk).update(reappear_count=F("reappear_count") + 1)
    # A pending 回头看 sample of the earlier hazard is answered by this reappearance.
    RevisitSample.objects.filter(hazard_id=previous.pk, status=RevisitStatusChoices.PENDING).update(
        status=RevisitStatusChoices.REAPPEARED,
        new_hazard=hazard,
        revisited_at=timezone.now(),
        revisited_by=actor if getattr(actor, "pk", None) else None,
        result_note=f"同一对象再次发现同类隐患 {hazard.code}",
    )
    HazardHistory.objects.create(
        hazard=previous,
        action="reappeared",
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "display_name", "") or "系统",
        reason=f"改后反弹：再次发现 {hazard.code}",
        data={"new_hazard": hazard.pk},
    )


# --- the closed loop (闭环整改) ---------------------------------------------------------------

CONFLICT_MESSAGE = "该隐患已被他人处理，请刷新后重试"
GOV_WRITERS = (ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR, ROLE.INSPECTOR)
MAX_EVIDENCE_MB = 20
MAX_EVIDENCE_FILES = 12
S = HazardStatusChoices
A = HazardActionChoices


def _actor_name(actor) -> str:
    return getattr(actor, "display_name", "") or (str(actor) if actor else "系统")


def _load(*, actor, hazard_id) -> Hazard:
    """The hazard as the actor may see it (referral receivers included), or NotFound."""
    from gasguard.hazards.selectors import hazard_visible

    try:
        return hazard_visible(user=actor).get(pk=hazard_id)
    except (Hazard.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("隐患不存在，或不在您的数据权限范围内") from exc


def _user_department_ids(actor) -> set[int]:
    return set(
        actor.memberships.filter(is_active=True, department__isnull=False).values_list(
            "department_id", flat=True
        )
    )


def is_enterprise_party(actor, hazard: Hazard) -> bool:
    """The actor is an enterprise user of the hazard's responsible enterprise."""
    scope = user_scope(user=actor)
    return (
        not scope.is_global
        and hazard.enterprise_id is not None
        and hazard.enterprise_id in scope.enterprise_ids
        and ROLE.ENTERPRISE in scope.roles
    )


def is_government_writer(actor, hazard: Hazard) -> bool:
    """A department/task-force user who may act on the hazard: in region, or a referral receiver."""
    scope = user_scope(user=actor)
    if scope.is_global:
        return True
    if not scope.roles.intersection(GOV_WRITERS):
        return False
    if scope.covers_region(hazard.region_code):
        return True
    departments = _user_department_ids(actor)
    return (
        bool(departments)
        and hazard.referrals.filter(
            to_department_id__in=departments, status=ReferralStatusChoices.ACCEPTED
        ).exists()
    )


def can_approve_control(actor, hazard: Hazard) -> bool:
    """Supervisor of the lead department, or task-force admin over the hazard's region."""
    scope = user_scope(user=actor)
    if scope.is_global:
        return True
    for m in actor.memberships.filter(is_active=True).select_related("task_force", "department"):
        if m.role == ROLE.SUPERVISOR and m.department_id:
            if hazard.lead_department_id == m.department_id:
                return True
            if hazard.lead_department_id is None and hazard.region_code.startswith(m.department.region_code):
                return True
        if (
            m.role == ROLE.TASKFORCE_ADMIN
            and m.task_force_id
            and hazard.region_code.startswith(m.task_force.region_code)
        ):
            return True
    return False


def allowed_actions(*, actor, hazard: Hazard) -> set[str]:
    """What the actor may do now to this hazard (drives the buttons on the detail page)."""
    status = hazard.status
    gov = is_government_writer(actor, hazard)
    ent = is_enterprise_party(actor, hazard)
    out: set[str] = set()
    party = gov or ent
    if party and status in TRANSITIONS[A.START][0]:
        out.add("start")
    if party and status in TRANSITIONS[A.CONTROL][0] and not getattr(hazard, "_pending_control", False):
        out.add("control_request")
    if getattr(hazard, "_pending_control", False) and can_approve_control(actor, hazard):
        out.add("control_decide")
    if party and status in TRANSITIONS[A.SUBMIT][0]:
        out.add("submit")
    if gov and status == S.AWAITING_VERIFICATION and hazard.rectified_by_id != actor.pk:
        out.add("verify")
    if gov and status in TRANSITIONS[A.CLOSE_ON_SPOT][0]:
        out.add("close_on_spot")
    if gov and status != S.CLOSED:
        out.update({"assign", "refer"})
    if gov:
        out.add("enforcement")
    return out


def _require(condition: bool, message: str = "您无权对该隐患执行此操作") -> None:
    if not condition:
        raise PermissionDenied(message)


def _check_transition(hazard: Hazard, action: str) -> str:
    allowed_from, to_status = TRANSITIONS[action]
    if hazard.status not in allowed_from:
        raise Conflict(
            f"隐患当前状态为“{S(hazard.status).label}”，不能执行“{A(action).label}”",
            field="status",
        )
    return to_status


def _log(
    *,
    actor,
    hazard: Hazard,
    action: str,
    event_type: str,
    reason: str,
    data: dict,
    payload: dict,
    from_status: str | None = None,
    to_status: str | None = None,
) -> None:
    """One HazardHistory row and its audit event (payload gets the hazard's code)."""
    HazardHistory.objects.create(
        hazard=hazard,
        action=action,
        from_status=from_status or hazard.status,
        to_status=to_status or hazard.status,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        reason=reason,
        data=data,
    )
    audit_record(
        event_type=event_type,
        object_type="hazard",
        object_id=hazard.pk,
        actor=actor,
        region_code=hazard.region_code,
        payload={"code": hazard.code, **payload},
    )


def _apply(
    *,
    actor,
    hazard: Hazard,
    action: str,
    to_status: str,
    updates: dict,
    event_type: str,
    reason: str = "",
    payload: dict | None = None,
    extra_filter: dict | None = None,
) -> Hazard:
    """The conditional update: only if nobody changed the status since we read it."""
    now = timezone.now()
    rows = Hazard.objects.filter(pk=hazard.pk, status=hazard.status, **(extra_filter or {})).update(
        status=to_status, updated_at=now, **updates
    )
    if rows == 0:
        raise Conflict(CONFLICT_MESSAGE)
    from_status = hazard.status
    _log(
        actor=actor,
        hazard=hazard,
        action=action,
        event_type=event_type,
        reason=reason,
        data=payload or {},
        payload={"from": from_status, "to": to_status, "reason": reason, **(payload or {})},
        from_status=from_status,
        to_status=to_status,
    )
    hazard.refresh_from_db()
    return hazard


def _read_upload(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def validate_evidence(upload, *, field: str = "evidence") -> tuple[str, str]:
    """(kind, MIME) of an evidence file: a real JPEG/PNG/WebP image, or a PDF by its magic bytes."""
    size = getattr(upload, "size", 0) or 0
    if not size:
        raise ValidationFailed("佐证文件为空", field=field)
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        if size > MAX_EVIDENCE_MB * 1024 * 1024:
            raise ValidationFailed(f"PDF 文件过大，上限 {MAX_EVIDENCE_MB} MB", field=field)
        return EvidenceKindChoices.DOCUMENT, "application/pdf"
    try:
        mime = validate_image(upload, field=field)
    except ValidationFailed as exc:
        raise ValidationFailed(
            "佐证材料须为照片（JPEG/PNG/WebP）或 PDF 文件：" + exc.message, field=field
        ) from exc
    return EvidenceKindChoices.PHOTO, mime


def _prepare_evidence(files, *, field: str = "evidence") -> list[tuple]:
    files = [f for f in (files or []) if f is not None]
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationFailed(f"佐证文件最多 {MAX_EVIDENCE_FILES} 个", field=field)
    prepared = []
    for index, upload in enumerate(files, start=1):
        kind, mime = validate_evidence(upload, field=field)
        data = _read_upload(upload)
        name = (getattr(upload, "name", "") or f"evidence-{index}").rsplit("/", 1)[-1][:200]
        prepared.append((kind, mime, name, data, hashlib.sha256(data).hexdigest()))
    return prepared


def _store_evidence(*, hazard: Hazard, actor, prepared: list[tuple], stage: str) -> list[HazardEvidence]:
    rows = []
    for kind, mime, name, data, digest in prepared:
        evidence = HazardEvidence(
            hazard=hazard,
            kind=kind,
            stage=stage,
            original_name=name,
            content_type=mime,
            size=len(data),
            sha256=digest,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        evidence.file.save(name, ContentFile(data), save=False)
        rows.append(evidence)
    HazardEvidence.objects.bulk_create(rows)
    return rows


def hazard_start(*, actor, hazard_id, note: str = "") -> Hazard:
    """开始整改: the responsible party starts rectifying (待整改/管控中 → 整改中)."""
    with transaction.atomic():
        hazard = _load(actor=actor, hazard_id=hazard_id)
        _require(is_government_writer(actor, hazard) or is_enterprise_party(actor, hazard))
        to_status = _check_transition(hazard, A.START)
        return _apply(
            actor=actor,
            hazard=hazard,
            action=A.START,
            to_status=to_status,
            updates={},
            event_type="HAZARD_STARTED",
            reason=(note or "").strip(),
        )


def hazard_control_request(
    *, actor, hazard_id, measures: str, new_deadline: date, note: str = ""
) -> HazardControlRequest:
    """Ask for interim control (管控措施 + a new deadline); the hazard is 管控中 only once approved."""
    measures = (measures or "").strip()
    errors = {}
    if not measures:
        errors["measures"] = ["请填写管控措施"]
    if not isinstance(new_deadline, date):
        errors["new_deadline"] = ["请填写新的完成时限"]
    elif new_deadline < timezone.localdate():
        errors["new_deadline"] = ["新的完成时限不能早于今天"]
    if errors:
        raise ValidationFailed("管控措施申请信息有误", errors=errors)
    with transaction.atomic():
        hazard = _load(actor=actor, hazard_id=hazard_id)
        _require(is_government_writer(actor, hazard) or is_enterprise_party(actor, hazard))
        _check_transition(hazard, A.CONTROL)
        try:
            with transaction.atomic():
                request = HazardControlRequest.objects.create(
                    hazard=hazard,
                    measures=measures,
                    new_deadline=new_deadline,
                    from_status=hazard.status,
                    requested_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError as exc:
            raise Conflict("该隐患已有待审批的管控措施申请") from exc
        _log(
            actor=actor,
            hazard=hazard,
            action="control_request",
            event_type="HAZARD_CONTROL_REQUESTED",
            reason=measures,
            data={"request": request.pk, "new_deadline": new_deadline.isoformat(), "note": note},
            payload={
                "request": request.pk,
                "measures": measures,
                "new_deadline": new_deadline,
            },
        )
        _notify_control_approvers(hazard)
    return request


def _notify_control_approvers(hazard: Hazard) -> None:
    from gasguard.accounts.models import User
    from gasguard.notifications.services import notify

    if hazard.lead_department_id is None:
        return
    approvers = User.objects.filter(
        memberships__department_id=hazard.lead_department_id,
        memberships__role=ROLE.SUPERVISOR,
        memberships__is_active=True,
        is_active=True,
    ).distinct()
    notify(
        recipients=list(approvers),
        kind="hazard_control_request",
        subject=f"管控措施待审批：{hazard.code} {hazard.title}",
        link=f"/hazards/{hazard.pk}/",
    )


def _pending_request(hazard_id, request_id=None) -> HazardControlRequest:
    qs = HazardControlRequest.objects.filter(hazard_id=hazard_id, status=ControlRequestStatusChoices.PENDING)
    if request_id is not None:
        qs = qs.filter(pk=request_id)
    request = qs.first()
    if request is None:
        raise Conflict("没有待审批的管控措施申请（可能已被他人处理），请刷新后重试")
    return request


def hazard_control_approve(*, actor, hazard_id, request_id=None, note: str = "") -> Hazard:
    """Approve interim control: the hazard becomes 管控中 with the requested measures and deadline."""
    with transaction.atomic():
        hazard = _load(actor=actor, hazard_id=hazard_id)
        _require(can_approve_control(actor, hazard), "只有牵头部门监管负责人或专班可以审批管控措施")
        request = _pending_request(hazard.pk, request_id)
        if request.requested_by_id == actor.pk:
            raise DomainError("不能审批自己提交的管控措施申请")
        to_status = _check_transition(hazard, A.CONTROL)
        rows = HazardControlRequest.objects.filter(
            pk=request.pk, status=ControlRequestStatusChoices.PENDING
        ).update(
            status=ControlRequestStatusChoices.APPROVED,
            decided_by=actor,
            decided_at=timezone.now(),
            decision_reason=(note or "").strip(),
            updated_at=timezone.now(),
        )
        if rows == 0:
            raise Conflict(CONFLICT_MESSAGE)
        return _apply(
            actor=actor,
            hazard=hazard,
            action=A.CONTROL,
            to_status=to_status,
            updates={"control_measures": request.measures, "deadline": request.new_deadline},
            event_type="HAZARD_CONTROL_APPROVED",
            reason=(note or "").strip() or request.measures,
            payload={
                "request": request.pk,
                "measures": request.measures,
                "old_deadline": hazard.deadline.isoformat(),
                "new_deadline": request.new_deadline.isoformat(),
            },
        )


def hazard_control_reject(*, actor, hazard_id, reason: str, request_id=None) -> HazardControlRequest:
    """Refuse interim control: the hazard keeps its status and deadline."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写驳回理由", field="reason")
    with transaction.atomic():
        hazard = _load(actor=actor, hazard_id=hazard_id)
        _require(can_approve_control(actor, hazard), "只有牵头部门监管负责人或专班可以审批管控措施")
        request = _pending_request(hazard.pk, request_id)
        rows = HazardControlRequest.objects.filter(
            pk=request.pk, status=ControlRequestStatusChoices.PENDING
        ).update(
            status=ControlRequestStatusChoices.REJECTED,
            decided_by=actor,
            decided_at=timezone.now(),
            decision_reason=reason,
            updated_at=timezone.now(),
        )
        if rows == 0:
            raise Conflict(CONFLICT_MESSAGE)
        _log(
            actor=actor,
            hazard=hazard,
            action="control_reject",
            event_type="HAZARD_CONTROL_REJECTED",
            reason=reason,
            data={"request": request.pk},
            payload={"request": request.pk, "reason": reason},
        )
        request.refresh_from_db()
        return request


def hazard_submit_rectification(
    *, actor, hazard_id, measures: str, evidence_files=(), note: str = ""
) -> Hazard:
    """整改完成，提交验收: measures plus photo/PDF evidence (→ 待验收). Enterprise users may submit."""
    measures = (measures or "").strip()
    if not measures:
        raise ValidationFailed("请填写整改措施", field="measures")
    prepared = _prepare_evidence(evidence_files)
    with transaction.atomic():
        hazard = _load(actor=actor, hazard_id=hazard_id)
        _require(is_government_writer(actor, hazard) or is_enterprise_party(actor, hazard))
        to_status = _check_transition(hazard, A.SUBMIT)
        if not prepared and hazard.evidence_count == 0:
            raise ValidationFailed("请上传整改后的照片或文件作为佐证", field="evidence")
        now = timezone.now()
        hazard = _apply(
            actor=actor,
            hazard=hazard,
            action=A.SUBMIT,
            to_status=to_status,
            updates={
                "rectification_measures": measures,
                "rectified_by": actor,
                "rectified_at": now,
                "evidence_count": F("evidence_count") + len(prepared),
            },
            event_type="HAZARD_RECTIFICATION_SUBMITTED",
            reason=(note or "").strip() or measures,
            payload={"measures": measures, "evidence_sha256": [p[4] for p in prepared]},
        )
        _store_evidence(
            hazard=hazard, actor=actor, prepared=prepared, stage=EvidenceStageChoices.RECTIFICATION
        )
        _notify_verifiers(hazard)
        return hazard


def _notify_verifiers(hazard: Hazard) -> None:
    from gasguard.notifications.services import notify

    recipients = [u for u in (hazard.supervisor, hazard.found_by) if u is not None]
    notify(
        recipients=recipients,
        kind="hazard_awaiting_verification",
        subject=f"隐患整改待验收：{hazard.code} {hazard.title}",
        link=f"/hazards/{hazard.pk}/",
    )


def hazard_verify(*, actor, hazard_id, passed: bool, reason: str = "") -> Hazard:
    """验收: pass → 已销号 (evidence needed, verifier ≠ rectifier); fail → 整改中 with the reason."""
    reason = (reason or "").strip()
    with transaction.atomic():
        hazard = _load(actor=actor, hazard_id=hazard_id)
        _require(is_government_writer(actor, hazard), "只有监管部门人员可以验收")
        if passed:
            to_status = _check_transition(hazard, A.VERIFY_PASS)
            if hazard.evidence_count <= 0:
                raise DomainError("没有整改佐证材料，不能销号", field="evidence")
            if hazard.rectified_by_id is not None and hazard.rectified_by_id == actor.pk:
                raise DomainError("不能验收自己提交的整改（整改人与验收人须为不同人员）", field="verifier")
            now = timezone.now()
            hazard = _apply(
                actor=actor,
                hazard=hazard,
                action=A.VERIFY_PASS,
                to_status=to_status,
                updates={"verified_by": actor, "closed_at": now},
                event_type="HAZARD_CLOSED",
                reason=reason or "验收通过，予以销号",
                payload={"rectified_by": hazard.rectified_by_id, "evidence_count": hazard.evidence_count},
                extra_filter={"evidence_count__gt": 0},
            )
            revisit_schedule(hazard=hazard, actor=actor)
            return hazard
        if not reason:
            raise ValidationFailed("验收不通过须说明理由", field="reason")
        to_status = _check_transition(hazard, A.VERIFY_FAIL)
        return _apply(
            actor=actor,
            hazard=hazard,
            action=A.VERIFY_FAIL,
            to_status=to_status,
            updates={},
            event_type="HAZARD_VERIFICATION_FAILED",
            reason=reason,
        )


def hazard_close_on_spot(*, actor, hazard_id, evidence_files, note: str = "") -> Hazard:
    """立行立改: fixed during the inspection; the inspector verifies on the spot with evidence."""
    prepared = _prepare_evidence(evidence_files)
    if not prepared:
        raise ValidationFailed("立行立改须上传整改后的照片或文件作为佐证", field="evidence")
    with transaction.atomic():
        hazard = _load(actor=actor, hazard_id=hazard_id)
        _require(is_government_writer(actor, hazard), "只有检查人员可以确认立行立改")
        to_status = _check_transition(hazard, A.CLOSE_ON_SPOT)
        now = timezone.now()
        hazard = _apply(
            actor=actor,
            hazard=hazard,
            action=A.CLOSE_ON_SPOT,
            to_status=to_status,
            updates={
                "verified_by": actor,
                "closed_at": now,
                "rectified_at": now,
                "rectification_measures": (note or "").strip() or "立行立改",
                "evidence_count": F("evidence_count") + len(prepared),
            },
            event_type="HAZARD_CLOSED_ON_SPOT",
            reason=(note or "").strip() or "现场立行立改",
            payload={"evidence_sha256": [p[4] for p in prepared]},
        )
        _store_evidence(hazard=hazard, actor=actor, prepared=prepared, stage=EvidenceStageChoices.ON_SPOT)
        revisit_schedule(hazard=hazard, actor=actor)
        return hazard


ASSIGNABLE = {
    "responsible_person": "整治责任人",
    "responsible_phone": "责任人电话",
    "supervisor": "监管责任人",
    "deadline": "完成时限",
}


def hazard_assign(
    *,
    actor,
    hazard_id,
    reason: str,
    responsible_person: str | None = None,
    responsible_phone: str | None = None,
    supervisor=None,
    deadline: date | None = None,
) -> Hazard:
    """Edit 整治责任人 / 监管责任人 / 完成时限, with a reason; every change is audited (old → new)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("修改台账信息须说明理由", field="reason")
    with transaction.atomic():
        hazard = _load(actor=actor, hazard_id=hazard_id)
        _require(is_government_writer(actor, hazard), "只有监管部门人员可以修改责任人和时限")
        if hazard.status == S.CLOSED:
            raise Conflict("已销号的隐患不能修改责任人和时限")
        changes: dict = {}
        if responsible_person is not None and responsible_person.strip() != hazard.responsible_person:
            changes["responsible_person"] = responsible_person.strip()[:50]
        if responsible_phone is not None and responsible_phone.strip() != hazard.responsible_phone:
            changes["responsible_phone"] = responsible_phone.strip()[:40]
        if supervisor is not None and supervisor.pk != hazard.supervisor_id:
            sup_scope = user_scope(user=supervisor)
            if not (
                sup_scope.covers_region(hazard.region_code) and sup_scope.roles.intersection(GOV_WRITERS)
            ):
                raise ValidationFailed("监管责任人须为该区域监管部门人员", field="supervisor")
            changes["supervisor"] = supervisor
        if deadline is not None and deadline != hazard.deadline:
            if deadline < timezone.localdate(hazard.found_at):
                raise ValidationFailed("完成时限不能早于发现日期", field="deadline")
            changes["deadline"] = deadline
        if not changes:
            raise ValidationFailed("没有需要保存的修改", field="reason")
        diff = {}
        for name, new in changes.items():
            old = getattr(hazard, name)
            diff[name] = {
                "label": ASSIGNABLE[name],
                "old": getattr(old, "pk", old) if name == "supervisor" else old,
                "new": getattr(new, "pk", new) if name == "supervisor" else new,
            }
        diff = {
            k: {kk: (vv.isoformat() if isinstance(vv, date) else vv) for kk, vv in v.items()}
            for k, v in diff.items()
        }
        rows = Hazard.objects.filter(pk=hazard.pk, status=hazard.status, updated_at=hazard.updated_at).update(
            updated_at=timezone.now(), **changes
        )
        if rows == 0:
            raise Conflict(CONFLICT_MESSAGE)
        _log(
            actor=actor,
            hazard=hazard,
            action="assign",
            event_type="HAZARD_ASSIGNED",
            reason=reason,
            data=diff,
            payload={"reason": reason, "changes": diff},
        )
        hazard.refresh_from_db()
        return hazard


# --- referral (移送) -------------------------------------------------------------------------


def hazard_refer(*, actor, hazard_id, to_kind: str, reason: str) -> HazardReferral:
    """移送 a hazard to the department of `to_kind` responsible for its place (e.g. 市场监管 溯源)."""
    reason = (reason or "").strip()
    errors = {}
    if to_kind not in DepartmentKindChoices.values:
        errors["to_kind"] = [f"未知部门类型：{to_kind}"]
    if not reason:
        errors["reason"] = ["请填写移送事由"]
    if errors:
        raise ValidationFailed("移送信息有误", errors=errors)
    with transaction.atomic():
        hazard = _load(actor=actor, hazard_id=hazard_id)
        _require(is_government_writer(actor, hazard), "只有监管部门人员可以移送隐患")
        to_department = department_for(kind=to_kind, region_code=hazard.region_code)
        if to_department is None:
            raise ValidationFailed(
                f"{hazard.region_code} 及上级区划没有{DepartmentKindChoices(to_kind).label}部门",
                field="to_kind",
            )
        if hazard.referrals.filter(
            to_department=to_department, status=ReferralStatusChoices.PENDING
        ).exists():
            raise Conflict(f"该隐患已移送{to_department.name}，等待接收")
        own = actor.memberships.filter(is_active=True, department__isnull=False).select_related("department")
        from_department = next(
            (m.department for m in own if hazard.region_code.startswith(m.department.region_code)), None
        )
        referral = HazardReferral.objects.create(
            hazard=hazard,
            region_code=hazard.region_code,
            from_department=from_department,
            to_kind=to_kind,
            to_department=to_department,
            to_region_code=to_department.region_code,
            reason=reason,
            referred_by=actor,
        )
        _log(
            actor=actor,
            hazard=hazard,
            action="refer",
            event_type="HAZARD_REFERRED",
            reason=reason,
            data={"referral": referral.pk, "to_department": to_department.pk, "to": to_department.name},
            payload={
                "referral": referral.pk,
                "to_department": to_department.name,
                "reason": reason,
            },
        )
        _notify_department(
            to_department,
            subject=f"隐患移送待接收：{hazard.code} {hazard.title}",
            link="/hazards/referrals/",
        )
        return referral


def _notify_department(department, *, subject: str, link: str, roles=GOV_WRITERS) -> None:
    from gasguard.accounts.models import User
    from gasguard.notifications.services import notify

    users = User.objects.filter(
        memberships__department=department,
        memberships__role__in=roles,
        memberships__is_active=True,
        is_active=True,
    ).distinct()
    notify(recipients=list(users), kind="hazard_referral", subject=subject, link=link)


def _handle_referral(*, actor, referral_id, to_status: str, response: str, event_type: str) -> HazardReferral:
    with transaction.atomic():
        try:
            referral = HazardReferral.objects.select_related("hazard", "to_department").get(pk=referral_id)
        except (HazardReferral.DoesNotExist, ValueError, TypeError) as exc:
            raise NotFound("移送记录不存在") from exc
        scope = user_scope(user=actor)
        receiver = scope.is_global or (
            referral.to_department_id in _user_department_ids(actor) and scope.roles.intersection(GOV_WRITERS)
        )
        if not receiver:
            from gasguard.hazards.selectors import referral_list

            if not referral_list(user=actor).filter(pk=referral.pk).exists():
                raise NotFound("移送记录不存在")
            raise PermissionDenied("只有接收部门人员可以接收或退回移送")
        rows = HazardReferral.objects.filter(pk=referral.pk, status=ReferralStatusChoices.PENDING).update(
            status=to_status,
            handled_by=actor,
            handled_at=timezone.now(),
            response=response,
            updated_at=timezone.now(),
        )
        if rows == 0:
            raise Conflict("该移送已被处理，请刷新后重试")
        hazard = referral.hazard
        _log(
            actor=actor,
            hazard=hazard,
            action=f"referral_{to_status}",
            event_type=event_type,
            reason=response,
            data={"referral": referral.pk, "department": referral.to_department.name},
            payload={"referral": referral.pk, "response": response},
        )
        referral.refresh_from_db()
        return referral


def referral_accept(*, actor, referral_id, response: str = "") -> HazardReferral:
    """The receiving department accepts a referral (已接收) and may then act on the hazard."""
    return _handle_referral(
        actor=actor,
        referral_id=referral_id,
        to_status=ReferralStatusChoices.ACCEPTED,
        response=(response or "").strip(),
        event_type="HAZARD_REFERRAL_ACCEPTED",
    )


def referral_return(*, actor, referral_id, response: str) -> HazardReferral:
    """The receiving department returns a referral (已退回) with its reason."""
    response = (response or "").strip()
    if not response:
        raise ValidationFailed("退回须说明理由", field="response")
    return _handle_referral(
        actor=actor,
        referral_id=referral_id,
        to_status=ReferralStatusChoices.RETURNED,
        response=response,
        event_type="HAZARD_REFERRAL_RETURNED",
    )


# --- enforcement (执法) ----------------------------------------------------------------------


def enforcement_record(
    *,
    actor,
    hazard_id,
    kind: str,
    decided_on: date | None = None,
    fine_amount=None,
    decision_number: str = "",
    note: str = "",
) -> EnforcementAction:
    """Record an enforcement measure taken because of a hazard (罚款 needs an amount ≥ 0)."""
    errors: dict[str, list[str]] = {}
    if kind not in EnforcementKindChoices.values:
        errors["kind"] = [f"未知执法措施：{kind}"]
    amount = None
    if fine_amount not in (None, ""):
        try:
            amount = Decimal(str(fine_amount)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["fine_amount"] = ["罚款金额须为数字"]
        else:
            if amount < 0 or not amount.is_finite():
                errors["fine_amount"] = ["罚款金额不能为负数"]
            elif amount >= Decimal("1e12"):
                errors["fine_amount"] = ["罚款金额过大"]
    if kind == EnforcementKindChoices.FINE and amount is None and "fine_amount" not in errors:
        errors["fine_amount"] = ["罚款须填写金额"]
    decided_on = decided_on or timezone.localdate()
    if decided_on > timezone.localdate():
        errors["decided_on"] = ["决定日期不能晚于今天"]
    if errors:
        raise ValidationFailed("执法记录信息有误", errors=errors)
    with transaction.atomic():
        hazard = _load(actor=actor, hazard_id=hazard_id)
        _require(is_government_writer(actor, hazard), "只有监管部门人员可以登记执法记录")
        own = actor.memberships.filter(is_active=True, department__isnull=False).select_related("department")
        department = next((m.department for m in own), None)
        action = EnforcementAction.objects.create(
            hazard=hazard,
            region_code=hazard.region_code,
            kind=kind,
            fine_amount=amount,
            decision_number=(decision_number or "").strip()[:100],
            decided_on=decided_on,
            department=department,
            actor=actor,
            note=(note or "").strip(),
        )
        _log(
            actor=actor,
            hazard=hazard,
            action="enforcement",
            event_type="HAZARD_ENFORCEMENT_RECORDED",
            reason=f"{EnforcementKindChoices(kind).label} {decision_number}".strip(),
            data={"enforcement": action.pk, "fine_amount": str(amount) if amount is not None else None},
            payload={
                "enforcement": action.pk,
                "kind": kind,
                "fine_amount": amount,
                "decision_number": action.decision_number,
                "decided_on": decided_on,
            },
        )
        return action


# --- 回头看 (revisit sampling) ---------------------------------------------------------------


def revisit_selected(hazard: Hazard) -> tuple[bool, str]:
    """Deterministic sampling: every 重大 hazard; a share of general ones chosen by a hash of the id."""
    if hazard.severity == SeverityChoices.MAJOR:
        return True, "重大隐患全部复查"
    share = float(settings.GASGUARD_REVISIT_GENERAL_SHARE)
    bucket = int(hashlib.sha256(f"revisit:{hazard.pk}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    if bucket < share:
        return True, f"一般隐患按{share:.0%}比例抽取"
    return False, ""


def revisit_schedule(*, hazard: Hazard, actor=None) -> RevisitSample | None:
    """After closure, put the hazard on the 回头看 list if it is drawn (idempotent)."""
    chosen, reason = revisit_selected(hazard)
    if not chosen:
        return None
    closed_on = timezone.localdate(hazard.closed_at) if hazard.closed_at else timezone.localdate()
    sample, created = RevisitSample.objects.get_or_create(
        hazard=hazard,
        defaults={
            "region_code": hazard.region_code,
            "due_on": closed_on + timedelta(days=settings.GASGUARD_REVISIT_AFTER_DAYS),
            "reason": reason,
        },
    )
    if created:
        audit_record(
            event_type="HAZARD_REVISIT_SCHEDULED",
            object_type="hazard",
            object_id=hazard.pk,
            actor=actor,
            region_code=hazard.region_code,
            payload={"code": hazard.code, "sample": sample.pk, "due_on": sample.due_on, "reason": reason},
        )
    return sample


def revisit_record(
    *, actor, sample_id, reappeared: bool, note: str = "", description: str = ""
) -> RevisitSample:
    """Record a 回头看 outcome: ok, or 改后反弹 (registers a new hazard linked by `reappeared_from`)."""
    from gasguard.hazards.selectors import revisit_get

    note = (note or "").strip()
    with transaction.atomic():
        sample = revisit_get(user=actor, sample_id=sample_id)
        hazard = sample.hazard
        _require(is_government_writer(actor, hazard), "只有监管部门人员可以登记回头看结果")
        if sample.status != RevisitStatusChoices.PENDING:
            raise Conflict("该回头看已登记结果，请刷新后重试")
        new_hazard = None
        if reappeared:
            target = hazard.premises or hazard.facility or hazard.enterprise
            if target is None:
                raise ValidationFailed("原隐患没有关联的检查对象，无法登记反弹隐患", field="reappeared")
            new_hazard = hazard_register(
                actor=actor,
                target=target,
                source=HazardSourceChoices.INSPECTION,
                description=(description or note or f"回头看发现问题再次出现：{hazard.title}").strip(),
                rule_id=hazard.rule_id or None,
                title=None if hazard.rule_id else hazard.title,
                category=None if hazard.rule_id else hazard.category,
                severity=hazard.severity,
                lead_department_kind=None if hazard.rule_id else hazard.lead_department_kind,
                responsible_person=hazard.responsible_person,
                responsible_phone=hazard.responsible_phone,
                source_ref=f"revisit:{sample.pk}",
                reappeared_from=hazard,
            )
            sample.refresh_from_db()
            if sample.status == RevisitStatusChoices.PENDING:
                raise Conflict(CONFLICT_MESSAGE)
            RevisitSample.objects.filter(pk=sample.pk).update(result_note=note or sample.result_note)
        else:
            rows = RevisitSample.objects.filter(pk=sample.pk, status=RevisitStatusChoices.PENDING).update(
                status=RevisitStatusChoices.OK,
                revisited_by=actor,
                revisited_at=timezone.now(),
                result_note=note or "复查未发现反弹",
                updated_at=timezone.now(),
            )
            if rows == 0:
                raise Conflict("该回头看已登记结果，请刷新后重试")
        audit_record(
            event_type="HAZARD_REVISITED",
            object_type="hazard",
            object_id=hazard.pk,
            actor=actor,
            region_code=hazard.region_code,
            payload={
                "code": hazard.code,
                "sample": sample.pk,
                "reappeared": bool(reappeared),
                "new_hazard": new_hazard.pk if new_hazard else None,
                "note": note,
            },
        )
        sample.refresh_from_db()
        return sample


# --- escalation (提醒 → 提级 → 督办) ----------------------------------------------------------


def _escalation_recipients(hazard: Hazard, level: int) -> list:
    from gasguard.accounts.models import User
    from gasguard.hazards.choices import EscalationLevelChoices as L

    users = User.objects.filter(is_active=True, memberships__is_active=True)
    if level == L.REMINDER:
        qs = (
            users.filter(memberships__enterprise_id=hazard.enterprise_id)
            if hazard.enterprise_id
            else users.none()
        )
        extra = [hazard.supervisor] if hazard.supervisor_id else []
        return list(qs.distinct()) + extra
    if level == L.SUPERVISOR:
        if hazard.lead_department_id is None:
            return []
        return list(
            users.filter(
                memberships__department_id=hazard.lead_department_id, memberships__role=ROLE.SUPERVISOR
            ).distinct()
        )
    prefixes = [hazard.region_code[:n] for n in (15, 12, 9, 6, 4, 2) if len(hazard.region_code) >= n]
    return list(
        users.filter(
            memberships__task_force__region_code__in=prefixes, memberships__role=ROLE.TASKFORCE_ADMIN
        ).distinct()
    )


def hazard_escalate_due(*, today: date | None = None) -> dict:
    """Run the escalation ladder once (idempotent): remind before the deadline, then escalate.

    Level 1 fires GASGUARD_ESCALATION_REMIND_DAYS before the deadline (to the enterprise and the
    监管责任人), level 2 GASGUARD_ESCALATION_SUPERVISOR_DAYS after it (to the lead department's
    supervisors), level 3 GASGUARD_ESCALATION_TASKFORCE_DAYS after it (专班督办: the hazard is
    挂牌督办). Each (hazard, level, deadline) fires once; a new deadline starts a new ladder.
    """
    from gasguard.hazards.choices import OPEN_STATUSES
    from gasguard.hazards.choices import EscalationLevelChoices as L
    from gasguard.hazards.models import HazardEscalation
    from gasguard.notifications.services import notify

    today = today or timezone.localdate()
    remind = settings.GASGUARD_ESCALATION_REMIND_DAYS
    sup_days = settings.GASGUARD_ESCALATION_SUPERVISOR_DAYS
    tf_days = settings.GASGUARD_ESCALATION_TASKFORCE_DAYS
    counts = {L.REMINDER.value: 0, L.SUPERVISOR.value: 0, L.TASK_FORCE.value: 0}
    candidates = (
        Hazard.objects.filter(status__in=OPEN_STATUSES, deadline__lte=today + timedelta(days=remind))
        .select_related("supervisor")
        .order_by("id")
    )
    for hazard in candidates.iterator(chunk_size=500):
        days_over = (today - hazard.deadline).days
        due_levels = []
        if days_over >= -remind:
            due_levels.append(L.REMINDER)
        if days_over >= sup_days:
            due_levels.append(L.SUPERVISOR)
        if days_over >= tf_days:
            due_levels.append(L.TASK_FORCE)
        done = set(
            HazardEscalation.objects.filter(hazard=hazard, deadline=hazard.deadline).values_list(
                "level", flat=True
            )
        )
        for level in due_levels:
            if level in done:
                continue
            with transaction.atomic():
                recipients = _escalation_recipients(hazard, level)
                if days_over < 0:
                    note = f"距完成时限还有 {-days_over} 天"
                elif days_over == 0:
                    note = "今日到期"
                else:
                    note = f"已逾期 {days_over} 天"
                try:
                    with transaction.atomic():
                        HazardEscalation.objects.create(
                            hazard=hazard,
                            level=level,
                            deadline=hazard.deadline,
                            recipients=[u.pk for u in recipients],
                            note=note,
                        )
                except IntegrityError:
                    continue  # another run got there first
                updates = {"escalation_level": max(hazard.escalation_level, level)}
                if level == L.TASK_FORCE:
                    updates["is_supervised"] = True
                Hazard.objects.filter(pk=hazard.pk).update(**updates)
                HazardHistory.objects.create(
                    hazard=hazard,
                    action=f"escalate_{level}",
                    from_status=hazard.status,
                    to_status=hazard.status,
                    actor_name="系统",
                    reason=f"{L(level).label}：{note}",
                    data={"recipients": [u.pk for u in recipients]},
                )
                audit_record(
                    event_type="HAZARD_ESCALATED",
                    object_type="hazard",
                    object_id=hazard.pk,
                    region_code=hazard.region_code,
                    payload={
                        "code": hazard.code,
                        "level": int(level),
                        "deadline": hazard.deadline,
                        "note": note,
                        "recipients": [u.pk for u in recipients],
                    },
                )
                notify(
                    recipients=recipients,
                    kind="hazard_escalation",
                    subject=f"【{L(level).label}】{hazard.code} {hazard.target_name} {hazard.title}（{note}）",
                    link=f"/hazards/{hazard.pk}/",
                )
                counts[level.value] += 1
    return {"reminded": counts[1], "escalated": counts[2], "supervised": counts[3]}
