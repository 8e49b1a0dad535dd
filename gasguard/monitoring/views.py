"""Monitoring centre pages: live map + alarms, devices with charts, alarm timeline, statistics."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gasguard.accounts.selectors import user_scope
from gasguard.core.errors import DomainError, NotFound, ValidationFailed
from gasguard.monitoring import selectors, services
from gasguard.monitoring.api.filters import alarm_filters, dead_letter_reason
from gasguard.monitoring.choices import (
    TRANSITIONS,
    AlarmActionChoices,
    AlarmLevelChoices,
    AlarmStatusChoices,
    DeadLetterReasonChoices,
    DeviceStateChoices,
    DeviceTypeChoices,
    InstallTargetChoices,
)
from gasguard.monitoring.metrics import METRICS, TYPE_METRICS
from gasguard.monitoring.models import Alarm, DeadLetter


def _page(request, qs, size=50):
    return Paginator(qs, size).get_page(request.GET.get("page"))


@login_required
def centre_view(request):
    counts = selectors.state_counts(user=request.user)
    states = [
        {"value": v, "label": label, "count": counts.get(v, 0)} for v, label in DeviceStateChoices.choices
    ]
    return render(
        request,
        "monitoring/centre.html",
        {
            "page_title": "监测中心",
            "states": states,
            "map_config": {
                "tile_url": settings.GASGUARD_MAP_TILE_URL,
                "attribution": settings.GASGUARD_MAP_TILE_ATTRIBUTION,
            },
        },
    )


@login_required
def device_list_view(request):
    qs = selectors.device_list(user=request.user, filters=request.GET)
    return render(
        request,
        "monitoring/device_list.html",
        {
            "page_title": "监测设备",
            "page_obj": _page(request, qs),
            "show_count": True,
            "types": DeviceTypeChoices.choices,
            "states": DeviceStateChoices.choices,
            "q": request.GET,
            "can_create": user_scope(user=request.user).has_role(*services.MANAGE_ROLES),
        },
    )


@login_required
def device_create_view(request):
    from gasguard.monitoring.models import MonitoredSpace
    from gasguard.org.models import Region
    from gasguard.registry.models import Enterprise, Facility, Premises

    scope = user_scope(user=request.user)
    if not scope.has_role(*services.MANAGE_ROLES):
        raise Http404
    ctx = {
        "page_title": "登记监测设备",
        "types": DeviceTypeChoices.choices,
        "targets": InstallTargetChoices.choices,
        "form": request.POST,
    }
    if request.method == "POST":
        p = request.POST

        def get(model, key):
            value = p.get(key)
            return model.objects.filter(pk=value).first() if value and value.isdigit() else None

        def num(key):
            try:
                return float(p[key]) if p.get(key) else None
            except ValueError:
                return None

        try:
            device, secret = services.device_create(
                actor=request.user,
                code=p.get("code", "").strip(),
                name=p.get("name", ""),
                device_type=p.get("device_type", ""),
                enterprise=get(Enterprise, "enterprise"),
                region=Region.objects.filter(code=p.get("region", "").strip()).first(),
                install_target=p.get("install_target", ""),
                facility=get(Facility, "facility"),
                space=get(MonitoredSpace, "space"),
                premises=get(Premises, "premises"),
                lon=num("lon"),
                lat=num("lat"),
                installed_on=p.get("installed_on") or None,
                service_life_end=p.get("service_life_end") or None,
            )
        except DomainError as exc:
            ctx["errors"] = exc.errors or {"__all__": [exc.message]}
            ctx["error"] = exc.message
        else:
            return render(
                request,
                "monitoring/device_secret.html",
                {"page_title": "设备密钥", "device": device, "secret": secret},
            )
    return render(request, "monitoring/device_form.html", ctx)


@login_required
def device_detail_view(request, pk):
    try:
        device = selectors.device_get(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    metrics = [
        {"key": k, "label": METRICS[k].label, "unit": METRICS[k].unit}
        for k in TYPE_METRICS.get(device.device_type, ())
        if k in METRICS
    ]
    alarms = selectors.alarm_list(user=request.user, filters={"device": device.pk})[:20]
    return render(
        request,
        "monitoring/device_detail.html",
        {
            "page_title": f"设备 {device.code}",
            "device": device,
            "metrics": metrics,
            "alarms": alarms,
            "can_manage": user_scope(user=request.user).has_role(*services.MANAGE_ROLES),
        },
    )


@login_required
@require_POST
def device_rotate_view(request, pk):
    try:
        device = selectors.device_get(user=request.user, pk=pk)
        secret = services.device_rotate_credential(actor=request.user, device=device)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("monitoring:device_detail", pk=pk)
    return render(
        request,
        "monitoring/device_secret.html",
        {"page_title": "设备密钥", "device": device, "secret": secret, "rotated": True},
    )


@login_required
def alarm_list_view(request):
    errors: dict[str, list[str]] = {}
    filters = alarm_filters(request.GET, errors=errors)
    qs = Alarm.objects.none() if errors else selectors.alarm_list(user=request.user, filters=filters)
    return render(
        request,
        "monitoring/alarm_list.html",
        {
            "page_title": "报警",
            "page_obj": _page(request, qs),
            "show_count": True,
            "statuses": AlarmStatusChoices.choices,
            "levels": AlarmLevelChoices.choices,
            "q": request.GET,
            "filter_errors": errors,
        },
    )


BUTTONS = {
    "acknowledge": "btn-warning",
    "judge_real": "btn-danger",
    "judge_false": "btn-outline-secondary",
    "dispatch": "btn-primary",
    "arrive": "btn-info",
    "dispose": "btn-success",
    "close": "btn-dark",
}


@login_required
def alarm_detail_view(request, pk):
    try:
        alarm = selectors.alarm_get(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    actions = [
        {
            "value": a,
            "label": AlarmActionChoices(a).label,
            "css": BUTTONS[a],
            "needs_reason": a in ("judge_real", "judge_false"),
        }
        for a, (allowed, _) in TRANSITIONS.items()
        if alarm.status in allowed and services.alarm_may_act(actor=request.user, alarm=alarm, action=a)
    ]
    return render(
        request,
        "monitoring/alarm_detail.html",
        {
            "page_title": f"报警 #{alarm.pk}",
            "alarm": alarm,
            "actions": actions,
            "events": alarm.events.select_related("actor"),
        },
    )


@login_required
@require_POST
def alarm_action_view(request, pk, action):
    try:
        alarm = selectors.alarm_get(user=request.user, pk=pk)
        services.alarm_act(
            actor=request.user,
            alarm=alarm,
            action=action,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{AlarmActionChoices(action).label}")
    return redirect("monitoring:alarm_detail", pk=pk)


@login_required
def stats_view(request):
    try:
        days = max(1, min(366, int(request.GET.get("days", 30))))
    except ValueError:
        days = 30
    return render(
        request,
        "monitoring/stats.html",
        {
            "page_title": "响应时效统计",
            "days": days,
            "units": selectors.response_stats(user=request.user, days=days),
        },
    )


@login_required
def dead_letter_list_view(request):
    errors: dict[str, list[str]] = {}
    reason = dead_letter_reason(request.GET.get("reason"), errors=errors)
    qs = DeadLetter.objects.none() if errors else selectors.dead_letter_list(user=request.user)
    if reason:
        qs = qs.filter(reason=reason)
    return render(
        request,
        "monitoring/dead_letters.html",
        {
            "page_title": "死信（被拒报文）",
            "page_obj": _page(request, qs),
            "show_count": True,
            "reason": reason,
            "reasons": DeadLetterReasonChoices.choices,
            "filter_errors": errors,
        },
    )


@login_required
def rule_list_view(request):
    return render(
        request,
        "monitoring/rules.html",
        {
            "page_title": "报警规则",
            "rules": selectors.rule_list(user=request.user),
            "types": DeviceTypeChoices.choices,
            "can_edit": user_scope(user=request.user).has_role(*services.RULE_ROLES),
        },
    )


@login_required
@require_POST
def rule_create_view(request):
    """Create a type rule or a per-device override from the rules page (condition as JSON)."""
    import json as _json

    p = request.POST
    try:
        try:
            condition = _json.loads(p.get("condition") or "{}")
        except ValueError as exc:
            raise ValidationFailed(f"条件不是合法 JSON：{exc}", field="condition") from exc
        device = None
        if p.get("device_code"):
            device = selectors.device_list(user=request.user).filter(code=p["device_code"].strip()).first()
            if device is None:
                raise ValidationFailed(f"设备 {p['device_code']} 不存在或不在您的范围内", field="device_code")
        offline = p.get("offline_minutes")
        services.rule_create(
            actor=request.user,
            code=p.get("code", "").strip(),
            name=p.get("name", ""),
            kind=p.get("kind", "condition"),
            condition=condition,
            offline_minutes=int(offline) if offline and offline.isdigit() else None,
            level=int(p["level"]) if p.get("level", "").isdigit() else 2,
            device_type=p.get("device_type", ""),
            device=device,
            peak_mode=p.get("peak_mode", "max"),
            note=p.get("note", ""),
        )
    except DomainError as exc:
        detail = (
            "；".join(f"{f}：{' '.join(m)}" for f, m in exc.errors.items()) if exc.errors else exc.message
        )
        messages.error(request, f"{exc.message}（{detail}）" if exc.errors else exc.message)
    else:
        messages.success(request, "规则已保存")
    return redirect("monitoring:rules")


@login_required
@require_POST
def rule_toggle_view(request, pk):
    rule = selectors.rule_list(user=request.user).filter(pk=pk).first()
    if rule is None:
        raise Http404
    try:
        services.rule_update(actor=request.user, rule=rule, is_active=not rule.is_active)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("monitoring:rules")


@login_required
def space_list_view(request):
    from gasguard.monitoring.choices import SpaceKindChoices

    ctx = {
        "page_title": "相邻地下空间",
        "kinds": SpaceKindChoices.choices,
        "form": request.POST,
        "can_create": user_scope(user=request.user).has_role(*services.CENTRE_ROLES),
    }
    if request.method == "POST":
        from gasguard.org.models import Region
        from gasguard.registry.models import Facility

        p = request.POST

        def num(key):
            try:
                return float(p[key]) if p.get(key) else None
            except ValueError:
                return None

        try:
            space = services.space_create(
                actor=request.user,
                code=p.get("code", "").strip(),
                name=p.get("name", ""),
                kind=p.get("kind", ""),
                region=Region.objects.filter(code=p.get("region", "").strip()).first(),
                lon=num("lon"),
                lat=num("lat"),
                address=p.get("address", ""),
                facility=Facility.objects.filter(pk=p["facility"]).first()
                if p.get("facility", "").isdigit()
                else None,
                owner_name=p.get("owner_name", ""),
            )
        except DomainError as exc:
            ctx["errors"] = exc.errors or {"__all__": [exc.message]}
            ctx["error"] = exc.message
        else:
            messages.success(request, f"已登记 {space}")
            return redirect("monitoring:space_list")
    ctx["page_obj"] = _page(request, selectors.space_list(user=request.user).order_by("region_code", "code"))
    ctx["show_count"] = True
    return render(request, "monitoring/space_list.html", ctx)
