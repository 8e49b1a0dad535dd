"""Inspection pages (phone first): tasks, batches, the checklist form, signing, notice, coverage,
the 责任倒查 timeline. Thin shells around services and selectors."""

import functools
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gasguard.accounts.selectors import user_scope
from gasguard.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from gasguard.core.filters import PageFilters
from gasguard.inspections import notice as notice_docs
from gasguard.inspections import selectors, services
from gasguard.inspections.choices import SignerRoleChoices
from gasguard.inspections.excel import never_inspected_xlsx
from gasguard.inspections.filtersets import InspectionFilterSet
from gasguard.inspections.forms import (
    AssignForm,
    BatchForm,
    CorrectForm,
    CoverageFilterForm,
    NewInspectionForm,
)
from gasguard.inspections.models import InspectionTask

PAGE_SIZE = 25
# ?state= of the task lists (same values as the API's TaskQuery); "" = every state.
TASK_STATES = (("pending", "待检查"), ("overdue", "已逾期"), ("open", "未完成"), ("done", "已完成"))


def domain_404(view):
    """Selectors raise NotFound/PermissionDenied for objects outside the scope: render them as 404/403."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            return render(request, "inspections/forbidden.html", {"message": exc.message}, status=403)

    return wrapper


def _page(request, qs, size=PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _flash_error(request, exc: DomainError) -> None:
    details = "；".join(m for msgs in (exc.errors or {}).values() for m in msgs)
    messages.error(request, exc.message + (f"：{details}" if details and details not in exc.message else ""))


# --- tasks and batches ---------------------------------------------------------------------


@login_required
@domain_404
def task_list(request):
    """My tasks: overdue first, then due; organisers can switch to every task in scope."""
    scope = user_scope(user=request.user)
    show_all = request.GET.get("all") == "1" and scope.has_role("taskforce_admin", "supervisor", "leader")
    filters = PageFilters()
    state = filters.choice(request.GET.get("state", "open"), "state", TASK_STATES, label="任务状态") or ""
    qs = (
        selectors.task_list(user=request.user, mine=not show_all, state=state)
        if filters.valid
        else InspectionTask.objects.none()
    )
    overdue = selectors.task_list(user=request.user, mine=not show_all, state="overdue").count()
    return render(
        request,
        "inspections/task_list.html",
        {
            "page_obj": _page(request, qs),
            "state": state,
            "filter_errors": filters.errors,
            "show_all": show_all,
            "overdue": overdue,
            "page_title": "排查任务",
            "can_organise": scope.has_role("taskforce_admin", "supervisor"),
            "can_inspect": scope.has_role(*services.INSPECTING_ROLES),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
@domain_404
def task_start(request, pk):
    task = selectors.task_get(user=request.user, pk=pk)
    try:
        inspection = services.inspection_start(
            actor=request.user,
            task_id=task.pk,
            lon=request.POST.get("lon"),
            lat=request.POST.get("lat"),
            accuracy=request.POST.get("accuracy"),
        )
    except DomainError as exc:
        _flash_error(request, exc)
        return redirect("inspections:task_list")
    return redirect("inspections:inspection_record", pk=inspection.pk)


@login_required
@domain_404
def batch_list(request):
    qs = selectors.batch_list(user=request.user)
    scope = user_scope(user=request.user)
    return render(
        request,
        "inspections/batch_list.html",
        {
            "page_obj": _page(request, qs),
            "page_title": "检查批次",
            "can_organise": scope.has_role("taskforce_admin", "supervisor"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_404
def batch_create(request):
    scope = user_scope(user=request.user)
    if not scope.has_role("taskforce_admin", "supervisor"):
        raise PermissionDenied("只有专班管理员或部门监管负责人可以创建检查批次")
    form = BatchForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if kwargs:
            try:
                batch = services.batch_create(actor=request.user, **kwargs)
            except ValidationFailed as exc:
                for field, errors in exc.errors.items():
                    field = {"region_code": "region", "lead_department": "lead_department"}.get(field, field)
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
                if not exc.errors:
                    form.add_error(None, exc.message)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已创建批次“{batch.name}”，生成 {batch.tasks.count()} 项检查任务")
                return redirect("inspections:batch_detail", pk=batch.pk)
    return render(request, "inspections/batch_form.html", {"form": form, "page_title": "新建检查批次"})


@login_required
@require_http_methods(["GET", "POST"])
@domain_404
def batch_detail(request, pk):
    batch = selectors.batch_get(user=request.user, pk=pk)
    scope = user_scope(user=request.user)
    form = AssignForm(request.POST or None, user=request.user)
    if request.method == "POST":
        task_ids = [int(t) for t in request.POST.getlist("tasks") if t.isdigit()]
        if form.is_valid():
            try:
                count = services.task_assign(
                    actor=request.user,
                    task_ids=task_ids,
                    assignee_ids=[u.pk for u in form.cleaned_data["assignees"]],
                    due_date=form.cleaned_data["due_date"],
                )
            except DomainError as exc:
                _flash_error(request, exc)
            else:
                messages.success(request, f"已分派 {count} 项任务")
                return redirect(request.get_full_path())
    filters = PageFilters()
    state = filters.choice(request.GET.get("state"), "state", TASK_STATES, label="任务状态") or ""
    tasks = (
        selectors.task_list(user=request.user, state=state, batch_id=batch.pk)
        if filters.valid
        else InspectionTask.objects.none()
    )
    return render(
        request,
        "inspections/batch_detail.html",
        {
            "batch": batch,
            "page_obj": _page(request, tasks, 50),
            "form": form,
            "state": state,
            "filter_errors": filters.errors,
            "can_organise": scope.has_role("taskforce_admin", "supervisor"),
            "page_title": batch.name,
        },
    )


# --- inspections ---------------------------------------------------------------------------


@login_required
@domain_404
def inspection_list(request):
    qs = selectors.inspection_list(user=request.user)
    filterset = InspectionFilterSet(request.GET or None, queryset=qs, request=request)
    valid = filterset.is_valid() if filterset.is_bound else True
    page = _page(request, filterset.qs if valid else qs.none())
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "filter": filterset,
            "filter_valid": valid,
            "page_obj": page,
            "show_count": True,
            "page_title": "检查记录",
            # 排查任务 is a government page (enterprise users get 403 there).
            "show_tasks": _is_government(request.user),
        },
    )


def _is_government(user) -> bool:
    scope = user_scope(user=user)
    return scope.has_role(*selectors.GOVERNMENT) and (scope.is_global or bool(scope.region_prefixes))


@login_required
@require_http_methods(["GET", "POST"])
@domain_404
def inspection_new(request):
    """Ad hoc inspection of a target in scope (e.g. from a premises page: ?target_type=premises&target_id=1)."""
    if not user_scope(user=request.user).has_role(*services.INSPECTING_ROLES):
        raise PermissionDenied("只有检查人员可以开始检查")
    data = request.POST if request.method == "POST" else request.GET
    form = NewInspectionForm(data if "target_type" in data else None)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_start(
                actor=request.user,
                target_type=form.cleaned_data["target_type"],
                target_id=form.cleaned_data["target_id"],
                lon=request.POST.get("lon"),
                lat=request.POST.get("lat"),
                accuracy=request.POST.get("accuracy"),
            )
        except DomainError as exc:
            _flash_error(request, exc)
        else:
            return redirect("inspections:inspection_record", pk=inspection.pk)
    target = None
    if form.is_bound and form.is_valid():
        try:
            target = services.load_target(form.cleaned_data["target_type"], form.cleaned_data["target_id"])
            if not user_scope(user=request.user).covers_region(target.region_code):
                target = None
        except DomainError:
            target = None
    query = request.GET.get("q", "").strip()
    results = selectors.target_search(user=request.user, q=query) if query else []
    return render(
        request,
        "inspections/inspection_new.html",
        {"form": form, "target": target, "q": query, "results": results, "page_title": "现场检查"},
    )


@login_required
@domain_404
def inspection_detail(request, pk):
    inspection = selectors.inspection_get(user=request.user, pk=pk, full=True)
    scope = user_scope(user=request.user)
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "rows": selectors.checklist_view(inspection),
            "can_edit": selectors.can_edit(user=request.user, inspection=inspection),
            "can_correct": inspection.is_sealed
            and scope.has_role("inspector", "supervisor", "taskforce_admin")
            and bool(scope.region_prefixes or scope.is_global),
            "correct_form": CorrectForm(),
            "page_title": f"检查记录 {inspection.number}",
        },
    )


def _answers_from_post(post, rules) -> list[dict]:
    rows = []
    for rule in rules:
        raw = post.get(f"v_{rule.id}", "")
        na = post.get(f"na_{rule.id}") == "on"
        if raw == "" and not na:
            continue  # not answered yet; sealing will ask for it
        rows.append(
            {
                "rule_id": rule.id,
                "value": raw,
                "not_applicable": na,
                "fixed_on_spot": post.get(f"fix_{rule.id}") == "on",
                "note": post.get(f"note_{rule.id}", ""),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
@domain_404
def inspection_record(request, pk):
    """The checklist form: one card per rule; photos and answers validated per item on the server."""
    inspection = selectors.inspection_get(user=request.user, pk=pk, full=True)
    if not selectors.can_edit(user=request.user, inspection=inspection):
        messages.info(request, "该检查记录已封存或您不是本次检查的检查人员，只能查看")
        return redirect("inspections:inspection_detail", pk=pk)
    rules = services.checklist_rules(inspection)
    errors: dict[str, list[str]] = {}
    posted = None
    if request.method == "POST":
        posted = request.POST
        for rule in rules:
            upload = request.FILES.get(f"photo_{rule.id}")
            if upload is None:
                continue
            try:
                services.inspection_add_photo(
                    actor=request.user,
                    inspection_id=pk,
                    upload=upload,
                    rule_id=rule.id,
                    lon=request.POST.get("lon") or None,
                    lat=request.POST.get("lat") or None,
                )
            except ValidationFailed as exc:
                errors.setdefault(rule.id, []).append(exc.message)
        try:
            services.inspection_record_answers(
                actor=request.user,
                inspection_id=pk,
                answers=_answers_from_post(request.POST, rules),
                lon=request.POST.get("lon") or None,
                lat=request.POST.get("lat") or None,
                accuracy=request.POST.get("accuracy") or None,
                summary=request.POST.get("summary", ""),
            )
        except ValidationFailed as exc:
            for key, msgs in exc.errors.items():
                errors.setdefault(key, []).extend(msgs)
            if not exc.errors:
                errors.setdefault("__all__", []).append(exc.message)
        except DomainError as exc:
            _flash_error(request, exc)
            return redirect("inspections:inspection_detail", pk=pk)
        if not errors:
            messages.success(request, "检查结果已保存")
            if request.POST.get("next") == "sign":
                return redirect("inspections:inspection_sign", pk=pk)
            return redirect("inspections:inspection_record", pk=pk)
        messages.error(request, f"有 {len(errors)} 项需要更正，请查看标红的检查项")
        inspection = selectors.inspection_get(user=request.user, pk=pk, full=True)
    cards = []
    for rule, answer, photos in selectors.checklist_view(inspection):
        if posted is not None:
            value = posted.get(f"v_{rule.id}", "")
            na = posted.get(f"na_{rule.id}") == "on"
            fixed = posted.get(f"fix_{rule.id}") == "on"
            note = posted.get(f"note_{rule.id}", "")
        else:
            value = "" if answer is None or answer.value is None else answer.value
            if isinstance(value, bool):
                value = "true" if value else "false"
            na = bool(answer and answer.not_applicable)
            fixed = bool(answer and answer.fixed_on_spot)
            note = answer.note if answer else ""
        cards.append(
            {
                "rule": rule,
                "answer": answer,
                "photos": photos,
                "value": str(value),
                "na": na,
                "fixed": fixed,
                "note": note,
                "errors": errors.get(rule.id, []),
                "threshold": rule.answer.effective_threshold() if rule.answer.type == "number" else None,
            }
        )
    answered = sum(1 for c in cards if c["answer"] is not None)
    return render(
        request,
        "inspections/inspection_record.html",
        {
            "inspection": inspection,
            "cards": cards,
            "errors": errors,
            "answered": answered,
            "page_title": f"现场检查 · {inspection.target_name}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_404
def inspection_sign(request, pk):
    """Signing page: the inspector draws a signature; the representative signs or refuses."""
    inspection = selectors.inspection_get(user=request.user, pk=pk, full=True)
    if not selectors.can_edit(user=request.user, inspection=inspection):
        messages.info(request, "该检查记录已封存或您不是本次检查的检查人员")
        return redirect("inspections:inspection_detail", pk=pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        role = request.POST.get("signer_role", "")
        try:
            if role == SignerRoleChoices.INSPECTOR:
                services.inspection_sign(
                    actor=request.user,
                    inspection_id=pk,
                    signer_role=role,
                    image=request.POST.get("image") or request.FILES.get("image_file"),
                )
            else:
                services.inspection_sign(
                    actor=request.user,
                    inspection_id=pk,
                    signer_role=SignerRoleChoices.REPRESENTATIVE,
                    name=request.POST.get("name", ""),
                    image=request.POST.get("image") or request.FILES.get("image_file"),
                    refused=request.POST.get("refused") == "on",
                    refusal_note=request.POST.get("refusal_note", ""),
                )
        except ValidationFailed as exc:
            errors = {
                role or "inspector": [
                    exc.message,
                    *[m for msgs in exc.errors.values() for m in msgs if m != exc.message],
                ]
            }
        except DomainError as exc:
            _flash_error(request, exc)
        else:
            messages.success(request, "签字已保存")
            return redirect("inspections:inspection_sign", pk=pk)
        inspection = selectors.inspection_get(user=request.user, pk=pk, full=True)
    signatures = list(inspection.signatures.all())
    me_signed = any(s.user_id == request.user.pk for s in signatures)
    representative = next((s for s in signatures if s.signer_role == "representative"), None)
    missing = [
        rule.title
        for rule, answer, photos in selectors.checklist_view(inspection)
        if answer is None and not (rule.answer.type == "photo" and photos)
    ]
    return render(
        request,
        "inspections/inspection_sign.html",
        {
            "inspection": inspection,
            "signatures": signatures,
            "me_signed": me_signed,
            "representative": representative,
            "errors": errors,
            "missing": missing,
            "page_title": f"签字确认 · {inspection.target_name}",
        },
    )


@login_required
@require_POST
@domain_404
def inspection_seal(request, pk):
    selectors.inspection_get(user=request.user, pk=pk)
    try:
        inspection = services.inspection_seal(actor=request.user, inspection_id=pk)
    except DomainError as exc:
        _flash_error(request, exc)
        return redirect("inspections:inspection_sign", pk=pk)
    if inspection.no_hazard_found:
        messages.success(request, "检查记录已签章封存：未发现隐患")
    else:
        messages.warning(
            request, f"检查记录已签章封存：发现 {inspection.hazard_count} 项隐患，已登记入隐患台账"
        )
    return redirect("inspections:inspection_detail", pk=pk)


@login_required
@require_POST
@domain_404
def inspection_correct(request, pk):
    selectors.inspection_get(user=request.user, pk=pk)
    form = CorrectForm(request.POST)
    try:
        correction = services.inspection_correct(
            actor=request.user, inspection_id=pk, reason=form.data.get("reason", "")
        )
    except DomainError as exc:
        _flash_error(request, exc)
        return redirect("inspections:inspection_detail", pk=pk)
    messages.info(request, "已创建更正记录，请修改后重新签字封存")
    return redirect("inspections:inspection_record", pk=correction.pk)


# --- notice --------------------------------------------------------------------------------


def _notice_inspection(request, pk, *, issue: bool):
    inspection = selectors.inspection_get(user=request.user, pk=pk, full=True)
    scope = user_scope(user=request.user)
    may_issue = scope.has_role("inspector", "supervisor", "taskforce_admin") and bool(
        scope.is_global or scope.region_prefixes
    )
    if issue and may_issue and not inspection.notice_issued_at:
        services.inspection_issue_notice(actor=request.user, inspection_id=pk)
        inspection = selectors.inspection_get(user=request.user, pk=pk, full=True)
    return inspection, may_issue


@login_required
@require_http_methods(["GET", "POST"])
@domain_404
def notice(request, pk):
    """The printable 整改通知书; issuing it (POST) is a recorded act."""
    selectors.inspection_get(user=request.user, pk=pk)  # 404 outside the scope
    try:
        inspection, may_issue = _notice_inspection(request, pk, issue=request.method == "POST")
    except DomainError as exc:
        _flash_error(request, exc)
        return redirect("inspections:inspection_detail", pk=pk)
    if request.method == "POST":
        messages.success(request, f"整改通知书 {inspection.notice_number} 已下达")
        return redirect("inspections:notice", pk=pk)
    ctx = notice_docs.notice_context(inspection)
    return render(
        request,
        "inspections/notice.html",
        {"inspection": inspection, "notice": ctx, "may_issue": may_issue, "page_title": notice_docs.TITLE},
    )


@login_required
@domain_404
def notice_file(request, pk, fmt):
    """PDF or Word of the notice; downloading by the inspecting side issues it if not yet issued."""
    if fmt not in ("pdf", "docx"):
        raise Http404("格式不支持")
    selectors.inspection_get(user=request.user, pk=pk)  # 404 outside the scope
    try:
        inspection, _ = _notice_inspection(request, pk, issue=True)
    except DomainError as exc:
        _flash_error(request, exc)
        return redirect("inspections:inspection_detail", pk=pk)
    if not inspection.notice_issued_at:
        raise Http404("整改通知书尚未下达")
    if fmt == "pdf":
        data, ctype = notice_docs.render_pdf(inspection), "application/pdf"
    else:
        data = notice_docs.render_docx(inspection)
        ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(data, content_type=ctype)
    from urllib.parse import quote

    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(notice_docs.filename(inspection, fmt))}"
    )
    return response


@login_required
@domain_404
def media_file(request, pk, kind, item):
    """Photos and signature images are served only to users who may see the inspection."""
    if kind not in ("photo", "signature"):
        raise Http404("文件不存在")
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    if kind == "photo":
        obj = inspection.photos.filter(pk=item).first()
        field = obj.file if obj else None
    else:
        obj = inspection.signatures.filter(pk=item).first()
        field = obj.image if obj else None
    if not field:
        raise Http404("文件不存在")
    ctype = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    return FileResponse(field.open("rb"), content_type=ctype)


# --- coverage and timeline -----------------------------------------------------------------


COVERAGE_LISTS = [("premises", "场所"), ("enterprises", "企业")]


def _coverage_params(request):
    """The coverage filters: (form, params, which list, errors). A bad value (batch=abc, an unknown
    level or ?list=) is an error naming its field, never a silent fall back to everything."""
    form = CoverageFilterForm(request.GET or None)
    filters = PageFilters()
    which = filters.choice(request.GET.get("list"), "list", COVERAGE_LISTS, label="清单") or "premises"
    params = {"level": "street", "region_code": "", "batch_id": None, "date_from": None, "date_to": None}
    if form.is_bound and not form.is_valid():
        filters.errors.update(form.errors)
    elif form.is_bound:
        data = form.cleaned_data
        params.update(
            level=data["level"] or "street",
            region_code=data["region"] or "",
            batch_id=data["batch"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    return form, params, which, filters.errors


def _never_inspected(user, which: str, params: dict):
    period = {k: params[k] for k in ("region_code", "batch_id", "date_from", "date_to")}
    if which == "enterprises":
        return selectors.never_inspected_enterprises(user=user, **period)
    return selectors.never_inspected_premises(user=user, **period)


@login_required
@domain_404
def coverage(request):
    """Coverage (全覆盖): registered vs inspected by region and type, and who was never inspected."""
    form, params, which, errors = _coverage_params(request)
    result = None if errors else selectors.coverage(user=request.user, **params)
    missing = [] if errors else _never_inspected(request.user, which, params)
    batches = selectors.batch_list(user=request.user)[:100]
    return render(
        request,
        "inspections/coverage.html",
        {
            "form": form,
            "coverage": result,
            "filter_errors": errors,
            "page_obj": _page(request, missing, 50),
            "which": which,
            "show_count": True,
            "batches": batches,
            "can_inspect": user_scope(user=request.user).has_role(*services.INSPECTING_ROLES),
            "page_title": "排查覆盖率",
        },
    )


@login_required
@domain_404
def coverage_export(request):
    """The never-inspected list as an Excel workbook (streamed, constant memory); with a bad filter
    it goes back to the page, which shows the error, rather than exporting the unfiltered list."""
    _, params, which, errors = _coverage_params(request)
    if errors:
        return redirect(f"{reverse('inspections:coverage')}?{request.GET.urlencode()}")
    data = never_inspected_xlsx(_never_inspected(request.user, which, params), which=which)
    from urllib.parse import quote

    response = StreamingHttpResponse(
        iter([data]), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = "未检查企业清单.xlsx" if which == "enterprises" else "未检查场所清单.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@domain_404
def timeline(request, target_type, pk):
    """责任倒查: one timeline for a premises or an enterprise."""
    target, entries = selectors.timeline(user=request.user, target_type=target_type, target_id=pk)
    return render(
        request,
        "inspections/timeline.html",
        {
            "target": target,
            "target_type": target_type,
            "entries": entries,
            "new_url": reverse("inspections:inspection_new") + f"?target_type={target_type}&target_id={pk}",
            "page_title": f"责任倒查 · {target.name}",
        },
    )
