"""Monitoring services: devices and credentials, spaces, rules, alarms and their handling chain.

Every state change runs in one transaction, is audited, and uses a conditional update so two
operators acting at once cannot both win (the loser gets Conflict → HTTP 409).
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from gasguard.accounts.choices import MembershipRoleChoices as ROLE
from gasguard.accounts.selectors import user_scope
from gasguard.audit.services import audit_record
from gasguard.core.errors import Conflict, PermissionDenied, ValidationFailed
from gasguard.monitoring import credentials
from gasguard.monitoring.choices import (
    CREW_ACTIONS,
    OPEN_STATUSES,
    TRANSITIONS,
    AlarmActionChoices,
    AlarmEventKindChoices,
    AlarmStatusChoices,
    DeviceStateChoices,
    DeviceTypeChoices,
    InstallTargetChoices,
    RuleKindChoices,
    SpaceKindChoices,
)
from gasguard.monitoring.models import Alarm, AlarmEvent, AlarmRule, Device, MonitoredSpace
from gasguard.monitoring.rules import default_rules, validate_condition

log = logging.getLogger(__name__)

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$")
MANAGE_ROLES = (ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR, ROLE.MONITOR_OPERATOR, ROLE.ENTERPRISE)
RULE_ROLES = (ROLE.TASKFORCE_ADMIN, ROLE.MONITOR_OPERATOR)
CENTRE_ROLES = (ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR, ROLE.MONITOR_OPERATOR)


# --- permissions ---------------------------------------------------------------------------


def _require(actor, roles, message="您没有此操作的权限"):
    scope = user_scope(user=actor)
    if not scope.has_role(*roles):
        raise PermissionDenied(message)
    return scope


def _may_manage(scope, *, region_code: str, enterprise_id: int | None) -> bool:
    if scope.is_global:
        return True
    if enterprise_id and enterprise_id in scope.enterprise_ids:
        return True
    return scope.covers_region(region_code) and scope.has_role(
        ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR, ROLE.MONITOR_OPERATOR
    )


# --- spaces --------------------------------------------------------------------------------


def space_create(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    region,
    lon=None,
    lat=None,
    address: str = "",
    facility=None,
    owner_name: str = "",
) -> MonitoredSpace:
    """Register an adjacent underground space to be watched."""
    scope = _require(actor, (ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR, ROLE.MONITOR_OPERATOR))
    errors = {}
    if not CODE_RE.match(code or ""):
        errors["code"] = ["编号须为3–64位字母、数字、下划线、点或连字符"]
    elif MonitoredSpace.objects.filter(code=code).exists():
        errors["code"] = [f"编号 {code} 已存在"]
    if not (name or "").strip():
        errors["name"] = ["名称不能为空"]
    if kind not in SpaceKindChoices.values:
        errors["kind"] = [f"未知空间类型：{kind}"]
    if region is None or not scope.covers_region(region.code):
        errors["region"] = ["所在区划不在您的数据范围内"]
    from gasguard.registry.models import location_error

    for f, msg in location_error(lon, lat).items():
        errors[f] = [msg]
    if errors:
        raise ValidationFailed("相邻地下空间信息有误", errors=errors)
    with transaction.atomic():
        space = MonitoredSpace.objects.create(
            code=code,
            name=name.strip(),
            kind=kind,
            region=region,
            region_code=region.code,
            lon=lon,
            lat=lat,
            address=address,
            facility=facility,
            owner_name=owner_name,
        )
        audit_record(
            event_type="MONITORED_SPACE_CREATED",
            object_type="monitored_space",
            object_id=space.pk,
            actor=actor,
            region_code=space.region_code,
            payload={"code": code, "kind": kind},
        )
    return space


# --- devices -------------------------------------------------------------------------------


def _device_errors(
    *,
    device_type,
    enterprise,
    region,
    install_target,
    facility,
    space,
    premises,
    lon,
    lat,
    installed_on,
    service_life_end,
) -> dict:
    from gasguard.registry.models import location_error

    errors: dict[str, list[str]] = {}
    if device_type not in DeviceTypeChoices.values:
        errors["device_type"] = [f"未知设备类型：{device_type}"]
    if enterprise is None:
        errors["enterprise"] = ["须指定权属燃气企业"]
    if region is None:
        errors["region"] = ["须指定所在区划"]
    target = {"facility": facility, "space": space, "premises": premises}
    if install_target not in InstallTargetChoices.values:
        errors["install_target"] = [f"未知安装对象类型：{install_target}"]
    elif target[install_target] is None:
        errors[install_target] = [f"安装对象为“{InstallTargetChoices(install_target).label}”时须选择具体对象"]
    for f, msg in location_error(lon, lat).items():
        errors[f] = [msg]
    if installed_on and service_life_end and service_life_end < installed_on:
        errors["service_life_end"] = ["使用年限到期日不能早于安装日期"]
    return errors


def device_create(
    *,
    actor,
    code: str,
    name: str,
    device_type: str,
    enterprise,
    region,
    install_target: str,
    facility=None,
    space=None,
    premises=None,
    lon=None,
    lat=None,
    installed_on=None,
    service_life_end=None,
) -> tuple[Device, str]:
    """Register a device; returns (device, secret). The secret is shown once and stored hashed."""
    scope = _require(actor, MANAGE_ROLES)
    errors = _device_errors(
        device_type=device_type,
        enterprise=enterprise,
        region=region,
        install_target=install_target,
        facility=facility,
        space=space,
        premises=premises,
        lon=lon,
        lat=lat,
        installed_on=installed_on,
        service_life_end=service_life_end,
    )
    if not CODE_RE.match(code or ""):
        errors["code"] = ["设备编号须为3–64位字母、数字、下划线、点或连字符"]
    elif Device.objects.filter(code=code).exists():
        errors["code"] = [f"设备编号 {code} 已存在"]
    if not (name or "").strip():
        errors["name"] = ["名称不能为空"]
    if errors:
        raise ValidationFailed("设备信息有误", errors=errors)
    if not _may_manage(scope, region_code=region.code, enterprise_id=enterprise.pk):
        raise PermissionDenied("该区划或企业不在您的数据范围内")
    if lon is None and lat is None:
        target = facility or space or premises
        lon, lat = getattr(target, "lon", None), getattr(target, "lat", None)
    secret = credentials.new_secret()
    with transaction.atomic():
        device = Device.objects.create(
            code=code,
            name=name.strip(),
            device_type=device_type,
            enterprise=enterprise,
            region=region,
            region_code=region.code,
            install_target=install_target,
            facility=facility if install_target == "facility" else None,
            space=space if install_target == "space" else None,
            premises=premises if install_target == "premises" else None,
            lon=lon,
            lat=lat,
            installed_on=installed_on,
            service_life_end=service_life_end,
            credential_hash=credentials.hash_secret(code, secret),
            credential_rotated_at=timezone.now(),
        )
        audit_record(
            event_type="DEVICE_CREATED",
            object_type="device",
            object_id=device.pk,
            actor=actor,
            region_code=device.region_code,
            payload={"code": code, "type": device_type, "enterprise": enterprise.pk},
        )
    return device, secret


EDITABLE = ("name", "lon", "lat", "installed_on", "service_life_end", "is_active")


def device_update(*, actor, device: Device, **changes) -> Device:
    """Edit a device's descriptive fields (not its code, owner or credential)."""
    scope = _require(actor, MANAGE_ROLES)
    if not _may_manage(scope, region_code=device.region_code, enterprise_id=device.enterprise_id):
        raise PermissionDenied("该设备不在您的管理范围内")
    if unknown := set(changes) - set(EDITABLE):
        raise ValidationFailed(f"不可修改的字段：{', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    from gasguard.registry.models import location_error

    new = {f: changes.get(f, getattr(device, f)) for f in EDITABLE}
    errors = {f: [m] for f, m in location_error(new["lon"], new["lat"]).items()}
    if not (new["name"] or "").strip():
        errors["name"] = ["名称不能为空"]
    if new["installed_on"] and new["service_life_end"] and new["service_life_end"] < new["installed_on"]:
        errors["service_life_end"] = ["使用年限到期日不能早于安装日期"]
    if errors:
        raise ValidationFailed("设备信息有误", errors=errors)
    with transaction.atomic():
        for f, v in changes.items():
            setattr(device, f, v)
        device.save(update_fields=[*changes, "updated_at"])
        audit_record(
            event_type="DEVICE_UPDATED",
            object_type="device",
            object_id=device.pk,
            actor=actor,
            region_code=device.region_code,
            payload={k: str(v) for k, v in changes.items()},
        )
    return device


def device_rotate_credential(*, actor, device: Device) -> str:
    """Issue a new secret (the old one stops working at once); returns it, shown once."""
    scope = _require(actor, MANAGE_ROLES)
    if not _may_manage(scope, region_code=device.region_code, enterprise_id=device.enterprise_id):
        raise PermissionDenied("该设备不在您的管理范围内")
    secret = credentials.new_secret()
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(
            credential_hash=credentials.hash_secret(device.code, secret), credential_rotated_at=timezone.now()
        )
        audit_record(
            event_type="DEVICE_CREDENTIAL_ROTATED",
            object_type="device",
            object_id=device.pk,
            actor=actor,
            region_code=device.region_code,
            payload={"code": device.code},
        )
    device.refresh_from_db()
    return secret


# --- rules ---------------------------------------------------------------------------------


def ensure_default_rules() -> int:
    """Create the built-in type-level rules that do not exist yet (idempotent). Returns created."""
    created = 0
    for spec in default_rules():
        _, was_created = AlarmRule.objects.get_or_create(
            code=spec["code"],
            device_type=spec["device_type"],
            device=None,
            defaults={k: v for k, v in spec.items() if k not in ("code", "device_type")},
        )
        created += was_created
    return created


def _rule_errors(*, code, name, kind, condition, offline_minutes, level, device_type) -> dict:
    errors: dict[str, list[str]] = {}
    if not re.match(r"^[a-z0-9_-]{2,64}$", code or ""):
        errors["code"] = ["规则代码须为2–64位小写字母、数字、下划线或连字符"]
    if not (name or "").strip():
        errors["name"] = ["名称不能为空"]
    if device_type and device_type not in DeviceTypeChoices.values:
        errors["device_type"] = [f"未知设备类型：{device_type}"]
    if level not in (1, 2, 3, 4):
        errors["level"] = ["报警等级须为 1–4"]
    if kind == RuleKindChoices.OFFLINE:
        if not isinstance(offline_minutes, int) or offline_minutes < 1:
            errors["offline_minutes"] = ["离线规则须填写离线判定分钟数（≥1）"]
    elif kind == RuleKindChoices.CONDITION:
        try:
            validate_condition(condition)
        except ValidationFailed as exc:
            errors["condition"] = [exc.message]
    else:
        errors["kind"] = [f"未知规则类型：{kind}"]
    return errors


def rule_create(
    *,
    actor,
    code: str,
    name: str,
    kind: str = "condition",
    condition=None,
    offline_minutes=None,
    level: int = 2,
    device_type: str = "",
    device: Device | None = None,
    peak_mode: str = "max",
    note: str = "",
) -> AlarmRule:
    """Add a type-level rule, or (with `device`) a per-device override of the rule with that code."""
    _require(actor, RULE_ROLES, "只有专班管理员或监测中心值班员可以维护报警规则")
    condition = condition or {}
    errors = _rule_errors(
        code=code,
        name=name,
        kind=kind,
        condition=condition,
        offline_minutes=offline_minutes,
        level=level,
        device_type=device_type,
    )
    if peak_mode not in ("max", "min"):
        errors["peak_mode"] = ["峰值取法须为 max 或 min"]
    if device is not None:
        device_type = device.device_type
        if AlarmRule.objects.filter(code=code, device=device).exists():
            errors["code"] = [f"设备 {device.code} 已有规则 {code} 的覆盖"]
    elif AlarmRule.objects.filter(code=code, device_type=device_type, device=None).exists():
        errors["code"] = [f"规则代码 {code} 已存在"]
    if errors:
        raise ValidationFailed("报警规则有误", errors=errors)
    with transaction.atomic():
        rule = AlarmRule.objects.create(
            code=code,
            name=name.strip(),
            kind=kind,
            condition=condition,
            offline_minutes=offline_minutes,
            level=level,
            device_type=device_type,
            device=device,
            peak_mode=peak_mode,
            note=note,
        )
        audit_record(
            event_type="ALARM_RULE_CREATED",
            object_type="alarm_rule",
            object_id=rule.pk,
            actor=actor,
            region_code=device.region_code if device else "",
            payload={"code": code, "device": device.code if device else "", "condition": condition},
        )
    return rule


def rule_update(*, actor, rule: AlarmRule, **changes) -> AlarmRule:
    """Change a rule's name, condition, thresholds, level or active flag."""
    _require(actor, RULE_ROLES, "只有专班管理员或监测中心值班员可以维护报警规则")
    allowed = {"name", "condition", "offline_minutes", "level", "is_active", "note", "peak_mode"}
    if unknown := set(changes) - allowed:
        raise ValidationFailed(f"不可修改的字段：{', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    merged = {f: changes.get(f, getattr(rule, f)) for f in ("name", "condition", "offline_minutes", "level")}
    errors = _rule_errors(code=rule.code, kind=rule.kind, device_type=rule.device_type, **merged)
    if errors:
        raise ValidationFailed("报警规则有误", errors=errors)
    with transaction.atomic():
        for f, v in changes.items():
            setattr(rule, f, v)
        rule.save()
        audit_record(
            event_type="ALARM_RULE_UPDATED",
            object_type="alarm_rule",
            object_id=rule.pk,
            actor=actor,
            payload={k: v for k, v in changes.items()},
        )
    return rule


def effective_rules(rules: list[AlarmRule], *, device_id: int, device_type: str) -> list[AlarmRule]:
    """The rules that apply to one device: type rules, each replaced by a device override of its code."""
    by_code: dict[str, AlarmRule] = {}
    for r in rules:
        if r.device_id is None and r.device_type in ("", device_type):
            if r.code not in by_code or (r.device_type and not by_code[r.code].device_type):
                by_code[r.code] = r
    for r in rules:
        if r.device_id == device_id:
            by_code[r.code] = r
    return [r for r in by_code.values() if r.is_active]


# --- recipients ----------------------------------------------------------------------------


def _members(*, roles, region_code: str, kinds=None, task_force=False):
    from gasguard.accounts.models import Membership

    prefixes = [region_code[:n] for n in (2, 4, 6, 9, 12, 15) if len(region_code) >= n]
    qs = Membership.objects.filter(is_active=True, user__is_active=True, role__in=roles)
    if task_force:
        qs = qs.filter(task_force__region_code__in=prefixes)
    else:
        qs = qs.filter(department__region_code__in=prefixes)
        if kinds:
            qs = qs.filter(department__kind__in=kinds)
    return [m.user for m in qs.select_related("user")]


def _enterprise_users(enterprise_id):
    from gasguard.accounts.models import Membership

    return [
        m.user
        for m in Membership.objects.filter(
            enterprise_id=enterprise_id, is_active=True, user__is_active=True
        ).select_related("user")
    ]


def _notify(recipients, *, alarm: Alarm, kind: str, subject: str, body: str = "") -> None:
    from gasguard.notifications.services import notify

    notify(
        recipients=recipients, kind=kind, subject=subject, body=body, link=f"/monitoring/alarms/{alarm.pk}/"
    )


# --- alarms --------------------------------------------------------------------------------


def alarm_raise(
    *,
    device: Device,
    rule: AlarmRule,
    metric: str,
    value: float | None,
    at,
    message: str,
    count: int = 1,
    peak: float | None = None,
) -> Alarm:
    """Raise an alarm, or fold it into the open alarm of this device and rule (count, peak, last).

    `count`/`peak` let a caller fold several hits of one batch in one statement.
    """
    better = Least if rule.peak_mode == "min" else Greatest
    peak = value if peak is None else peak
    with transaction.atomic():
        open_qs = Alarm.objects.filter(device_id=device.pk, rule_id=rule.pk, status__in=OPEN_STATUSES)
        fold = {
            "count": F("count") + count,
            "last_value": value,
            "last_seen_at": Greatest(F("last_seen_at"), at),
        }
        if peak is not None:
            fold["peak_value"] = better(F("peak_value"), peak)
        if open_qs.update(**fold):
            return open_qs.get()
        try:
            with transaction.atomic():
                alarm = Alarm.objects.create(
                    device_id=device.pk,
                    rule=rule,
                    enterprise_id=device.enterprise_id,
                    region_code=device.region_code,
                    level=rule.level,
                    message=message[:300],
                    metric=metric,
                    first_value=value,
                    peak_value=peak,
                    last_value=value,
                    count=count,
                    raised_at=at,
                    last_seen_at=at,
                )
        except IntegrityError:  # another worker raised it a moment ago: fold into that one
            open_qs.update(**fold)
            return open_qs.get()
        AlarmEvent.objects.create(
            alarm=alarm, kind=AlarmEventKindChoices.RAISED, to_status=alarm.status, at=at, note=message[:500]
        )
        Device.objects.filter(pk=device.pk).exclude(state=DeviceStateChoices.ALARM).update(
            state=DeviceStateChoices.ALARM
        )
        audit_record(
            event_type="ALARM_RAISED",
            object_type="alarm",
            object_id=alarm.pk,
            region_code=alarm.region_code,
            payload={"device": device.code, "rule": rule.code, "value": value, "level": rule.level},
        )
        _notify(
            _members(roles=(ROLE.MONITOR_OPERATOR,), region_code=alarm.region_code)
            + _members(roles=(ROLE.MONITOR_OPERATOR,), region_code=alarm.region_code, task_force=True),
            alarm=alarm,
            kind="monitoring_alarm",
            subject=f"【{alarm.get_level_display()}】{device.name}：{message}"[:200],
        )
    return alarm


def alarm_may_act(*, actor, alarm: Alarm, action: str) -> bool:
    """Whether the actor may take this action on the alarm: the centre (monitor operators,
    supervisors, task force) of its region, or the owning enterprise's crew for crew actions."""
    scope = user_scope(user=actor)
    crew = action in CREW_ACTIONS and alarm.enterprise_id in scope.enterprise_ids
    return crew or (
        scope.has_role(*CENTRE_ROLES) and (scope.is_global or scope.covers_region(alarm.region_code))
    )


def alarm_act(*, actor, alarm: Alarm, action: str, reason: str = "", note: str = "") -> Alarm:
    """Move an alarm one step along its handling chain (conditional update: one winner, others 409)."""
    if action not in TRANSITIONS:
        raise ValidationFailed(f"未知操作：{action}", field="action")
    if not alarm_may_act(actor=actor, alarm=alarm, action=action):
        raise PermissionDenied("您没有处置该报警的权限")
    allowed_from, to_status = TRANSITIONS[action]
    if alarm.status not in allowed_from:
        raise Conflict(
            f"报警当前为“{alarm.get_status_display()}”，不能执行“{AlarmActionChoices(action).label}”"
        )
    reason = (reason or "").strip()
    if action in (AlarmActionChoices.JUDGE_REAL, AlarmActionChoices.JUDGE_FALSE) and not reason:
        raise ValidationFailed("研判须填写依据/原因", field="reason")
    now = timezone.now()
    stamp = {
        "acknowledge": ("acked_at", "acked_by"),
        "judge_real": ("judged_at", "judged_by"),
        "judge_false": ("judged_at", "judged_by"),
        "dispatch": ("dispatched_at", "dispatched_by"),
        "arrive": ("arrived_at", "arrived_by"),
        "dispose": ("disposed_at", "disposed_by"),
        "close": ("closed_at", "closed_by"),
    }[action]
    updates = {"status": to_status, stamp[0]: now, stamp[1]: actor, "updated_at": now}
    if action in (AlarmActionChoices.JUDGE_REAL, AlarmActionChoices.JUDGE_FALSE):
        updates["judgement"] = "real" if action == AlarmActionChoices.JUDGE_REAL else "false"
        updates["judgement_reason"] = reason[:500]
    if action == AlarmActionChoices.JUDGE_FALSE:
        updates.update(closed_at=now, closed_by=actor)
    with transaction.atomic():
        won = Alarm.objects.filter(pk=alarm.pk, status=alarm.status).update(**updates)
        if not won:
            raise Conflict("该报警已被他人处理，请刷新后重试")
        AlarmEvent.objects.create(
            alarm=alarm,
            kind=AlarmEventKindChoices.ACTION,
            action=action,
            from_status=alarm.status,
            to_status=to_status,
            actor=actor,
            at=now,
            note=(reason or note)[:500],
        )
        audit_record(
            event_type=f"ALARM_{_PAST[action]}",
            object_type="alarm",
            object_id=alarm.pk,
            actor=actor,
            region_code=alarm.region_code,
            payload={"from": alarm.status, "to": to_status, "reason": reason, "note": note},
        )
        alarm.refresh_from_db()
        if action == AlarmActionChoices.JUDGE_REAL:
            _register_hazard(actor=actor, alarm=alarm)
        elif action == AlarmActionChoices.DISPATCH:
            _dispatch_notify(alarm=alarm, note=note)
        if to_status == AlarmStatusChoices.CLOSED:
            _refresh_device_state(alarm.device_id)
    return alarm


_PAST = {
    "acknowledge": "ACKNOWLEDGED",
    "judge_real": "JUDGED",
    "judge_false": "JUDGED",
    "dispatch": "DISPATCHED",
    "arrive": "ARRIVED",
    "dispose": "DISPOSED",
    "close": "CLOSED",
}


def _refresh_device_state(device_id: int) -> None:
    if not Alarm.objects.filter(device_id=device_id, status__in=OPEN_STATUSES).exists():
        Device.objects.filter(pk=device_id, state=DeviceStateChoices.ALARM).update(
            state=DeviceStateChoices.NORMAL
        )


def _dispatch_notify(*, alarm: Alarm, note: str) -> None:
    """Push the alarm to the owning gas company's crew and the departments concerned."""
    kinds = ["housing"]
    if alarm.metric == "methane":
        kinds += ["emergency", "fire"]
    recipients = _enterprise_users(alarm.enterprise_id) + _members(
        roles=(ROLE.SUPERVISOR, ROLE.INSPECTOR), region_code=alarm.region_code, kinds=kinds
    )
    _notify(
        recipients,
        alarm=alarm,
        kind="monitoring_dispatch",
        subject=f"【派单】{alarm.device.name}：{alarm.message}"[:200],
        body=f"请立即赶赴现场处置。{note}".strip(),
    )


def _register_hazard(*, actor, alarm: Alarm) -> None:
    """A confirmed leak in an adjacent underground space goes on the hazard ledger as 重大隐患."""
    device = Device.objects.select_related("space__facility", "facility", "premises", "enterprise").get(
        pk=alarm.device_id
    )
    if device.install_target != InstallTargetChoices.SPACE or alarm.metric != "methane":
        return
    from gasguard.hazards.services import hazard_register

    target = (device.space.facility if device.space and device.space.facility else None) or device.enterprise
    hazard = hazard_register(
        actor=actor,
        target=target,
        source="monitoring",
        source_ref=f"alarm:{alarm.pk}",
        title=f"相邻地下空间燃气泄漏：{device.space.name}"[:200],
        description=(
            f"监测报警#{alarm.pk}经研判属实：{alarm.message}；峰值 {alarm.peak_value} %LEL；"
            f"研判依据：{alarm.judgement_reason}"
        ),
        severity="major",
        category="pipeline",
        lead_department_kind="housing",
        found_at=alarm.raised_at,
        extra={"alarm": alarm.pk, "device": device.code},
    )
    Alarm.objects.filter(pk=alarm.pk).update(hazard=hazard)
    alarm.hazard = hazard


def alarms_escalate(*, now=None) -> int:
    """Escalate unacknowledged alarms: after the SLA to the district supervisors, then to the task force."""
    now = now or timezone.now()
    sla = timedelta(minutes=settings.GASGUARD_MONITORING_ACK_SLA_MINUTES)
    tf = timedelta(minutes=settings.GASGUARD_MONITORING_ESCALATE_TASKFORCE_MINUTES)
    done = 0
    steps = ((0, now - sla, "区住建部门监管负责人"), (1, now - tf, "专班"))
    for level, cutoff, who in steps:
        for alarm in Alarm.objects.filter(
            status=AlarmStatusChoices.RAISED, escalation_level=level, raised_at__lte=cutoff
        ).select_related("device")[:500]:
            with transaction.atomic():
                if not Alarm.objects.filter(
                    pk=alarm.pk, status=AlarmStatusChoices.RAISED, escalation_level=level
                ).update(escalation_level=level + 1, escalated_at=now):
                    continue
                minutes = int((now - alarm.raised_at).total_seconds() // 60)
                AlarmEvent.objects.create(
                    alarm=alarm,
                    kind=AlarmEventKindChoices.ESCALATED,
                    at=now,
                    note=f"{minutes}分钟未确认，升级至{who}",
                )
                audit_record(
                    event_type="ALARM_ESCALATED",
                    object_type="alarm",
                    object_id=alarm.pk,
                    region_code=alarm.region_code,
                    payload={"level": level + 1, "minutes": minutes},
                )
                if level == 0:
                    recipients = _members(
                        roles=(ROLE.SUPERVISOR,), region_code=alarm.region_code, kinds=["housing"]
                    )
                else:
                    recipients = _members(
                        roles=(ROLE.TASKFORCE_ADMIN,), region_code=alarm.region_code, task_force=True
                    )
                _notify(
                    recipients,
                    alarm=alarm,
                    kind="monitoring_escalation",
                    subject=f"【超时未确认】{alarm.device.name}：{alarm.message}"[:200],
                    body=f"报警已{minutes}分钟无人确认，请督促监测中心处置。",
                )
                done += 1
    return done


def devices_check_offline(*, now=None) -> int:
    """Raise offline alarms for devices silent longer than their offline rule allows."""
    now = now or timezone.now()
    rules = list(AlarmRule.objects.filter(kind=RuleKindChoices.OFFLINE))
    if not rules:
        return 0
    raised = 0
    shortest = (
        min(r.offline_minutes or 1 for r in rules if r.is_active) if any(r.is_active for r in rules) else None
    )
    if shortest is None:
        return 0
    candidates = Device.objects.filter(is_active=True, last_seen_at__lt=now - timedelta(minutes=shortest))
    for device in candidates.iterator(chunk_size=500):
        for rule in effective_rules(rules, device_id=device.pk, device_type=device.device_type):
            if rule.kind != RuleKindChoices.OFFLINE:
                continue
            if device.last_seen_at >= now - timedelta(minutes=rule.offline_minutes):
                continue
            minutes = int((now - device.last_seen_at).total_seconds() // 60)
            alarm_raise(
                device=device,
                rule=rule,
                metric="",
                value=None,
                at=now,
                message=f"设备离线：{minutes}分钟无数据（规则：{rule.offline_minutes}分钟）",
            )
            raised += 1
        Device.objects.filter(pk=device.pk).exclude(state=DeviceStateChoices.ALARM).update(
            state=DeviceStateChoices.OFFLINE
        )
    return raised
