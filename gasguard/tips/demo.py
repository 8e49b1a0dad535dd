"""Demo city, public reports (群众举报): reports in every state, routed, verified, rewarded.

Runs after org, accounts, registry and hazards. Everything goes through the real services,
so routing, history, hazards, notifications and the audit chain are complete. Tracking codes
are re-drawn from ctx.rng so the same seed gives the same codes (demo codes are not secret).

Reads ctx.data: districts [Region], users {username: User}, premises_ids
(all fall back to the database). Adds ctx.data: tip_ids_by_state {status: [id]},
tip_codes {status: code} (one sample code per state), open311_key (the demo 12345 client's key).
"""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gasguard.accounts.models import User
from gasguard.core.errors import DomainError
from gasguard.org.models import Region
from gasguard.registry.models import Premises
from gasguard.tips.models import Tip, TipHistory
from gasguard.tips.security import CODE_ALPHABET, CODE_LENGTH, format_code
from gasguard.tips.services import (
    TipInput,
    open311_client_create,
    reward_approve,
    reward_pay,
    reward_propose,
    reward_rule_set,
    tip_start_verification,
    tip_submit,
    tip_verify,
)

PROBLEMS = [
    ("hose", "后厨液化气软管老化开裂，还用铁丝绑着，经常闻到燃气味"),
    ("cylinder", "店里用的液化气瓶锈得很厉害，没有二维码标签，像是报废瓶"),
    ("valve", "钢瓶减压阀是几块钱的杂牌货，拧开时有嘶嘶声"),
    ("environment", "饭店在地下室用液化气做饭，也没看到燃气报警器"),
    ("pipeline", "小区门口路面施工挖到燃气管道附近，现场没人看护，有气味"),
    ("gas", "送来的液化气烧不完就没火了，怀疑掺了二甲醚"),
    ("unlicensed", "城中村有人用面包车卖液化气，没有门店也没有证照"),
    ("other", "楼道里堆放了好几个液化气瓶"),
]
VERIFIERS = {"market": "ns_market", "fire": "ns_fire", "housing": "ns_inspector"}
SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗"


def _user(ctx, username):
    return (ctx.data.get("users") or {}).get(username) or User.objects.filter(username=username).first()


def _photo(ctx) -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 90), (ctx.rng.randint(80, 220), ctx.rng.randint(60, 160), 60)).save(
        buf, "JPEG", quality=70
    )
    return SimpleUploadedFile("scene.jpg", buf.getvalue(), content_type="image/jpeg")


def _code(ctx) -> str:
    return "".join(ctx.rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _verifier(ctx, tip):
    if tip.region_code.startswith("440305"):
        user = _user(ctx, VERIFIERS.get(tip.department_kind, "ns_inspector"))
        if user is not None:
            return user
    return _user(ctx, "taskforce") or User.objects.filter(is_superuser=True).first()


def build(ctx) -> None:
    districts = ctx.data.get("districts") or list(Region.objects.filter(level=3).order_by("code"))
    if not districts:
        ctx.log("群众举报：没有区县，跳过")
        return
    premises_ids = ctx.data.get("premises_ids") or list(
        Premises.objects.order_by("id").values_list("id", flat=True)
    )
    taskforce = _user(ctx, "taskforce")
    admin = _user(ctx, "admin") or User.objects.filter(is_superuser=True).first()
    city = Region.objects.filter(level=2).order_by("code").first()

    if taskforce is not None and city is not None:
        # 深圳市 demo rule, between the PEERS.md examples (潜江 100–300 元; 崂山 500–5000 一般, 重大 5000 起).
        reward_rule_set(
            actor=taskforce,
            region=city,
            general_amount=500,
            major_amount=5000,
            min_amount=200,
            max_amount=100000,
            requires_real_name=True,
            note="演示：一般隐患500元，重大隐患5000元起",
        )
    client, key = open311_client_create(
        actor=admin, name="12345政务服务便民热线", region=city or districts[0], channel="12345"
    )
    ctx.data["open311_key"] = key

    now = timezone.now()
    total = ctx.n(48)
    sample = ctx.rng.sample(premises_ids, min(len(premises_ids), total)) if premises_ids else []
    premises = {p.pk: p for p in Premises.objects.filter(pk__in=sample).select_related("region")}
    tips: list[Tip] = []
    for i in range(total):
        category, text = PROBLEMS[i % len(PROBLEMS)]
        target = premises.get(sample[i]) if i < len(sample) else None
        anonymous = ctx.rng.random() < 0.45
        channel = ctx.rng.choice(["web"] * 6 + ["hotline", "12345", "onsite"])
        if target is not None:
            data = TipInput(
                category=category,
                description=text,
                street_code=target.region_code[:9] if len(target.region_code) >= 9 else "",
                district_code=target.region_code[:6],
                lon=target.lon,
                lat=target.lat,
                address=target.address,
                target_name=target.name,
            )
        else:
            district = districts[i % len(districts)]
            data = TipInput(
                category=category,
                description=text,
                district_code=district.code,
                address=f"{district.name}某路{i + 1}号",
            )
        data.is_anonymous = anonymous
        if not anonymous:
            data.reporter_name = ctx.rng.choice(SURNAMES) + ctx.rng.choice("先生女士")
            data.reporter_phone = f"13{ctx.rng.randint(0, 9)}{ctx.rng.randint(10000000, 99999999)}"
        if ctx.rng.random() < 0.3:
            data.photos = [_photo(ctx)]
        actor = None
        if channel in ("hotline", "12345", "onsite"):
            actor = taskforce
            data.external_ref = f"GD{ctx.today:%Y%m}{i:04d}" if channel == "12345" else ""
        try:
            tip = tip_submit(data=data, channel=channel, actor=actor, ip=f"10.1.{i // 250}.{i % 250}")
        except DomainError as exc:
            ctx.log(f"群众举报：跳过一条（{exc.message}）")
            continue
        tip._demo_target = target
        tips.append(tip)
    # Forwarded by the 12345 platform through Open311.
    for i, district in enumerate(districts[:2]):
        try:
            tips.append(
                tip_submit(
                    data=TipInput(
                        category="pipeline",
                        description="市民来电：路边闻到明显燃气味",
                        district_code=district.code,
                        address=f"{district.name}某大道{100 + i}号",
                        external_ref=f"12345-{ctx.today:%Y%m%d}-{i:03d}",
                    ),
                    channel=client.channel,
                    open311_client=client,
                )
            )
            tips[-1]._demo_target = None
        except DomainError as exc:
            ctx.log(f"群众举报：Open311 示例跳过（{exc.message}）")
    # Two duplicates: a second report a few metres from an earlier one.
    for original in [t for t in tips if t.has_location][:2]:
        dup = tip_submit(
            data=TipInput(
                category=original.category,
                description="同一家店，上周也有人反映过，还没整改",
                district_code=original.region_code[:6],
                lon=original.lon + 0.0001,
                lat=original.lat,
                target_name=original.target_name,
            ),
            channel="web",
        )
        tip_verify(actor=_verifier(ctx, dup), tip_id=dup.pk, outcome="duplicate", duplicate_of_id=original.pk)

    # Move reports through the workflow: the remainder stays 已受理/已分派.
    states = [
        "confirmed",
        "confirmed",
        "confirmed",
        "unfounded",
        "verifying",
        "not_accepted",
        "confirmed",
        "assigned",
    ]
    confirmed: list[Tip] = []
    for i, tip in enumerate(tips):
        state = states[i % len(states)]
        verifier = _verifier(ctx, tip)
        try:
            if state == "verifying":
                tip_start_verification(actor=verifier, tip_id=tip.pk)
            elif state == "unfounded":
                tip_verify(
                    actor=verifier,
                    tip_id=tip.pk,
                    outcome="unfounded",
                    reason="现场核查未发现所反映问题",
                    public_reply="经现场核查，未发现您反映的问题，感谢监督。",
                )
            elif state == "not_accepted":
                tip_verify(
                    actor=verifier, tip_id=tip.pk, outcome="not_accepted", reason="无具体对象和地点，无法核查"
                )
            elif state == "confirmed" and tip._demo_target is not None:
                tip_start_verification(actor=verifier, tip_id=tip.pk)
                tip = tip_verify(
                    actor=verifier,
                    tip_id=tip.pk,
                    outcome="confirmed",
                    target_type="premises",
                    target_id=tip._demo_target.pk,
                    hazard_description=f"群众举报经核查属实：{tip.description}",
                    severity="major"
                    if tip.category in ("environment", "gas") and ctx.rng.random() < 0.5
                    else "",
                )
                confirmed.append(tip)
        except DomainError as exc:
            ctx.log(f"群众举报 #{tip.pk}：{exc.message}")

    # Close a few of the hazards so the status page shows 已整改销号.
    from gasguard.hazards.services import hazard_close_on_spot

    for tip in confirmed[: max(1, len(confirmed) // 3)]:
        try:
            hazard_close_on_spot(
                actor=_verifier(ctx, tip),
                hazard_id=tip.hazard_id,
                evidence_files=[_photo(ctx)],
                note="已更换软管并复查",
            )
        except DomainError as exc:
            ctx.log(f"群众举报隐患 {tip.hazard_id} 未能销号：{exc.message}")

    # 查实重奖: propose for eligible real-name reports; approve by a second person; pay some.
    rewarded = paid = 0
    for i, tip in enumerate(confirmed):
        if tip.is_anonymous or taskforce is None:
            continue
        try:
            reward = reward_propose(actor=taskforce, tip_id=tip.pk)
        except DomainError:
            continue  # not eligible (already on the ledger, or staff): shown on the tip page
        rewarded += 1
        if i % 3 == 2:
            continue  # stays 待审批
        approver = _user(ctx, "ns_taskforce") if tip.region_code.startswith("440305") else admin
        reward_approve(actor=approver or admin, reward_id=reward.pk)
        if i % 2 == 0:
            reward_pay(
                actor=taskforce,
                reward_id=reward.pk,
                paid_on=timezone.localdate(),
                reference=f"JL{ctx.today:%Y}{reward.pk:05d}",
            )
            paid += 1

    # Spread submission times over the last 60 days and draw deterministic codes.
    by_state: dict[str, list[int]] = {}
    codes: dict[str, str] = {}
    for tip in Tip.objects.order_by("id"):
        age = timedelta(days=ctx.rng.randint(1, 60), minutes=ctx.rng.randint(0, 600))
        code = _code(ctx)
        Tip.objects.filter(pk=tip.pk).update(code=code, created_at=now - age)
        TipHistory.objects.filter(tip=tip, action="submit").update(created_at=now - age)
        by_state.setdefault(tip.status, []).append(tip.pk)
        codes.setdefault(tip.status, code)
    ctx.data["tip_ids_by_state"] = by_state
    ctx.data["tip_codes"] = codes

    from gasguard.notifications.models import NotificationChannel

    if city is not None:
        NotificationChannel.objects.create(
            name="市专班值班邮箱(示例,未启用)",
            kind="email",
            region=city,
            address="zhuanban@example.gov.cn",
            is_active=False,
        )
        NotificationChannel.objects.create(
            name="南山住建钉钉群(示例,未启用)",
            kind="dingtalk",
            region=districts[0],
            is_active=False,
            address="https://oapi.dingtalk.com/robot/send?access_token=DEMO",
            kinds=["tip_routed", "hazard_overdue"],
        )
    counts = "，".join(f"{Tip(status=s).get_status_display()} {len(v)}" for s, v in sorted(by_state.items()))
    ctx.log(
        f"群众举报：{sum(len(v) for v in by_state.values())} 条（{counts}）；奖励 {rewarded} 笔，已发放 {paid} 笔"
    )
    sample_code = codes.get("confirmed") or next(iter(codes.values()), "")
    if sample_code:
        ctx.log(f"  举报进度查询示例：/report/status/?code={format_code(sample_code)}")
    ctx.log(f"  Open311 接入密钥（12345热线，演示用）：{key}")
