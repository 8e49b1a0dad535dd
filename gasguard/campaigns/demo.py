"""Demo data of the campaign: the city's campaign with the plan's three phases, targets per
district, a 回头看 wave, monthly reports (two districts submitted, the rest not — so the city's
not-submitted list and the overdue reminder show), and a few 通报/约谈/警示建议/accident records.

Reads ctx.data: "city", "districts", "users" (taskforce, ns_taskforce, ns_supervisor,
ba_supervisor), "premises_ids" — each looked up from the database when absent.
Adds ctx.data: "campaign", "monthly_reports" [MonthlyReport].
Deterministic: randomness only from ctx.rng.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from gasguard.campaigns import selectors as sel
from gasguard.campaigns import services
from gasguard.campaigns.models import Campaign

DISTRICT_CODES = ("440303", "440304", "440305", "440306", "440307", "440309")


def _user(ctx, username: str):
    from gasguard.accounts.models import User

    return (ctx.data.get("users") or {}).get(username) or User.objects.filter(username=username).first()


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def build(ctx) -> None:
    from gasguard.org.models import Region

    city = ctx.data.get("city") or Region.objects.filter(code="4403").first()
    admin = _user(ctx, "taskforce") or _user(ctx, "admin")
    if city is None or admin is None:
        ctx.log("专项整治：缺少城市或专班用户，跳过")
        return
    if Campaign.objects.filter(region=city).exists():
        ctx.log("专项整治：已存在，跳过")
        return
    districts = ctx.data.get("districts") or list(
        Region.objects.filter(code__in=DISTRICT_CODES).order_by("code")
    )
    campaign = services.campaign_create_default(actor=admin, region=city)
    ctx.data["campaign"] = campaign
    for district in districts:
        services.campaign_target_set(
            actor=admin,
            campaign=campaign,
            region=district,
            coverage_pct=ctx.rng.choice((95, 98, 100)),
            rectification_pct=ctx.rng.choice((90, 95)),
            major_cleared_pct=100,
            revisit_pct=ctx.rng.choice((80, 90, 100)),
        )
    consolidation = campaign.phases.get(kind="consolidation")
    services.revisit_wave_create(
        actor=admin,
        campaign=campaign,
        name="巩固提升阶段第一轮回头看",
        start_date=date(2024, 1, 1),
        end_date=date(2024, 3, 31),
    )
    today = min(ctx.today, timezone.localdate())
    services.revisit_wave_create(
        actor=admin,
        campaign=campaign,
        name="长效机制常态化回头看",
        start_date=today - timedelta(days=90),
        end_date=today + timedelta(days=30),
    )
    ctx.log(
        f"专项整治：{campaign.name}，{campaign.phases.count()} 个阶段，{len(districts)} 个目标，巩固提升 {consolidation.start_date}"
    )

    # The latest month whose cut-off has passed: two districts submitted, the others not.
    month = sel.month_start(today)
    if not sel.report_is_final(month, today):
        month = sel.month_start(month - timedelta(days=1))
    reports = []
    narratives = [
        (
            "组织住建、消防、市场监管、商务部门联合开展餐饮场所燃气安全检查，对照检查规则逐项排查并拍照留痕。",
            "部分老旧小区餐饮场所软管老化、未安装可燃气体报警器问题反复出现。",
            "开展“回头看”抽查，重点督办逾期未整改隐患，推动瓶改管。",
        ),
        (
            "完成瓶装液化石油气供应站全覆盖检查，督促企业落实“一瓶一码”和随瓶安检。",
            "个别企业送气工随瓶安检记录不全。",
            "对逾期隐患挂牌督办，约谈整改不力企业负责人。",
        ),
    ]
    for username, code, (work, problems, steps) in zip(
        ("ns_taskforce", "ba_supervisor"), ("440305", "440306"), narratives, strict=True
    ):
        user = _user(ctx, username) or _user(ctx, "ns_supervisor" if code == "440305" else "")
        region = Region.objects.filter(code=code).first()
        if user is None or region is None:
            continue
        report = services.monthly_report_create(actor=user, region=region, month=month)
        services.monthly_report_update(
            actor=user, report=report, work_summary=work, problems=problems, next_steps=steps
        )
        reports.append(services.monthly_report_submit(actor=user, report=report))
    # This month's draft of 南山 (statistics period not yet ended unless past the cut-off).
    ns = _user(ctx, "ns_taskforce")
    nanshan = Region.objects.filter(code="440305").first()
    if ns and nanshan and month != sel.month_start(today):
        draft = services.monthly_report_create(actor=ns, region=nanshan, month=sel.month_start(today))
        services.monthly_report_update(
            actor=ns, report=draft, work_summary="本月排查工作正在进行中。", problems="", next_steps=""
        )
        reports.append(draft)
    ctx.data["monthly_reports"] = reports
    reminded = services.monthly_report_remind(today=sel.cutoff_for(month) + timedelta(days=1))
    ctx.log(
        f"月度报告：{month:%Y-%m} 已报送 {sum(1 for r in reports if r.is_submitted)} 份，逾期提醒 {len(reminded)} 个地区"
    )

    # Supervision records.
    services.supervision_notice_issue(
        actor=admin,
        region=city,
        number="深燃安专班〔2024〕3号",
        issued_on=min(today, date(2024, 3, 28)),
        period_end=date(2024, 3, 25),
    )
    supervisor = _user(ctx, "ns_supervisor") or admin
    district = nanshan or city
    services.interview_record(
        actor=supervisor,
        region=district,
        interviewee="张某（总经理）",
        unit="南山区某瓶装液化气供应站",
        held_on=date(2024, 1, 12),
        reason="多次检查发现送气工未开展随瓶安检，重大隐患逾期未整改",
        outcome="rectify",
        outcome_note="责令15日内完成整改并书面报告",
        interviewer="区住建局分管负责人",
    )
    services.interview_record(
        actor=admin,
        region=city,
        interviewee="李某（分管副区长）",
        unit="宝安区人民政府",
        held_on=date(2024, 4, 8),
        reason="排查整治进度滞后，隐患整改率低于全市平均水平",
        outcome="warned",
        interviewer="市专班",
    )
    services.warning_advice_issue(
        actor=supervisor,
        region=district,
        recipient_unit="南山区餐饮行业协会",
        subject="软管老化与私接三通集中出现",
        content="近期检查发现餐饮场所连接软管超长、私接三通问题集中，建议组织会员单位开展自查自改。",
        issued_on=min(today, date(2024, 2, 20)),
        response_due=min(today, date(2024, 2, 20)) + timedelta(days=15),
    )
    premises_ids = ctx.data.get("premises_ids") or []
    from gasguard.registry.models import Premises

    target = None
    if premises_ids:
        target = Premises.objects.filter(pk=premises_ids[ctx.rng.randrange(len(premises_ids))]).first()
    region = target.region if target is not None else district
    services.accident_record(
        actor=admin,
        region=region,
        occurred_at=_local(date(2023, 10, 17), 11),
        place=(target.address if target else "南山区某餐馆"),
        description="后厨液化石油气软管脱落引发闪爆，造成1人轻伤，社会关注度高。",
        premises=target,
        deaths=0,
        injuries=1,
        is_egregious=True,
    )
    services.accident_record(
        actor=admin,
        region=district,
        occurred_at=_local(min(today, date(2024, 9, 3)), 19),
        place="南山区某住宅小区",
        description="居民用户灶具熄火保护失效导致少量泄漏，及时处置未造成伤亡。",
        deaths=0,
        injuries=0,
        is_egregious=False,
    )
    ctx.log("督办通报：通报 1 份，约谈 2 次，警示建议 1 份，事故 2 起（1 起提级调查）")
