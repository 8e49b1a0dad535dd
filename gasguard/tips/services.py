"""Services of public reports (举报): intake, triage, verification, rewards, privacy, Open311.

Every state change runs in one transaction with its audit event; notifications are sent
after commit by `notify`. Reporter contact data never leaves this module unencrypted except
through `tip_contact_reveal`, which is role-checked and audited (TIP_CONTACT_VIEWED).
"""

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from gasguard.accounts.choices import ROLE, WRITE_ROLES
from gasguard.accounts.selectors import user_scope
from gasguard.audit.services import audit_record
from gasguard.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gasguard.core.uploads import validate_image
from gasguard.notifications.crypto import blind_index, encrypt
from gasguard.notifications.services import notify
from gasguard.org.choices import DepartmentKindChoices
from gasguard.org.models import Department, Region
from gasguard.tips.choices import (
    DEFAULT_PUBLIC_REPLY,
    HAZARD_CATEGORY,
    OPEN_STATUSES,
    ROUTING,
    TRANSITIONS,
    RewardStatusChoices,
    TipCategoryChoices,
    TipChannelChoices,
    TipOutcomeChoices,
    TipStatusChoices,
)
from gasguard.tips.models import Open311Client, Reward, RewardRule, Tip, TipHistory, TipPhoto
from gasguard.tips.security import mask_phone, new_tracking_code, normalize_phone

T = TipStatusChoices
R = RewardStatusChoices
CONTACT_ROLES = (ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR)
REWARD_ROLES = (ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


# --- helpers ----------------------------------------------------------------------------------


def _actor_name(actor) -> str:
    return getattr(actor, "display_name", "") or "公众"


def _history(
    tip: Tip, *, action: str, actor, from_status: str, to_status: str, note: str = "", public: str = ""
):
    TipHistory.objects.create(
        tip=tip,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor) if getattr(actor, "pk", None) else "系统",
        note=note,
        public_text=public,
    )


def _audit(event: str, tip: Tip, actor, payload: dict | None = None) -> None:
    audit_record(
        event_type=event,
        object_type="tip",
        object_id=tip.pk,
        actor=actor if getattr(actor, "pk", None) else None,
        region_code=tip.region_code,
        payload={"code": tip.code, **(payload or {})},
    )


def _require_writer(actor, tip: Tip, roles=WRITE_ROLES) -> None:
    scope = user_scope(user=actor)
    if not scope.covers_region(tip.region_code):
        raise NotFound("未找到该举报，或不在您的数据权限范围内")
    if not scope.has_role(*roles):
        raise PermissionDenied("您无权执行此操作")


def _load(actor, tip_id, *, roles=WRITE_ROLES) -> Tip:
    try:
        tip = Tip.objects.select_related("region", "department", "hazard").get(pk=tip_id)
    except (Tip.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("未找到该举报，或不在您的数据权限范围内") from exc
    _require_writer(actor, tip, roles)
    return tip


def _move(tip: Tip, action: str, **fields) -> str:
    """Conditional update along the transition map; a lost race or a final report → Conflict."""
    allowed, to_status = TRANSITIONS[action]
    if tip.status not in allowed:
        raise Conflict(f"举报当前状态为“{tip.get_status_display()}”，不能执行该操作")
    updated = Tip.objects.filter(pk=tip.pk, status=tip.status).update(status=to_status, **fields)
    if not updated:
        raise Conflict("该举报刚被他人处理，请刷新后重试")
    from_status = tip.status
    tip.status = to_status
    for name, value in fields.items():
        setattr(tip, name, value)
    return from_status


def department_members(department, roles=WRITE_ROLES):
    from gasguard.accounts.models import User

    return list(
        User.objects.filter(
            memberships__department=department,
            memberships__is_active=True,
            memberships__role__in=roles,
            is_active=True,
        ).distinct()
    )


def _task_force_members(region_code: str, roles=(ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR)):
    """Reward approvers: task-force admins and supervisors whose region covers the report."""
    from gasguard.accounts.models import Membership

    prefixes = [region_code[:n] for n in (2, 4, 6, 9, 12, 15) if len(region_code) >= n]
    ms = Membership.objects.filter(is_active=True, role__in=roles).select_related(
        "user", "department", "task_force"
    )
    users = []
    for m in ms:
        unit = m.department or m.task_force
        if unit is not None and unit.region_code in prefixes and m.user.is_active:
            users.append(m.user)
    return users


# --- intake ------------------------------------------------------------------------------------


@dataclass
class TipInput:
    """What a report says, from whichever door it came (web form, API, operator, Open311)."""

    category: str = ""
    description: str = ""
    district_code: str = ""
    street_code: str = ""
    lon: float | None = None
    lat: float | None = None
    address: str = ""
    target_name: str = ""
    is_anonymous: bool = True
    reporter_name: str = ""
    reporter_phone: str = ""
    photos: list = field(default_factory=list)
    external_ref: str = ""
    media_url: str = ""


def resolve_region(*, district_code: str, street_code: str, lon, lat, fallback: Region | None, errors: dict):
    """The report's region: the chosen street, else district, else the map point, else the fallback."""
    region = None
    if street_code:
        region = Region.objects.filter(code=street_code, level__gte=4).first()
        if region is None:
            errors.setdefault("street", []).append("所选街道不存在")
        elif district_code and not region.code.startswith(district_code):
            errors.setdefault("street", []).append("所选街道不属于所选区县")
            region = None
    if region is None and district_code:
        region = Region.objects.filter(code=district_code, level=3).first()
        if region is None:
            errors.setdefault("district", []).append("所选区县不存在")
    if region is None and lon is not None and lat is not None:
        from gasguard.tips.geo import region_at

        region = region_at(lon, lat, Region.objects.exclude(boundary=None).only("code", "level", "boundary"))
    if region is None:
        region = fallback
    if region is None and "district" not in errors and "street" not in errors:
        errors.setdefault("district", []).append("请选择所在区县")
    return region


def default_region() -> Region | None:
    """Where a report with no place lands for triage: the (first) city-level region."""
    return (
        Region.objects.filter(level=2).order_by("code").first()
        or Region.objects.order_by("level", "code").first()
    )


def _validate(data: TipInput, *, fallback_region) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    if data.category not in TipCategoryChoices.values:
        errors["category"] = ["请选择举报类别"]
    description = (data.description or "").strip()
    if not description:
        errors["description"] = ["请描述您发现的问题"]
    elif len(description) > settings.GASGUARD_TIP_DESCRIPTION_MAX:
        errors["description"] = [f"问题描述不能超过 {settings.GASGUARD_TIP_DESCRIPTION_MAX} 字"]
    clean["description"] = description
    lon, lat = data.lon, data.lat
    from gasguard.registry.models import location_error

    for name, message in location_error(lon, lat).items():
        errors.setdefault(name, []).append(message)
    address = (data.address or "").strip()[:300]
    target_name = (data.target_name or "").strip()[:200]
    has_point = lon is not None and lat is not None
    if not has_point and not address and not target_name:
        errors.setdefault("location", []).append(
            "请在地图上选择位置、填写地址，或填写被举报的单位/场所名称（至少一项），以便核查"
        )
    clean.update(address=address, target_name=target_name, lon=lon, lat=lat)
    clean["region"] = resolve_region(
        district_code=(data.district_code or "").strip(),
        street_code=(data.street_code or "").strip(),
        lon=lon,
        lat=lat,
        fallback=fallback_region,
        errors=errors,
    )
    clean["is_anonymous"] = bool(data.is_anonymous)
    clean["name"] = clean["phone"] = ""
    if not data.is_anonymous:
        name = (data.reporter_name or "").strip()[:50]
        phone = normalize_phone(data.reporter_phone)
        if not name:
            errors["reporter_name"] = ["实名举报请填写姓名"]
        if not phone:
            errors["reporter_phone"] = ["请填写正确的手机号或固定电话（如 13800138000 或 075512345678）"]
        clean["name"], clean["phone"] = name, phone
    photos = [p for p in (data.photos or []) if p]
    if len(photos) > settings.GASGUARD_TIP_MAX_PHOTOS:
        errors["photos"] = [f"最多上传 {settings.GASGUARD_TIP_MAX_PHOTOS} 张照片"]
    checked = []
    for index, upload in enumerate(photos[: settings.GASGUARD_TIP_MAX_PHOTOS], start=1):
        try:
            mime = validate_image(upload, field="photos", max_mb=settings.GASGUARD_TIP_PHOTO_MAX_MB)
        except ValidationFailed as exc:
            errors.setdefault("photos", []).append(f"第 {index} 张照片：{exc.message}")
        else:
            checked.append((upload, mime))
    clean["photos"] = checked
    media_url = (data.media_url or "").strip()
    if media_url and not media_url.startswith(("http://", "https://")):
        errors["media_url"] = ["图片链接须为 http(s) 地址"]
    clean["media_url"] = media_url[:500]
    clean["external_ref"] = (data.external_ref or "").strip()[:100]
    return clean, errors


def tip_submit(
    *,
    data: TipInput,
    channel: str = TipChannelChoices.WEB,
    actor=None,
    ip: str = "",
    open311_client: Open311Client | None = None,
) -> Tip:
    """Receive a report (public form, API, operator or Open311), store it, route it, notify.

    Refuses a report with neither a location (map point or address) nor a target. Photos must
    be real images within the size limit. Contact data is encrypted before it is stored.
    """
    if channel not in TipChannelChoices.values:
        raise ValidationFailed(f"未知渠道：{channel}", field="channel")
    if actor is not None:
        scope = user_scope(user=actor)
        if not scope.has_role(*WRITE_ROLES) or not (scope.is_global or scope.region_prefixes):
            raise PermissionDenied("只有政府部门工作人员可以录入举报")
    fallback = open311_client.region if open311_client else default_region()
    clean, errors = _validate(data, fallback_region=fallback)
    if (
        actor is not None
        and clean.get("region") is not None
        and not user_scope(user=actor).covers_region(clean["region"].code)
    ):
        errors.setdefault("district", []).append("所选区划不在您的数据权限范围内")
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, errors=errors)

    region = clean["region"]
    from gasguard.tips.security import ip_fingerprint

    with transaction.atomic():
        for _ in range(5):
            code = new_tracking_code()
            if not Tip.objects.filter(code=code).exists():
                break
        tip = Tip.objects.create(
            code=code,
            channel=channel,
            category=data.category,
            description=clean["description"],
            region=region,
            region_code=region.code,
            address=clean["address"],
            lon=clean["lon"],
            lat=clean["lat"],
            target_name=clean["target_name"],
            is_anonymous=clean["is_anonymous"],
            reporter_name_enc=encrypt(clean["name"]),
            reporter_phone_enc=encrypt(clean["phone"]),
            reporter_phone_masked=mask_phone(clean["phone"]),
            reporter_phone_index=blind_index(clean["phone"]),
            entered_by=actor if getattr(actor, "pk", None) else None,
            open311_client=open311_client,
            external_ref=clean["external_ref"],
            media_url=clean["media_url"],
            source_ip_hash=ip_fingerprint(ip) if ip else "",
        )
        for upload, mime in clean["photos"]:
            photo = TipPhoto(tip=tip, content_type=mime, size=upload.size)
            photo.image.save(f"{uuid.uuid4().hex}.{EXTENSIONS[mime]}", upload, save=False)
            photo.save()
        _history(tip, action="submit", actor=actor, from_status="", to_status=T.RECEIVED, public="已受理")
        _audit(
            "TIP_SUBMITTED",
            tip,
            actor,
            {
                "channel": channel,
                "category": tip.category,
                "anonymous": tip.is_anonymous,
                "photos": len(clean["photos"]),
                "open311_client": open311_client.pk if open311_client else None,
            },
        )
        _route(tip, actor=None, department=None, note="按类别和区划自动分派")
    return tip


# --- triage ------------------------------------------------------------------------------------


def route_for(tip: Tip) -> tuple[str, Department | None]:
    """The department kind responsible for a report's category, and its department for the place."""
    from gasguard.hazards.services import department_for

    kind = ROUTING.get(tip.category, DepartmentKindChoices.HOUSING)
    return kind, department_for(kind=kind, region_code=tip.region_code)


def _route(tip: Tip, *, actor, department: Department | None, note: str) -> Tip:
    if department is None:
        kind, department = route_for(tip)
    else:
        kind = department.kind
    if department is None:
        # No department of that kind anywhere above: stays 已受理 for the task force to route by hand.
        _history(
            tip,
            action="route_failed",
            actor=actor,
            from_status=tip.status,
            to_status=tip.status,
            note=f"未找到{DepartmentKindChoices(kind).label}部门",
        )
        return tip
    from_status = _move(tip, "route", department=department, department_kind=kind, routed_at=timezone.now())
    short = DepartmentKindChoices.short(kind)
    _history(
        tip,
        action="route",
        actor=actor,
        from_status=from_status,
        to_status=tip.status,
        note=note,
        public=f"已转交{short}部门核查",
    )
    _audit("TIP_ROUTED", tip, actor, {"department": department.pk, "kind": kind, "note": note})
    notify(
        recipients=department_members(department),
        kind="tip_routed",
        subject=f"新的群众举报待核查：{tip.get_category_display()}（{tip.code[:4]}…）",
        body=f"{tip.region.full_name if tip.region_id else ''} {tip.address or tip.target_name}".strip(),
        link=f"/tips/{tip.pk}/",
    )
    return tip


def tip_route(*, actor, tip_id, department_id, note: str = "") -> Tip:
    """Re-route a report to another department (分派/改派) at or above the report's place."""
    with transaction.atomic():
        tip = _load(actor, tip_id)
        try:
            department = Department.objects.get(pk=department_id)
        except (Department.DoesNotExist, ValueError, TypeError) as exc:
            raise ValidationFailed("请选择核查部门", field="department") from exc
        if not tip.region_code.startswith(department.region_code):
            raise ValidationFailed("核查部门须为举报所在地或其上级的部门", field="department")
        return _route(tip, actor=actor, department=department, note=note or "人工分派")


def tip_start_verification(*, actor, tip_id) -> Tip:
    """The department starts checking on site (核查中)."""
    with transaction.atomic():
        tip = _load(actor, tip_id)
        from_status = _move(tip, "start")
        _history(
            tip, action="start", actor=actor, from_status=from_status, to_status=tip.status, public="核查中"
        )
        _audit("TIP_VERIFICATION_STARTED", tip, actor)
    return tip


def _target(actor, target_type: str, target_id) -> object:
    from gasguard.registry.models import Enterprise, Facility, Premises

    model = {"premises": Premises, "enterprise": Enterprise, "facility": Facility}.get(target_type)
    if model is None:
        raise ValidationFailed("请选择被举报对象类型（场所、企业或设施）", field="target_type")
    try:
        target = model.objects.get(pk=target_id)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise ValidationFailed("未找到所选被举报对象", field="target_id") from exc
    if not user_scope(user=actor).covers_region(target.region_code):
        raise ValidationFailed("所选对象不在您的数据权限范围内", field="target_id")
    return target


def tip_verify(
    *,
    actor,
    tip_id,
    outcome: str,
    reason: str = "",
    public_reply: str = "",
    target_type: str = "",
    target_id=None,
    rule_id: str = "",
    hazard_title: str = "",
    hazard_description: str = "",
    severity: str = "",
    deadline: date | None = None,
    duplicate_of_id=None,
) -> Tip:
    """Record the verification outcome (查实/不属实/重复/不予受理). 查实 registers a hazard.

    The hazard carries the verifier's description and `source_ref="tip:<id>"`, never the
    reporter's identity.
    """
    if outcome not in TipOutcomeChoices.values:
        raise ValidationFailed("请选择核查结论", field="outcome")
    reason = (reason or "").strip()
    if outcome in ("unfounded", "not_accepted") and not reason:
        raise ValidationFailed("请填写核查说明（不属实或不予受理的理由）", field="reason")
    with transaction.atomic():
        tip = _load(actor, tip_id)
        if tip.status not in OPEN_STATUSES:
            raise Conflict(f"举报已办结（{tip.get_status_display()}），不能重复核查")
        fields = {
            "outcome": outcome,
            "outcome_reason": reason,
            "public_reply": (public_reply or "").strip()[:1000] or DEFAULT_PUBLIC_REPLY[outcome],
            "verified_at": timezone.now(),
            "verified_by": actor,
        }
        payload: dict = {"outcome": outcome, "reason": reason}
        if outcome == "duplicate":
            original = _duplicate_root(actor, tip, duplicate_of_id)
            fields["duplicate_of"] = original
            fields["outcome_reason"] = reason or f"与举报 {original.code[:4]}…（#{original.pk}）重复"
            payload["duplicate_of"] = original.pk
        if outcome == "confirmed":
            target = _target(actor, target_type, target_id)
            hazard = _register_hazard(
                actor=actor,
                tip=tip,
                target=target,
                rule_id=rule_id,
                title=hazard_title,
                description=hazard_description,
                severity=severity,
                deadline=deadline,
            )
            fields["hazard"] = hazard
            fields["premises"] = target if target_type == "premises" else None
            fields["enterprise_id"] = (
                target.pk if target_type == "enterprise" else getattr(target, "enterprise_id", None)
            )
            payload.update(
                hazard=hazard.pk, hazard_code=hazard.code, target_type=target_type, target_id=target.pk
            )
        from_status = _move(tip, outcome, **fields)
        public = {
            "confirmed": "已查实，隐患已登记",
            "unfounded": "经核查不属实",
            "duplicate": "重复举报，已合并处理",
            "not_accepted": "不予受理",
        }[outcome]
        _history(
            tip,
            action=f"verify_{outcome}",
            actor=actor,
            from_status=from_status,
            to_status=tip.status,
            note=fields["outcome_reason"],
            public=public,
        )
        _audit("TIP_VERIFIED", tip, actor, payload)
    return tip


def _duplicate_root(actor, tip: Tip, duplicate_of_id) -> Tip:
    try:
        original = Tip.objects.get(pk=duplicate_of_id)
    except (Tip.DoesNotExist, ValueError, TypeError) as exc:
        raise ValidationFailed("请选择重复的原举报", field="duplicate_of") from exc
    seen = {tip.pk}
    while original.duplicate_of_id and original.pk not in seen:
        seen.add(original.pk)
        original = original.duplicate_of
    if original.pk == tip.pk:
        raise ValidationFailed("不能标记为与自身重复", field="duplicate_of")
    if not user_scope(user=actor).covers_region(original.region_code):
        raise ValidationFailed("原举报不在您的数据权限范围内", field="duplicate_of")
    return original


def _register_hazard(*, actor, tip, target, rule_id, title, description, severity, deadline):
    from gasguard.hazards.services import hazard_register

    kind = tip.department_kind or ROUTING.get(tip.category, DepartmentKindChoices.HOUSING)
    description = (description or "").strip() or tip.description
    return hazard_register(
        actor=actor,
        target=target,
        source="report",
        description=description,
        rule_id=rule_id or None,
        title=(title or "").strip() or (None if rule_id else f"群众举报查实：{tip.get_category_display()}"),
        category=None if rule_id else HAZARD_CATEGORY[tip.category],
        severity=severity or None,
        lead_department_kind=None if rule_id else kind,
        deadline=deadline,
        source_ref=f"tip:{tip.pk}",
    )


# --- privacy -----------------------------------------------------------------------------------


def can_view_contact(actor, tip: Tip) -> bool:
    scope = user_scope(user=actor)
    return scope.covers_region(tip.region_code) and scope.has_role(*CONTACT_ROLES)


def tip_contact_reveal(*, actor, tip_id) -> dict:
    """Show a real-name reporter's contact to an authorised role; every view is audited."""
    with transaction.atomic():
        tip = _load(actor, tip_id, roles=CONTACT_ROLES)
        _audit("TIP_CONTACT_VIEWED", tip, actor, {"anonymous": tip.is_anonymous})
    return {"is_anonymous": tip.is_anonymous, "name": tip.reporter_name, "phone": tip.reporter_phone}


# --- rewards (查实重奖) --------------------------------------------------------------------------


@dataclass
class RewardTerms:
    general: Decimal
    major: Decimal
    minimum: Decimal
    maximum: Decimal
    requires_real_name: bool
    exclude_target_staff: bool
    source: str


def reward_terms(region_code: str) -> RewardTerms:
    """The reward rule of the nearest region at or above `region_code`, else the settings."""
    prefixes = [region_code[:n] for n in (15, 12, 9, 6, 4, 2) if len(region_code) >= n]
    rule = max(
        RewardRule.objects.filter(region_code__in=prefixes), key=lambda r: len(r.region_code), default=None
    )
    if rule is not None:
        return RewardTerms(
            rule.general_amount,
            rule.major_amount,
            rule.min_amount,
            rule.max_amount,
            rule.requires_real_name,
            rule.exclude_target_staff,
            f"{rule.region.name}奖励规则",
        )
    return RewardTerms(
        Decimal(settings.GASGUARD_TIP_REWARD_GENERAL),
        Decimal(settings.GASGUARD_TIP_REWARD_MAJOR),
        Decimal(settings.GASGUARD_TIP_REWARD_MIN),
        Decimal(settings.GASGUARD_TIP_REWARD_MAX),
        True,
        True,
        "系统默认（GASGUARD_TIP_REWARD_*）",
    )


def _same_phone(a: str, b: str) -> bool:
    na, nb = normalize_phone(a), normalize_phone(b)
    return bool(na) and na == nb


def reward_eligibility(tip: Tip) -> dict:
    """Check the reward conditions automatically; returns {eligible, reasons, checks, amount, terms}.

    Not rewarded when: the report is not 查实; the same hazard (same target and rule, or same
    target and category) was already on the ledger and open when the report came in (先期已发现
    并建立台账); the reporter is staff or the contact of the reported party; or the locality
    requires real names and the report is anonymous.
    """
    from gasguard.hazards.models import Hazard
    from gasguard.registry.models import Staff

    reasons: list[str] = []
    checks: dict[str, bool] = {}
    terms = reward_terms(tip.region_code)
    hazard = tip.hazard
    checks["confirmed"] = tip.status == T.CONFIRMED and hazard is not None
    if not checks["confirmed"]:
        reasons.append("举报未查实或未登记隐患")
    checks["real_name"] = not (terms.requires_real_name and tip.is_anonymous)
    if not checks["real_name"]:
        reasons.append("本地奖励规则要求实名举报，匿名举报不予奖励")
    prior = None
    if hazard is not None:
        same_target = {}
        if hazard.premises_id:
            same_target["premises_id"] = hazard.premises_id
        elif hazard.facility_id:
            same_target["facility_id"] = hazard.facility_id
        elif hazard.enterprise_id:
            same_target = {"enterprise_id": hazard.enterprise_id, "target_type": hazard.target_type}
        if same_target:
            qs = Hazard.objects.filter(**same_target, found_at__lt=tip.created_at).exclude(pk=hazard.pk)
            qs = qs.filter(closed_at__isnull=True) | qs.filter(closed_at__gt=tip.created_at)
            if hazard.rule_id:
                prior = (
                    qs.filter(rule_id=hazard.rule_id).first() or qs.filter(category=hazard.category).first()
                )
            else:
                prior = qs.filter(category=hazard.category).first()
    checks["not_already_on_ledger"] = prior is None
    if prior is not None:
        reasons.append(
            f"举报前该隐患已在台账（{prior.code}，{timezone.localtime(prior.found_at):%Y-%m-%d} 登记）"
        )
    phone = tip.reporter_phone if tip.reporter_phone_enc else ""
    is_staff = False
    if phone and terms.exclude_target_staff and hazard is not None:
        enterprise_id = hazard.enterprise_id
        phones = []
        if enterprise_id:
            phones += list(Staff.objects.filter(enterprise_id=enterprise_id).values_list("phone", flat=True))
            phones += [hazard.enterprise.contact_phone] if hazard.enterprise else []
        if hazard.premises_id:
            phones.append(hazard.premises.contact_phone)
        is_staff = any(_same_phone(phone, p) for p in phones if p)
    checks["not_target_staff"] = not is_staff
    if is_staff:
        reasons.append("举报人为被举报单位的从业人员或联系人，不予奖励")
    amount = None
    if hazard is not None:
        amount = terms.major if hazard.severity == "major" else terms.general
        amount = min(max(amount, terms.minimum), terms.maximum)
    return {
        "eligible": not reasons,
        "reasons": reasons,
        "checks": checks,
        "suggested_amount": str(amount) if amount is not None else None,
        "terms": {
            "source": terms.source,
            "general": str(terms.general),
            "major": str(terms.major),
            "min": str(terms.minimum),
            "max": str(terms.maximum),
            "requires_real_name": terms.requires_real_name,
        },
    }


def _amount(value, terms: RewardTerms) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed("奖励金额须为数字", field="amount") from exc
    if amount <= 0:
        raise ValidationFailed("奖励金额须大于 0", field="amount")
    if not terms.minimum <= amount <= terms.maximum:
        raise ValidationFailed(
            f"奖励金额须在 {terms.minimum}–{terms.maximum} 元之间（{terms.source}）", field="amount"
        )
    return amount


def reward_propose(*, actor, tip_id, amount=None, basis: str = "") -> Reward:
    """Propose a reward for a 查实 report; refused if the automatic eligibility check fails."""
    with transaction.atomic():
        tip = _load(actor, tip_id, roles=REWARD_ROLES)
        eligibility = reward_eligibility(tip)
        if not eligibility["eligible"]:
            raise ValidationFailed(
                "不符合奖励条件：" + "；".join(eligibility["reasons"]), field="eligibility"
            )
        terms = reward_terms(tip.region_code)
        value = _amount(amount if amount not in (None, "") else eligibility["suggested_amount"], terms)
        existing = Reward.objects.filter(tip=tip).first()
        now = timezone.now()
        if existing is not None:
            if existing.status != R.REJECTED:
                raise Conflict("该举报已有奖励记录")
            updated = Reward.objects.filter(pk=existing.pk, status=R.REJECTED).update(
                status=R.PROPOSED,
                amount=value,
                basis=basis,
                eligibility=eligibility,
                proposed_by=actor,
                proposed_at=now,
                approved_by=None,
                approved_at=None,
                rejected_reason="",
            )
            if not updated:
                raise Conflict("该奖励刚被他人处理，请刷新后重试")
            reward = Reward.objects.get(pk=existing.pk)
        else:
            try:
                with transaction.atomic():
                    reward = Reward.objects.create(
                        tip=tip,
                        region_code=tip.region_code,
                        amount=value,
                        basis=basis or eligibility["terms"]["source"],
                        eligibility=eligibility,
                        proposed_by=actor,
                        proposed_at=now,
                    )
            except IntegrityError as exc:  # someone proposed at the same moment
                raise Conflict("该举报已有奖励记录") from exc
        audit_record(
            event_type="REWARD_PROPOSED",
            object_type="reward",
            object_id=reward.pk,
            actor=actor,
            region_code=reward.region_code,
            payload={"tip": tip.pk, "amount": str(value), "basis": reward.basis},
        )
        approvers = [u for u in _task_force_members(tip.region_code) if u.pk != actor.pk]
        notify(
            recipients=approvers,
            kind="reward_proposed",
            subject=f"举报奖励待审批：¥{value}（举报 #{tip.pk}）",
            link=f"/tips/{tip.pk}/",
        )
    return reward


def _load_reward(actor, reward_id, roles=REWARD_ROLES) -> Reward:
    try:
        reward = Reward.objects.select_related("tip").get(pk=reward_id)
    except (Reward.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("未找到该奖励记录") from exc
    _require_writer(actor, reward.tip, roles)
    return reward


def _reward_move(reward: Reward, old: str, new: str, **fields) -> None:
    if reward.status != old:
        raise Conflict(f"奖励当前状态为“{reward.get_status_display()}”，不能执行该操作")
    if not Reward.objects.filter(pk=reward.pk, status=old).update(status=new, **fields):
        raise Conflict("该奖励刚被他人处理，请刷新后重试")
    reward.status = new
    for k, v in fields.items():
        setattr(reward, k, v)


def reward_approve(*, actor, reward_id, note: str = "") -> Reward:
    """Approve a proposed reward; the approver must be a different person from the proposer."""
    with transaction.atomic():
        reward = _load_reward(actor, reward_id)
        if reward.proposed_by_id == actor.pk:
            raise PermissionDenied("审批人不能是奖励提出人（须由另一人审批）")
        try:
            with transaction.atomic():
                _reward_move(reward, R.PROPOSED, R.APPROVED, approved_by=actor, approved_at=timezone.now())
        except IntegrityError as exc:  # the database's four-eyes constraint
            raise PermissionDenied("审批人不能是奖励提出人（须由另一人审批）") from exc
        audit_record(
            event_type="REWARD_APPROVED",
            object_type="reward",
            object_id=reward.pk,
            actor=actor,
            region_code=reward.region_code,
            payload={"tip": reward.tip_id, "amount": str(reward.amount), "note": note},
        )
        _history(
            reward.tip,
            action="reward_approved",
            actor=actor,
            from_status=reward.tip.status,
            to_status=reward.tip.status,
            public="奖励已审批",
        )
    return reward


def reward_reject(*, actor, reward_id, reason: str) -> Reward:
    """Turn a proposal down with a reason (it can then be proposed again)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写驳回理由", field="reason")
    with transaction.atomic():
        reward = _load_reward(actor, reward_id)
        if reward.proposed_by_id == actor.pk:
            raise PermissionDenied("审批人不能是奖励提出人（须由另一人审批）")
        _reward_move(reward, R.PROPOSED, R.REJECTED, rejected_reason=reason)
        audit_record(
            event_type="REWARD_REJECTED",
            object_type="reward",
            object_id=reward.pk,
            actor=actor,
            region_code=reward.region_code,
            payload={"tip": reward.tip_id, "reason": reason},
        )
    return reward


def reward_pay(*, actor, reward_id, paid_on: date | None, reference: str) -> Reward:
    """Record payment of an approved reward (date and voucher reference)."""
    reference = (reference or "").strip()
    errors = {}
    if not reference:
        errors["reference"] = ["请填写发放凭证号"]
    if paid_on is None:
        errors["paid_on"] = ["请填写发放日期"]
    elif paid_on > timezone.localdate():
        errors["paid_on"] = ["发放日期不能晚于今天"]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    with transaction.atomic():
        reward = _load_reward(actor, reward_id)
        if paid_on < timezone.localdate(reward.approved_at or reward.proposed_at):
            raise ValidationFailed("发放日期不能早于审批日期", field="paid_on")
        _reward_move(
            reward, R.APPROVED, R.PAID, paid_on=paid_on, payment_reference=reference[:100], paid_by=actor
        )
        audit_record(
            event_type="REWARD_PAID",
            object_type="reward",
            object_id=reward.pk,
            actor=actor,
            region_code=reward.region_code,
            payload={
                "tip": reward.tip_id,
                "amount": str(reward.amount),
                "paid_on": paid_on,
                "reference": reference,
            },
        )
        _history(
            reward.tip,
            action="reward_paid",
            actor=actor,
            from_status=reward.tip.status,
            to_status=reward.tip.status,
            public="奖励已发放",
        )
    return reward


def reward_rule_set(
    *,
    actor,
    region: Region,
    general_amount,
    major_amount,
    min_amount,
    max_amount,
    requires_real_name: bool = True,
    exclude_target_staff: bool = True,
    note: str = "",
) -> RewardRule:
    """Create or change a locality's reward rule (audited)."""
    scope = user_scope(user=actor)
    if not (scope.covers_region(region.code) and scope.has_role(ROLE.TASKFORCE_ADMIN)):
        raise PermissionDenied("只有本级或上级专班管理员可以设置奖励规则")
    values = {}
    errors = {}
    for name, value in (
        ("general_amount", general_amount),
        ("major_amount", major_amount),
        ("min_amount", min_amount),
        ("max_amount", max_amount),
    ):
        try:
            values[name] = Decimal(str(value)).quantize(Decimal("0.01"))
            if values[name] < 0:
                errors[name] = ["金额不能为负数"]
        except (InvalidOperation, ValueError):
            errors[name] = ["须为数字"]
    if not errors and values["max_amount"] < values["min_amount"]:
        errors["max_amount"] = ["最高金额不能低于最低金额"]
    if not errors:
        for name in ("general_amount", "major_amount"):
            if not values["min_amount"] <= values[name] <= values["max_amount"]:
                errors[name] = ["建议金额须在最低与最高金额之间"]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    with transaction.atomic():
        rule, _ = RewardRule.objects.update_or_create(
            region=region,
            defaults={
                **values,
                "region_code": region.code,
                "requires_real_name": requires_real_name,
                "exclude_target_staff": exclude_target_staff,
                "note": note,
            },
        )
        audit_record(
            event_type="REWARD_RULE_SET",
            object_type="reward_rule",
            object_id=rule.pk,
            actor=actor,
            region_code=region.code,
            payload={k: str(v) for k, v in values.items()} | {"requires_real_name": requires_real_name},
        )
    return rule


# --- Open311 clients ---------------------------------------------------------------------------


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open311_client_create(*, actor, name: str, region: Region, channel: str = TipChannelChoices.OPEN311):
    """Register a forwarding system; returns (client, api_key) — the key is shown only now."""
    if not (name or "").strip():
        raise ValidationFailed("请填写接入方名称", field="name")
    if channel not in TipChannelChoices.values:
        raise ValidationFailed(f"未知渠道：{channel}", field="channel")
    prefix = secrets.token_hex(4)
    key = f"{prefix}.{secrets.token_urlsafe(24)}"
    with transaction.atomic():
        client = Open311Client.objects.create(
            name=name.strip()[:100],
            key_prefix=prefix,
            key_hash=_key_hash(key),
            region=region,
            channel=channel,
        )
        audit_record(
            event_type="OPEN311_CLIENT_CREATED",
            object_type="open311_client",
            object_id=client.pk,
            actor=actor,
            region_code=region.code,
            payload={"name": client.name, "prefix": prefix},
        )
    return client, key


def open311_authenticate(api_key: str) -> Open311Client | None:
    """The active client owning this key, or None (constant-time comparison)."""
    import hmac

    prefix = (api_key or "").split(".", 1)[0]
    if not prefix or "." not in (api_key or ""):
        return None
    client = Open311Client.objects.filter(key_prefix=prefix, is_active=True).select_related("region").first()
    if client is None or not hmac.compare_digest(client.key_hash, _key_hash(api_key)):
        return None
    Open311Client.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client
