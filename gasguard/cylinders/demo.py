"""Demo city: 一瓶一码 — cylinder makers' product models and the blacklist, ~50,000 cylinders of
the filling units (a realistic share overdue, past design life, two-phase, refurbished, lost,
sealed or scrapped), fleet (delivery workers, vehicles, bindings, delivery areas), a month of
gate attempts, fills and deliveries, gas batches with one failing batch, 随瓶安检, a repeated
illegal-fill escalation and seizures.

Reads ctx.data: "enterprises_by_role" (cylinder_filling, bottled_lpg, cylinder_maker,
lpg_producer, inspection_body, appliance_maker), "facilities" (optional). Looks users
(ent_filling, ent_gas, ns_market, admin) up by username. Missing pieces are created or skipped.
Adds ctx.data: "cylinder_codes_sample" (a few codes per status for the docs/tests),
"failing_gas_batch_id", "blacklisted_product_model_id".
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from gasguard.cylinders import rules as cyl_rules
from gasguard.cylinders.codes import make_code
from gasguard.cylinders.models import (
    Cylinder,
    CylinderEvent,
    Delivery,
    DeliveryItem,
    Fill,
    FillAttempt,
    GasBatch,
    PeriodicInspection,
)
from gasguard.cylinders.services import cylinder_reasons

SPEC_MIX = [
    ("YSP35.5", 58),
    ("YSP26.2", 15),
    ("YSP12", 8),
    ("YSP4.7", 2),
    ("YSP118", 7),
    ("YSP118-II", 3),
    ("YSP118/49.5", 5),
    ("YSP118/液/49.5", 2),
]
MASS = {
    "YSP35.5": 14.5,
    "YSP26.2": 11.0,
    "YSP12": 5.0,
    "YSP4.7": 1.9,
    "YSP118": 49.5,
    "YSP118/49.5": 49.5,
    "YSP118/液/49.5": 49.5,
    "YSP118-II": 49.5,
}


def _fields(c) -> dict:
    names = (
        "owner_id",
        "status",
        "refurbished",
        "is_two_phase",
        "manufactured_on",
        "design_life_years",
        "life_extended_until",
        "next_inspection_due",
        "product_model_id",
        "manufacturer_id",
    )
    return {f: getattr(c, f) for f in names}


def _user(username):
    from gasguard.accounts.models import User

    return User.objects.filter(username=username).first()


def _roles(ctx, role):
    from gasguard.registry.models import Enterprise

    found = (ctx.data.get("enterprises_by_role") or {}).get(role)
    if found:
        return list(found)
    return list(Enterprise.objects.filter(roles__role=role).order_by("id"))


def _weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for value, w in pairs:
        x -= w
        if x <= 0:
            return value
    return pairs[-1][0]


def _at(day, rng):
    return timezone.make_aware(
        datetime.combine(day, time(rng.randint(7, 20), rng.randint(0, 59), rng.randint(0, 59)))
    )


def _products(ctx, makers):
    from gasguard.products.models import BlacklistEntry, ProductModel, Recall, SpotCheck

    rng = ctx.rng
    models = {}
    for maker in makers:
        for spec, _ in SPEC_MIX:
            pm = ProductModel.objects.create(
                kind="cylinder", model=spec, maker=maker, maker_name=maker.name, ccc_status="not_required"
            )
            models[(maker.pk, spec)] = pm
    for maker in _roles(ctx, "appliance_maker")[:6]:
        for kind, model in (
            ("hose", "JG-2000"),
            ("regulator", "ZJ-2.8"),
            ("detector", "KB-600"),
            ("shutoff_valve", "DQ-15"),
            ("stove", "JZY-3"),
        ):
            ProductModel.objects.create(
                kind=kind,
                model=f"{model}-{maker.pk}",
                maker=maker,
                maker_name=maker.name,
                ccc_status=rng.choice(["certified", "certified", "missing"]),
                ccc_cert_no=f"2023010{rng.randint(100000, 999999)}",
            )
    bad = None
    if makers:
        bad = models[(makers[-1].pk, "YSP12")]
        SpotCheck.objects.create(
            product_model=bad,
            checked_on=ctx.today - timedelta(days=40),
            result="fail",
            items=[{"item": "钢印深度", "result": "不合格", "note": "0.4 mm < 0.7 mm"}],
            report_no="SZJC2024-031",
            region_code="4403",
        )
        BlacklistEntry.objects.create(
            product_model=bad,
            reason="监督抽查不合格：钢印深度不足、焊缝缺陷",
            source="spot_check",
            listed_on=ctx.today - timedelta(days=35),
            region_code="4403",
        )
        Recall.objects.create(
            product_model=bad,
            reason="监督抽查不合格",
            started_on=ctx.today - timedelta(days=30),
            target_count=0,
            region_code="4403",
        )
        two_phase = models[(makers[0].pk, "YSP118-II")]
        BlacklistEntry.objects.create(
            product_model=two_phase,
            reason="GB 5842-2023 实施后气液双相钢瓶不再生产，应回收报废",
            source="standard",
            listed_on=ctx.today - timedelta(days=200),
            region_code="4403",
        )
        ctx.data["blacklisted_product_model_id"] = bad.pk
    return models, bad


def _cylinders(ctx, units, makers, models):
    rng = ctx.rng
    today = ctx.today
    total = ctx.n(50000)
    design = cyl_rules.design_life_years()
    ext = cyl_rules.extension_years()
    period = cyl_rules.inspection_years()
    rows = []
    serial = 0
    for i in range(total):
        owner = units[i % len(units)]
        spec = _weighted(rng, SPEC_MIX)
        age_days = int(rng.triangular(30, 14 * 365, 5 * 365))
        made = today - timedelta(days=age_days)
        maker = makers[rng.randrange(len(makers))] if makers else None
        years = age_days / 365.25
        inspected = None
        due = cyl_rules.add_years(made, period)
        cycles = int(years // period)
        overdue = rng.random() < 0.06
        if cycles >= 1:
            inspected = cyl_rules.add_years(made, period * cycles) + timedelta(days=rng.randint(0, 60))
            if inspected > today:
                inspected = today - timedelta(days=rng.randint(1, 30))
            due = cyl_rules.add_years(inspected, period)
        if overdue and cycles >= 1:
            inspected = cyl_rules.add_years(made, period * (cycles - 1)) + timedelta(days=rng.randint(0, 60))
            due = cyl_rules.add_years(inspected, period)
        extended = None
        if years >= design and rng.random() < 0.75:
            extended = cyl_rules.add_years(made, design + ext)
        status = "in_use"
        roll = rng.random()
        if years >= design + ext and roll < 0.8:
            status = "scrapped"
        elif roll < 0.02:
            status = "awaiting_inspection"
        elif roll < 0.03:
            status = "lost"
        elif roll < 0.035:
            status = "sealed"
        serial += 1
        rows.append(
            Cylinder(
                code=make_code(owner.region_code, rng=rng),
                serial=f"{made:%y}{serial:07d}",
                manufacturer=maker,
                maker_name=maker.name if maker else "某钢瓶厂",
                product_model=models.get((maker.pk, spec)) if maker else None,
                spec=spec,
                is_two_phase=spec == "YSP118-II",
                manufactured_on=made,
                design_life_years=design,
                life_extended_until=extended,
                last_inspected_on=inspected,
                next_inspection_due=max(due, made),
                owner=owner,
                region_code=owner.region_code,
                status=status,
                refurbished=rng.random() < 0.004,
            )
        )
    created = []
    for start in range(0, len(rows), 5000):
        created.extend(Cylinder.objects.bulk_create(rows[start : start + 5000]))
    registered = [
        CylinderEvent(
            cylinder_id=c.pk,
            kind="registered",
            occurred_at=_at(today - timedelta(days=120), rng),
            enterprise_id=c.owner_id,
            summary="登记建档（存量气瓶赋码）",
            region_code=c.region_code,
        )
        for c in created
    ]
    CylinderEvent.objects.bulk_create(registered, batch_size=5000)
    return created


def _fleet(ctx, operators):
    from gasguard.fleet.models import DeliveryArea, DeliveryWorker, Vehicle, VehicleAssignment
    from gasguard.registry.models import Staff

    rng = ctx.rng
    workers, vehicles = {}, {}
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    for op in operators:
        staff = list(Staff.objects.filter(enterprise=op, post="delivery", is_active=True)[:8])
        ws = [
            DeliveryWorker(
                enterprise=op,
                staff=s,
                name=s.name,
                phone=s.phone,
                work_card_no=f"SQ{s.pk:06d}",
                region_code=op.region_code,
            )
            for s in staff
        ]
        if not ws:
            ws = [
                DeliveryWorker(enterprise=op, name=f"送气工{op.pk}-{k}", region_code=op.region_code)
                for k in range(3)
            ]
        workers[op.pk] = DeliveryWorker.objects.bulk_create(ws)
        vs = []
        for _ in range(max(1, len(ws) // 2)):
            plate = "粤B" + rng.choice(letters) + "".join(rng.choice("0123456789") for _ in range(4))
            if Vehicle.objects.filter(plate=plate).exists() or any(v.plate == plate for v in vs):
                continue
            vs.append(
                Vehicle(
                    enterprise=op,
                    plate=plate,
                    dg_permit_no=f"粤交运管深字{rng.randint(100000, 999999)}号",
                    permit_valid_to=ctx.today + timedelta(days=rng.randint(-20, 900)),
                    kind="厢式货车",
                    region_code=op.region_code,
                )
            )
        vehicles[op.pk] = Vehicle.objects.bulk_create(vs)
        VehicleAssignment.objects.bulk_create(
            [
                VehicleAssignment(
                    worker=w,
                    vehicle=vehicles[op.pk][k % len(vehicles[op.pk])],
                    valid_from=ctx.today - timedelta(days=180),
                )
                for k, w in enumerate(workers[op.pk])
                if vehicles[op.pk]
            ]
        )
        if op.service_region_codes:  # the licensed delivery area (fleet), checked on every delivery
            DeliveryArea.objects.create(
                enterprise=op,
                name="许可配送区域",
                region_codes=list(op.service_region_codes),
                region_code=op.region_code,
            )
    return workers, vehicles


def build(ctx) -> None:
    from gasguard.registry.models import Facility, Premises, Staff

    rng = ctx.rng
    today = ctx.today
    units = _roles(ctx, "cylinder_filling")
    if not units:
        ctx.log("一瓶一码：没有气瓶充装单位，跳过")
        return
    makers = _roles(ctx, "cylinder_maker")
    models, bad_model = _products(ctx, makers)
    cylinders = _cylinders(ctx, units, makers, models)
    stations = {}
    for f in Facility.objects.filter(kind="filling_station", enterprise__in=units).order_by("id"):
        stations.setdefault(f.enterprise_id, f)
    for unit in units:
        if unit.pk not in stations:
            stations[unit.pk] = Facility.objects.create(
                kind="filling_station",
                name=f"{unit.name}充装站",
                enterprise=unit,
                region_id=unit.region_id,
                region_code=unit.region_code,
            )
    operators_by_unit = {}
    for s in Staff.objects.filter(enterprise__in=units, post="se_operator").order_by("id"):
        operators_by_unit.setdefault(s.enterprise_id, []).append(s)

    # Gas batches: each unit buys from the producers every week; one batch fails (DME, no odour).
    producers = _roles(ctx, "lpg_producer") or units[:1]
    batches = {}
    batch_rows = []
    for unit in units:
        for week in range(5):
            batch_rows.append(
                GasBatch(
                    supplier=producers[(unit.pk + week) % len(producers)],
                    filler=unit,
                    batch_no=f"LPG{today:%y%m}-{unit.pk:03d}-{week + 1}",
                    received_on=today - timedelta(days=7 * week + 1),
                    quantity_t=Decimal("24.000"),
                    status="passed",
                    region_code=unit.region_code,
                )
            )
    for b in GasBatch.objects.bulk_create(batch_rows):
        batches.setdefault(b.filler_id, []).append(b)

    # A month of gate attempts and fills (allowed cylinders); denied scans of problem cylinders.
    blacklist = ({bad_model.pk} if bad_model else set(), set())
    by_owner, good_by_owner = {}, {}
    for c in cylinders:
        by_owner.setdefault(c.owner_id, []).append(c)
        if not cylinder_reasons(_fields(c), enterprise_id=c.owner_id, today=today, blacklist=blacklist):
            good_by_owner.setdefault(c.owner_id, []).append(c)
    from django.db.models import Q

    from gasguard.registry.models import Certificate, Licence

    licensed = set(
        Licence.objects.filter(
            enterprise__in=units,
            kind="cylinder_filling",
            status="valid",
            valid_from__lte=today,
            valid_to__gte=today,
        ).values_list("enterprise_id", flat=True)
    )
    certified = set(
        Certificate.objects.filter(kind="se_operator", passed=True, issued_on__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .values_list("staff_id", flat=True)
    )
    licensed_units = [u for u in units if u.pk in licensed]
    fills_target = ctx.n(20000)
    attempts, fills_plan, denied = [], [], 0
    for k in range(fills_target):
        # Licensed units with certified operators do almost all the filling.
        unit = rng.choice(licensed_units) if licensed_units and rng.random() < 0.97 else units[k % len(units)]
        # Most scans are of sound cylinders; about 5 % are of cylinders that must be refused.
        pool = (good_by_owner.get(unit.pk) if rng.random() > 0.05 else None) or by_owner.get(unit.pk) or []
        ops = operators_by_unit.get(unit.pk)
        if not pool or not ops:
            continue
        c = pool[rng.randrange(len(pool))]
        day = today - timedelta(days=rng.randint(0, 29))
        at = _at(day, rng)
        reasons = cylinder_reasons(_fields(c), enterprise_id=unit.pk, today=day, blacklist=blacklist)
        good_ops = [o for o in ops if o.pk in certified]
        operator = rng.choice(good_ops) if good_ops and rng.random() < 0.98 else ops[k % len(ops)]
        if unit.pk not in licensed:
            reasons.append(
                {"code": "station_licence_invalid", "message": "本站气瓶充装许可证无效或已过期，禁止充装"}
            )
        if operator.pk not in certified:
            reasons.append(
                {
                    "code": "operator_certificate_invalid",
                    "message": f"作业人员 {operator.name} 的特种设备作业人员证无效或已过期",
                }
            )
        decision = "deny" if reasons else "allow"
        denied += decision == "deny"
        attempts.append(
            FillAttempt(
                idempotency_key=f"demo-{k:08d}",
                station=stations[unit.pk],
                enterprise=unit,
                code=c.code,
                cylinder=c,
                operator=operator,
                decision=decision,
                reasons=reasons,
                scanned_at=at,
                region_code=stations[unit.pk].region_code,
            )
        )
        fills_plan.append((c, at, batches[unit.pk][rng.randrange(len(batches[unit.pk]))]))
    created_attempts = FillAttempt.objects.bulk_create(attempts, batch_size=5000)
    # created_at is auto_now_add: spread it back over the month so the timeline reads right.
    for a in created_attempts:
        a.created_at = a.scanned_at
    FillAttempt.objects.bulk_update(created_attempts, ["created_at"], batch_size=5000)
    fills, fill_events, last_fill = [], [], {}
    for a, (c, at, batch) in zip(created_attempts, fills_plan, strict=True):
        if a.decision != "allow":
            continue
        mass = Decimal(str(round(MASS[c.spec] - rng.uniform(0, 0.4), 2)))
        fills.append(
            Fill(
                attempt=a,
                cylinder=c,
                station_id=a.station_id,
                enterprise_id=a.enterprise_id,
                operator_id=a.operator_id,
                scale_id=f"CZC-{a.station_id}-{rng.randint(1, 6)}",
                net_mass_kg=mass,
                gas_batch=batch,
                filled_at=at,
                pre_check={k: True for k in ("appearance", "valve", "residual", "stamp", "label")},
                post_check={"leak": True, "mass": True, "seal": True},
                region_code=a.region_code,
            )
        )
        fill_events.append(
            CylinderEvent(
                cylinder=c,
                kind="filled",
                occurred_at=at,
                enterprise_id=a.enterprise_id,
                facility_id=a.station_id,
                summary=f"充装 {mass} kg，批次 {batch.batch_no}",
                region_code=a.region_code,
                data={"mass": str(mass), "batch": batch.pk},
            )
        )
        last_fill[c.pk] = max(at, last_fill.get(c.pk, at))
    Fill.objects.bulk_create(fills, batch_size=5000)
    CylinderEvent.objects.bulk_create(fill_events, batch_size=5000)
    for c in cylinders:
        if c.pk in last_fill:
            c.last_filled_at = last_fill[c.pk]
    Cylinder.objects.bulk_update(
        [c for c in cylinders if c.pk in last_fill], ["last_filled_at"], batch_size=5000
    )

    # Periodic inspection records for cylinders inspected in the last year.
    body = (_roles(ctx, "inspection_body") or [None])[0]
    if body is not None:
        PeriodicInspection.objects.bulk_create(
            [
                PeriodicInspection(
                    cylinder=c,
                    body=body,
                    inspected_on=c.last_inspected_on,
                    result="extend" if c.life_extended_until else "pass",
                    report_no=f"DJ{c.pk:08d}",
                    next_due=c.next_inspection_due,
                    region_code=c.region_code,
                )
                for c in cylinders
                if c.last_inspected_on and c.last_inspected_on > today - timedelta(days=365)
            ],
            batch_size=5000,
        )

    # Deliveries by the bottled-LPG operators to LPG-using premises in their licensed area.
    operators = _roles(ctx, "bottled_lpg")
    for op in operators:
        if not op.service_region_codes:  # licensed area not in the registry: its own district
            op.service_region_codes = [op.region_code[:6]]
    workers, vehicles = _fleet(ctx, operators)
    premises_by_area = {}
    for pid, region_code in Premises.objects.filter(gas_lpg=True).values_list("id", "region_code"):
        premises_by_area.setdefault(region_code[:6], []).append(pid)
    filled = [f.cylinder for f in fills]
    deliveries, items_plan = [], []
    supply = {f.enterprise_id: f for f in Facility.objects.filter(kind="lpg_supply_station")}
    for k in range(ctx.n(15000) if operators and filled else 0):
        op = operators[k % len(operators)]
        pool = [p for code in op.service_region_codes for p in premises_by_area.get(str(code)[:6], [])]
        if not pool or not workers.get(op.pk):
            continue
        worker = workers[op.pk][k % len(workers[op.pk])]
        vehicle_list = vehicles.get(op.pk) or [None]
        vehicle = vehicle_list[k % len(vehicle_list)]
        premises_id = pool[rng.randrange(len(pool))]
        c = filled[rng.randrange(len(filled))]
        at = (c.last_filled_at or _at(today, rng)) + timedelta(hours=rng.randint(2, 30))
        if at > timezone.now():
            at = timezone.now() - timedelta(minutes=rng.randint(5, 600))
        deliveries.append(
            Delivery(
                enterprise=op,
                supply_station=supply.get(op.pk),
                premises_id=premises_id,
                worker=worker,
                vehicle=vehicle,
                delivered_at=at,
                region_code="",
                lon=None,
                lat=None,
            )
        )
        items_plan.append(c)
    region_of = dict(
        Premises.objects.filter(pk__in={d.premises_id for d in deliveries}).values_list("id", "region_code")
    )
    for d in deliveries:
        d.region_code = region_of[d.premises_id]
    deliveries = Delivery.objects.bulk_create(deliveries, batch_size=5000)
    DeliveryItem.objects.bulk_create(
        [
            DeliveryItem(delivery=d, cylinder=c, direction="out")
            for d, c in zip(deliveries, items_plan, strict=True)
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    CylinderEvent.objects.bulk_create(
        [
            CylinderEvent(
                cylinder=c,
                kind="delivered",
                occurred_at=d.delivered_at,
                enterprise_id=d.enterprise_id,
                premises_id=d.premises_id,
                summary=f"配送入户（送气工 {d.worker.name}）",
                region_code=c.region_code,
                data={"delivery": d.pk},
            )
            for d, c in zip(deliveries, items_plan, strict=True)
        ],
        batch_size=5000,
    )
    ctx.log(
        f"一瓶一码：气瓶 {len(cylinders)} 只，核验 {len(created_attempts)} 次（拒绝 {denied}），"
        f"充装 {len(fills)} 次，配送 {len(deliveries)} 单"
    )

    _through_services(ctx, units, stations, operators_by_unit, batches, cylinders, body, by_owner)


def _through_services(ctx, units, stations, operators_by_unit, batches, cylinders, body, by_owner):
    """The few demo events that must go through the real services (hazards, audit)."""
    import uuid

    from gasguard.cylinders import services

    ns_market, admin = _user("ns_market"), _user("admin")

    def regulator_for(region_code):
        return ns_market if ns_market is not None and region_code.startswith("440305") else admin

    filler_user = _user("ent_filling")
    if filler_user is not None:
        membership = filler_user.memberships.filter(enterprise__isnull=False).first()
        unit = membership.enterprise if membership else None
        ops = operators_by_unit.get(unit.pk) if unit else None
        others = [c for c in cylinders if unit and c.owner_id != unit.pk and c.status == "in_use"][:1]
        if unit and ops and others and unit.pk in stations:
            for _ in range(3):  # keeps trying to fill another unit's cylinder → one hazard
                services.cylinder_check_for_filling(
                    actor=filler_user,
                    station=stations[unit.pk],
                    code=others[0].code,
                    operator_staff=ops[0],
                    idempotency_key=uuid.uuid4().hex,
                    scanned_at=timezone.now(),
                )
    # The failing gas batch: a Nanshan filler's latest batch (if any) with DME and no odorant.
    nanshan = [u for u in units if u.region_code.startswith("440305") and batches.get(u.pk)] or [
        u for u in units if batches.get(u.pk)
    ]
    if nanshan and regulator_for(nanshan[0].region_code) is not None:
        batch = batches[nanshan[0].pk][0]
        market = regulator_for(batch.region_code)
        if True:
            try:
                services.gas_sample_record(
                    actor=market,
                    batch=batch,
                    sampled_on=ctx.today,
                    dme_pct="21.4",
                    odour_ok=False,
                    vapour_pressure_kpa="1290",
                    c5_plus_pct="1.2",
                )
                ctx.data["failing_gas_batch_id"] = batch.pk
            except Exception as exc:  # noqa: BLE001 - a demo step must not abort the city
                ctx.log(f"气质抽检演示数据未生成：{exc}")
    if body is not None:
        two_phase = [c for c in cylinders if c.is_two_phase and c.status == "in_use"][:3]
        for k, c in enumerate(two_phase):
            actor = regulator_for(c.region_code)
            if actor is None:
                continue
            try:
                services.cylinder_seize(
                    actor=actor, cylinder=c, body=body, reason="餐饮场所使用气液双相钢瓶，依法查封"
                )
                if k == 0:
                    services.cylinder_scrap(actor=actor, cylinder=c, reason="检验机构报废处理", body=body)
            except Exception as exc:  # noqa: BLE001 - a demo step must not abort the city
                ctx.log(f"查封演示数据未生成：{exc}")
    sample = {}
    for c in cylinders:
        sample.setdefault(c.status, [])
        if len(sample[c.status]) < 3:
            sample[c.status].append(c.code)
    ctx.data["cylinder_codes_sample"] = sample
