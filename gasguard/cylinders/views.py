"""Pages of 一瓶一码: registry, label sheets, the filling gate, fills, deliveries, violations,
gas batches and recall lists, trace (溯源). Thin shells over selectors and services."""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from gasguard.accounts.selectors import user_scope
from gasguard.core.errors import DomainError, NotFound, PermissionDenied
from gasguard.cylinders import permissions, selectors, services
from gasguard.cylinders.choices import CylinderSpecChoices, CylinderStatusChoices, InspectionResultChoices
from gasguard.cylinders.labels import label_sheet_pdf
from gasguard.cylinders.permissions import market_prefixes
from gasguard.registry.models import Enterprise, Facility, Premises, Staff


def _page(request, qs, per_page=50):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _deny(exc: DomainError):
    if isinstance(exc, NotFound):
        from django.http import Http404

        raise Http404(exc.message)
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

    raise DjangoPermissionDenied(exc.message)


def _owner_choices(user):
    scope = user_scope(user=user)
    qs = Enterprise.objects.filter(roles__role="cylinder_filling")
    return scope.apply(qs, enterprise_field="id").order_by("name").distinct()


@login_required
def cylinder_list(request):
    g = request.GET
    qs = selectors.cylinder_list(
        user=request.user,
        q=g.get("q", ""),
        status=g.get("status", ""),
        spec=g.get("spec", ""),
        overdue=g.get("overdue") == "1",
        arrived=g.get("arrived") == "1",
    )
    page = _page(request, qs)
    return render(
        request,
        "cylinders/cylinder_list.html",
        {
            "page_obj": page,
            "show_count": True,
            "page_title": "气瓶档案",
            "statuses": CylinderStatusChoices.choices,
            "specs": CylinderSpecChoices.choices,
            "today": timezone.localdate(),
            "owners": _owner_choices(request.user)[:200],
        },
    )


@login_required
def cylinder_detail(request, code):
    try:
        cylinder = selectors.cylinder_get(user=request.user, code=code)
    except DomainError as exc:
        _deny(exc)
    reasons = services.cylinder_reasons(
        {f: getattr(cylinder, f) for f in services.GATE_FIELDS if "__" not in f},
        enterprise_id=None,
        today=timezone.localdate(),
    )
    prefixes = market_prefixes(request.user, write=True)
    can_regulate = prefixes is None or any(cylinder.region_code.startswith(p) for p in prefixes)
    return render(
        request,
        "cylinders/cylinder_detail.html",
        {
            "cylinder": cylinder,
            "timeline": selectors.cylinder_timeline(cylinder=cylinder),
            "custody": selectors.cylinder_custody(cylinder=cylinder),
            "reasons": reasons,
            "trace": selectors.trace_cylinder(user=request.user, cylinder=cylinder),
            "can_regulate": can_regulate,
            "bodies": Enterprise.objects.filter(roles__role="inspection_body").order_by("name")[:100],
            "fillers": Enterprise.objects.filter(roles__role="cylinder_filling")
            .exclude(pk=cylinder.owner_id)
            .order_by("name")[:300],
            "my_bodies": list(
                Enterprise.objects.filter(
                    roles__role="inspection_body", users__user=request.user, users__is_active=True
                )
            ),
            "results": InspectionResultChoices.choices,
            "today": timezone.localdate(),
            "page_title": f"气瓶 {cylinder.code}",
        },
    )


@login_required
@require_http_methods(["POST"])
def cylinder_action(request, code, action):
    try:
        cylinder = selectors.cylinder_get(user=request.user, code=code)
    except DomainError as exc:
        _deny(exc)
    p = request.POST
    try:
        body = Enterprise.objects.filter(pk=p.get("body") or 0).first()
        if action == "seize":
            if body is None:
                raise NotFound("请选择检验机构", field="body")
            services.cylinder_seize(
                actor=request.user, cylinder=cylinder, body=body, reason=p.get("reason", "")
            )
            messages.success(request, "已查封并移交检验机构")
        elif action == "scrap":
            services.cylinder_scrap(
                actor=request.user, cylinder=cylinder, reason=p.get("reason", ""), body=body
            )
            messages.success(request, "已报废，气瓶码永久作废")
        elif action == "inspect":
            if body is None:
                raise NotFound("请选择检验机构", field="body")
            from datetime import date

            try:
                day = date.fromisoformat(p.get("inspected_on", ""))
            except ValueError:
                raise NotFound("检验日期格式错误", field="inspected_on") from None
            services.periodic_inspection_record(
                actor=request.user,
                cylinder=cylinder,
                body=body,
                inspected_on=day,
                result=p.get("result", ""),
                report_no=p.get("report_no", ""),
            )
            messages.success(request, "定期检验已记录")
        elif action == "transfer":
            to_owner = Enterprise.objects.filter(pk=p.get("to_owner") or 0).first()
            if to_owner is None:
                raise NotFound("请选择新产权单位", field="to_owner")
            services.cylinder_transfer(
                actor=request.user, cylinder=cylinder, to_owner=to_owner, reason=p.get("reason", "")
            )
            messages.success(request, f"产权已变更至 {to_owner.name}")
        elif action == "lost":
            services.cylinder_set_status(
                actor=request.user, cylinder=cylinder, status="lost", reason=p.get("reason", "")
            )
            messages.success(request, "已报失")
        else:
            raise NotFound("未知操作")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("cylinders:cylinder_detail", code=cylinder.code)


@login_required
@require_http_methods(["GET", "POST"])
def cylinder_import(request):
    if not permissions.can_register(request.user):
        _deny(PermissionDenied("仅产权单位或辖区市场监管部门可登记气瓶"))
    owners = _owner_choices(request.user)
    context = {"owners": owners, "page_title": "气瓶批量登记", "columns": list(services.XLSX_COLUMNS)}
    if request.method == "POST":
        owner = owners.filter(pk=request.POST.get("owner") or 0).first()
        upload = request.FILES.get("file")
        try:
            if owner is None:
                raise NotFound("请选择产权单位", field="owner")
            if upload is None:
                raise NotFound("请选择 Excel 文件", field="file")
            result = services.cylinder_import_xlsx(
                actor=request.user,
                owner=owner,
                upload=upload,
                valid_only=request.POST.get("valid_only") == "1",
            )
            messages.success(request, f"已登记 {result.created} 只气瓶")
            context["result"] = result
        except DomainError as exc:
            messages.error(request, exc.message)
            context["errors"] = exc.errors
    return render(request, "cylinders/cylinder_import.html", context)


@login_required
def import_template(request):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "气瓶"
    ws.append(list(services.XLSX_COLUMNS))
    ws.append(["", "A123456", "YSP35.5", "示例钢瓶制造有限公司", "2021-05-01", 8, "", "", "否", "否"])
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="cylinder-import-template.xlsx"'
    return response


@login_required
def labels(request):
    """PDF label sheet of the cylinders matching the list filters (at most 2,400 per file)."""
    g = request.GET
    qs = selectors.cylinder_list(
        user=request.user,
        q=g.get("q", ""),
        status=g.get("status", ""),
        spec=g.get("spec", ""),
        owner_id=g.get("owner") or None,
    )
    cylinders = list(qs.exclude(status="scrapped")[:2400])
    response = HttpResponse(label_sheet_pdf(cylinders), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="cylinder-labels.pdf"'
    return response


@login_required
def gate(request):
    """The filling-station page: scanner (keyboard) or camera → allow/deny → record the fill."""
    scope = user_scope(user=request.user)
    stations = Facility.objects.filter(kind="filling_station", is_active=True)
    operators = Staff.objects.filter(is_active=True, post="se_operator")
    if not request.user.is_superuser:
        stations = stations.filter(enterprise_id__in=scope.enterprise_ids)
        operators = operators.filter(enterprise_id__in=scope.enterprise_ids)
    from gasguard.cylinders.models import GasBatch

    batches = GasBatch.objects.filter(filler_id__in=stations.values("enterprise_id")).exclude(
        status="failed"
    )[:50]
    return render(
        request,
        "cylinders/gate.html",
        {
            "stations": stations.order_by("name"),
            "operators": operators.order_by("name"),
            "batches": batches,
            "pre_items": services.PRE_FILL_ITEMS,
            "post_items": services.POST_FILL_ITEMS,
            "page_title": "充装核验",
            "skew_minutes": settings.GASGUARD_GATE_MAX_CLOCK_SKEW_MINUTES,
        },
    )


@login_required
def fill_list(request):
    qs = selectors.fill_list(user=request.user).select_related("enterprise").order_by("-filled_at", "-id")
    return render(
        request, "cylinders/fill_list.html", {"page_obj": _page(request, qs), "page_title": "充装记录"}
    )


@login_required
def violation_list(request):
    try:
        qs = selectors.violation_list(user=request.user).order_by("-created_at", "-id")
    except PermissionDenied as exc:
        _deny(exc)
    return render(
        request,
        "cylinders/violation_list.html",
        {
            "page_obj": _page(request, qs),
            "show_count": True,
            "page_title": "违规充装(拒绝充装记录)",
        },
    )


@login_required
def delivery_list(request):
    qs = selectors.delivery_list(user=request.user).order_by("-delivered_at", "-id")
    return render(
        request, "cylinders/delivery_list.html", {"page_obj": _page(request, qs), "page_title": "配送记录"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def delivery_detail(request, pk):
    try:
        delivery = selectors.delivery_get(user=request.user, pk=pk)
    except DomainError as exc:
        _deny(exc)
    items = services.delivery_checklist(delivery.premises)
    check = getattr(delivery, "safety_check", None) if hasattr(delivery, "safety_check") else None
    errors = {}
    if request.method == "POST":
        answers = {i["id"]: request.POST.get(i["id"], "") for i in items}
        try:
            check = services.delivery_check_record(actor=request.user, delivery=delivery, answers=answers)
            messages.success(request, f"随瓶安检已记录，{len(check.hazard_ids)} 项登记为隐患")
            return redirect("cylinders:delivery_detail", pk=delivery.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            errors = exc.errors
    return render(
        request,
        "cylinders/delivery_detail.html",
        {
            "delivery": delivery,
            "items": items,
            "check": check,
            "errors": errors,
            "can_check": permissions.is_enterprise_member(request.user, delivery.enterprise_id),
            "page_title": "配送记录",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def batch_list(request):
    """Gas batches; fillers register a batch, regulators record a quality sample of one."""
    from datetime import date

    if request.method == "POST":
        p = request.POST
        try:
            if p.get("form") == "sample":
                batch = selectors.gas_batch_get(user=request.user, pk=p.get("batch") or 0)
                sample = services.gas_sample_record(
                    actor=request.user,
                    batch=batch,
                    sampled_on=date.fromisoformat(p.get("sampled_on") or ""),
                    dme_pct=p.get("dme_pct"),
                    odour_ok=p.get("odour_ok") == "1",
                    vapour_pressure_kpa=p.get("vapour_pressure_kpa") or None,
                    c5_plus_pct=p.get("c5_plus_pct") or None,
                    sulphur_mg_m3=p.get("sulphur_mg_m3") or None,
                )
                if sample.passed:
                    messages.success(request, f"批次 {batch.batch_no} 抽检合格")
                else:
                    messages.error(
                        request, f"批次 {batch.batch_no} 抽检不合格：{'；'.join(sample.failures)}，已登记隐患"
                    )
            else:
                filler = _owner_choices(request.user).filter(pk=p.get("filler") or 0).first()
                supplier = Enterprise.objects.filter(pk=p.get("supplier") or 0).first()
                if filler is None or supplier is None:
                    raise NotFound("请选择充装单位和供应企业", field="filler")
                services.gas_batch_create(
                    actor=request.user,
                    filler=filler,
                    supplier=supplier,
                    batch_no=p.get("batch_no", ""),
                    received_on=date.fromisoformat(p.get("received_on") or ""),
                )
                messages.success(request, "气源批次已登记")
        except ValueError:
            messages.error(request, "日期格式错误")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("cylinders:batch_list")
    qs = selectors.gas_batch_list(user=request.user).order_by("-received_on", "-id")
    prefixes = market_prefixes(request.user, write=True)
    suppliers = Enterprise.objects.filter(roles__role__in=["lpg_producer", "bottled_lpg"]).distinct()
    return render(
        request,
        "cylinders/batch_list.html",
        {
            "page_obj": _page(request, qs),
            "page_title": "气源批次与气质抽检",
            "today": timezone.localdate(),
            "fillers": _owner_choices(request.user)[:100] if permissions.can_register(request.user) else [],
            "suppliers": suppliers.order_by("name")[:200],
            "can_sample": prefixes is None or bool(prefixes),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delivery_create(request):
    """Record a delivery (operator users): premises, worker, vehicle, cylinder codes out/back."""
    from gasguard.fleet.models import DeliveryWorker, Vehicle

    if not permissions.can_deliver(request.user):
        _deny(PermissionDenied("仅瓶装燃气经营企业用户可记录配送"))

    scope = user_scope(user=request.user)
    if request.user.is_superuser:
        enterprises = Enterprise.objects.filter(roles__role="bottled_lpg").distinct()
    else:
        enterprises = Enterprise.objects.filter(pk__in=scope.enterprise_ids)
    workers = DeliveryWorker.objects.filter(enterprise__in=enterprises, is_active=True).select_related(
        "enterprise"
    )
    vehicles = Vehicle.objects.filter(enterprise__in=enterprises, is_active=True)
    errors = {}
    if request.method == "POST":
        p = request.POST
        try:
            worker = workers.filter(pk=p.get("worker") or 0).first()
            premises = Premises.objects.filter(pk=p.get("premises") or 0).first()
            if worker is None or premises is None:
                raise NotFound("请选择送气工并填写用户（场所）编号", field="premises")
            delivery = services.delivery_record(
                actor=request.user,
                enterprise=worker.enterprise,
                premises=premises,
                worker=worker,
                vehicle=vehicles.filter(pk=p.get("vehicle") or 0).first(),
                out_codes=p.get("out_codes", "").split(),
                return_codes=p.get("return_codes", "").split(),
            )
            messages.success(request, "配送已记录，请完成随瓶安检")
            return redirect("cylinders:delivery_detail", pk=delivery.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            errors = exc.errors
    return render(
        request,
        "cylinders/delivery_form.html",
        {"workers": workers, "vehicles": vehicles, "errors": errors, "page_title": "新建配送"},
    )


def _recall_response(request, rows, title, filename):
    if request.GET.get("format") == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "召回清单"
        ws.append(
            [
                "气瓶码",
                "型号",
                "充装时间",
                "充装站",
                "用户(场所)",
                "地址",
                "区划",
                "配送时间",
                "经营企业",
                "送气工",
            ]
        )
        for r in rows:
            ws.append(
                [
                    r["code"],
                    r["spec"],
                    r["filled_at"] and timezone.localtime(r["filled_at"]).strftime("%Y-%m-%d %H:%M"),
                    r["station"],
                    r["premises"],
                    r["premises_address"],
                    r["premises_region"],
                    r["delivered_at"] and timezone.localtime(r["delivered_at"]).strftime("%Y-%m-%d %H:%M"),
                    r["operator"],
                    r["worker"],
                ]
            )
        buf = io.BytesIO()
        wb.save(buf)
        response = HttpResponse(
            buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    return render(
        request,
        "cylinders/recall.html",
        {"rows": rows, "page_title": title, "customers": len({r["premises"] for r in rows if r["premises"]})},
    )


@login_required
def batch_recall(request, pk):
    try:
        batch = selectors.gas_batch_get(user=request.user, pk=pk)
    except DomainError as exc:
        _deny(exc)
    return _recall_response(
        request,
        selectors.batch_recall(batch=batch),
        f"召回清单：气源批次 {batch.batch_no}",
        f"recall-batch-{batch.pk}",
    )


@login_required
def model_recall(request):
    from gasguard.products.models import ProductModel

    g = request.GET
    pm = get_object_or_404(ProductModel, pk=g["product_model"]) if g.get("product_model") else None
    maker = Enterprise.objects.filter(pk=g.get("maker") or 0).first()
    two_phase = g.get("two_phase") == "1" or (pm is None and maker is None)
    rows = selectors.model_recall(user=request.user, product_model=pm, maker=maker, two_phase=two_phase)
    title = f"召回清单：{pm}" if pm else (f"召回清单：{maker}" if maker else "召回清单：气液双相气瓶")
    return _recall_response(request, rows, title, "recall-model")


@login_required
def trace(request):
    """溯源: scan or type a cylinder code found at a restaurant → who filled, supplied, delivered."""
    code = (request.GET.get("code") or "").strip()
    context = {"page_title": "气瓶溯源", "code": code}
    if code:
        from gasguard.cylinders.codes import normalise

        try:
            cylinder = selectors.cylinder_get(user=request.user, code=normalise(code))
            context["trace"] = selectors.trace_cylinder(user=request.user, cylinder=cylinder)
        except DomainError as exc:
            context["error"] = exc.message
    return render(request, "cylinders/trace.html", context)


@login_required
def premises_cylinders(request, pk):
    premises = get_object_or_404(Premises, pk=pk)
    try:
        rows = selectors.premises_cylinders(user=request.user, premises=premises)
    except DomainError as exc:
        _deny(exc)
    return render(
        request,
        "cylinders/premises_cylinders.html",
        {
            "premises": premises,
            "rows": rows,
            "page_title": f"{premises.name} 的气瓶来源",
        },
    )
