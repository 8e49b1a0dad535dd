"""Campaign services: default phases, targets, monthly reports (draft, submit, freeze, upward),
reminders, supervision records and the accident 提级调查 flag."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from gasguard.audit.models import AuditEvent
from gasguard.campaigns import selectors as sel
from gasguard.campaigns import services
from gasguard.campaigns.models import Accident, MonthlyReport
from gasguard.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gasguard.dashboard.tests.factories import make_hazard
from gasguard.notifications.models import Notification

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def _city_admin_membership(city):
    """A task-force admin for district A (so district reports have a task force to remind)."""
    from gasguard.accounts.tests.factories import MembershipFactory, UserFactory
    from gasguard.org.models import TaskForce

    tf = TaskForce.objects.create(
        region=city.district_a, name="南山区专班", lead=city.depts[("440305", "housing")]
    )
    user = UserFactory(username="ns_taskforce", real_name="南山专班")
    MembershipFactory(user=user, role="taskforce_admin", task_force=tf)
    return user


def test_default_campaign_has_the_plans_three_phases(city):
    campaign = services.campaign_create_default(actor=city.taskforce_admin, region=city.city)
    phases = list(campaign.phases.all())
    assert [p.name for p in phases] == ["集中攻坚", "巩固提升", "长效机制"]
    assert (phases[0].start_date, phases[0].end_date) == (date(2023, 8, 1), date(2023, 11, 30))
    assert (phases[1].start_date, phases[1].end_date) == (date(2023, 12, 1), date(2024, 6, 30))
    assert phases[1].includes_revisit and not phases[0].includes_revisit
    assert phases[2].start_date == date(2024, 7, 1) and phases[2].end_date is None
    assert sel.current_phase(campaign, date(2024, 1, 5)).name == "巩固提升"
    assert AuditEvent.objects.filter(event_type="CAMPAIGN_CREATED", object_id=str(campaign.pk)).exists()


def test_only_taskforce_admin_creates_campaigns(city):
    with pytest.raises(PermissionDenied):
        services.campaign_create_default(actor=city.inspector_a, region=city.district_a)


def test_targets_must_be_subordinate_and_percentages(city):
    campaign = services.campaign_create_default(actor=city.taskforce_admin, region=city.city)
    services.campaign_target_set(
        actor=city.taskforce_admin, campaign=campaign, region=city.district_a, coverage_pct=95
    )
    with pytest.raises(ValidationFailed):
        services.campaign_target_set(actor=city.taskforce_admin, campaign=campaign, region=city.city)
    with pytest.raises(ValidationFailed) as exc:
        services.campaign_target_set(
            actor=city.taskforce_admin, campaign=campaign, region=city.district_b, rectification_pct=120
        )
    assert "rectification_pct" in exc.value.errors


def test_campaign_progress_against_targets(city, frozen):
    frozen(2024, 3, 20, 10)
    campaign = services.campaign_create_default(actor=city.taskforce_admin, region=city.city)
    for region in (city.district_a, city.district_b):
        services.campaign_target_set(
            actor=city.taskforce_admin, campaign=campaign, region=region, rectification_pct=90
        )
    make_hazard(premises=city.premises_a, found=date(2023, 9, 1), closed=date(2023, 9, 20))
    make_hazard(premises=city.premises_a, found=date(2023, 9, 1), closed=date(2023, 10, 1))
    make_hazard(premises=city.premises_b, found=date(2023, 9, 1))
    make_hazard(premises=city.premises_b, found=date(2023, 9, 2), closed=date(2023, 9, 30), severity="major")
    rows = {r["region_code"]: r for r in sel.campaign_progress(user=city.taskforce_admin, campaign=campaign)}
    assert rows["440305"]["checks"]["rectification_pct"] == {"target": 90.0, "actual": 100.0, "met": True}
    assert rows["440306"]["checks"]["rectification_pct"]["actual"] == 50.0
    assert rows["440306"]["checks"]["major_cleared_pct"]["actual"] == 100.0
    assert "rectification_pct" in rows["440306"]["behind"]
    # A district inspector only sees their own district's row.
    rows_a = sel.campaign_progress(user=city.inspector_a, campaign=campaign)
    assert [r["region_code"] for r in rows_a] == ["440305"]


def test_report_period_runs_from_previous_cutoff(settings):
    settings.GASGUARD_REPORT_CUTOFF_DAY = 25
    assert sel.report_period(date(2024, 3, 1)) == (date(2024, 2, 26), date(2024, 3, 25))
    assert sel.report_period(date(2024, 1, 1)) == (date(2023, 12, 26), date(2024, 1, 25))
    settings.GASGUARD_REPORT_CUTOFF_DAY = 20
    assert sel.report_period(date(2024, 3, 1)) == (date(2024, 2, 21), date(2024, 3, 20))


def test_unfinished_month_is_draft_only(city, frozen):
    frozen(2024, 3, 20, 10)
    report = services.monthly_report_create(
        actor=city.supervisor_a, region=city.district_a, month=date(2024, 3, 1)
    )
    services.monthly_report_update(
        actor=city.supervisor_a, report=report, work_summary="开展排查", problems="", next_steps=""
    )
    assert sel.report_figures_for(report)["draft"] is True
    with pytest.raises(ValidationFailed) as exc:
        services.monthly_report_submit(actor=city.supervisor_a, report=report)
    assert "统计期未结束" in exc.value.message
    report.refresh_from_db()
    assert report.status == "draft"


def test_future_month_refused(city, frozen):
    frozen(2024, 3, 20, 10)
    with pytest.raises(ValidationFailed):
        services.monthly_report_create(
            actor=city.supervisor_a, region=city.district_a, month=date(2024, 4, 1)
        )


def test_only_own_level_fills_a_report(city, frozen):
    from gasguard.accounts.tests.factories import MembershipFactory, UserFactory

    frozen(2024, 3, 20, 10)
    # The city task force reads district reports but does not write them.
    with pytest.raises(PermissionDenied):
        services.monthly_report_create(
            actor=city.taskforce_admin, region=city.district_a, month=date(2024, 2, 1)
        )
    # An inspector has no reporting role.
    with pytest.raises(PermissionDenied):
        services.monthly_report_create(actor=city.inspector_a, region=city.district_a, month=date(2024, 2, 1))
    # Another district's supervisor does not even see district A.
    sup_b = UserFactory(username="supervisor_b2")
    MembershipFactory(user=sup_b, role="supervisor", department=city.housing_b)
    with pytest.raises(PermissionDenied):
        services.monthly_report_create(actor=sup_b, region=city.district_a, month=date(2024, 2, 1))


def test_submit_freezes_snapshot_and_files(city, frozen):
    frozen(2024, 3, 20, 10)
    make_hazard(premises=city.premises_a, found=date(2024, 2, 10))
    report = services.monthly_report_create(
        actor=city.supervisor_a, region=city.district_a, month=date(2024, 2, 1)
    )
    services.monthly_report_update(
        actor=city.supervisor_a,
        report=report,
        work_summary="组织全面排查",
        problems="问题",
        next_steps="安排",
    )
    report = services.monthly_report_submit(actor=city.supervisor_a, report=report)
    assert report.status == "submitted" and report.snapshot["draft"] is False
    assert report.snapshot["period_figures"]["hazards"]["found"] == 1
    assert len(report.docx_sha256) == 64 and report.docx_file.name.endswith(".docx")
    event = AuditEvent.objects.get(event_type="MONTHLY_REPORT_SUBMITTED", object_id=str(report.pk))
    assert event.payload["docx_sha256"] == report.docx_sha256
    # New ledger rows after submission do not change the frozen report.
    make_hazard(premises=city.premises_a, found=date(2024, 2, 11))
    docx, xlsx, figures = services.monthly_report_documents(report)
    assert figures["period_figures"]["hazards"]["found"] == 1
    import hashlib

    assert hashlib.sha256(docx).hexdigest() == report.docx_sha256
    with pytest.raises(Conflict):
        services.monthly_report_update(
            actor=city.supervisor_a, report=report, work_summary="改", problems="", next_steps=""
        )
    with pytest.raises(Conflict):
        services.monthly_report_submit(actor=city.supervisor_a, report=report)


def test_submit_needs_work_summary(city, frozen):
    frozen(2024, 3, 20, 10)
    report = services.monthly_report_create(
        actor=city.supervisor_a, region=city.district_a, month=date(2024, 2, 1)
    )
    with pytest.raises(ValidationFailed) as exc:
        services.monthly_report_submit(actor=city.supervisor_a, report=report)
    assert exc.value.field == "work_summary"


def test_upward_aggregation_and_not_submitted_list(city, frozen):
    from gasguard.accounts.tests.factories import MembershipFactory, UserFactory

    frozen(2024, 3, 20, 10)
    campaign = services.campaign_create_default(actor=city.taskforce_admin, region=city.city)
    for region in (city.district_a, city.district_b):
        services.campaign_target_set(actor=city.taskforce_admin, campaign=campaign, region=region)
    make_hazard(premises=city.premises_a, found=date(2024, 2, 10))
    make_hazard(premises=city.premises_a, found=date(2024, 2, 11), closed=date(2024, 2, 20))
    make_hazard(premises=city.premises_b, found=date(2024, 2, 12))
    report = services.monthly_report_create(
        actor=city.supervisor_a, region=city.district_a, month=date(2024, 2, 1)
    )
    services.monthly_report_update(
        actor=city.supervisor_a, report=report, work_summary="排查", problems="", next_steps=""
    )
    services.monthly_report_submit(actor=city.supervisor_a, report=report)
    status = sel.submission_status(user=city.taskforce_admin, region=city.city, month=date(2024, 2, 1))
    assert [r.region_code for r in status["submitted"]] == ["440305"]
    assert [r.code for r in status["missing"]] == ["440306"]
    assert status["overdue"] is True
    assert status["merged"]["period_figures"]["hazards"]["found"] == 2
    assert status["merged"]["period_figures"]["hazards"]["rectification_rate"] == 50.0
    # B's supervisor submits too: the merged sum covers both.
    sup_b = UserFactory(username="supervisor_b")
    MembershipFactory(user=sup_b, role="supervisor", department=city.housing_b)
    rb = services.monthly_report_create(actor=sup_b, region=city.district_b, month=date(2024, 2, 1))
    services.monthly_report_update(actor=sup_b, report=rb, work_summary="排查", problems="", next_steps="")
    services.monthly_report_submit(actor=sup_b, report=rb)
    status = sel.submission_status(user=city.taskforce_admin, region=city.city, month=date(2024, 2, 1))
    assert status["missing"] == [] and status["merged"]["period_figures"]["hazards"]["found"] == 3
    # The city sees submitted district reports, never district drafts.
    draft = services.monthly_report_create(
        actor=city.supervisor_a, region=city.district_a, month=date(2024, 3, 1)
    )
    visible = set(sel.monthly_report_list(user=city.taskforce_admin).values_list("pk", flat=True))
    assert report.pk in visible and draft.pk not in visible
    # District B cannot see district A's report.
    assert not sel.monthly_report_list(user=city.inspector_b).filter(pk=report.pk).exists()


def test_reminders_before_and_after_cutoff(city, frozen):
    campaign_admin = city.taskforce_admin
    frozen(2024, 3, 1, 9)
    campaign = services.campaign_create_default(actor=campaign_admin, region=city.city)
    services.campaign_target_set(actor=campaign_admin, campaign=campaign, region=city.district_a)
    ns_admin = _city_admin_membership(city)
    frozen(2024, 3, 10, 9)
    assert services.monthly_report_remind() == []  # too early
    frozen(2024, 3, 23, 9)
    sent = services.monthly_report_remind()
    assert sent == [{"region": "440305", "overdue": False, "recipients": ["ns_taskforce"]}]
    assert Notification.objects.filter(recipient=ns_admin, kind="monthly_report_due").count() == 1
    assert services.monthly_report_remind() == []  # once a day
    frozen(2024, 3, 26, 9)
    sent = services.monthly_report_remind()
    assert sent[0]["overdue"] is True and set(sent[0]["recipients"]) == {"ns_taskforce", "taskforce_admin"}


def test_remind_command_runs(city, frozen):
    from io import StringIO

    from django.core.management import call_command

    frozen(2024, 3, 26, 9)
    campaign = services.campaign_create_default(actor=city.taskforce_admin, region=city.city)
    services.campaign_target_set(actor=city.taskforce_admin, campaign=campaign, region=city.district_a)
    _city_admin_membership(city)
    out = StringIO()
    call_command("remind_reports", stdout=out)
    assert "440305" in out.getvalue()


def test_accident_during_campaign_and_egregious_is_escalated(city, django_capture_on_commit_callbacks):
    services.campaign_create_default(actor=city.taskforce_admin, region=city.city)
    during = datetime(2023, 10, 5, 12, tzinfo=TZ)
    with django_capture_on_commit_callbacks(execute=True):
        a = services.accident_record(
            actor=city.supervisor_a,
            region=city.district_a,
            occurred_at=during,
            place="南山川菜馆后厨",
            description="液化气泄漏闪爆",
            premises=city.premises_a,
            deaths=0,
            injuries=0,
            is_egregious=True,
        )
    assert a.escalated_investigation and a.during_campaign and "五(三)" in a.escalation_reason
    assert a.enterprise_id == city.enterprise_a.pk
    assert a.timeline_url == f"/inspections/timeline/premises/{city.premises_a.pk}/"
    b = services.accident_record(
        actor=city.supervisor_a,
        region=city.district_a,
        occurred_at=during,
        place="某处",
        description="轻微",
        is_egregious=False,
        injuries=3,
    )
    assert b.during_campaign and not b.escalated_investigation
    after = datetime(2024, 9, 5, 12, tzinfo=TZ)
    c = services.accident_record(
        actor=city.supervisor_a,
        region=city.district_a,
        occurred_at=after,
        place="某处",
        description="影响恶劣",
        is_egregious=True,
    )
    assert not c.during_campaign and not c.escalated_investigation
    assert Notification.objects.filter(kind="accident_escalated", recipient=city.taskforce_admin).exists()
    assert AuditEvent.objects.filter(event_type="ACCIDENT_RECORDED").count() == 3


def test_accident_dates_are_local_days(city, django_capture_on_commit_callbacks):
    """01:30 in Shanghai on 6 October is 17:30 UTC on the 5th: names and notices say the 6th."""
    services.campaign_create_default(actor=city.taskforce_admin, region=city.city)
    at_utc = datetime(2023, 10, 6, 1, 30, tzinfo=TZ).astimezone(ZoneInfo("UTC"))
    with django_capture_on_commit_callbacks(execute=True):
        a = services.accident_record(
            actor=city.supervisor_a,
            region=city.district_a,
            occurred_at=at_utc,
            place="南山川菜馆后厨",
            description="液化气泄漏闪爆",
            is_egregious=True,
        )
    assert str(Accident.objects.get(pk=a.pk)) == "2023-10-06 南山川菜馆后厨"
    notice = Notification.objects.get(kind="accident_escalated", recipient=city.taskforce_admin)
    assert "（2023-10-06）" in notice.subject


def test_accident_bad_input(city):
    with pytest.raises(ValidationFailed) as exc:
        services.accident_record(
            actor=city.supervisor_a,
            region=city.district_a,
            occurred_at=timezone.now() + timedelta(days=1),  # in the future whenever the test runs
            place="",
            description="x",
            premises=city.premises_b,
        )
    assert {"place", "occurred_at", "premises"} <= set(exc.value.errors)
    assert Accident.objects.count() == 0


def test_notice_names_regions_and_departments_behind(city, frozen):
    frozen(2024, 3, 20, 10)
    campaign = services.campaign_create_default(actor=city.taskforce_admin, region=city.city)
    services.campaign_target_set(actor=city.taskforce_admin, campaign=campaign, region=city.district_b)
    make_hazard(
        premises=city.premises_b,
        found=date(2023, 9, 1),
        deadline=date(2023, 10, 1),
        lead_department=city.depts[("440306", "fire")],
    )
    make_hazard(premises=city.premises_a, found=date(2023, 9, 1), closed=date(2023, 9, 5))
    notice = services.supervision_notice_issue(
        actor=city.taskforce_admin, region=city.city, number="深燃专班〔2024〕1号"
    )
    assert [r["code"] for r in notice.figures["regions"]] == ["440306"]
    assert notice.figures["departments"][0]["department"] == "宝安区消防救援"
    assert len(notice.docx_sha256) == 64
    from io import BytesIO

    from docx import Document

    text = "\n".join(p.text for p in Document(BytesIO(services.supervision_notice_docx(notice))).paragraphs)
    assert "深燃专班〔2024〕1号" in text
    with pytest.raises(PermissionDenied):
        services.supervision_notice_issue(actor=city.supervisor_a, region=city.district_a)


def test_interview_and_warning_records(city):
    i = services.interview_record(
        actor=city.supervisor_a,
        region=city.district_a,
        interviewee="张三",
        unit="南山燃气有限公司",
        held_on=date(2024, 1, 10),
        reason="逾期未整改重大隐患",
        outcome="rectify",
    )
    w = services.warning_advice_issue(
        actor=city.supervisor_a,
        region=city.district_a,
        recipient_unit="南山燃气有限公司",
        subject="软管老化集中",
        content="建议全面更换",
    )
    assert i.pk and w.pk
    assert (
        AuditEvent.objects.filter(event_type__in=["INTERVIEW_RECORDED", "WARNING_ADVICE_ISSUED"]).count() == 2
    )
    with pytest.raises(ValidationFailed):
        services.interview_record(
            actor=city.supervisor_a,
            region=city.district_a,
            interviewee="",
            unit="",
            held_on=date(2024, 1, 10),
            reason="",
        )
    with pytest.raises(NotFound):
        services.interview_record(
            actor=city.supervisor_a,
            region=city.district_b,
            interviewee="李四",
            unit="x",
            held_on=date(2024, 1, 10),
            reason="y",
        )
    assert MonthlyReport.objects.count() == 0


def test_celery_task_reminds(city, frozen):
    from gasguard.campaigns.tasks import remind_reports

    frozen(2024, 3, 26, 9)
    campaign = services.campaign_create_default(actor=city.taskforce_admin, region=city.city)
    services.campaign_target_set(actor=city.taskforce_admin, campaign=campaign, region=city.district_a)
    _city_admin_membership(city)
    assert remind_reports.apply().get() == 1


def test_submission_notifies_the_upper_level(city, frozen, django_capture_on_commit_callbacks):
    frozen(2024, 3, 20, 10)
    report = services.monthly_report_create(
        actor=city.supervisor_a, region=city.district_a, month=date(2024, 2, 1)
    )
    services.monthly_report_update(
        actor=city.supervisor_a, report=report, work_summary="x", problems="", next_steps=""
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.monthly_report_submit(actor=city.supervisor_a, report=report)
    note = Notification.objects.get(recipient=city.taskforce_admin, kind="monthly_report_submitted")
    assert "南山区" in note.subject and note.link == f"/campaigns/reports/{report.pk}/"


def test_concurrent_submit_has_one_winner(city, frozen):
    frozen(2024, 3, 20, 10)
    report = services.monthly_report_create(
        actor=city.supervisor_a, region=city.district_a, month=date(2024, 2, 1)
    )
    services.monthly_report_update(
        actor=city.supervisor_a, report=report, work_summary="x", problems="", next_steps=""
    )
    stale = MonthlyReport.objects.get(pk=report.pk)
    services.monthly_report_submit(actor=city.supervisor_a, report=report)
    with pytest.raises(Conflict):
        services.monthly_report_submit(actor=city.supervisor_a, report=stale)
    assert AuditEvent.objects.filter(event_type="MONTHLY_REPORT_SUBMITTED").count() == 1
