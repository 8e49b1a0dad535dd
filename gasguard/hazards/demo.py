"""Demo city, hazard ledger: the first campaign wave's hazards moved into every state.

Runs after the inspections demo. It takes the hazards already on the ledger (or, if there are
none yet, registers some against demo premises) and, through the real services (so history
and the audit chain are complete), puts them in every state: 整改中, 管控中 (approved), 待验收
with evidence, 已销号 (evidence + a verifier distinct from the rectifier), overdue ones,
referrals to 市场监管 (accepted and pending), enforcement records, 改后反弹 and 回头看 samples;
then runs the escalation ladder once. Randomness only from ctx.rng.

Reads ctx.data: users {username: User} (falls back to the database), premises_ids, today.
Adds ctx.data: hazard_ids_by_state {state: [hazard id]}.
"""

import io
from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gasguard.accounts.models import User
from gasguard.core.errors import DomainError
from gasguard.hazards import services
from gasguard.hazards.choices import HazardStatusChoices
from gasguard.hazards.models import Hazard

S = HazardStatusChoices
DEMO_PROBLEMS = [
    # (title, category, severity, lead, description)
    ("燃气软管老化龟裂", "hose", "general", "housing", "灶具连接软管老化龟裂，长度超过2米"),
    ("使用不合格调压阀", "valve", "general", "housing", "瓶阀与调压器不匹配，无自闭功能"),
    ("未安装可燃气体报警器", "environment", "major", "housing", "餐饮场所使用燃气未安装可燃气体报警装置"),
    ("气瓶超期未检", "cylinder", "major", "housing", "现场存放的液化石油气钢瓶超过检验有效期"),
    ("用气场所与住人空间未分隔", "environment", "general", "fire", "操作间与住人空间未有效分隔"),
    ("钢瓶倒置使用", "cylinder", "general", "housing", "液化石油气钢瓶倒置或加热使用"),
]
DISTRICT_STAFF = {
    "440305": ("ns_inspector", "ns_supervisor"),
    "440306": ("ba_inspector", "ba_supervisor"),
    "440303": ("lh_inspector", "taskforce"),
    "440304": ("ft_inspector", "taskforce"),
    "440307": ("lg_inspector", "taskforce"),
    "440309": ("lhua_inspector", "taskforce"),
}


def _photo(ctx, label: str) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (160, 120), (ctx.rng.randint(60, 200), ctx.rng.randint(60, 200), 120))
    ImageDraw.Draw(image).text(
        (10, 50), label[:20].encode("ascii", "ignore").decode() or "evidence", fill=(255, 255, 255)
    )
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=70)
    return SimpleUploadedFile(f"{label}.jpg", buf.getvalue(), content_type="image/jpeg")


def _user(ctx, username: str):
    users = ctx.data.get("users") or {}
    return users.get(username) or User.objects.filter(username=username).first()


def _register_some(ctx) -> None:
    """No hazards yet (inspections demo not run): register a first wave against demo premises."""
    from gasguard.registry.models import Premises

    premises = list(
        Premises.objects.filter(region_code__startswith="440305").order_by("id")[: max(ctx.n(40), 30)]
    )
    premises += list(
        Premises.objects.exclude(region_code__startswith="440305").order_by("id")[: max(ctx.n(20), 12)]
    )
    restaurant = _user(ctx, "ent_restaurant")
    own = []
    if restaurant is not None:
        ent_ids = list(restaurant.memberships.values_list("enterprise_id", flat=True))
        own = list(Premises.objects.filter(enterprise_id__in=ent_ids).order_by("id")[:3])
    today = ctx.today
    for index, place in enumerate(own + premises):
        inspector = _user(ctx, DISTRICT_STAFF.get(place.region_code[:6], ("ns_inspector",))[0])
        title, category, severity, lead, description = DEMO_PROBLEMS[ctx.rng.randrange(len(DEMO_PROBLEMS))]
        if index < len(own):
            title, category, severity, lead, description = DEMO_PROBLEMS[index % 2]
        found = today - timedelta(days=ctx.rng.randint(5, 60))
        found_at = timezone.make_aware(datetime.combine(found, time(10, ctx.rng.randint(0, 59))))
        services.hazard_register(
            actor=inspector,
            target=place,
            source="inspection",
            description=description,
            title=title,
            category=category,
            severity=severity,
            lead_department_kind=lead,
            deadline=found + timedelta(days=30 if severity == "general" else 15),
            responsible_person=place.contact_name or "场所负责人",
            responsible_phone=place.contact_phone,
            found_at=found_at,
            source_ref="demo:wave1",
        )


def _try(ctx, label, fn, **kwargs):
    try:
        return fn(**kwargs)
    except DomainError as exc:
        ctx.log(f"  (跳过 {label}: {exc.message})")
        return None


def build(ctx) -> None:
    if not Hazard.objects.exists():
        _register_some(ctx)
    hazards = list(Hazard.objects.filter(status=S.PENDING).select_related("enterprise").order_by("id"))
    if not hazards:
        ctx.log("隐患台账：没有可演示的隐患")
        return
    ctx.rng.shuffle(hazards)
    hazards = hazards[: max(ctx.n(160), 2 * 14)]
    taskforce = _user(ctx, "taskforce")
    enterprise_users = {}
    for user in User.objects.filter(memberships__enterprise__isnull=False).prefetch_related("memberships"):
        for m in user.memberships.all():
            enterprise_users.setdefault(m.enterprise_id, user)
    states: dict[str, list[int]] = {}

    def staff(h):
        inspector_name, supervisor_name = DISTRICT_STAFF.get(h.region_code[:6], ("ns_inspector", "taskforce"))
        inspector = _user(ctx, inspector_name) or taskforce
        supervisor = _user(ctx, supervisor_name) or taskforce
        return inspector, supervisor

    def rectifier(h, inspector):
        return enterprise_users.get(h.enterprise_id) or inspector

    # The restaurant's own hazards come first so the demo login ent_restaurant sees the loop.
    restaurant = _user(ctx, "ent_restaurant")
    if restaurant is not None:
        ent_ids = set(restaurant.memberships.values_list("enterprise_id", flat=True))
        hazards.sort(key=lambda h: h.enterprise_id not in ent_ids)
    plan = ["rectifying", "awaiting", "closed", "controlled", "pending", "closed", "overdue", "referred",
            "closed_on_spot", "enforced", "reappeared", "closed", "rectifying", "awaiting"]  # fmt: skip
    today = ctx.today
    for index, h in enumerate(hazards):
        state = plan[index % len(plan)]
        inspector, supervisor = staff(h)
        party = rectifier(h, inspector)
        done = None
        if state == "rectifying":
            done = _try(ctx, h.code, services.hazard_start, actor=party, hazard_id=h.pk, note="已安排更换")
        elif state == "awaiting":
            _try(ctx, h.code, services.hazard_start, actor=party, hazard_id=h.pk)
            done = _try(
                ctx,
                h.code,
                services.hazard_submit_rectification,
                actor=party,
                hazard_id=h.pk,
                measures="已更换为合格的金属波纹管并加装熄火保护装置",
                evidence_files=[_photo(ctx, f"rect-{h.pk}")],
            )
        elif state in ("closed", "reappeared", "enforced"):
            _try(
                ctx,
                h.code,
                services.hazard_submit_rectification,
                actor=party,
                hazard_id=h.pk,
                measures="隐患已整改到位",
                evidence_files=[_photo(ctx, f"rect-{h.pk}")],
            )
            verifier = supervisor if party != supervisor else taskforce
            done = _try(
                ctx,
                h.code,
                services.hazard_verify,
                actor=verifier,
                hazard_id=h.pk,
                passed=True,
                reason="现场复核合格",
            )
            if state == "enforced" and done is not None:
                _try(
                    ctx,
                    h.code,
                    services.enforcement_record,
                    actor=inspector,
                    hazard_id=h.pk,
                    kind="fine",
                    fine_amount=ctx.rng.choice([2000, 5000, 10000, 20000]),
                    decision_number=f"深建罚〔{today.year}〕{100 + index}号",
                    decided_on=today - timedelta(days=ctx.rng.randint(0, 10)),
                )
                _try(
                    ctx,
                    h.code,
                    services.enforcement_record,
                    actor=inspector,
                    hazard_id=h.pk,
                    kind="order_rectify",
                )
            if state == "reappeared" and done is not None:
                target = h.premises or h.facility or h.enterprise
                again = _try(
                    ctx,
                    h.code,
                    services.hazard_register,
                    actor=inspector,
                    target=target,
                    source="inspection",
                    description=f"回头看发现：{h.title}再次出现",
                    rule_id=h.rule_id or None,
                    title=None if h.rule_id else h.title,
                    category=None if h.rule_id else h.category,
                    lead_department_kind=None if h.rule_id else h.lead_department_kind,
                    source_ref="demo:revisit",
                )
                if again is not None:
                    states.setdefault("reappeared_new", []).append(again.pk)
        elif state == "controlled":
            request = _try(
                ctx,
                h.code,
                services.hazard_control_request,
                actor=party,
                hazard_id=h.pk,
                measures="暂停使用该灶具，关闭气源阀门，张贴禁用标识，每日巡查",
                new_deadline=today + timedelta(days=ctx.rng.randint(10, 40)),
            )
            if request is not None:
                approver = supervisor if supervisor != party else taskforce
                done = _try(
                    ctx, h.code, services.hazard_control_approve, actor=approver, hazard_id=h.pk, note="同意"
                )
        elif state == "overdue":
            found = timezone.localdate(h.found_at)
            deadline = max(found, today - timedelta(days=ctx.rng.randint(2, 20)))
            if deadline < today:
                done = _try(
                    ctx,
                    h.code,
                    services.hazard_assign,
                    actor=supervisor,
                    hazard_id=h.pk,
                    reason="按原排查台账登记的整改时限",
                    deadline=deadline,
                )
        elif state == "referred":
            referral = _try(
                ctx,
                h.code,
                services.hazard_refer,
                actor=inspector,
                hazard_id=h.pk,
                to_kind="market",
                reason="问题软管/问题阀移送市场监管部门溯源（安委〔2023〕3号 二(四)3）",
            )
            if referral is not None and index % 2 == 0:
                receiver = User.objects.filter(
                    memberships__department=referral.to_department, memberships__is_active=True
                ).first()
                if receiver is not None:
                    _try(
                        ctx,
                        h.code,
                        services.referral_accept,
                        actor=receiver,
                        referral_id=referral.pk,
                        response="已受理，开展溯源",
                    )
            done = referral
        elif state == "closed_on_spot":
            done = _try(
                ctx,
                h.code,
                services.hazard_close_on_spot,
                actor=inspector,
                hazard_id=h.pk,
                evidence_files=[_photo(ctx, f"spot-{h.pk}")],
                note="现场责令更换软管，已立行立改",
            )
        else:
            done = h
        if done is not None:
            states.setdefault(state, []).append(h.pk)
    result = services.hazard_escalate_due(today=today)
    ctx.data["hazard_ids_by_state"] = states
    counts = "，".join(f"{k} {len(v)}" for k, v in states.items())
    ctx.log(f"隐患台账：{counts}；督办 {result}")
