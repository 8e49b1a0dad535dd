"""Services of the campaign app: every write goes through here, in one transaction, with audit."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from gasguard.accounts.choices import MembershipRoleChoices as ROLE
from gasguard.accounts.selectors import user_scope
from gasguard.audit.services import audit_record
from gasguard.campaigns import documents
from gasguard.campaigns import selectors as sel
from gasguard.campaigns.choices import (
    CAMPAIGN_DEFAULT_END,
    CAMPAIGN_DEFAULT_START,
    DEFAULT_PHASES,
    CampaignPhaseKindChoices,
    InterviewOutcomeChoices,
    MonthlyReportStatusChoices,
    NoticeKindChoices,
)
from gasguard.campaigns.models import (
    Accident,
    Campaign,
    CampaignPhase,
    CampaignTarget,
    Interview,
    MonthlyReport,
    RevisitWave,
    SupervisionNotice,
    WarningAdvice,
)
from gasguard.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gasguard.dashboard import selectors as stats
from gasguard.org.models import Region

COMMAND_ROLES = (ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR)


def _require(actor, region_code: str, *, roles=COMMAND_ROLES, own_level: bool = False) -> None:
    """The actor must hold one of `roles` and see the region (or be that region's own staff)."""
    scope = user_scope(user=actor)
    if not scope.has_role(*roles):
        raise PermissionDenied("只有专班管理员或部门监管负责人可以执行此操作")
    if own_level and not (scope.is_global or region_code in scope.region_prefixes):
        raise PermissionDenied("只能由本级专班或部门填报")
    if not scope.covers_region(region_code):
        raise NotFound("未找到该区划，或不在您的数据权限范围内。")


def _pct_value(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{field}须为0–100的数字", field=field) from None
    if not Decimal(0) <= number <= Decimal(100):
        raise ValidationFailed(f"{field}须为0–100的数字", field=field)
    return number


# --- campaigns -------------------------------------------------------------------------------


def campaign_create(
    *,
    actor,
    region: Region,
    name: str,
    start_date: date,
    end_date: date | None = None,
    phases: list[tuple] | None = None,
    description: str = "",
) -> Campaign:
    """Create a campaign with its phases ((kind, start, end, includes_revisit) tuples)."""
    _require(actor, region.code, roles=(ROLE.TASKFORCE_ADMIN,))
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("名称不能为空", field="name")
    if end_date and end_date < start_date:
        raise ValidationFailed("结束日期不能早于开始日期", field="end_date")
    with transaction.atomic():
        campaign = Campaign.objects.create(
            region=region,
            region_code=region.code,
            name=name,
            start_date=start_date,
            end_date=end_date,
            description=description,
            created_by=actor,
        )
        for order, (kind, start, end, revisit) in enumerate(phases or (), start=1):
            CampaignPhase.objects.create(
                campaign=campaign,
                kind=kind,
                name=CampaignPhaseKindChoices(kind).label,
                start_date=start,
                end_date=end,
                includes_revisit=revisit,
                order=order,
            )
        audit_record(
            event_type="CAMPAIGN_CREATED",
            object_type="campaign",
            object_id=campaign.pk,
            actor=actor,
            region_code=region.code,
            payload={"name": name, "start_date": start_date.isoformat(), "phases": len(phases or ())},
        )
    return campaign


def campaign_create_default(*, actor, region: Region, name: str = "") -> Campaign:
    """The plan's campaign for a region: 集中攻坚 2023-08-01–11-30, 巩固提升 2023-12-01–2024-06-30
    (with 回头看), 长效机制 from 2024-07-01."""
    return campaign_create(
        actor=actor,
        region=region,
        name=name or f"{region.name}城镇燃气安全专项整治",
        start_date=CAMPAIGN_DEFAULT_START,
        end_date=CAMPAIGN_DEFAULT_END,
        phases=list(DEFAULT_PHASES),
        description="依据《全国城镇燃气安全专项整治工作方案》（安委〔2023〕3号）",
    )


def campaign_target_set(
    *,
    actor,
    campaign: Campaign,
    region: Region,
    coverage_pct=100,
    rectification_pct=100,
    major_cleared_pct=100,
    revisit_pct=100,
) -> CampaignTarget:
    """Set (create or replace) the targets of one subordinate region."""
    _require(actor, campaign.region_code, roles=(ROLE.TASKFORCE_ADMIN,))
    if not region.code.startswith(campaign.region_code) or region.code == campaign.region_code:
        raise ValidationFailed("目标区划须为本专项整治区划的下级区划", field="region")
    values = {
        "coverage_pct": _pct_value(coverage_pct, "coverage_pct"),
        "rectification_pct": _pct_value(rectification_pct, "rectification_pct"),
        "major_cleared_pct": _pct_value(major_cleared_pct, "major_cleared_pct"),
        "revisit_pct": _pct_value(revisit_pct, "revisit_pct"),
    }
    with transaction.atomic():
        target, created = CampaignTarget.objects.update_or_create(
            campaign=campaign, region=region, defaults={**values, "region_code": region.code}
        )
        audit_record(
            event_type="CAMPAIGN_TARGET_SET",
            object_type="campaign_target",
            object_id=target.pk,
            actor=actor,
            region_code=region.code,
            payload={"campaign": campaign.pk, "created": created, **{k: str(v) for k, v in values.items()}},
        )
    return target


def revisit_wave_create(
    *, actor, campaign: Campaign, name: str, start_date: date, end_date: date, region: Region | None = None
) -> RevisitWave:
    """Schedule a 回头看 wave; its progress is read from the ledger's 回头看 samples due in it."""
    region = region or campaign.region
    _require(actor, region.code, roles=(ROLE.TASKFORCE_ADMIN,))
    if end_date < start_date:
        raise ValidationFailed("结束日期不能早于开始日期", field="end_date")
    phase = next((p for p in campaign.phases.all() if p.contains(start_date)), None)
    with transaction.atomic():
        wave = RevisitWave.objects.create(
            campaign=campaign,
            phase=phase,
            region_code=region.code,
            name=(name or "").strip() or f"{start_date:%Y年%m月}回头看",
            start_date=start_date,
            end_date=end_date,
        )
        audit_record(
            event_type="REVISIT_WAVE_CREATED",
            object_type="revisit_wave",
            object_id=wave.pk,
            actor=actor,
            region_code=region.code,
            payload={"campaign": campaign.pk, "start": start_date.isoformat(), "end": end_date.isoformat()},
        )
    return wave


# --- monthly reports -------------------------------------------------------------------------


def monthly_report_create(*, actor, region: Region, month: date) -> MonthlyReport:
    """Open (or return the existing) report of a region for a month; future months are refused."""
    _require(actor, region.code, own_level=True)
    month = sel.month_start(month)
    if month > sel.month_start(timezone.localdate()):
        raise ValidationFailed("不能为尚未开始的月份创建报告", field="month")
    existing = MonthlyReport.objects.filter(region=region, month=month).first()
    if existing:
        return existing
    start, cutoff = sel.report_period(month)
    campaign = sel.campaign_for_region(region_code=region.code, day=cutoff)
    with transaction.atomic():
        report = MonthlyReport.objects.create(
            region=region,
            region_code=region.code,
            campaign=campaign,
            month=month,
            cutoff_date=cutoff,
            period_start=start,
            created_by=actor,
        )
        audit_record(
            event_type="MONTHLY_REPORT_CREATED",
            object_type="monthly_report",
            object_id=report.pk,
            actor=actor,
            region_code=region.code,
            payload={"month": month.strftime("%Y-%m"), "cutoff": cutoff.isoformat()},
        )
    return report


def monthly_report_update(
    *, actor, report: MonthlyReport, work_summary: str, problems: str, next_steps: str
) -> MonthlyReport:
    """Edit the narrative parts of a draft report (a submitted report is frozen)."""
    _require(actor, report.region_code, own_level=True)
    values = {
        "work_summary": (work_summary or "").strip(),
        "problems": (problems or "").strip(),
        "next_steps": (next_steps or "").strip(),
    }
    with transaction.atomic():
        updated = MonthlyReport.objects.filter(pk=report.pk, status=MonthlyReportStatusChoices.DRAFT).update(
            **values, updated_at=timezone.now()
        )
        if not updated:
            raise Conflict("报告已报送，不能再修改")
        audit_record(
            event_type="MONTHLY_REPORT_UPDATED",
            object_type="monthly_report",
            object_id=report.pk,
            actor=actor,
            region_code=report.region_code,
            payload={k: len(v) for k, v in values.items()},
        )
    report.refresh_from_db()
    return report


def monthly_report_documents(
    report: MonthlyReport, *, now: datetime | None = None
) -> tuple[bytes, bytes, dict]:
    """(docx, xlsx, figures) of a report: from the frozen snapshot if submitted, else live."""
    if report.is_submitted and report.docx_file and report.xlsx_file:
        with report.docx_file.open("rb") as f1, report.xlsx_file.open("rb") as f2:
            return f1.read(), f2.read(), report.snapshot
    figures = sel.report_figures_for(report, now=now)
    narrative = {
        "work_summary": report.work_summary,
        "problems": report.problems,
        "next_steps": report.next_steps,
    }
    docx = documents.monthly_report_docx(
        figures=figures, narrative=narrative, status_label=report.get_status_display()
    )
    xlsx = documents.monthly_report_xlsx(figures=figures)
    return docx, xlsx, figures


def monthly_report_submit(*, actor, report: MonthlyReport, now: datetime | None = None) -> MonthlyReport:
    """Submit upward: freeze the figures (snapshot), store the Word/Excel files and their hashes."""
    _require(actor, report.region_code, own_level=True)
    if report.is_submitted:
        raise Conflict("报告已报送")
    today = timezone.localdate(now) if now else timezone.localdate()
    if not sel.report_is_final(report.month, today):
        raise ValidationFailed(
            f"统计期未结束（截止日 {report.cutoff_date:%Y-%m-%d}），只能保存为草稿", field="month"
        )
    if not report.work_summary.strip():
        raise ValidationFailed("请先填写“工作开展情况”", field="work_summary")
    figures = sel.report_figures(region=report.region, month=report.month, campaign=report.campaign, now=now)
    figures["draft"] = False
    narrative = {
        "work_summary": report.work_summary,
        "problems": report.problems,
        "next_steps": report.next_steps,
    }
    docx = documents.monthly_report_docx(figures=figures, narrative=narrative, status_label="已报送")
    xlsx = documents.monthly_report_xlsx(figures=figures)
    docx_hash, xlsx_hash = hashlib.sha256(docx).hexdigest(), hashlib.sha256(xlsx).hexdigest()
    submitted_at = now or timezone.now()
    with transaction.atomic():
        updated = MonthlyReport.objects.filter(pk=report.pk, status=MonthlyReportStatusChoices.DRAFT).update(
            status=MonthlyReportStatusChoices.SUBMITTED,
            snapshot=figures,
            submitted_by=actor,
            submitted_at=submitted_at,
            docx_sha256=docx_hash,
            xlsx_sha256=xlsx_hash,
        )
        if not updated:
            raise Conflict("报告已被他人报送")
        report.refresh_from_db()
        stem = f"{report.region_code}-{report.month:%Y-%m}"
        report.docx_file.save(f"{stem}-月度工作进展报告.docx", ContentFile(docx), save=False)
        report.xlsx_file.save(f"{stem}-附表.xlsx", ContentFile(xlsx), save=False)
        report.save(update_fields=["docx_file", "xlsx_file"])
        audit_record(
            event_type="MONTHLY_REPORT_SUBMITTED",
            object_type="monthly_report",
            object_id=report.pk,
            actor=actor,
            region_code=report.region_code,
            payload={
                "month": report.month.strftime("%Y-%m"),
                "docx_sha256": docx_hash,
                "xlsx_sha256": xlsx_hash,
                "found": figures["period_figures"]["hazards"]["found"],
                "open": figures["cumulative_figures"]["hazards"]["open"],
            },
        )
        transaction.on_commit(lambda: _notify_upper_level(report))
    return report


def _taskforce_admins(region_code: str):
    from gasguard.accounts.models import User

    return User.objects.filter(
        memberships__is_active=True,
        memberships__role=ROLE.TASKFORCE_ADMIN,
        memberships__task_force__region_code=region_code,
        is_active=True,
    ).distinct()


def _notify_upper_level(report: MonthlyReport) -> None:
    from gasguard.notifications.services import notify

    parent = report.region.parent
    if parent is None:
        return
    with transaction.atomic():
        notify(
            recipients=list(_taskforce_admins(parent.code)),
            kind="monthly_report_submitted",
            subject=f"{report.region.name}已报送{report.month:%Y年%m月}工作进展情况",
            link=f"/campaigns/reports/{report.pk}/",
        )


def monthly_report_remind(*, today: date | None = None, dry_run: bool = False) -> list[dict]:
    """Remind regions that have not submitted this month's report: from N days before the cut-off
    their own task force; after the cut-off also the upper level. At most once a day per region."""
    from gasguard.notifications.models import Notification
    from gasguard.notifications.services import notify

    today = today or timezone.localdate()
    month = sel.month_start(today)
    cutoff = sel.cutoff_for(month)
    days_left = (cutoff - today).days
    if days_left > settings.GASGUARD_REPORT_REMIND_DAYS:
        return []
    sent = []
    uppers = Region.objects.filter(campaigns__isnull=False).distinct()
    for upper in uppers:
        for region in sel.expected_reporters(region=upper, month=month):
            if MonthlyReport.objects.filter(
                region=region, month=month, status=MonthlyReportStatusChoices.SUBMITTED
            ).exists():
                continue
            overdue = days_left < 0
            recipients = list(_taskforce_admins(region.code))
            if overdue:
                recipients += list(_taskforce_admins(upper.code))
            link = f"/campaigns/reports/?month={month:%Y-%m}&region={region.code}"
            kind = "monthly_report_overdue" if overdue else "monthly_report_due"
            already = set(
                Notification.objects.filter(kind=kind, link=link, created_at__date=today).values_list(
                    "recipient_id", flat=True
                )
            )
            recipients = [u for u in recipients if u.pk not in already]
            if not recipients:
                continue
            subject = (
                f"{region.name}{month:%Y年%m月}工作进展情况已逾期未报送（截止{cutoff:%m月%d日}）"
                if overdue
                else f"请于{cutoff:%m月%d日}前报送{region.name}{month:%Y年%m月}工作进展情况"
            )
            if not dry_run:
                with transaction.atomic():
                    notify(recipients=recipients, kind=kind, subject=subject, link=link)
            sent.append(
                {"region": region.code, "overdue": overdue, "recipients": [u.username for u in recipients]}
            )
    return sent


# --- supervision -----------------------------------------------------------------------------


def supervision_notice_issue(
    *,
    actor,
    region: Region,
    title: str = "",
    number: str = "",
    issued_on: date | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    body: str = "",
    kind: str = NoticeKindChoices.BEHIND_SCHEDULE,
) -> SupervisionNotice:
    """Issue a 通报: compute who is behind schedule, freeze those figures, store the Word file hash."""
    _require(actor, region.code, roles=(ROLE.TASKFORCE_ADMIN,))
    if kind not in NoticeKindChoices.values:
        raise ValidationFailed(f"未知通报类型：{kind}", field="kind")
    issued_on = issued_on or timezone.localdate()
    campaign = sel.campaign_for_region(region_code=region.code, day=issued_on)
    if period_start is None and campaign is not None:
        period_start = campaign.start_date
    if period_start and period_end and period_end < period_start:
        raise ValidationFailed("统计期止不能早于统计期起", field="period_end")
    period = stats.Period(start=period_start, end=period_end or issued_on)
    figures = sel.behind_schedule(region=region, period=period, campaign=campaign)
    title = (title or "").strip() or f"关于{region.name}城镇燃气安全专项整治工作进展情况的通报"
    body = (body or "").strip() or (
        f"根据专项整治工作安排，现将截至{period.end:%Y年%m月%d日}{region.name}各地区、各部门工作进展滞后情况通报如下。"
    )
    docx = documents.supervision_notice_docx(
        notice_title=title, number=number, issued_on=issued_on, body=body, figures=figures
    )
    with transaction.atomic():
        notice = SupervisionNotice.objects.create(
            region=region,
            region_code=region.code,
            kind=kind,
            title=title,
            number=number,
            issued_on=issued_on,
            period_start=period_start,
            period_end=period.end,
            body=body,
            figures=figures,
            docx_sha256=hashlib.sha256(docx).hexdigest(),
            issued_by=actor,
        )
        audit_record(
            event_type="SUPERVISION_NOTICE_ISSUED",
            object_type="supervision_notice",
            object_id=notice.pk,
            actor=actor,
            region_code=region.code,
            payload={
                "title": title,
                "regions": [r["code"] for r in figures["regions"]],
                "departments": [d["department"] for d in figures["departments"]],
            },
        )
    return notice


def supervision_notice_docx(notice: SupervisionNotice) -> bytes:
    return documents.supervision_notice_docx(
        notice_title=notice.title,
        number=notice.number,
        issued_on=notice.issued_on,
        body=notice.body,
        figures=notice.figures,
    )


def interview_record(
    *,
    actor,
    region: Region,
    interviewee: str,
    unit: str,
    held_on: date,
    reason: str,
    outcome: str = InterviewOutcomeChoices.RECTIFY,
    outcome_note: str = "",
    interviewer: str = "",
    hazard=None,
) -> Interview:
    """Record a 约谈 (who, which unit, when, why, outcome)."""
    _require(actor, region.code)
    errors = {}
    for field, value in (("interviewee", interviewee), ("unit", unit), ("reason", reason)):
        if not (value or "").strip():
            errors[field] = ["不能为空"]
    if outcome not in InterviewOutcomeChoices.values:
        errors["outcome"] = [f"未知约谈结果：{outcome}"]
    if held_on and held_on > timezone.localdate():
        errors["held_on"] = ["约谈日期不能晚于今天"]
    if errors:
        raise ValidationFailed("约谈记录信息有误", errors=errors)
    with transaction.atomic():
        interview = Interview.objects.create(
            region=region,
            region_code=region.code,
            interviewee=interviewee.strip(),
            unit=unit.strip(),
            held_on=held_on,
            reason=reason.strip(),
            outcome=outcome,
            outcome_note=(outcome_note or "").strip(),
            interviewer=(interviewer or "").strip(),
            hazard=hazard,
            recorded_by=actor,
        )
        audit_record(
            event_type="INTERVIEW_RECORDED",
            object_type="interview",
            object_id=interview.pk,
            actor=actor,
            region_code=region.code,
            payload={"unit": interview.unit, "held_on": held_on.isoformat(), "outcome": outcome},
        )
    return interview


def warning_advice_issue(
    *,
    actor,
    region: Region,
    recipient_unit: str,
    subject: str,
    content: str,
    issued_on: date | None = None,
    response_due: date | None = None,
) -> WarningAdvice:
    """Send a 警示建议 to a unit."""
    _require(actor, region.code)
    errors = {}
    for field, value in (("recipient_unit", recipient_unit), ("subject", subject), ("content", content)):
        if not (value or "").strip():
            errors[field] = ["不能为空"]
    issued_on = issued_on or timezone.localdate()
    if response_due and response_due < issued_on:
        errors["response_due"] = ["反馈期限不能早于发出日期"]
    if errors:
        raise ValidationFailed("警示建议信息有误", errors=errors)
    with transaction.atomic():
        advice = WarningAdvice.objects.create(
            region=region,
            region_code=region.code,
            recipient_unit=recipient_unit.strip(),
            subject=subject.strip(),
            content=content.strip(),
            issued_on=issued_on,
            response_due=response_due,
            issued_by=actor,
        )
        audit_record(
            event_type="WARNING_ADVICE_ISSUED",
            object_type="warning_advice",
            object_id=advice.pk,
            actor=actor,
            region_code=region.code,
            payload={"recipient_unit": advice.recipient_unit, "subject": advice.subject},
        )
    return advice


def accident_escalation(*, region_code: str, occurred_on: date, is_egregious: bool) -> tuple[bool, bool, str]:
    """(during_campaign, 提级调查, reason): 五(三) — an accident during the campaign that is 影响恶劣
    is investigated at the higher level whatever the number of casualties."""
    campaign = sel.campaign_for_region(region_code=region_code, day=occurred_on)
    during = (
        campaign is not None
        and campaign.start_date <= occurred_on
        and (campaign.end_date is None or occurred_on <= campaign.end_date)
    )
    if during and is_egregious:
        return (
            True,
            True,
            f"专项整治期间（{campaign.name}）发生且影响恶劣，依方案五(三)不论伤亡数量多少均提级调查",
        )
    return during, False, ""


def accident_record(
    *,
    actor,
    region: Region,
    occurred_at: datetime,
    place: str,
    description: str,
    premises=None,
    enterprise=None,
    deaths: int = 0,
    injuries: int = 0,
    is_egregious: bool = False,
) -> Accident:
    """Record a gas accident; the 提级调查 flag is set automatically (五(三))."""
    _require(actor, region.code)
    errors = {}
    if not (place or "").strip():
        errors["place"] = ["不能为空"]
    if not (description or "").strip():
        errors["description"] = ["不能为空"]
    if deaths is None or deaths < 0:
        errors["deaths"] = ["死亡人数不能为负数"]
    if injuries is None or injuries < 0:
        errors["injuries"] = ["受伤人数不能为负数"]
    if occurred_at is None:
        errors["occurred_at"] = ["请填写发生时间"]
    elif occurred_at > timezone.now():
        errors["occurred_at"] = ["发生时间不能晚于当前时间"]
    for field, target in (("premises", premises), ("enterprise", enterprise)):
        if target is not None and not target.region_code.startswith(region.code):
            errors[field] = ["涉事对象不在该区划内"]
    if errors:
        raise ValidationFailed("事故信息有误", errors=errors)
    occurred_on = timezone.localtime(occurred_at).date()
    during, escalated, reason = accident_escalation(
        region_code=region.code, occurred_on=occurred_on, is_egregious=is_egregious
    )
    with transaction.atomic():
        accident = Accident.objects.create(
            region=region,
            region_code=(premises.region_code if premises else region.code),
            occurred_at=occurred_at,
            place=place.strip(),
            premises=premises,
            enterprise=enterprise or (premises.enterprise if premises else None),
            deaths=deaths,
            injuries=injuries,
            description=description.strip(),
            is_egregious=is_egregious,
            during_campaign=during,
            escalated_investigation=escalated,
            escalation_reason=reason,
            recorded_by=actor,
        )
        audit_record(
            event_type="ACCIDENT_RECORDED",
            object_type="accident",
            object_id=accident.pk,
            actor=actor,
            region_code=accident.region_code,
            payload={
                "occurred_at": occurred_at.isoformat(),
                "deaths": deaths,
                "injuries": injuries,
                "is_egregious": is_egregious,
                "escalated_investigation": escalated,
            },
        )
        if escalated:
            parent = region.parent
            transaction.on_commit(lambda: _notify_escalated(accident, parent))
    return accident


def _notify_escalated(accident: Accident, parent: Region | None) -> None:
    from gasguard.notifications.services import notify

    codes = [accident.region_code[:n] for n in (2, 4, 6) if len(accident.region_code) >= n]
    if parent is not None:
        codes.append(parent.code)
    from gasguard.accounts.models import User

    users = User.objects.filter(
        memberships__is_active=True,
        memberships__role=ROLE.TASKFORCE_ADMIN,
        memberships__task_force__region_code__in=codes,
    ).distinct()
    with transaction.atomic():
        notify(
            recipients=list(users),
            kind="accident_escalated",
            subject=f"燃气事故提级调查：{accident.place}（{timezone.localtime(accident.occurred_at):%Y-%m-%d}）",
            link=f"/campaigns/accidents/{accident.pk}/",
        )
