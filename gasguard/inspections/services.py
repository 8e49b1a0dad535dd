"""Services of inspections (排查检查): batches, tasks, recording, signing, sealing, corrections.

Every service is keyword-only, runs in one transaction, checks the actor's scope and role,
writes the audit event, and refuses any change to a sealed record (签章封存).
"""

import base64
import binascii
import hashlib
import io
import json
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from gasguard.accounts.choices import MembershipRoleChoices as ROLE
from gasguard.accounts.selectors import user_scope
from gasguard.audit.services import PendingEvent, audit_record, audit_record_many
from gasguard.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gasguard.core.uploads import validate_image
from gasguard.hazards.services import target_fields as hazard_target_fields
from gasguard.inspections.choices import (
    SEALED_MESSAGE,
    InspectionBatchKindChoices,
    InspectionStatusChoices,
    InspectionTargetTypeChoices,
    InspectionTaskStatusChoices,
    SignerRoleChoices,
)
from gasguard.inspections.models import (
    Inspection,
    InspectionAnswer,
    InspectionBatch,
    InspectionPhoto,
    InspectionSignature,
    InspectionTask,
)
from gasguard.rules.catalog import get_catalog
from gasguard.rules.checklists import checklist_for, is_hazard, parse_answer

T = InspectionTargetTypeChoices
S = InspectionStatusChoices
ORGANISER_ROLES = (ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR)
INSPECTING_ROLES = (ROLE.INSPECTOR, ROLE.SUPERVISOR, ROLE.TASKFORCE_ADMIN)
MAX_SIGNATURE_BYTES = 2 * 1024 * 1024


# --- helpers -------------------------------------------------------------------------------


def target_fields(target) -> dict:
    """Model fields describing a registry Premises, Enterprise or Facility as an inspection target."""
    return hazard_target_fields(target, noun="检查对象")


def load_target(target_type: str, target_id):
    """The registry object of a target type and id, or ValidationFailed naming the field."""
    from gasguard.registry.models import Enterprise, Facility, Premises

    model = {T.PREMISES: Premises, T.ENTERPRISE: Enterprise, T.FACILITY: Facility}.get(target_type)
    if model is None:
        raise ValidationFailed(f"未知对象类型：{target_type}", field="target_type")
    try:
        return model.objects.get(pk=int(target_id))
    except (TypeError, ValueError, model.DoesNotExist):
        raise ValidationFailed("检查对象不存在", field="target_id") from None


def _require_role(actor, roles, message: str):
    scope = user_scope(user=actor)
    if not scope.has_role(*roles):
        raise PermissionDenied(message)
    return scope


def _require_region(scope, region_code: str) -> None:
    if not scope.covers_region(region_code):
        # Outside the actor's scope the object "does not exist" for them.
        raise NotFound("未找到，或不在您的数据权限范围内。")


def _actor_department(actor, region_code: str):
    """The actor's department whose region covers the place (the one that inspects there)."""
    memberships = actor.memberships.filter(is_active=True, department__isnull=False).select_related(
        "department"
    )
    best = None
    for m in memberships:
        if region_code.startswith(m.department.region_code):
            if best is None or len(m.department.region_code) > len(best.region_code):
                best = m.department
    return best


def _check_position(lon, lat, accuracy) -> dict:
    from gasguard.registry.models import location_error

    def num(name, value):
        if value in (None, ""):
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValidationFailed(f"{name} 须为数值", field=name) from None

    lon, lat, accuracy = num("lon", lon), num("lat", lat), num("accuracy", accuracy)
    errors = location_error(lon, lat)
    if errors:
        raise ValidationFailed("定位数据有误", errors={k: [v] for k, v in errors.items()})
    if accuracy is not None and accuracy < 0:
        raise ValidationFailed("定位精度不能为负", field="accuracy")
    return {"lon": lon, "lat": lat, "accuracy_m": accuracy}


def _locked(inspection_id) -> Inspection:
    qs = Inspection.objects.select_related("premises", "enterprise", "facility")
    if connection.vendor == "postgresql":
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=inspection_id)
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise NotFound("检查记录不存在") from None


def _editable(actor, inspection_id) -> Inspection:
    """The draft inspection the actor may edit (one of its inspectors, within scope)."""
    inspection = _locked(inspection_id)
    scope = user_scope(user=actor)
    _require_region(scope, inspection.region_code)
    if inspection.status != S.DRAFT:
        raise Conflict(SEALED_MESSAGE)
    if not inspection.inspectors.filter(pk=actor.pk).exists():
        raise PermissionDenied("只有本次检查的检查人员可以填写、签字和封存检查记录")
    return inspection


def checklist_rules(inspection):
    """The catalogue rules that apply to the inspection's target."""
    return checklist_for(inspection.target)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_upload(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


# --- batches and tasks ---------------------------------------------------------------------


def _targets_for_batch(*, region_code: str, target_type: str, target_kinds: list[str]):
    from gasguard.registry.models import Enterprise, Facility, Premises

    if target_type == T.PREMISES:
        qs = Premises.objects.filter(region_code__startswith=region_code, status="open")
        if target_kinds:
            qs = qs.filter(kind__in=target_kinds)
        return qs.only("id", "name", "region_code", "enterprise_id").order_by("region_code", "id")
    if target_type == T.ENTERPRISE:
        qs = Enterprise.objects.filter(region_code__startswith=region_code, is_active=True)
        if target_kinds:
            qs = qs.filter(roles__role__in=target_kinds).distinct()
        return qs.only("id", "name", "region_code").order_by("region_code", "id")
    if target_type == T.FACILITY:
        qs = Facility.objects.filter(region_code__startswith=region_code, is_active=True)
        if target_kinds:
            qs = qs.filter(kind__in=target_kinds)
        return qs.only("id", "name", "region_code", "enterprise_id").order_by("region_code", "id")
    raise ValidationFailed(f"未知对象类型：{target_type}", field="target_type")


def _valid_kinds(target_type: str) -> set[str]:
    from gasguard.registry.choices import EnterpriseRoleChoices, FacilityKindChoices, PremisesKindChoices

    return set(
        {
            T.PREMISES: PremisesKindChoices.values,
            T.ENTERPRISE: EnterpriseRoleChoices.values,
            T.FACILITY: FacilityKindChoices.values,
        }.get(target_type, [])
    )


def _check_assignees(assignee_ids, region_code: str):
    from django.contrib.auth import get_user_model

    users = list(get_user_model().objects.filter(pk__in=list(assignee_ids or []), is_active=True))
    if len(users) != len(set(assignee_ids or [])):
        raise ValidationFailed("检查人员不存在或已停用", field="assignees")
    for user in users:
        scope = user_scope(user=user)
        if not scope.has_role(ROLE.INSPECTOR, ROLE.SUPERVISOR) or not scope.covers_region(region_code):
            raise ValidationFailed(f"{user.display_name} 不是该区域的检查人员", field="assignees")
    return users


def batch_create(
    *,
    actor,
    name: str,
    kind: str,
    region_code: str,
    target_type: str,
    due_date: date,
    target_kinds: list[str] | tuple[str, ...] = (),
    lead_department_id: int | None = None,
    assignee_ids: list[int] | tuple[int, ...] = (),
    note: str = "",
) -> InspectionBatch:
    """Create an inspection wave and one task per registered target matching region and kind (bulk)."""
    from gasguard.org.models import Department, Region

    scope = _require_role(actor, ORGANISER_ROLES, "只有专班管理员或部门监管负责人可以创建检查批次")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["请填写批次名称"]
    if kind not in InspectionBatchKindChoices.values:
        errors["kind"] = [f"未知批次类型：{kind}"]
    if target_type not in T.values:
        errors["target_type"] = [f"未知对象类型：{target_type}"]
    else:
        bad = [k for k in target_kinds or [] if k not in _valid_kinds(target_type)]
        if bad:
            errors["target_kinds"] = [f"未知对象细类：{'、'.join(bad)}"]
    if not isinstance(due_date, date):
        errors["due_date"] = ["请填写完成期限"]
    elif due_date < timezone.localdate():
        errors["due_date"] = ["完成期限不能早于今天"]
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        errors["region_code"] = [f"区划 {region_code} 不存在"]
    department = None
    if lead_department_id:
        department = Department.objects.filter(pk=lead_department_id).first()
        if department is None:
            errors["lead_department"] = ["牵头部门不存在"]
    if errors:
        raise ValidationFailed("检查批次信息有误", errors=errors)
    _require_region(scope, region.code)
    assignees = _check_assignees(assignee_ids, region.code) if assignee_ids else []
    targets = list(
        _targets_for_batch(region_code=region.code, target_type=target_type, target_kinds=list(target_kinds))
    )
    if not targets:
        raise ValidationFailed("该范围内没有登记的检查对象", field="region_code")

    with transaction.atomic():
        batch = InspectionBatch.objects.create(
            name=name[:200],
            kind=kind,
            region=region,
            region_code=region.code,
            target_type=target_type,
            target_kinds=list(target_kinds or []),
            lead_department=department,
            created_by=actor,
            due_date=due_date,
            note=note or "",
        )
        tasks = [
            InspectionTask(batch=batch, due_date=due_date, **target_fields(target)) for target in targets
        ]
        InspectionTask.objects.bulk_create(tasks, batch_size=2000)
        if assignees:
            task_ids = list(batch.tasks.values_list("id", flat=True))
            through = InspectionTask.assignees.through
            through.objects.bulk_create(
                [through(inspectiontask_id=tid, user_id=u.pk) for tid in task_ids for u in assignees],
                batch_size=5000,
            )
        audit_record(
            event_type="INSPECTION_BATCH_CREATED",
            object_type="inspection_batch",
            object_id=batch.pk,
            actor=actor,
            region_code=batch.region_code,
            payload={
                "name": batch.name,
                "kind": kind,
                "target_type": target_type,
                "target_kinds": list(target_kinds or []),
                "due_date": due_date,
                "tasks": len(tasks),
                "assignees": [u.pk for u in assignees],
            },
        )
    return batch


def task_assign(*, actor, task_ids: list[int], assignee_ids: list[int], due_date: date | None = None) -> int:
    """(Re)assign tasks to inspectors, optionally with a new due date; returns the number changed."""
    scope = _require_role(actor, ORGANISER_ROLES, "只有专班管理员或部门监管负责人可以分派任务")
    if not assignee_ids:
        raise ValidationFailed("请选择检查人员", field="assignees")
    if due_date is not None and due_date < timezone.localdate():
        raise ValidationFailed("完成期限不能早于今天", field="due_date")
    tasks = list(scope.apply(InspectionTask.objects.filter(pk__in=list(task_ids or []))))
    if not tasks or len(tasks) != len(set(task_ids)):
        raise NotFound("任务不存在，或不在您的数据权限范围内。")
    done = [t for t in tasks if t.status == InspectionTaskStatusChoices.DONE]
    if done:
        raise Conflict(f"任务“{done[0].target_name}”已完成，不能再分派")
    users = None
    for task in tasks:
        users = _check_assignees(assignee_ids, task.region_code)
    with transaction.atomic():
        events = []
        for task in tasks:
            task.assignees.set(users)
            if due_date is not None:
                InspectionTask.objects.filter(pk=task.pk).update(due_date=due_date)
            events.append(
                PendingEvent(
                    event_type="INSPECTION_TASK_ASSIGNED",
                    object_type="inspection_task",
                    object_id=task.pk,
                    actor=actor,
                    region_code=task.region_code,
                    payload={"assignees": [u.pk for u in users], "due_date": due_date},
                )
            )
        audit_record_many(events=events)
    return len(tasks)


# --- recording -----------------------------------------------------------------------------


def inspection_start(
    *,
    actor,
    task_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    co_inspector_ids: list[int] | tuple[int, ...] = (),
    lon=None,
    lat=None,
    accuracy=None,
) -> Inspection:
    """Open a draft inspection from a task (resuming its open draft) or ad hoc for a target in scope."""
    scope = _require_role(actor, INSPECTING_ROLES, "只有检查人员可以开始检查")
    position = _check_position(lon, lat, accuracy)
    task = None
    if task_id:
        task = (
            scope.apply(InspectionTask.objects.select_related("premises", "enterprise", "facility"))
            .filter(pk=task_id)
            .first()
        )
        if task is None:
            raise NotFound("任务不存在，或不在您的数据权限范围内。")
        if task.status == InspectionTaskStatusChoices.DONE:
            raise Conflict("该任务已完成")
        if not scope.has_role(*ORGANISER_ROLES) and not task.assignees.filter(pk=actor.pk).exists():
            raise PermissionDenied("该任务未分派给您")
        existing = task.inspections.filter(status=S.DRAFT, inspectors=actor).first()
        if existing is not None:
            return existing
        target = task.target
    else:
        if not target_type or not target_id:
            raise ValidationFailed("请选择检查对象", errors={"target_id": ["请选择检查对象"]})
        target = load_target(target_type, target_id)
    fields = target_fields(target)
    _require_region(scope, fields["region_code"])
    co_inspectors = _check_assignees([i for i in co_inspector_ids if i != actor.pk], fields["region_code"])
    with transaction.atomic():
        inspection = Inspection.objects.create(
            task=task,
            created_by=actor,
            department=_actor_department(actor, fields["region_code"]),
            catalog_version=get_catalog().version,
            started_at=timezone.now(),
            **fields,
            **position,
        )
        inspection.number = f"JC{inspection.region_code[:6]}{timezone.localdate():%Y%m%d}{inspection.pk:07d}"
        Inspection.objects.filter(pk=inspection.pk).update(number=inspection.number)
        inspection.inspectors.set([actor, *co_inspectors])
        audit_record(
            event_type="INSPECTION_STARTED",
            object_type="inspection",
            object_id=inspection.pk,
            actor=actor,
            region_code=inspection.region_code,
            payload={
                "number": inspection.number,
                "task": task.pk if task else None,
                "target_type": inspection.target_type,
                "target_id": inspection.target_id,
                "target": inspection.target_name,
                "inspectors": [actor.pk, *[u.pk for u in co_inspectors]],
                "catalog_version": inspection.catalog_version,
                **position,
            },
        )
    return inspection


def _parse_items(inspection, answers: list[dict]):
    """Validate raw answers against the checklist; returns (parsed rows, errors by rule id)."""
    catalog = get_catalog()
    applicable = {rule.id for rule in checklist_rules(inspection)}
    parsed, errors = [], {}
    seen = set()
    for index, item in enumerate(answers or []):
        if not isinstance(item, dict):
            errors[f"answers[{index}]"] = ["每个答案须为对象"]
            continue
        rule_id = str(item.get("rule_id") or "").strip()
        if not rule_id:
            errors[f"answers[{index}]"] = ["缺少 rule_id"]
            continue
        rule = catalog.get(rule_id)
        if rule is None:
            errors[rule_id] = [f"规则库中没有规则 {rule_id}"]
            continue
        if rule_id not in applicable:
            errors[rule_id] = [f"{rule.title}：不适用于该检查对象（{rule_id}）"]
            continue
        if rule_id in seen:
            errors[rule_id] = [f"{rule.title}：重复作答"]
            continue
        seen.add(rule_id)
        na = bool(item.get("not_applicable"))
        fixed = bool(item.get("fixed_on_spot"))
        note = str(item.get("note") or "").strip()[:2000]
        value, hazard = None, False
        if not na:
            if rule.answer.type == "photo":
                value = None
            else:
                try:
                    value = parse_answer(rule, item.get("value"))
                except ValidationFailed as exc:
                    errors[rule_id] = [f"{exc.message}（{rule_id}）"]
                    continue
                hazard = is_hazard(rule, value)
        if fixed and not hazard:
            errors[rule_id] = [f"{rule.title}：未判定为隐患的项目不能标记立行立改"]
            continue
        if fixed and not rule.on_the_spot and rule.severity == "major":
            # 重大隐患 are 挂牌督办 and closed through the ledger, not on the spot.
            errors[rule_id] = [f"{rule.title}：重大隐患不能现场销号，须按台账流程整改验收"]
            continue
        parsed.append(
            {
                "rule_id": rule_id,
                "value": value,
                "not_applicable": na,
                "is_hazard": hazard,
                "fixed_on_spot": fixed,
                "note": note,
            }
        )
    return parsed, errors


def inspection_record_answers(
    *,
    actor,
    inspection_id: int,
    answers: list[dict],
    lon=None,
    lat=None,
    accuracy=None,
    summary: str | None = None,
) -> Inspection:
    """Save answers (each checked against its rule's type) on a draft; all or nothing, errors per rule."""
    position = _check_position(lon, lat, accuracy)
    with transaction.atomic():
        inspection = _editable(actor, inspection_id)
        parsed, errors = _parse_items(inspection, answers)
        if errors:
            raise ValidationFailed(
                f"有 {len(errors)} 项答案有误："
                + "；".join(m for msgs in errors.values() for m in msgs)[:500],
                errors=errors,
            )
        existing = {a.rule_id: a for a in inspection.answers.all()}
        new, changed = [], []
        for row in parsed:
            answer = existing.get(row["rule_id"])
            if answer is None:
                new.append(InspectionAnswer(inspection=inspection, answered_by=actor, **row))
            else:
                for key, value in row.items():
                    setattr(answer, key, value)
                answer.answered_by = actor
                changed.append(answer)
        InspectionAnswer.objects.bulk_create(new)
        if changed:
            InspectionAnswer.objects.bulk_update(
                changed,
                [
                    "value",
                    "not_applicable",
                    "is_hazard",
                    "fixed_on_spot",
                    "note",
                    "answered_by",
                    "updated_at",
                ],
            )
        # Photos uploaded before their item was answered are linked now.
        for answer in inspection.answers.filter(rule_id__in=[r["rule_id"] for r in parsed]):
            inspection.photos.filter(rule_id=answer.rule_id, answer__isnull=True).update(answer=answer)
        updates = {k: v for k, v in position.items() if v is not None}
        if summary is not None:
            updates["summary"] = summary.strip()[:5000]
        if updates:
            Inspection.objects.filter(pk=inspection.pk).update(**updates)
        audit_record(
            event_type="INSPECTION_ANSWERED",
            object_type="inspection",
            object_id=inspection.pk,
            actor=actor,
            region_code=inspection.region_code,
            payload={
                "number": inspection.number,
                "answers": [
                    {
                        "rule_id": r["rule_id"],
                        "value": r["value"],
                        "na": r["not_applicable"],
                        "hazard": r["is_hazard"],
                        "fixed": r["fixed_on_spot"],
                    }
                    for r in parsed
                ],
                **{k: v for k, v in position.items() if v is not None},
            },
        )
    inspection.refresh_from_db()
    return inspection


def inspection_add_photo(
    *,
    actor,
    inspection_id: int,
    upload,
    rule_id: str = "",
    taken_at: datetime | None = None,
    lon=None,
    lat=None,
) -> InspectionPhoto:
    """Attach a real image (checked by content and size) to a draft, optionally to one checklist item."""
    position = _check_position(lon, lat, None)
    field = f"photo_{rule_id}" if rule_id else "photo"
    if upload is None:
        raise ValidationFailed("请选择照片", field=field)
    content_type = validate_image(upload, field=field)
    data = _read_upload(upload)
    with transaction.atomic():
        inspection = _editable(actor, inspection_id)
        answer = None
        if rule_id:
            if rule_id not in {r.id for r in checklist_rules(inspection)}:
                raise ValidationFailed(f"规则 {rule_id} 不在本次检查的检查表中", field="rule_id")
            answer = inspection.answers.filter(rule_id=rule_id).first()
        ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[content_type]
        digest = _sha256(data)
        photo = InspectionPhoto(
            inspection=inspection,
            answer=answer,
            rule_id=rule_id or "",
            content_type=content_type,
            sha256=digest,
            taken_at=taken_at or timezone.now(),
            lon=position["lon"],
            lat=position["lat"],
            uploaded_by=actor,
        )
        photo.file.save(f"{inspection.pk}-{digest[:16]}.{ext}", ContentFile(data), save=False)
        photo.save()
        audit_record(
            event_type="INSPECTION_PHOTO_ADDED",
            object_type="inspection",
            object_id=inspection.pk,
            actor=actor,
            region_code=inspection.region_code,
            payload={
                "photo": photo.pk,
                "rule_id": rule_id,
                "sha256": digest,
                "lon": photo.lon,
                "lat": photo.lat,
            },
        )
    return photo


def _signature_bytes(image) -> bytes:
    """PNG bytes from a data URL (drawn on the canvas) or an uploaded file; refuses blank drawings."""
    from PIL import Image

    if isinstance(image, str):
        text = image.strip()
        if not text.startswith("data:image/png;base64,"):
            raise ValidationFailed("签名须为 PNG 图片（data:image/png;base64,…）", field="image")
        try:
            data = base64.b64decode(text.split(",", 1)[1], validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed("签名图片数据无效", field="image") from None
        upload = ContentFile(data, name="signature.png")
    else:
        upload = image
    if upload is None or not getattr(upload, "size", 0):
        raise ValidationFailed("请签名", field="image")
    validate_image(upload, field="image", max_mb=MAX_SIGNATURE_BYTES // (1024 * 1024))
    data = _read_upload(upload)
    with Image.open(io.BytesIO(data)) as img:
        # A drawn signature has ink: on a white background some pixel is clearly dark.
        rgba = img.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        canvas.alpha_composite(rgba)
        if canvas.convert("L").point(lambda v: 255 if v < 200 else 0).getbbox() is None:
            raise ValidationFailed("签名为空白，请手写签名", field="image")
    return data


def inspection_sign(
    *,
    actor,
    inspection_id: int,
    signer_role: str,
    name: str = "",
    image=None,
    refused: bool = False,
    refusal_note: str = "",
) -> InspectionSignature:
    """Record an inspector's drawn signature, or the representative's signature or refusal to sign."""
    if signer_role not in SignerRoleChoices.values:
        raise ValidationFailed(f"未知签字人身份：{signer_role}", field="signer_role")
    name = (name or "").strip()[:50]
    refusal_note = (refusal_note or "").strip()[:2000]
    data = b""
    if signer_role == SignerRoleChoices.INSPECTOR:
        if refused:
            raise ValidationFailed("检查人员不能拒绝签字", field="refused")
        name = actor.display_name
        data = _signature_bytes(image)
    elif refused:
        if not refusal_note:
            raise ValidationFailed("拒绝签字须填写拒签情况说明", field="refusal_note")
        name = name or "（未留姓名）"
    else:
        if not name:
            raise ValidationFailed("请填写被检查单位代表姓名", field="name")
        data = _signature_bytes(image)
    with transaction.atomic():
        inspection = _editable(actor, inspection_id)
        if signer_role == SignerRoleChoices.INSPECTOR:
            if inspection.signatures.filter(signer_role=signer_role, user=actor).exists():
                raise Conflict("您已在本记录上签字")
        else:
            # The representative's signature may be redone until sealing; the old one is kept in the chain.
            inspection.signatures.filter(signer_role=signer_role).delete()
        digest = _sha256(data) if data else ""
        signature = InspectionSignature(
            inspection=inspection,
            signer_role=signer_role,
            name=name,
            user=actor if signer_role == SignerRoleChoices.INSPECTOR else None,
            sha256=digest,
            refused=bool(refused),
            refusal_note=refusal_note if refused else "",
            signed_at=timezone.now(),
        )
        if data:
            signature.image.save(
                f"{inspection.pk}-{signer_role}-{digest[:16]}.png", ContentFile(data), save=False
            )
        signature.save()
        audit_record(
            event_type="INSPECTION_SIGNED",
            object_type="inspection",
            object_id=inspection.pk,
            actor=actor,
            region_code=inspection.region_code,
            payload={
                "number": inspection.number,
                "signer_role": signer_role,
                "name": name,
                "user": signature.user_id,
                "refused": signature.refused,
                "refusal_note": signature.refusal_note,
                "sha256": digest,
            },
        )
    return signature


def _responsible(target) -> tuple[str, str]:
    name = getattr(target, "contact_name", "") or getattr(target, "legal_representative", "") or ""
    return name, getattr(target, "contact_phone", "") or ""


def answers_digest(answers, photos, signatures) -> dict:
    """The hashes sealed into the record: answers, photo hashes and signature hashes."""
    canonical = json.dumps(
        [
            [a.rule_id, a.value, a.not_applicable, a.is_hazard, a.fixed_on_spot, a.note]
            for a in sorted(answers, key=lambda a: a.rule_id)
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    answers_hash = _sha256(canonical.encode())
    photo_hashes = sorted(p.sha256 for p in photos)
    signature_hashes = [
        f"{s.signer_role}:{s.name}:{'refused' if s.refused else s.sha256}"
        for s in sorted(signatures, key=lambda s: (s.signer_role, s.name, s.pk))
    ]
    seal = _sha256("|".join([answers_hash, *photo_hashes, *signature_hashes]).encode())
    return {
        "answers_hash": answers_hash,
        "photo_hashes": photo_hashes,
        "signature_hashes": signature_hashes,
        "seal_hash": seal,
    }


def _close_on_spot(*, actor, hazard, photos, note: str) -> None:
    """Close a hazard fixed on the spot (立行立改) with its photos as evidence, via the ledger."""
    from gasguard.hazards.services import hazard_close_on_spot

    files = []
    for photo in photos:
        with photo.file.open("rb") as handle:
            files.append(ContentFile(handle.read(), name=photo.file.name.rsplit("/", 1)[-1]))
    hazard_close_on_spot(actor=actor, hazard_id=hazard.pk, evidence_files=files, note=note)


def inspection_seal(*, actor, inspection_id: int) -> Inspection:
    """Seal a signed, complete draft (签章封存) and put every failed item on the hazard ledger."""
    from gasguard.hazards.models import Hazard
    from gasguard.hazards.services import hazard_register

    with transaction.atomic():
        inspection = _editable(actor, inspection_id)
        catalog = get_catalog()
        rules = checklist_rules(inspection)
        answers = {a.rule_id: a for a in inspection.answers.all()}
        photos = list(inspection.photos.all())
        photo_rules = {p.rule_id for p in photos if p.rule_id}
        signatures = list(inspection.signatures.all())
        errors: dict[str, list[str]] = {}
        for rule in rules:
            answer = answers.get(rule.id)
            if answer is None:
                if rule.answer.type == "photo" and rule.id in photo_rules:
                    continue
                errors[rule.id] = [f"{rule.title}：未作答（如不适用请勾选“不适用”）"]
            elif answer.fixed_on_spot and rule.id not in photo_rules:
                errors[rule.id] = [f"{rule.title}：立行立改须上传整改后照片作为佐证"]
        if not any(s.signer_role == SignerRoleChoices.INSPECTOR for s in signatures):
            errors["signatures"] = ["至少需要一名检查人员签字"]
        if not any(s.signer_role == SignerRoleChoices.REPRESENTATIVE for s in signatures):
            errors.setdefault("signatures", []).append("需要被检查单位代表签字，或记录其拒绝签字")
        if errors:
            raise ValidationFailed(f"检查记录不完整，不能封存（{len(errors)} 项）", errors=errors)
        # Missing photo-type answers are stored as answered by their photo.
        for rule in rules:
            if rule.id not in answers and rule.answer.type == "photo":
                answers[rule.id] = InspectionAnswer.objects.create(
                    inspection=inspection, rule_id=rule.id, answered_by=actor
                )
                inspection.photos.filter(rule_id=rule.id).update(answer=answers[rule.id])
        hazard_answers = [a for a in answers.values() if a.is_hazard]
        digest = answers_digest(answers.values(), photos, signatures)
        now = timezone.now()
        won = Inspection.objects.filter(pk=inspection.pk, status=S.DRAFT).update(
            status=S.SEALED,
            submitted_at=now,
            seal_hash=digest["seal_hash"],
            hazard_count=len(hazard_answers),
            no_hazard_found=not hazard_answers,
            catalog_version=catalog.version,
        )
        if not won:
            raise Conflict("该检查记录已被他人封存")
        # A correction keeps the hazards its original already put on the ledger.
        inherited = {}
        if inspection.corrects_id:
            inherited = dict(
                InspectionAnswer.objects.filter(
                    inspection_id=inspection.corrects_id, hazard__isnull=False
                ).values_list("rule_id", "hazard_id")
            )
        responsible, phone = _responsible(inspection.target)
        hazard_ids, closed_on_spot = [], []
        for answer in sorted(hazard_answers, key=lambda a: a.rule_id):
            rule = catalog.get(answer.rule_id)
            if answer.rule_id in inherited:
                answer.hazard_id = inherited[answer.rule_id]
            else:
                shown = answer.value
                if rule.answer.type == "number":
                    shown = f"{answer.value:g}{rule.answer.unit}"
                elif rule.answer.type == "bool":
                    shown = "是" if answer.value else "否"
                description = f"{rule.title}（检查记录 {inspection.number}，检查结果：{shown}）"
                if answer.note:
                    description += f"。{answer.note}"
                hazard = hazard_register(
                    actor=actor,
                    target=inspection.target,
                    source="inspection",
                    source_ref=f"inspection:{inspection.pk}",
                    rule_id=rule.id,
                    description=description,
                    responsible_person=responsible,
                    responsible_phone=phone,
                    found_at=inspection.started_at,
                    extra={"inspection": inspection.pk, "number": inspection.number, "value": answer.value},
                )
                answer.hazard_id = hazard.pk
                if answer.fixed_on_spot:
                    evidence = [p for p in photos if p.rule_id == answer.rule_id]
                    _close_on_spot(
                        actor=actor, hazard=hazard, photos=evidence, note=answer.note or "现场立行立改"
                    )
                    closed_on_spot.append(hazard.pk)
            hazard_ids.append(answer.hazard_id)
        if hazard_answers:
            InspectionAnswer.objects.bulk_update(hazard_answers, ["hazard"])
        if inspection.task_id:
            InspectionTask.objects.filter(
                pk=inspection.task_id, status=InspectionTaskStatusChoices.PENDING
            ).update(status=InspectionTaskStatusChoices.DONE, completed_at=now)
        codes = dict(Hazard.objects.filter(pk__in=hazard_ids).values_list("pk", "code"))
        audit_record(
            event_type="INSPECTION_SEALED",
            object_type="inspection",
            object_id=inspection.pk,
            actor=actor,
            region_code=inspection.region_code,
            payload={
                "number": inspection.number,
                "corrects": inspection.corrects_id,
                "catalog_version": catalog.version,
                "answers": len(answers),
                "no_hazard_found": not hazard_answers,
                "hazards": [codes.get(h) for h in hazard_ids],
                "closed_on_spot": [codes.get(h) for h in closed_on_spot],
                **digest,
            },
        )
    inspection.refresh_from_db()
    return inspection


def inspection_correct(*, actor, inspection_id: int, reason: str) -> Inspection:
    """Open a correction of a sealed record: a new draft linked to it, answers copied, to be re-signed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写更正原因", field="reason")
    scope = _require_role(actor, INSPECTING_ROLES, "只有检查人员可以更正检查记录")
    with transaction.atomic():
        original = _locked(inspection_id)
        _require_region(scope, original.region_code)
        if original.status != S.SEALED:
            raise Conflict("只有已封存的检查记录需要更正；草稿可直接修改")
        if original.corrections.filter(status=S.DRAFT).exists():
            raise Conflict("该记录已有一份未封存的更正记录")
        correction = Inspection.objects.create(
            task=original.task,
            created_by=actor,
            department=_actor_department(actor, original.region_code) or original.department,
            catalog_version=get_catalog().version,
            started_at=timezone.now(),
            corrects=original,
            correction_reason=reason[:2000],
            target_type=original.target_type,
            premises=original.premises,
            enterprise_id=original.enterprise_id,
            facility=original.facility,
            target_name=original.target_name,
            region_code=original.region_code,
            lon=original.lon,
            lat=original.lat,
            accuracy_m=original.accuracy_m,
            summary=original.summary,
        )
        correction.number = f"{original.number}-G{correction.pk}"
        Inspection.objects.filter(pk=correction.pk).update(number=correction.number)
        correction.inspectors.set({actor.pk, *original.inspectors.values_list("pk", flat=True)})
        copies = {}
        for a in original.answers.all():
            copies[a.pk] = InspectionAnswer.objects.create(
                inspection=correction,
                rule_id=a.rule_id,
                value=a.value,
                not_applicable=a.not_applicable,
                is_hazard=a.is_hazard,
                fixed_on_spot=a.fixed_on_spot,
                note=a.note,
                answered_by=a.answered_by,
            )
        for p in original.photos.all():
            InspectionPhoto.objects.create(
                inspection=correction,
                answer=copies.get(p.answer_id),
                rule_id=p.rule_id,
                file=p.file.name,
                content_type=p.content_type,
                sha256=p.sha256,
                taken_at=p.taken_at,
                lon=p.lon,
                lat=p.lat,
                uploaded_by=p.uploaded_by,
            )
        audit_record(
            event_type="INSPECTION_CORRECTED",
            object_type="inspection",
            object_id=original.pk,
            actor=actor,
            region_code=original.region_code,
            payload={
                "number": original.number,
                "correction": correction.pk,
                "correction_number": correction.number,
                "reason": reason,
            },
        )
    return correction


def inspection_issue_notice(*, actor, inspection_id: int) -> Inspection:
    """Issue the written rectification notice (整改通知书) of a sealed record, once; recorded and audited.

    Under 建城规〔2023〕4号 第九条 the absence of a written notice after a finding is itself a
    major hazard, so issuing it is a recorded act with a number, a time and a person.
    """
    scope = _require_role(actor, INSPECTING_ROLES, "只有检查人员或监管负责人可以下达整改通知书")
    with transaction.atomic():
        inspection = _locked(inspection_id)
        _require_region(scope, inspection.region_code)
        if inspection.status != S.SEALED:
            raise Conflict("只有已签章封存的检查记录可以下达整改通知书")
        if not inspection.hazard_count:
            raise Conflict("本次检查未发现隐患，无需下达整改通知书")
        if inspection.notice_issued_at:
            return inspection
        now = timezone.now()
        number = f"ZG{inspection.region_code[:6]}{timezone.localdate(now):%Y%m%d}{inspection.pk:07d}"
        won = Inspection.objects.filter(pk=inspection.pk, notice_issued_at__isnull=True).update(
            notice_number=number, notice_issued_at=now, notice_issued_by=actor
        )
        if won:
            audit_record(
                event_type="INSPECTION_NOTICE_ISSUED",
                object_type="inspection",
                object_id=inspection.pk,
                actor=actor,
                region_code=inspection.region_code,
                payload={
                    "number": inspection.number,
                    "notice_number": number,
                    "seal_hash": inspection.seal_hash,
                },
            )
    inspection.refresh_from_db()
    return inspection
