"""Campaign pages: phases and targets, monthly reports, supervision (督办/通报/约谈/警示建议/事故)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from gasguard.accounts.selectors import user_scope
from gasguard.campaigns import forms, services
from gasguard.campaigns import selectors as sel
from gasguard.campaigns.documents import DRAFT_MARK
from gasguard.core.errors import DomainError, NotFound
from gasguard.core.filters import PageFilters
from gasguard.dashboard import selectors as stats
from gasguard.org.models import Region

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _get(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _my_region(request) -> Region | None:
    """The region a page opens on: ?region= if visible, else the user's own region."""
    scope = user_scope(user=request.user)
    try:
        return stats.resolve_region(scope=scope, code=request.GET.get("region"))
    except NotFound:
        raise Http404("未找到该区划，或不在您的数据权限范围内。") from None


def _fail(request, exc: DomainError) -> None:
    detail = "；".join(f"{k}: {' '.join(v)}" for k, v in (exc.errors or {}).items())
    messages.error(request, exc.message + (f"（{detail}）" if detail and detail not in exc.message else ""))


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- campaigns -------------------------------------------------------------------------------


@login_required
@require_GET
def campaign_list(request):
    scope = user_scope(user=request.user)
    campaigns = sel.campaign_list(user=request.user)
    today = timezone.localdate()
    rows = [{"campaign": c, "phase": sel.current_phase(c, today)} for c in campaigns]
    own = [Region.objects.filter(code=p).first() for p in scope.region_prefixes]
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "page_title": "专项整治工作阶段",
            "rows": rows,
            "can_create": scope.has_role("taskforce_admin"),
            "own_regions": [
                r for r in own if r is not None and not any(c.region_code == r.code for c in campaigns)
            ],
        },
    )


@login_required
@require_POST
def campaign_create_default(request):
    scope = user_scope(user=request.user)
    code = request.POST.get("region", "")
    region = Region.objects.filter(code=code).first()
    if region is None or not scope.covers_region(code):
        raise Http404("未找到该区划")
    try:
        campaign = services.campaign_create_default(actor=request.user, region=region)
    except DomainError as exc:
        _fail(request, exc)
        return redirect("campaigns:campaign_list")
    messages.success(request, "已按方案创建三个工作阶段")
    return redirect("campaigns:campaign_detail", pk=campaign.pk)


@login_required
def campaign_detail(request, pk: int):
    campaign = _get(sel.campaign_get, user=request.user, pk=pk)
    scope = user_scope(user=request.user)
    can_edit = scope.has_role("taskforce_admin") and scope.covers_region(campaign.region_code)
    children = list(campaign.region.children.order_by("code").values_list("code", "name"))
    target_form = forms.TargetForm(request.POST if request.POST.get("form") == "target" else None)
    target_form.fields["region"].choices = children
    wave_form = forms.WaveForm(request.POST if request.POST.get("form") == "wave" else None)
    if request.method == "POST":
        if not can_edit:
            raise Http404("无权修改")
        try:
            if request.POST.get("form") == "target" and target_form.is_valid():
                data = target_form.cleaned_data
                services.campaign_target_set(
                    actor=request.user,
                    campaign=campaign,
                    region=Region.objects.get(code=data["region"]),
                    coverage_pct=data["coverage_pct"],
                    rectification_pct=data["rectification_pct"],
                    major_cleared_pct=data["major_cleared_pct"],
                    revisit_pct=data["revisit_pct"],
                )
                messages.success(request, "目标已保存")
                return redirect("campaigns:campaign_detail", pk=pk)
            if request.POST.get("form") == "wave" and wave_form.is_valid():
                data = wave_form.cleaned_data
                services.revisit_wave_create(
                    actor=request.user,
                    campaign=campaign,
                    name=data["name"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                )
                messages.success(request, "回头看批次已创建")
                return redirect("campaigns:campaign_detail", pk=pk)
        except DomainError as exc:
            _fail(request, exc)
    today = timezone.localdate()
    waves = [
        {
            "wave": w,
            "progress": sel.wave_progress(user=request.user, wave=w),
            "batches": sel.wave_batches(wave=w),
        }
        for w in campaign.revisit_waves.select_related("phase")
    ]
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "page_title": campaign.name,
            "campaign": campaign,
            "phases": campaign.phases.all(),
            "current": sel.current_phase(campaign, today),
            "progress": sel.campaign_progress(user=request.user, campaign=campaign),
            "waves": waves,
            "can_edit": can_edit,
            "target_form": target_form,
            "wave_form": wave_form,
            "today": today,
        },
    )


# --- monthly reports -------------------------------------------------------------------------


@login_required
def report_list(request):
    scope = user_scope(user=request.user)
    filters = PageFilters()
    # A bad ?month= is shown next to the month field; the page then lists no reporting status.
    month = filters.month(request.GET.get("month"), label="月份") or sel.month_start(timezone.localdate())
    region = _my_region(request)
    create_form = forms.ReportCreateForm(request.POST or None, initial={"month": month.strftime("%Y-%m")})
    if request.method == "POST":
        if region is None:
            raise Http404("没有可填报的区划")
        if create_form.is_valid():
            try:
                report = services.monthly_report_create(
                    actor=request.user, region=region, month=create_form.cleaned_data["month"]
                )
            except DomainError as exc:
                _fail(request, exc)
            else:
                return redirect("campaigns:report_edit", pk=report.pk)
    reports = sel.monthly_report_list(user=request.user)
    own = reports.filter(region_code=region.code) if region else reports.none()
    status = (
        sel.submission_status(user=request.user, region=region, month=month)
        if region and filters.valid
        else None
    )
    can_fill = (
        region is not None
        and scope.has_role("taskforce_admin", "supervisor")
        and (scope.is_global or region.code in scope.region_prefixes)
    )
    return render(
        request,
        "campaigns/report_list.html",
        {
            "page_title": "月度工作进展报告",
            "region": region,
            "month": month,
            "month_value": request.GET.get("month", "") if not filters.valid else month.strftime("%Y-%m"),
            "filter_errors": filters.errors,
            "own_reports": own.order_by("-month")[:24],
            "status": status,
            "can_fill": can_fill,
            "create_form": create_form,
            "cutoff_day": sel.cutoff_for(month).day,
        },
    )


@login_required
@require_GET
def report_detail(request, pk: int):
    report = _get(sel.monthly_report_get, user=request.user, pk=pk)
    scope = user_scope(user=request.user)
    figures = sel.report_figures_for(report)
    own = scope.is_global or report.region_code in scope.region_prefixes
    return render(
        request,
        "campaigns/report_detail.html",
        {
            "page_title": f"{report.region.name}{report.month:%Y年%m月}工作进展情况",
            "report": report,
            "f": figures,
            "p": figures["period_figures"],
            "c": figures["cumulative_figures"],
            "draft_mark": DRAFT_MARK if figures.get("draft") and not report.is_submitted else "",
            "can_edit": own and not report.is_submitted and scope.has_role("taskforce_admin", "supervisor"),
            "can_submit": own
            and not report.is_submitted
            and sel.report_is_final(report.month)
            and scope.has_role("taskforce_admin", "supervisor"),
        },
    )


@login_required
def report_edit(request, pk: int):
    report = _get(sel.monthly_report_get, user=request.user, pk=pk)
    if report.is_submitted:
        messages.info(request, "报告已报送，内容已冻结")
        return redirect("campaigns:report_detail", pk=pk)
    form = forms.ReportNarrativeForm(
        request.POST or None,
        initial={
            "work_summary": report.work_summary,
            "problems": report.problems,
            "next_steps": report.next_steps,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.monthly_report_update(actor=request.user, report=report, **form.cleaned_data)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, "已保存")
            return redirect("campaigns:report_detail", pk=pk)
    return render(
        request,
        "campaigns/report_edit.html",
        {
            "page_title": "编辑月度报告",
            "report": report,
            "form": form,
            "draft_mark": "" if sel.report_is_final(report.month) else DRAFT_MARK,
        },
    )


@login_required
@require_POST
def report_submit(request, pk: int):
    report = _get(sel.monthly_report_get, user=request.user, pk=pk)
    try:
        services.monthly_report_submit(actor=request.user, report=report)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, "已报送，数据已冻结")
    return redirect("campaigns:report_detail", pk=pk)


@login_required
@require_GET
def report_download(request, pk: int, fmt: str):
    if fmt not in ("docx", "xlsx"):
        raise Http404("不支持的格式")
    report = _get(sel.monthly_report_get, user=request.user, pk=pk)
    docx, xlsx, _ = services.monthly_report_documents(report)
    stem = f"{report.region.name}{report.month:%Y年%m月}工作进展情况"
    if not report.is_submitted and not sel.report_is_final(report.month):
        stem += "（草稿）"
    if fmt == "docx":
        return _download(docx, f"{stem}.docx", DOCX)
    return _download(xlsx, f"{stem}-附表.xlsx", XLSX)


# --- supervision -----------------------------------------------------------------------------


@login_required
def supervision(request):
    scope = user_scope(user=request.user)
    region = _my_region(request)
    if region is None and not scope.is_global:
        raise Http404("没有可查看的区划")
    can_write = scope.has_role("taskforce_admin", "supervisor")
    can_notice = scope.has_role("taskforce_admin")
    which = request.POST.get("form")
    notice_form = forms.NoticeForm(request.POST if which == "notice" else None)
    interview_form = forms.InterviewForm(request.POST if which == "interview" else None)
    warning_form = forms.WarningForm(request.POST if which == "warning" else None)
    if request.method == "POST":
        if region is None:
            raise Http404("请选择区划")
        try:
            if which == "notice" and notice_form.is_valid():
                notice = services.supervision_notice_issue(
                    actor=request.user, region=region, **notice_form.cleaned_data
                )
                messages.success(request, f"已生成通报：{notice.title}")
                return redirect(f"{request.path}?region={region.code}")
            if which == "interview" and interview_form.is_valid():
                services.interview_record(actor=request.user, region=region, **interview_form.cleaned_data)
                messages.success(request, "约谈记录已登记")
                return redirect(f"{request.path}?region={region.code}")
            if which == "warning" and warning_form.is_valid():
                services.warning_advice_issue(actor=request.user, region=region, **warning_form.cleaned_data)
                messages.success(request, "警示建议已登记")
                return redirect(f"{request.path}?region={region.code}")
        except DomainError as exc:
            _fail(request, exc)
    code = region.code if region else ""
    lists = sel.supervision_lists(user=request.user, region=region)
    from gasguard.dashboard import links

    for row in lists["by_region"]:
        row["overdue_url"] = links.hazard_list_url(region=row["child"], overdue="1")
        row["major_url"] = links.hazard_list_url(region=row["child"], status="open", severity="major")
    for row in lists["by_department"]:
        dept = row["lead_department_id"]
        row["overdue_url"] = links.hazard_list_url(region=code, overdue="1", department=dept) if dept else ""
    return render(
        request,
        "campaigns/supervision.html",
        {
            "page_title": "督办通报",
            "region": region,
            "lists": lists,
            "notices": sel.supervision_notice_list(user=request.user)[:20],
            "interviews": sel.interview_list(user=request.user).filter(region_code__startswith=code)[:20],
            "warnings": sel.warning_advice_list(user=request.user).filter(region_code__startswith=code)[:20],
            "accidents": sel.accident_list(user=request.user).filter(region_code__startswith=code)[:20],
            "notice_form": notice_form,
            "interview_form": interview_form,
            "warning_form": warning_form,
            "can_write": can_write,
            "can_notice": can_notice,
            "overdue_all_url": links.hazard_list_url(region=code, overdue="1"),
            "major_all_url": links.hazard_list_url(region=code, status="open", severity="major"),
        },
    )


@login_required
@require_GET
def notice_download(request, pk: int):
    notice = _get(sel.supervision_notice_get, user=request.user, pk=pk)
    return _download(services.supervision_notice_docx(notice), f"{notice.title}.docx", DOCX)


@login_required
def accident_create(request):
    scope = user_scope(user=request.user)
    region = _my_region(request)
    codes = Region.objects.filter(level__lte=4)
    if not scope.is_global:
        from django.db.models import Q

        q = Q(pk__in=[])
        for p in scope.region_prefixes:
            q |= Q(code__startswith=p)
        codes = codes.filter(q)
    form = forms.AccidentForm(request.POST or None, initial={"region": region.code if region else ""})
    form.fields["region"].choices = list(codes.order_by("code").values_list("code", "name")[:500])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        from gasguard.registry.models import Enterprise, Premises

        premises = enterprise = None
        try:
            if data["premises"]:
                premises = (
                    scope.apply(Premises.objects.all(), region_field="region_code")
                    .filter(pk=data["premises"])
                    .first()
                )
                if premises is None:
                    raise NotFound("涉事场所不存在或不在数据权限范围内", field="premises")
            if data["enterprise"]:
                enterprise = (
                    scope.apply(Enterprise.objects.all(), region_field="region_code")
                    .filter(pk=data["enterprise"])
                    .first()
                )
                if enterprise is None:
                    raise NotFound("涉事企业不存在或不在数据权限范围内", field="enterprise")
            accident = services.accident_record(
                actor=request.user,
                region=Region.objects.get(code=data["region"]),
                occurred_at=data["occurred_at"],
                place=data["place"],
                description=data["description"],
                premises=premises,
                enterprise=enterprise,
                deaths=data["deaths"],
                injuries=data["injuries"],
                is_egregious=data["is_egregious"],
            )
        except DomainError as exc:
            _fail(request, exc)
        else:
            if accident.escalated_investigation:
                messages.warning(request, "该事故已标记为“提级调查”（方案五(三)）")
            else:
                messages.success(request, "事故已登记")
            return redirect("campaigns:accident_detail", pk=accident.pk)
    return render(request, "campaigns/accident_form.html", {"page_title": "登记燃气事故", "form": form})


@login_required
@require_GET
def accident_detail(request, pk: int):
    accident = _get(sel.accident_get, user=request.user, pk=pk)
    return render(request, "campaigns/accident_detail.html", {"page_title": "燃气事故", "a": accident})
