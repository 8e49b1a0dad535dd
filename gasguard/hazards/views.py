"""Ledger pages (隐患台账): list with totals, detail with actions, referrals, enforcement, 回头看,
Excel export/import. Views only parse input and call selectors/services."""

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gasguard.accounts.choices import MembershipRoleChoices as ROLE
from gasguard.accounts.selectors import user_scope
from gasguard.audit.models import AuditEvent
from gasguard.core.errors import DomainError
from gasguard.core.filters import PageFilters
from gasguard.core.listing import paginate
from gasguard.hazards import forms, services
from gasguard.hazards.choices import (
    ControlRequestStatusChoices,
    EnforcementKindChoices,
    ReferralStatusChoices,
    RevisitStatusChoices,
)
from gasguard.hazards.excel import export_hazards, hazard_import, import_template
from gasguard.hazards.filtersets import HazardFilterSet
from gasguard.hazards.models import EnforcementAction, Hazard, HazardEvidence, HazardReferral, RevisitSample
from gasguard.hazards.selectors import (
    enforcement_list,
    enforcement_totals,
    hazard_get,
    hazard_list,
    hazard_totals,
    hazard_totals_for,
    hazard_visible,
    referral_list,
    referred_outside,
    revisit_list,
)

PAGE_SIZE = 50


def _file_response(path: str, filename: str) -> FileResponse:
    handle = open(path, "rb")  # noqa: SIM115 - closed by FileResponse
    os.unlink(path)  # the open handle keeps the data until the response is sent
    return FileResponse(handle, as_attachment=True, filename=filename)


@login_required
def hazard_list_view(request):
    """The ledger with filters and totals that add up for the filtered scope."""
    # The referrals received from outside the user's regions are looked up once for the list
    # and its totals.
    referred = referred_outside(user=request.user)
    base = hazard_visible(user=request.user, referred=referred)
    filterset = HazardFilterSet(request.GET or None, queryset=base, user=request.user)
    valid = filterset.is_valid() if filterset.is_bound else True
    # A bad filter value is shown next to its field and lists nothing (never the unfiltered ledger).
    qs = (filterset.qs if filterset.is_bound else base) if valid else base.none()
    if valid:
        totals = hazard_totals_for(user=request.user, filterset=filterset, referred=referred)
    else:
        totals = hazard_totals(qs=qs)
    from gasguard.hazards.selectors import annotate_overdue

    listing = annotate_overdue(qs).select_related("lead_department")
    from gasguard.hazards.selectors import hazard_ordering

    page = paginate(request, listing.order_by(*hazard_ordering(request.GET)), per_page=PAGE_SIZE)
    scope = user_scope(user=request.user)
    return render(
        request,
        "hazards/hazard_list.html",
        {
            "page_title": "隐患台账",
            "filter": filterset,
            "filter_valid": valid,
            "page_obj": page,
            "totals": totals,
            "show_count": True,
            "query": request.GET.urlencode(),
            "can_import": scope.has_role(ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR, ROLE.INSPECTOR),
        },
    )


@login_required
def hazard_export_view(request):
    """The filtered ledger as .xlsx (streamed from a temporary file; memory stays flat)."""
    if (
        request.GET
        and not HazardFilterSet(request.GET, queryset=Hazard.objects.none(), user=request.user).is_valid()
    ):
        # Back to the list, which names the bad field; never export the unfiltered ledger.
        return redirect(f"{reverse('hazards:hazard_list')}?{request.GET.urlencode()}")
    qs = hazard_list(user=request.user, filters=request.GET)
    path = export_hazards(qs)
    return _file_response(path, f"隐患台账-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def import_template_view(request):
    return _file_response(import_template(), "隐患台账导入模板.xlsx")


@login_required
def hazard_import_view(request):
    """Upload a locality's ledger: errors per row and column; all-or-nothing unless chosen."""
    result = None
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = hazard_import(
                actor=request.user,
                upload=form.cleaned_data["file"],
                valid_only=form.cleaned_data["valid_only"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if result.committed:
                messages.success(
                    request,
                    f"导入完成：新增 {result.created} 条，重复跳过 {result.duplicates} 条，错误 {result.error_rows} 行",
                )
            else:
                messages.error(
                    request,
                    f"共 {result.error_rows} 行有错误，未导入任何数据。请修改后重新导入，或选择“仅导入校验通过的行”。",
                )
    return render(
        request,
        "hazards/hazard_import.html",
        {
            "page_title": "导入隐患台账",
            "form": form,
            "result": result,
            "errors": result.errors[:500] if result else [],
        },
    )


def _timeline_url(user, hazard) -> str:
    """责任倒查 timeline of the hazard's premises, else its enterprise — only one the user may open
    (a premises in the district can belong to an enterprise registered elsewhere)."""
    from gasguard.inspections.selectors import timeline_target

    for target_type, target_id in (("premises", hazard.premises_id), ("enterprise", hazard.enterprise_id)):
        if not target_id:
            continue
        try:
            timeline_target(user=user, target_type=target_type, target_id=target_id)
        except DomainError:
            continue
        return f"/inspections/timeline/{target_type}/{target_id}/"
    return ""


@login_required
def hazard_detail_view(request, pk):
    """Full history, evidence, referrals, enforcement, escalations, audit events and actions."""
    try:
        hazard = hazard_get(user=request.user, hazard_id=pk)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    control_requests = list(hazard.control_requests.select_related("requested_by", "decided_by"))
    pending = next((r for r in control_requests if r.status == ControlRequestStatusChoices.PENDING), None)
    hazard._pending_control = pending is not None
    actions = services.allowed_actions(actor=request.user, hazard=hazard)
    if hazard.status == "awaiting_verification" and hazard.rectified_by_id == request.user.pk:
        own_rectification = True
    else:
        own_rectification = False
    events = AuditEvent.objects.filter(object_type="hazard", object_id=str(hazard.pk)).order_by("seq")
    supervisors = []
    if "assign" in actions:
        from gasguard.accounts.models import User

        supervisors = User.objects.filter(
            memberships__department__region_code__in=[
                hazard.region_code[:n] for n in (15, 12, 9, 6, 4, 2) if len(hazard.region_code) >= n
            ],
            memberships__role__in=(ROLE.SUPERVISOR, ROLE.INSPECTOR),
            memberships__is_active=True,
        ).distinct()[:200]
    context = {
        "page_title": f"隐患 {hazard.code}",
        "hazard": hazard,
        "history": hazard.history.select_related("actor"),
        "evidence": hazard.evidence.select_related("uploaded_by"),
        "control_requests": control_requests,
        "pending_control": pending,
        "referrals": hazard.referrals.select_related(
            "to_department", "from_department", "referred_by", "handled_by"
        ),
        "enforcement": hazard.enforcement_actions.select_related("department", "actor"),
        "escalations": hazard.escalations.all(),
        "revisit": getattr(hazard, "revisit", None) if hasattr(hazard, "revisit") else None,
        "reappearances": hazard.reappearances.only("id", "code", "status", "found_at"),
        "events": events,
        "timeline_url": _timeline_url(request.user, hazard),
        "actions": actions,
        "own_rectification": own_rectification,
        "today": timezone.localdate(),
        "supervisors": supervisors,
        "forms": {
            "control_request": forms.ControlRequestForm(),
            "control_decide": forms.ControlDecisionForm(),
            "submit": forms.SubmitForm(),
            "verify": forms.VerifyForm(),
            "close_on_spot": forms.CloseOnSpotForm(),
            "assign": forms.AssignForm(
                initial={
                    "responsible_person": hazard.responsible_person,
                    "responsible_phone": hazard.responsible_phone,
                    "deadline": hazard.deadline,
                }
            ),
            "refer": forms.ReferForm(),
            "enforcement": forms.EnforcementForm(),
            "start": forms.NoteForm(),
        },
    }
    return render(request, "hazards/hazard_detail.html", context)


def _form_errors(form) -> str:
    return "；".join(
        f"{form.fields[k].label if k in form.fields else ''}{'：' if k in form.fields else ''}{' '.join(v)}"
        for k, v in form.errors.items()
    )


@login_required
@require_POST
def hazard_action_view(request, pk, action):
    """One POST endpoint per action; the service decides, errors come back as messages."""
    user = request.user
    post, files = request.POST, request.FILES
    try:
        if action == "start":
            services.hazard_start(actor=user, hazard_id=pk, note=post.get("note", ""))
            done = "已开始整改"
        elif action == "control_request":
            form = forms.ControlRequestForm(post)
            if not form.is_valid():
                raise DomainError(_form_errors(form))
            services.hazard_control_request(actor=user, hazard_id=pk, **form.cleaned_data)
            done = "管控措施已提交，待监管负责人审批"
        elif action == "control_approve":
            services.hazard_control_approve(actor=user, hazard_id=pk, note=post.get("reason", ""))
            done = "已批准管控措施，隐患转为管控中"
        elif action == "control_reject":
            services.hazard_control_reject(actor=user, hazard_id=pk, reason=post.get("reason", ""))
            done = "已驳回管控措施申请"
        elif action == "submit":
            services.hazard_submit_rectification(
                actor=user,
                hazard_id=pk,
                measures=post.get("measures", ""),
                evidence_files=files.getlist("evidence"),
            )
            done = "整改已提交，等待验收"
        elif action in ("verify_pass", "verify_fail"):
            services.hazard_verify(
                actor=user, hazard_id=pk, passed=action == "verify_pass", reason=post.get("reason", "")
            )
            done = "验收通过，已销号" if action == "verify_pass" else "验收不通过，已退回整改"
        elif action == "close_on_spot":
            services.hazard_close_on_spot(
                actor=user, hazard_id=pk, evidence_files=files.getlist("evidence"), note=post.get("note", "")
            )
            done = "立行立改，已销号"
        elif action == "assign":
            form = forms.AssignForm(post)
            if not form.is_valid():
                raise DomainError(_form_errors(form))
            data = form.cleaned_data
            supervisor = None
            if data.get("supervisor"):
                from gasguard.accounts.models import User

                supervisor = User.objects.filter(pk=data["supervisor"]).first()
            services.hazard_assign(
                actor=user,
                hazard_id=pk,
                reason=data["reason"],
                responsible_person=data.get("responsible_person"),
                responsible_phone=data.get("responsible_phone"),
                supervisor=supervisor,
                deadline=data.get("deadline"),
            )
            done = "已保存（修改已记入审计链）"
        elif action == "refer":
            services.hazard_refer(
                actor=user, hazard_id=pk, to_kind=post.get("to_kind", ""), reason=post.get("reason", "")
            )
            done = "已移送，等待接收部门接收"
        elif action == "enforcement":
            form = forms.EnforcementForm(post)
            if not form.is_valid():
                raise DomainError(_form_errors(form))
            services.enforcement_record(actor=user, hazard_id=pk, **form.cleaned_data)
            done = "执法记录已登记"
        else:
            raise Http404("未知操作")
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from exc
        messages.error(
            request,
            exc.message
            + (
                "：" + "；".join(f"{' '.join(v)}" for v in exc.errors.values())
                if exc.errors and exc.errors != {exc.field: [exc.message]}
                else ""
            ),
        )
    else:
        messages.success(request, done)
    return redirect("hazards:hazard_detail", pk=pk)


@login_required
def evidence_file_view(request, pk):
    """An evidence file, only for users who may see its hazard."""
    evidence = HazardEvidence.objects.filter(pk=pk, hazard__in=hazard_visible(user=request.user)).first()
    if evidence is None:
        raise Http404("文件不存在")
    return FileResponse(
        evidence.file.open("rb"), content_type=evidence.content_type, filename=evidence.original_name
    )


@login_required
def referral_list_view(request):
    """Referrals (移送) sent and received, with accept/return for the receiving department."""
    filters = PageFilters()
    status = filters.choice(request.GET.get("status"), "status", ReferralStatusChoices, label="状态")
    qs = referral_list(user=request.user, status=status) if filters.valid else HazardReferral.objects.none()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    my_departments = set(
        request.user.memberships.filter(is_active=True, department__isnull=False).values_list(
            "department_id", flat=True
        )
    )
    return render(
        request,
        "hazards/referral_list.html",
        {
            "page_title": "隐患移送",
            "page_obj": page,
            "show_count": True,
            "status": status,
            "statuses": ReferralStatusChoices.choices,
            "filter_errors": filters.errors,
            "my_departments": my_departments,
            "is_superuser": request.user.is_superuser,
        },
    )


@login_required
@require_POST
def referral_decide_view(request, pk, decision):
    try:
        if decision == "accept":
            services.referral_accept(
                actor=request.user, referral_id=pk, response=request.POST.get("response", "")
            )
            messages.success(request, "已接收移送")
        elif decision == "return":
            services.referral_return(
                actor=request.user, referral_id=pk, response=request.POST.get("response", "")
            )
            messages.success(request, "已退回移送")
        else:
            raise Http404("未知操作")
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    return redirect("hazards:referral_list")


@login_required
def enforcement_list_view(request):
    """Enforcement records (执法记录) with totals per kind and the sum of fines."""
    filters = PageFilters()
    kind = filters.choice(request.GET.get("kind"), "kind", EnforcementKindChoices, label="措施")
    qs = enforcement_list(user=request.user, kind=kind) if filters.valid else EnforcementAction.objects.none()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "hazards/enforcement_list.html",
        {
            "page_title": "执法记录",
            "page_obj": page,
            "show_count": True,
            "kind": kind,
            "kinds": EnforcementKindChoices.choices,
            "totals": enforcement_totals(qs=qs),
            "filter_errors": filters.errors,
        },
    )


@login_required
def revisit_list_view(request):
    """回头看 samples: due re-inspections and their outcomes (改后反弹 counted)."""
    filters = PageFilters()
    status = filters.choice(request.GET.get("status"), "status", RevisitStatusChoices, label="状态")
    qs = (
        revisit_list(user=request.user, status=status, due_only=request.GET.get("due") == "1")
        if filters.valid
        else RevisitSample.objects.none()
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    scope = user_scope(user=request.user)
    all_samples = revisit_list(user=request.user)
    from django.db.models import Count, Q

    counts = all_samples.aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(status=RevisitStatusChoices.PENDING)),
        ok=Count("pk", filter=Q(status=RevisitStatusChoices.OK)),
        reappeared=Count("pk", filter=Q(status=RevisitStatusChoices.REAPPEARED)),
        due=Count("pk", filter=Q(status=RevisitStatusChoices.PENDING, due_on__lte=timezone.localdate())),
    )
    return render(
        request,
        "hazards/revisit_list.html",
        {
            "page_title": "回头看",
            "page_obj": page,
            "show_count": True,
            "status": status,
            "statuses": RevisitStatusChoices.choices,
            "counts": counts,
            "filter_errors": filters.errors,
            "can_record": scope.has_role(ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR, ROLE.INSPECTOR),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def revisit_record_view(request, pk):
    form = forms.RevisitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("hazards:revisit_list")
    try:
        sample = services.revisit_record(
            actor=request.user,
            sample_id=pk,
            reappeared=form.cleaned_data["outcome"] == "reappeared",
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
        return redirect("hazards:revisit_list")
    if sample.new_hazard_id:
        messages.warning(request, "已登记改后反弹，并生成新的隐患")
        return redirect(reverse("hazards:hazard_detail", args=[sample.new_hazard_id]))
    messages.success(request, "已登记复查结果：无反弹")
    return redirect("hazards:revisit_list")
