"""Demo city: city-lifeline monitoring.

Reads ctx.data: "facilities" [Facility] (pipeline segments, regulators), "districts",
"enterprises_by_role" {"pipeline_gas": [...]}, "premises_ids", "users" {"monitor", "admin"}.
Falls back to the database when a key is missing. Adds ctx.data["monitoring_device_ids"] and
ctx.data["monitoring_alarm_ids"].

Builds: adjacent underground spaces along each pipeline segment, ~300 devices (methane
detectors in the spaces, pressure gauges on segments and regulators, flow meters, premises
detectors with shut-off valves), a week of readings (30-minute samples, 5-minute samples for the
last 6 hours; hourly aggregates folded in by the same write path), and alarms in every state
of the handling chain. Device codes start with DEMO- so `gasguard simulate sensors` may drive
them (it issues them fresh credentials). Randomness comes only from ctx.rng.
"""

from __future__ import annotations

import math
from datetime import UTC, timedelta

from django.db import transaction
from django.utils import timezone

from gasguard.monitoring import storage
from gasguard.monitoring.choices import SpaceKindChoices
from gasguard.monitoring.credentials import hash_secret
from gasguard.monitoring.metrics import TYPE_METRICS
from gasguard.monitoring.models import Alarm, AlarmEvent, Device, MonitoredSpace
from gasguard.monitoring.services import alarm_act, alarm_raise, ensure_default_rules
from gasguard.monitoring.simulator import pressure_at


def _facilities(ctx):
    from gasguard.registry.models import Facility

    facilities = ctx.data.get("facilities")
    if not facilities:
        facilities = list(Facility.objects.select_related("region", "enterprise").order_by("id")[:200])
    return [f for f in facilities if f.kind in ("pipeline_segment", "regulator", "station", "valve_well")]


def _point(facility, t: float):
    geo = facility.geometry or {}
    coords = geo.get("coordinates") or []
    if geo.get("type") == "LineString" and len(coords) >= 2:
        (x0, y0), (x1, y1) = coords[0], coords[-1]
        return round(x0 + (x1 - x0) * t, 6), round(y0 + (y1 - y0) * t + 0.0008, 6)
    if geo.get("type") == "Point" and coords:
        return round(coords[0], 6), round(coords[1], 6)
    return None, None


def _user(ctx, *names):
    from gasguard.accounts.models import User

    users = ctx.data.get("users") or {}
    for name in names:
        if name in users:
            return users[name]
    return User.objects.filter(username__in=names).first() or User.objects.filter(is_superuser=True).first()


def build(ctx) -> None:
    rng = ctx.rng
    ensure_default_rules()
    facilities = _facilities(ctx)
    if not facilities:
        ctx.log("监测：没有燃气设施（registry 演示数据缺失），跳过")
        return
    now = timezone.now().replace(second=0, microsecond=0)
    kinds = [k for k, _ in SpaceKindChoices.choices]

    # 1. adjacent underground spaces along pipeline segments
    spaces = []
    for f in facilities:
        if f.kind != "pipeline_segment":
            continue
        for k in range(3):
            lon, lat = _point(f, (k + 1) / 4)
            kind = rng.choice(kinds)
            label = dict(SpaceKindChoices.choices)[kind]
            spaces.append(
                MonitoredSpace(
                    code=f"DEMO-SP-{f.pk:04d}-{k + 1}",
                    name=f"{f.name}旁{label}{k + 1}号",
                    kind=kind,
                    region_id=f.region_id,
                    region_code=f.region_code,
                    lon=lon,
                    lat=lat,
                    facility=f,
                    owner_name=rng.choice(["供电局", "通信运营商", "市政排水", "物业公司"]),
                    address=f"{f.name}沿线",
                )
            )
    MonitoredSpace.objects.bulk_create(spaces)
    spaces = list(MonitoredSpace.objects.filter(code__startswith="DEMO-SP-").select_related("facility"))

    # 2. devices
    installed = ctx.today - timedelta(days=400)
    devices: list[Device] = []

    def add(code, name, dtype, owner_id, region_id, region_code, lon, lat, target, obj, life_years):
        devices.append(
            Device(
                code=code,
                name=name,
                device_type=dtype,
                enterprise_id=owner_id,
                region_id=region_id,
                region_code=region_code,
                lon=lon,
                lat=lat,
                install_target=target,
                facility=obj if target == "facility" else None,
                space=obj if target == "space" else None,
                premises=obj if target == "premises" else None,
                installed_on=installed - timedelta(days=rng.randint(0, 300)),
                service_life_end=installed + timedelta(days=365 * life_years),
                credential_hash=hash_secret(
                    code, f"{rng.getrandbits(128):032x}", salt=f"{rng.getrandbits(64):016x}"
                ),
                credential_rotated_at=now,
                state="normal",
                last_seen_at=now,
            )
        )

    for i, s in enumerate(spaces, 1):
        add(
            f"DEMO-CH4-{i:04d}",
            f"{s.name}甲烷监测仪",
            "methane",
            s.facility.enterprise_id,
            s.region_id,
            s.region_code,
            s.lon,
            s.lat,
            "space",
            s,
            10,
        )
    for i, f in enumerate(facilities, 1):
        lon, lat = _point(f, 0.5)
        add(
            f"DEMO-PT-{i:04d}",
            f"{f.name}压力监测",
            "pressure",
            f.enterprise_id,
            f.region_id,
            f.region_code,
            lon,
            lat,
            "facility",
            f,
            8,
        )
        if f.kind == "regulator":
            add(
                f"DEMO-FL-{i:04d}",
                f"{f.name}流量计",
                "flow",
                f.enterprise_id,
                f.region_id,
                f.region_code,
                lon,
                lat,
                "facility",
                f,
                8,
            )
    from gasguard.registry.models import Premises

    owners = {}
    for f in facilities:
        owners.setdefault(f.region_code[:6], f.enterprise_id)
    premises_ids = ctx.data.get("premises_ids") or list(
        Premises.objects.order_by("id").values_list("id", flat=True)[:2000]
    )
    picked = sorted(rng.sample(premises_ids, min(len(premises_ids), ctx.n(80))))
    for i, p in enumerate(Premises.objects.filter(pk__in=picked).order_by("id"), 1):
        owner = (
            p.supplier_id if p.supplier_id else owners.get(p.region_code[:6]) or next(iter(owners.values()))
        )
        lon, lat = (p.lon, p.lat) if p.lon is not None else (None, None)
        add(
            f"DEMO-HD-{i:04d}",
            f"{p.name}燃气报警器+切断阀",
            "home_detector",
            owner,
            p.region_id,
            p.region_code,
            lon,
            lat,
            "premises",
            p,
            5,
        )
    Device.objects.bulk_create(devices, batch_size=500)
    devices = list(Device.objects.filter(code__startswith="DEMO-").order_by("id"))
    ctx.data["monitoring_device_ids"] = [d.pk for d in devices]

    # 3. a week of readings (30-minute samples) + the last 6 hours at 5 minutes
    start = now - timedelta(days=7)
    stamps = [start + timedelta(minutes=30 * k) for k in range(7 * 48)]
    stamps += [now - timedelta(hours=6) + timedelta(minutes=5 * k, seconds=7) for k in range(72)]
    base_pressure = {d.pk: rng.choice((2.5, 200.0, 350.0)) for d in devices}
    offline = {d.pk for d in rng.sample(devices, max(1, len(devices) // 25))}
    rows = []
    total = 0
    for d in devices:
        metrics = TYPE_METRICS[d.device_type]
        battery = rng.uniform(40, 100)
        for ts in stamps:
            if d.pk in offline and ts > now - timedelta(hours=3):
                break
            for m in metrics:
                if m == "methane":
                    v = round(abs(rng.gauss(0.6, 0.5)), 2)
                elif m == "pressure":
                    v = pressure_at(base_pressure[d.pk], ts, rng)
                elif m == "flow":
                    hour = (ts.hour + 8) % 24
                    v = round(
                        max(0.0, 60 + 40 * math.sin((hour - 6) / 24 * 2 * math.pi) + rng.gauss(0, 4)), 2
                    )
                elif m == "temperature":
                    v = round(22 + 5 * math.sin((ts.hour - 6) / 24 * 2 * math.pi) + rng.gauss(0, 0.4), 2)
                elif m == "humidity":
                    v = round(min(100.0, max(0.0, rng.gauss(75, 6))), 1)
                elif m == "battery":
                    battery = max(0.0, battery - 0.01)
                    v = round(battery, 2)
                elif m == "valve":
                    v = 1.0
                else:
                    v = 0.0
                rows.append((d.pk, m, ts.astimezone(UTC), v))
        if len(rows) >= 50_000:
            with transaction.atomic():
                total += len(storage.write_readings(rows, assume_new=True))
            rows = []
    if rows:
        with transaction.atomic():
            total += len(storage.write_readings(rows, assume_new=True))
    for d in devices:
        d.last_seen_at = (
            now - timedelta(hours=3, minutes=5) if d.pk in offline else now - timedelta(seconds=7)
        )
        d.state = "offline" if d.pk in offline else "normal"
        d.last_values = {m: 1.0 if m == "valve" else 0.0 for m in TYPE_METRICS[d.device_type]}
    Device.objects.bulk_update(devices, ["last_seen_at", "state", "last_values"], batch_size=500)

    # 4. alarms in every state
    operator = _user(ctx, "monitor", "admin")
    methane = [d for d in devices if d.device_type == "methane" and d.pk not in offline]
    rng.shuffle(methane)
    chains = [
        [],
        [],
        [],
        ["acknowledge"],
        ["acknowledge"],
        ["acknowledge", "judge_real"],
        ["acknowledge", "judge_real", "dispatch"],
        ["acknowledge", "judge_real", "dispatch", "arrive"],
        ["acknowledge", "judge_real", "dispatch", "arrive", "dispose"],
        ["acknowledge", "judge_real", "dispatch", "arrive", "dispose", "close"],
        ["acknowledge", "judge_real", "dispatch", "arrive", "dispose", "close"],
        ["acknowledge", "judge_false"],
        ["acknowledge", "judge_false"],
    ]
    from gasguard.monitoring.models import AlarmRule

    l2 = AlarmRule.objects.get(code="methane_l2", device_type="methane", device=None)
    l1 = AlarmRule.objects.get(code="methane_l1", device_type="methane", device=None)
    alarm_ids = []
    for i, (device, chain) in enumerate(zip(methane, chains, strict=False)):
        rule = l2 if i % 2 == 0 else l1
        value = round(rng.uniform(26, 60) if rule is l2 else rng.uniform(20, 25), 1)
        raised = now - timedelta(hours=rng.randint(1, 120), minutes=rng.randint(0, 59))
        alarm = alarm_raise(
            device=device,
            rule=rule,
            metric="methane",
            value=value,
            at=raised,
            message=f"{rule.name}：甲烷浓度{value}%LEL",
            count=rng.randint(1, 6),
        )
        for action in chain:
            reason = {
                "judge_real": "值班员调取视频并电话核实，现场有燃气味，确认泄漏",
                "judge_false": "设备受施工扬尘/水汽干扰，复测正常，判定误报",
            }.get(action, "")
            alarm = alarm_act(
                actor=operator,
                alarm=alarm,
                action=action,
                reason=reason,
                note="演示数据" if action == "dispatch" else "",
            )
        # spread the timestamps realistically (demo only: the service stamped "now")
        t = raised
        updates = {}
        for field, minutes in (
            ("acked_at", (1, 9)),
            ("judged_at", (2, 12)),
            ("dispatched_at", (1, 6)),
            ("arrived_at", (8, 35)),
            ("disposed_at", (20, 90)),
            ("closed_at", (5, 60)),
        ):
            if getattr(alarm, field):
                t = t + timedelta(minutes=rng.randint(*minutes))
                updates[field] = t
        Alarm.objects.filter(pk=alarm.pk).update(**updates)
        for ev in AlarmEvent.objects.filter(alarm=alarm, kind="action"):
            field = {
                "acknowledge": "acked_at",
                "judge_real": "judged_at",
                "judge_false": "judged_at",
                "dispatch": "dispatched_at",
                "arrive": "arrived_at",
                "dispose": "disposed_at",
                "close": "closed_at",
            }[ev.action]
            AlarmEvent.objects.filter(pk=ev.pk).update(at=updates.get(field, ev.at))
        if alarm.status == "closed" and alarm.judgement == "false":
            Alarm.objects.filter(pk=alarm.pk).update(closed_at=updates.get("judged_at"))
        alarm_ids.append(alarm.pk)
    ctx.data["monitoring_alarm_ids"] = alarm_ids
    ctx.log(
        f"监测：相邻空间 {len(spaces)} 处，设备 {len(devices)} 台，读数 {total} 条，报警 {len(alarm_ids)} 条"
    )
