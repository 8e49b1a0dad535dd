"""Demo city, inspections: the finished first campaign wave (第一轮集中攻坚) and a current 回头看.

Per district one 集中攻坚 batch over a deterministic sample of premises (about ctx.n(2000)
sealed inspections in all, most with no hazard; about 15% with 1–3 hazards from the restaurant
rules, registered on the ledger through `hazard_register`, a few fixed on the spot through
`hazard_close_on_spot`), a handful of tasks left overdue, inspector and representative
signatures (generated PNGs, some refusals), and a 整改通知书 issued for every record with
hazards. Plus a current 南山 回头看 batch assigned to ns_inspector so "我的任务" is not empty.
Bulk inserts for volume; the audit chain gets one INSPECTION_SEALED (and NOTICE_ISSUED) event
per record, written in bulk. Randomness only from ctx.rng.

Reads ctx.data: districts (falls back to Region level 3 under 4403), users (falls back to the
database by username), premises_ids (falls back to the database). Adds ctx.data:
inspection_ids [int] (sealed demo inspections), inspection_batches [InspectionBatch].
"""

import hashlib
import io
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from gasguard.accounts.models import Membership, User
from gasguard.audit.services import PendingEvent, audit_record_many
from gasguard.inspections.models import (
    Inspection,
    InspectionAnswer,
    InspectionBatch,
    InspectionPhoto,
    InspectionSignature,
    InspectionTask,
)
from gasguard.inspections.services import answers_digest, target_fields
from gasguard.rules.catalog import get_catalog
from gasguard.rules.checklists import checklist_for

BASE_INSPECTIONS = 2000
HAZARD_SHARE = 0.15
# Typical findings of the first wave, most frequent first (used when the catalogue has them).
PREFERRED_RULES = [
    "rest_hose_over_2m",
    "rest_detector_shutoff_missing",
    "rest_in_use_spare_not_separated",
    "rest_hose_tee",
    "rest_fire_training_missing",
    "rest_storage_over_100kg_no_room",
    "comm_no_flame_failure",
    "rest_hose_through_structure",
    "rest_evacuation_plan_missing",
    "comm_detector_over_life",
    "rest_illegal_gas_fire_power_use",
    "rest_lpg_underground",
    "rest_two_phase_50kg_cylinder",
]
REP_NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹"


def _districts(ctx):
    from gasguard.org.models import Region

    return ctx.data.get("districts") or list(Region.objects.filter(level=3, code__startswith="4403"))


def _user(ctx, username):
    return (ctx.data.get("users") or {}).get(username) or User.objects.filter(username=username).first()


def _district_inspectors(code: str) -> list:
    ids = (
        Membership.objects.filter(
            is_active=True, role="inspector", department__region_code=code, department__kind="housing"
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    users = list(User.objects.filter(pk__in=list(ids)).order_by("pk"))
    if not users:
        ids = Membership.objects.filter(
            is_active=True, role="inspector", department__region_code__startswith=code
        ).values_list("user_id", flat=True)
        users = list(User.objects.filter(pk__in=list(ids)).order_by("pk"))
    return users


def _signature_png(rng, *, seed_text: str) -> bytes:
    """A squiggle that looks like a handwritten signature (deterministic per signer)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 110), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    x, y = 15, 60
    points = [(x, y)]
    for _ in range(14 + len(seed_text) % 6):
        x += rng.randint(8, 22)
        y = max(15, min(95, y + rng.randint(-28, 28)))
        points.append((x, y))
    draw.line(points, fill=(20, 20, 60, 255), width=3, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _store(name: str, data: bytes) -> tuple[str, str]:
    path = default_storage.save(name, ContentFile(data))
    return path, hashlib.sha256(data).hexdigest()


def _compliant(rule, rng):
    a = rule.answer
    if a.type == "bool":
        return not a.hazard_when
    if a.type == "number":
        t = a.effective_threshold()
        low = a.min_value if a.min_value is not None else 0.0
        if a.operator in (">", ">="):
            return round(max(low, t * rng.uniform(0.4, 0.9)), 1)
        return round(t * rng.uniform(1.2, 2.0) + 0.1, 1)
    if a.type == "choice":
        return next(c for c in a.choices if c not in a.hazard_choices)
    if a.type == "text":
        return "无"
    return None


def _hazardous(rule, rng):
    a = rule.answer
    if a.type == "bool":
        return a.hazard_when
    if a.type == "number":
        t = a.effective_threshold()
        if a.operator in (">", ">="):
            return round(t * rng.uniform(1.15, 1.8) + 0.1, 1)
        return round(max(0.0, t * rng.uniform(0.3, 0.8)), 1)
    if a.type == "choice":
        return rng.choice(list(a.hazard_choices))
    return None


def build(ctx) -> None:
    from gasguard.hazards.services import hazard_close_on_spot, hazard_register
    from gasguard.registry.models import Premises

    catalog = get_catalog()
    taskforce = _user(ctx, "taskforce") or User.objects.filter(is_superuser=True).first()
    if taskforce is None:
        ctx.log("检查：没有专班用户，跳过")
        return
    districts = _districts(ctx)
    premises_rows = list(
        Premises.objects.filter(region_code__startswith="4403", status="open")
        .order_by("id")
        .values_list("id", "region_code")
    )
    if not premises_rows or not districts:
        ctx.log("检查：没有用气场所，跳过")
        return
    rng = ctx.rng
    today = ctx.today
    wave_start = today - timedelta(days=100)
    wave_due = today - timedelta(days=12)
    total = min(ctx.n(BASE_INSPECTIONS), len(premises_rows))
    chosen = sorted(rng.sample(premises_rows, total + min(len(premises_rows) - total, max(5, total // 40))))
    inspected_ids = {pid for pid, _ in rng.sample(chosen, total)}

    # Signature images: one per inspector, a few dozen representatives (stored once, reused).
    inspectors_by_district = {d.code: _district_inspectors(d.code) for d in districts}
    sig_files = {}
    for users in inspectors_by_district.values():
        for user in users:
            if user.pk not in sig_files:
                sig_files[user.pk] = _store(
                    f"inspections/signatures/demo/inspector-{user.pk}.png",
                    _signature_png(rng, seed_text=user.username),
                )
    reps = []
    for i in range(30):
        name = REP_NAMES[i % len(REP_NAMES)] + rng.choice("伟芳敏静强磊军洋勇艳杰涛明超")
        path, digest = _store(f"inspections/signatures/demo/rep-{i}.png", _signature_png(rng, seed_text=name))
        reps.append((name, path, digest))
    photo_path, photo_sha = _store("inspections/photos/demo/kitchen.jpg", _demo_jpeg())

    premises_by_id = {
        p.pk: p for p in Premises.objects.filter(pk__in=[pid for pid, _ in chosen]).select_related("region")
    }
    batches = []
    inspection_ids: list[int] = []
    events: list[PendingEvent] = []
    hazard_jobs = []  # (inspection, premises, [(answer, rule, fixed)])
    with transaction.atomic():
        for district in districts:
            rows = [pid for pid, code in chosen if code.startswith(district.code)]
            inspectors = inspectors_by_district.get(district.code) or []
            if not rows or not inspectors:
                continue
            batch = InspectionBatch.objects.create(
                name=f"{district.name}第一轮城镇燃气安全集中攻坚排查",
                kind="campaign",
                region=district,
                region_code=district.code,
                target_type="premises",
                target_kinds=[],
                created_by=taskforce,
                due_date=wave_due,
                note="第一轮集中攻坚：餐饮企业等人员密集场所用气安全全覆盖排查（演示数据）",
            )
            batches.append(batch)
            tasks = []
            for pid in rows:
                fields = target_fields(premises_by_id[pid])
                done = pid in inspected_ids
                tasks.append(
                    InspectionTask(
                        batch=batch,
                        due_date=wave_due,
                        status="done" if done else "pending",
                        **fields,
                    )
                )
            InspectionTask.objects.bulk_create(tasks, batch_size=2000)
            tasks = list(InspectionTask.objects.filter(batch=batch).order_by("id"))
            through = InspectionTask.assignees.through
            assign = {t.pk: inspectors[i % len(inspectors)] for i, t in enumerate(tasks)}
            through.objects.bulk_create(
                [through(inspectiontask_id=t.pk, user_id=assign[t.pk].pk) for t in tasks], batch_size=5000
            )
            # The sealed records of this district.
            new = []
            plans = []
            for task in tasks:
                if task.premises_id not in inspected_ids:
                    continue
                inspector = assign[task.pk]
                started = timezone.make_aware(
                    datetime.combine(
                        wave_start + timedelta(days=rng.randint(0, 85)),
                        time(rng.randint(9, 17), rng.randint(0, 59)),
                    )
                )
                premises = premises_by_id[task.premises_id]
                rules = checklist_for(premises)
                hazard_rules = []
                if rng.random() < HAZARD_SHARE:
                    candidates = [catalog.get(r) for r in PREFERRED_RULES if catalog.get(r) in rules]
                    candidates += [
                        r for r in rules if r.answer.type in ("bool", "number") and r not in candidates
                    ]
                    count = min(len(candidates), rng.choice((1, 1, 1, 2, 2, 3)))
                    weights = list(range(len(candidates), 0, -1))
                    while len(hazard_rules) < count:
                        pick = rng.choices(candidates, weights=weights)[0]
                        if pick not in hazard_rules:
                            hazard_rules.append(pick)
                lon = (premises.lon or 114.05) + rng.uniform(-0.0003, 0.0003)
                lat = (premises.lat or 22.55) + rng.uniform(-0.0003, 0.0003)
                new.append(
                    Inspection(
                        task=task,
                        created_by=inspector,
                        department_id=_department_id(inspector, district.code),
                        started_at=started,
                        submitted_at=started + timedelta(minutes=rng.randint(15, 50)),
                        lon=round(lon, 6),
                        lat=round(lat, 6),
                        accuracy_m=rng.randint(5, 30),
                        catalog_version=catalog.version,
                        status="sealed",
                        no_hazard_found=not hazard_rules,
                        hazard_count=len(hazard_rules),
                        summary="经排查未发现安全隐患"
                        if not hazard_rules
                        else "发现隐患，已当场告知并下达整改通知书",
                        **target_fields(premises),
                    )
                )
                plans.append((inspector, premises, rules, hazard_rules))
            Inspection.objects.bulk_create(new, batch_size=1000)
            created = new  # bulk_create set the primary keys (PostgreSQL and SQLite)
            plan_by_task = {n.task_id: plan for n, plan in zip(new, plans, strict=True)}
            answers, signatures, photos, links = [], [], [], []
            for insp in created:
                inspector, premises, rules, hazard_rules = plan_by_task[insp.task_id]
                insp.number = (
                    f"JC{insp.region_code[:6]}{timezone.localtime(insp.started_at):%Y%m%d}{insp.pk:07d}"
                )
                links.append(Inspection.inspectors.through(inspection_id=insp.pk, user_id=inspector.pk))
                rows_for = []
                fixed_any = []
                for rule in rules:
                    hazard = rule in hazard_rules
                    value = _hazardous(rule, rng) if hazard else _compliant(rule, rng)
                    na = rule.answer.type == "text"
                    fixed = hazard and rule.on_the_spot and rule.severity == "general" and rng.random() < 0.25
                    answer = InspectionAnswer(
                        inspection=insp,
                        rule_id=rule.id,
                        value=None if na else value,
                        not_applicable=na,
                        is_hazard=hazard,
                        fixed_on_spot=fixed,
                        note="现场已更换/整改" if fixed else "",
                        answered_by=inspector,
                    )
                    rows_for.append(answer)
                    if fixed or rule.answer.type == "photo":
                        photos.append(
                            InspectionPhoto(
                                inspection=insp,
                                rule_id=rule.id,
                                file=photo_path,
                                content_type="image/jpeg",
                                sha256=photo_sha,
                                taken_at=insp.started_at,
                                lon=insp.lon,
                                lat=insp.lat,
                                uploaded_by=inspector,
                            )
                        )
                    if hazard:
                        fixed_any.append((answer, rule, fixed))
                answers.extend(rows_for)
                ipath, isha = sig_files[inspector.pk]
                sigs = [
                    InspectionSignature(
                        inspection=insp,
                        signer_role="inspector",
                        name=inspector.display_name,
                        user=inspector,
                        image=ipath,
                        sha256=isha,
                        signed_at=insp.submitted_at,
                    )
                ]
                rname, rpath, rsha = reps[rng.randrange(len(reps))]
                if hazard_rules and rng.random() < 0.06:
                    sigs.append(
                        InspectionSignature(
                            inspection=insp,
                            signer_role="representative",
                            name=rname,
                            refused=True,
                            refusal_note="负责人对检查结论有异议，拒绝签字；两名检查人员在场见证",
                            signed_at=insp.submitted_at,
                        )
                    )
                else:
                    sigs.append(
                        InspectionSignature(
                            inspection=insp,
                            signer_role="representative",
                            name=rname,
                            image=rpath,
                            sha256=rsha,
                            signed_at=insp.submitted_at,
                        )
                    )
                signatures.extend(sigs)
                insp.seal_hash = answers_digest(rows_for, [], sigs)["seal_hash"]
                if hazard_rules:
                    hazard_jobs.append((insp, premises, fixed_any, inspector))
                inspection_ids.append(insp.pk)
                events.append(
                    PendingEvent(
                        event_type="INSPECTION_SEALED",
                        object_type="inspection",
                        object_id=insp.pk,
                        actor=inspector,
                        region_code=insp.region_code,
                        occurred_at=insp.submitted_at,
                        payload={
                            "number": insp.number,
                            "catalog_version": catalog.version,
                            "answers": len(rows_for),
                            "no_hazard_found": not hazard_rules,
                            "seal_hash": insp.seal_hash,
                            "demo": True,
                        },
                    )
                )
            Inspection.objects.bulk_update(created, ["number", "seal_hash"], batch_size=1000)
            Inspection.inspectors.through.objects.bulk_create(links, batch_size=5000)
            InspectionAnswer.objects.bulk_create(answers, batch_size=5000)
            InspectionSignature.objects.bulk_create(signatures, batch_size=5000)
            InspectionPhoto.objects.bulk_create(photos, batch_size=5000)
            InspectionTask.objects.filter(batch=batch, status="done").update(
                completed_at=timezone.make_aware(datetime.combine(wave_due, time(18)))
            )
        audit_record_many(events=events)

    # Hazards go on the ledger through the ledger's own service (history, codes, audit chain).
    hazard_count = closed = 0
    notice_events = []
    for insp, premises, items, inspector in hazard_jobs:
        with transaction.atomic():
            updated = []
            for _answer, rule, fixed in items:
                saved = InspectionAnswer.objects.get(inspection=insp, rule_id=rule.id)
                shown = (
                    f"{saved.value:g}{rule.answer.unit}"
                    if rule.answer.type == "number"
                    else ("是" if saved.value is True else "否" if saved.value is False else saved.value)
                )
                hazard = hazard_register(
                    actor=inspector,
                    target=premises,
                    source="inspection",
                    source_ref=f"inspection:{insp.pk}",
                    rule_id=rule.id,
                    description=f"{rule.title}（检查记录 {insp.number}，检查结果：{shown}）",
                    responsible_person=premises.contact_name,
                    responsible_phone=premises.contact_phone,
                    found_at=insp.started_at,
                    extra={"inspection": insp.pk, "number": insp.number, "demo": True},
                )
                hazard_count += 1
                saved.hazard = hazard
                updated.append(saved)
                if fixed:
                    hazard_close_on_spot(
                        actor=inspector,
                        hazard_id=hazard.pk,
                        evidence_files=[ContentFile(_demo_jpeg(), name="on-spot.jpg")],
                        note="现场立行立改",
                    )
                    closed += 1
            InspectionAnswer.objects.bulk_update(updated, ["hazard"])
            issued = insp.submitted_at + timedelta(minutes=5)
            number = f"ZG{insp.region_code[:6]}{timezone.localtime(issued):%Y%m%d}{insp.pk:07d}"
            Inspection.objects.filter(pk=insp.pk).update(
                notice_number=number, notice_issued_at=issued, notice_issued_by=inspector
            )
            notice_events.append(
                PendingEvent(
                    event_type="INSPECTION_NOTICE_ISSUED",
                    object_type="inspection",
                    object_id=insp.pk,
                    actor=inspector,
                    region_code=insp.region_code,
                    occurred_at=issued,
                    payload={"number": insp.number, "notice_number": number, "seal_hash": insp.seal_hash},
                )
            )
    if notice_events:
        with transaction.atomic():
            audit_record_many(events=notice_events)

    # A current 回头看 wave in 南山 so the inspector's "my tasks" has work today.
    revisit = _current_revisit(ctx, taskforce, inspected_ids, premises_by_id)
    if revisit is not None:
        batches.append(revisit)
    ctx.data["inspection_ids"] = inspection_ids
    ctx.data["inspection_batches"] = batches
    ctx.log(
        f"检查：{len(batches)} 个批次，{len(inspection_ids)} 份已封存检查记录，"
        f"{len(hazard_jobs)} 份发现隐患（登记隐患 {hazard_count} 条，立行立改 {closed} 条），"
        f"整改通知书 {len(notice_events)} 份"
    )


def _department_id(user, district_code: str):
    m = (
        Membership.objects.filter(
            user=user, is_active=True, department__region_code__startswith=district_code
        )
        .values_list("department_id", flat=True)
        .first()
    )
    return m


def _current_revisit(ctx, taskforce, inspected_ids, premises_by_id):
    inspector = _user(ctx, "ns_inspector")
    if inspector is None:
        return None
    from gasguard.org.models import Region

    region = Region.objects.filter(code="440305").first()
    pool = sorted(pid for pid in inspected_ids if premises_by_id[pid].region_code.startswith("440305"))
    if region is None or not pool:
        return None
    picked = ctx.rng.sample(pool, min(len(pool), 30))
    with transaction.atomic():
        batch = InspectionBatch.objects.create(
            name="南山区第二轮“回头看”复查",
            kind="revisit",
            region=region,
            region_code=region.code,
            target_type="premises",
            created_by=taskforce,
            due_date=ctx.today + timedelta(days=14),
            note="对第一轮已检查场所抽样复查，防止改后反弹（演示数据）",
        )
        tasks = [
            InspectionTask(
                batch=batch,
                due_date=ctx.today + timedelta(days=ctx.rng.choice((0, 3, 7, 14))),
                **target_fields(premises_by_id[pid]),
            )
            for pid in picked
        ]
        InspectionTask.objects.bulk_create(tasks)
        through = InspectionTask.assignees.through
        through.objects.bulk_create(
            [
                through(inspectiontask_id=t.pk, user_id=inspector.pk)
                for t in InspectionTask.objects.filter(batch=batch)
            ]
        )
        audit_record_many(
            events=[
                PendingEvent(
                    event_type="INSPECTION_BATCH_CREATED",
                    object_type="inspection_batch",
                    object_id=batch.pk,
                    actor=taskforce,
                    region_code=batch.region_code,
                    payload={"name": batch.name, "kind": "revisit", "tasks": len(tasks), "demo": True},
                )
            ]
        )
    return batch


def _demo_jpeg() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (225, 228, 232))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 120, 140, 220), fill=(170, 170, 175))  # a cylinder
    draw.line((140, 150, 280, 110), fill=(40, 40, 40), width=5)  # a hose
    draw.rectangle((230, 80, 310, 120), fill=(90, 90, 95))  # a stove
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()
