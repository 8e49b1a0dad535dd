"""Registry pages (基础台账): lists with filters, export and pagination, details, forms,
Excel import and the premises map. Thin: selectors read, services write."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from gasguard.core.errors import DomainError, NotFound
from gasguard.core.excel import XLSX_CONTENT_TYPE, xlsx_bytes, xlsx_response
from gasguard.core.listing import paginate
from gasguard.registry import selectors, services
from gasguard.registry.filtersets import (
    EnterpriseFilterSet,
    FacilityFilterSet,
    LicenceFilterSet,
    PremisesFilterSet,
    StaffFilterSet,
)
from gasguard.registry.findings import enterprise_findings
from gasguard.registry.forms import (
    CertificateForm,
    EnterpriseForm,
    FacilityForm,
    ImportForm,
    LicenceForm,
    PremisesForm,
    StaffForm,
    apply_domain_error,
    bootstrapify,
)
from gasguard.registry.importing import COLUMNS, KIND_LABELS, SAMPLE_ROWS, run_import, template_notes

IMPORT_SESSION_KEY = "registry_import_errors"
MAIN_FILTERS = ("q", "kind", "region", "role", "post")
IMPORT_REPORT_MAX = 10_000


def _get_or_404(getter, **kwargs):
    try:
        return getter(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _cell(text, url=None, badge=None, sub=""):
    """One table cell; `sub` is a second line shown only on phones (where columns are hidden)."""
    return {"text": "" if text is None else text, "url": url, "badge": badge, "sub": sub, "css": ""}


PHONE_HIDDEN = "d-none d-md-table-cell"


# --- list pages -------------------------------------------------------------------------------


def _list_page(
    request,
    *,
    title,
    queryset,
    filterset_class,
    headers,
    row,
    export,
    create_url=None,
    extra=None,
    phone=(0,),
):
    """Filter → (export | paginate) → render the shared list template.

    `phone` lists the column indexes still shown at phone width; the others are hidden there.
    """
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    valid = filterset.is_valid() if filterset.is_bound else True
    rows_qs = filterset.qs if valid else queryset.none()
    bootstrapify(filterset.form)
    if request.GET.get("export") == "xlsx" and valid:
        return _export(request, rows_qs, title=title, export=export)
    page = paginate(request, rows_qs)
    css = ["" if i in phone else PHONE_HIDDEN for i in range(len(headers))]
    rows = [row(obj) for obj in page.object_list]
    for cells in rows:
        for index, cell in enumerate(cells):
            cell["css"] = css[index]
    context = {
        "page_title": title,
        "filter_form": filterset.form,
        "filter_valid": valid,
        "headers": [{"text": h, "css": c} for h, c in zip(headers, css, strict=True)],
        "rows": rows,
        "more_filters_open": any(request.GET.get(f) for f in filterset.form.fields if f not in MAIN_FILTERS),
        "page_obj": page,
        "create_url": create_url,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
    }
    context.update(extra or {})
    return render(request, "registry/list.html", context)


def _export(request, queryset, *, title, export):
    limit = settings.GASGUARD_EXPORT_MAX_ROWS
    if queryset[: limit + 1].count() > limit:
        messages.error(
            request, f"导出行数超过上限 {limit} 行（GASGUARD_EXPORT_MAX_ROWS），请先筛选缩小范围。"
        )
        query = request.GET.copy()
        query.pop("export", None)
        return redirect(f"{request.path}?{query.urlencode()}")
    headers = [h for h, _ in export]
    getters = [g for _, g in export]
    rows = ([g(obj) for g in getters] for obj in queryset.iterator(chunk_size=2000))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(filename=f"{title}-{stamp}.xlsx", headers=headers, rows=rows, sheet_title=title)


def _can_write(request) -> bool:
    from gasguard.accounts.choices import WRITE_ROLES  # noqa: PLC0415
    from gasguard.accounts.selectors import user_scope  # noqa: PLC0415

    return user_scope(user=request.user).has_role(*WRITE_ROLES)


@login_required
@require_GET
def enterprise_list(request):
    def row(e):
        return [
            _cell(e.name, reverse("registry:enterprise_detail", args=[e.pk]), sub=e.uscc),
            _cell(e.uscc),
            _cell("、".join(r.get_role_display() for r in e.roles.all())),
            _cell(e.region.name),
            _cell("存续" if e.is_active else "注销", badge=None if e.is_active else "secondary"),
        ]

    export = [
        ("企业名称", lambda e: e.name),
        ("统一社会信用代码", lambda e: e.uscc),
        ("业务类型", lambda e: "、".join(r.get_role_display() for r in e.roles.all())),
        ("所在区划代码", lambda e: e.region_code),
        ("所在区划", lambda e: e.region.name),
        ("地址", lambda e: e.address),
        ("法定代表人", lambda e: e.legal_representative),
        ("联系电话", lambda e: e.contact_phone),
        ("经度", lambda e: e.lon),
        ("纬度", lambda e: e.lat),
        ("存续", lambda e: e.is_active),
    ]
    return _list_page(
        request,
        title="企业",
        queryset=selectors.enterprise_list(user=request.user),
        filterset_class=EnterpriseFilterSet,
        headers=["企业名称", "统一社会信用代码", "业务类型", "所在区划", "状态"],
        row=row,
        export=export,
        phone=(0, 2),
        create_url=reverse("registry:enterprise_create") if _can_write(request) else None,
    )


@login_required
@require_GET
def premises_list(request):
    def row(p):
        return [
            _cell(
                p.name, reverse("registry:premises_detail", args=[p.pk]), sub=f"{p.address} · {p.region.name}"
            ),
            _cell(p.get_kind_display()),
            _cell(p.address),
            _cell(p.region.name),
            _cell(p.gas_sources_display),
            _cell(
                p.get_underground_display(),
                badge="warning" if p.underground != "none" else None,
            ),
            _cell(p.get_status_display()),
        ]

    export = [
        ("外部编号", lambda p: p.external_id),
        ("场所名称", lambda p: p.name),
        ("场所类型", lambda p: p.get_kind_display()),
        ("所在区划代码", lambda p: p.region_code),
        ("所在区划", lambda p: p.region.name),
        ("地址", lambda p: p.address),
        ("经营者", lambda p: p.operator_name),
        ("经营主体", lambda p: p.enterprise.name if p.enterprise else ""),
        ("供气企业", lambda p: p.supplier.name if p.supplier else ""),
        ("经度", lambda p: p.lon),
        ("纬度", lambda p: p.lat),
        ("管道天然气", lambda p: p.gas_pipeline),
        ("瓶装液化石油气", lambda p: p.gas_lpg),
        ("醇基燃料", lambda p: p.gas_alcohol),
        ("其他燃料", lambda p: p.gas_other),
        ("地下/半地下用气", lambda p: p.get_underground_display()),
        ("联系人", lambda p: p.contact_name),
        ("联系电话", lambda p: p.contact_phone),
        ("状态", lambda p: p.get_status_display()),
    ]
    can_create = _can_write(request) or bool(selectors.scoped_enterprise_ids(user=request.user))
    return _list_page(
        request,
        title="用气场所",
        queryset=selectors.premises_list(user=request.user),
        filterset_class=PremisesFilterSet,
        headers=["场所名称", "类型", "地址", "区划", "气源", "地下/半地下", "状态"],
        row=row,
        export=export,
        phone=(0, 1, 6),
        create_url=reverse("registry:premises_create") if can_create else None,
        extra={"map_url": reverse("registry:premises_map")},
    )


@login_required
@require_GET
def licence_list(request):
    today = timezone.localdate()

    def row(lic):
        expired = lic.valid_to < today
        return [
            _cell(lic.number, sub=lic.enterprise.name),
            _cell(lic.get_kind_display()),
            _cell(lic.enterprise.name, reverse("registry:enterprise_detail", args=[lic.enterprise_id])),
            _cell(lic.issuer),
            _cell(
                f"{lic.valid_from:%Y-%m-%d} 至 {lic.valid_to:%Y-%m-%d}", badge="danger" if expired else None
            ),
            _cell(lic.get_status_display(), badge=None if lic.status == "valid" else "danger"),
        ]

    export = [
        ("证号", lambda lic: lic.number),
        ("证照类型", lambda lic: lic.get_kind_display()),
        ("企业", lambda lic: lic.enterprise.name),
        ("统一社会信用代码", lambda lic: lic.enterprise.uscc),
        ("发证机关", lambda lic: lic.issuer),
        ("发证层级", lambda lic: lic.get_issuing_level_display()),
        ("许可范围", lambda lic: lic.scope),
        ("有效期起", lambda lic: lic.valid_from),
        ("有效期至", lambda lic: lic.valid_to),
        ("状态", lambda lic: lic.get_status_display()),
    ]
    return _list_page(
        request,
        title="证照",
        queryset=selectors.licence_list(user=request.user),
        filterset_class=LicenceFilterSet,
        headers=["证号", "类型", "企业", "发证机关", "有效期", "状态"],
        row=row,
        export=export,
        phone=(0, 4, 5),
    )


def _cert_summary(staff, today) -> str:
    parts = []
    for cert in staff.certificates.all():
        state = "有效" if cert.is_valid_on(today) else "失效"
        parts.append(f"{cert.get_kind_display()}（{state}）")
    return "；".join(parts) or "无"


@login_required
@require_GET
def staff_list(request):
    today = timezone.localdate()

    def row(s):
        summary = _cert_summary(s, today)
        return [
            _cell(
                s.name,
                reverse("registry:staff_edit", args=[s.pk])
                if services.can_write_enterprise_data(user=request.user, enterprise=s.enterprise)
                else None,
                sub=s.enterprise.name,
            ),
            _cell(s.get_post_display()),
            _cell(s.enterprise.name, reverse("registry:enterprise_detail", args=[s.enterprise_id])),
            _cell(s.phone),
            _cell(summary, badge="danger" if "有效" not in summary.replace("失效", "") else None),
            _cell("在岗" if s.is_active else "离岗"),
        ]

    export = [
        ("姓名", lambda s: s.name),
        ("岗位", lambda s: s.get_post_display()),
        ("企业", lambda s: s.enterprise.name),
        ("电话", lambda s: s.phone),
        ("身份证号(脱敏)", lambda s: s.id_number_masked),
        ("证书/考核", lambda s: _cert_summary(s, today)),
        ("在岗", lambda s: s.is_active),
    ]
    return _list_page(
        request,
        title="从业人员",
        queryset=selectors.staff_list(user=request.user),
        filterset_class=StaffFilterSet,
        headers=["姓名", "岗位", "企业", "电话", "证书/考核", "状态"],
        row=row,
        export=export,
        phone=(0, 1, 4),
    )


@login_required
@require_GET
def facility_list(request):
    def row(f):
        return [
            _cell(f.name, reverse("registry:facility_detail", args=[f.pk]), sub=f.enterprise.name),
            _cell(f.get_kind_display()),
            _cell(f.code),
            _cell(f.enterprise.name),
            _cell(f.region.name),
            _cell(f.get_pressure_class_display()),
            _cell("在用" if f.is_active else "停用"),
        ]

    export = [
        ("名称", lambda f: f.name),
        ("设施类型", lambda f: f.get_kind_display()),
        ("编号", lambda f: f.code),
        ("权属单位", lambda f: f.enterprise.name),
        ("所在区划代码", lambda f: f.region_code),
        ("压力级制", lambda f: f.get_pressure_class_display()),
        ("材质", lambda f: f.material),
        ("管径(mm)", lambda f: f.diameter_mm),
        ("长度(m)", lambda f: f.length_m),
        ("建设年份", lambda f: f.built_year),
        ("在用", lambda f: f.is_active),
    ]
    return _list_page(
        request,
        title="燃气设施",
        queryset=selectors.facility_list(user=request.user),
        filterset_class=FacilityFilterSet,
        headers=["名称", "类型", "编号", "权属单位", "区划", "压力级制", "状态"],
        row=row,
        export=export,
        phone=(0, 1, 6),
        create_url=reverse("registry:facility_create") if _can_write(request) else None,
    )


# --- detail pages ------------------------------------------------------------------------------


def _rule_url(rule_id: str) -> str | None:
    for name, args in (("rules:rule_detail", [rule_id]),):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    try:
        return reverse("rules:rule_list") + f"?q={rule_id}"
    except NoReverseMatch:
        return None


@login_required
@require_GET
def enterprise_detail(request, pk):
    enterprise = _get_or_404(selectors.enterprise_get, user=request.user, pk=pk, with_details=True)
    today = timezone.localdate()
    findings = [
        {"finding": f, "rule_url": _rule_url(f.rule_id)}
        for f in enterprise_findings(enterprise=enterprise, on=today)
    ]
    premises_qs = selectors.premises_list(user=request.user).filter(enterprise=enterprise)
    premises = list(premises_qs[:21])
    facilities = list(selectors.facility_list(user=request.user).filter(enterprise=enterprise)[:21])
    context = {
        "page_title": enterprise.name,
        "enterprise": enterprise,
        "today": today,
        "findings": findings,
        "licences": list(enterprise.licences.all()),
        "staff": list(enterprise.staff.all()),
        "premises": premises[:20],
        "premises_more": len(premises) > 20,
        "facilities": facilities[:20],
        "facilities_more": len(facilities) > 20,
        "can_edit": services.can_write_region(user=request.user, region_code=enterprise.region_code),
        "user_can_inspect": services.can_write_region(user=request.user, region_code=enterprise.region_code),
        "can_edit_staff": services.can_write_enterprise_data(user=request.user, enterprise=enterprise),
    }
    return render(request, "registry/enterprise_detail.html", context)


@login_required
@require_GET
def premises_detail(request, pk):
    premises = _get_or_404(selectors.premises_get, user=request.user, pk=pk)
    visible = set(
        selectors.enterprise_list(user=request.user)
        .filter(pk__in=[i for i in (premises.enterprise_id, premises.supplier_id) if i])
        .values_list("pk", flat=True)
    )
    context = {
        "page_title": premises.name,
        "premises": premises,
        "enterprise_visible": premises.enterprise_id in visible,
        "supplier_visible": premises.supplier_id in visible,
        "user_can_inspect": services.can_write_region(user=request.user, region_code=premises.region_code),
        "can_edit": services.can_write_region(user=request.user, region_code=premises.region_code)
        or (
            premises.enterprise_id
            and premises.enterprise_id in selectors.scoped_enterprise_ids(user=request.user)
        ),
    }
    return render(request, "registry/premises_detail.html", context)


@login_required
@require_GET
def facility_detail(request, pk):
    facility = _get_or_404(selectors.facility_get, user=request.user, pk=pk)
    context = {
        "page_title": facility.name,
        "facility": facility,
        "can_edit": services.can_write_region(user=request.user, region_code=facility.region_code),
    }
    return render(request, "registry/facility_detail.html", context)


# --- forms --------------------------------------------------------------------------------------


def _form_page(request, *, form, title, save, success_url, cancel_url):
    """Validate the form, call the service; domain errors go back onto the form's fields."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                obj = save(form)
            except DomainError as exc:
                apply_domain_error(form, exc)
                status = exc.status_code
            else:
                messages.success(request, f"{title}：已保存")
                return redirect(success_url(obj))
    bootstrapify(form)
    return render(
        request,
        "registry/form.html",
        {"page_title": title, "form": form, "cancel_url": cancel_url},
        status=status,
    )


@login_required
def enterprise_create(request):
    form = EnterpriseForm(request.POST or None, user=request.user)

    def save(form):
        data = form.service_data()
        return services.enterprise_create(
            actor=request.user, roles=form.cleaned_data.get("roles") or [], **data
        )

    return _form_page(
        request,
        form=form,
        title="登记企业",
        save=save,
        success_url=lambda e: reverse("registry:enterprise_detail", args=[e.pk]),
        cancel_url=reverse("registry:enterprise_list"),
    )


@login_required
def enterprise_edit(request, pk):
    enterprise = _get_or_404(selectors.enterprise_get, user=request.user, pk=pk)
    form = EnterpriseForm(request.POST or None, user=request.user, instance=enterprise)

    def save(form):
        with transaction.atomic():
            services.enterprise_update(actor=request.user, enterprise=enterprise, **form.service_data())
            services.enterprise_set_roles(
                actor=request.user, enterprise=enterprise, roles=form.cleaned_data.get("roles") or []
            )
        return enterprise

    return _form_page(
        request,
        form=form,
        title=f"编辑企业：{enterprise.name}",
        save=save,
        success_url=lambda e: reverse("registry:enterprise_detail", args=[e.pk]),
        cancel_url=reverse("registry:enterprise_detail", args=[enterprise.pk]),
    )


@login_required
def licence_create(request, enterprise_pk):
    enterprise = _get_or_404(selectors.enterprise_get, user=request.user, pk=enterprise_pk)
    form = LicenceForm(request.POST or None, user=request.user)
    return _form_page(
        request,
        form=form,
        title=f"登记证照：{enterprise.name}",
        save=lambda f: services.licence_create(actor=request.user, enterprise=enterprise, **f.service_data()),
        success_url=lambda lic: reverse("registry:enterprise_detail", args=[enterprise.pk]),
        cancel_url=reverse("registry:enterprise_detail", args=[enterprise.pk]),
    )


@login_required
def licence_edit(request, pk):
    licence = _get_or_404(selectors.licence_get, user=request.user, pk=pk)
    form = LicenceForm(request.POST or None, user=request.user, instance=licence)
    return _form_page(
        request,
        form=form,
        title=f"编辑证照：{licence.number}",
        save=lambda f: services.licence_update(actor=request.user, licence=licence, **f.service_data()),
        success_url=lambda lic: reverse("registry:enterprise_detail", args=[lic.enterprise_id]),
        cancel_url=reverse("registry:enterprise_detail", args=[licence.enterprise_id]),
    )


@login_required
def staff_create(request, enterprise_pk):
    enterprise = _get_or_404(selectors.enterprise_get, user=request.user, pk=enterprise_pk)
    form = StaffForm(request.POST or None, user=request.user, initial={"is_active": True})
    return _form_page(
        request,
        form=form,
        title=f"登记从业人员：{enterprise.name}",
        save=lambda f: services.staff_create(actor=request.user, enterprise=enterprise, **f.service_data()),
        success_url=lambda s: reverse("registry:enterprise_detail", args=[enterprise.pk]),
        cancel_url=reverse("registry:enterprise_detail", args=[enterprise.pk]),
    )


@login_required
def staff_edit(request, pk):
    staff = _get_or_404(selectors.staff_get, user=request.user, pk=pk)
    if not services.can_write_enterprise_data(user=request.user, enterprise=staff.enterprise):
        raise DjangoPermissionDenied("无权编辑该企业的从业人员")
    form = StaffForm(request.POST or None, user=request.user, instance=staff)
    return _form_page(
        request,
        form=form,
        title=f"编辑从业人员：{staff.name}",
        save=lambda f: services.staff_update(actor=request.user, staff=staff, **f.service_data()),
        success_url=lambda s: reverse("registry:enterprise_detail", args=[s.enterprise_id]),
        cancel_url=reverse("registry:enterprise_detail", args=[staff.enterprise_id]),
    )


@login_required
def certificate_create(request, staff_pk):
    staff = _get_or_404(selectors.staff_get, user=request.user, pk=staff_pk)
    form = CertificateForm(request.POST or None, user=request.user, initial={"passed": True})
    return _form_page(
        request,
        form=form,
        title=f"登记证书/考核：{staff.name}",
        save=lambda f: services.certificate_create(actor=request.user, staff=staff, **f.service_data()),
        success_url=lambda c: reverse("registry:enterprise_detail", args=[staff.enterprise_id]),
        cancel_url=reverse("registry:enterprise_detail", args=[staff.enterprise_id]),
    )


@login_required
def premises_create(request):
    initial = {"status": "open", "underground": "none", "kind": request.GET.get("kind") or "restaurant"}
    form = PremisesForm(request.POST or None, user=request.user, initial=initial)
    return _form_page(
        request,
        form=form,
        title="登记用气场所",
        save=lambda f: services.premises_create(actor=request.user, **f.service_data()),
        success_url=lambda p: reverse("registry:premises_detail", args=[p.pk]),
        cancel_url=reverse("registry:premises_list"),
    )


@login_required
def premises_edit(request, pk):
    premises = _get_or_404(selectors.premises_get, user=request.user, pk=pk)
    form = PremisesForm(request.POST or None, user=request.user, instance=premises)
    return _form_page(
        request,
        form=form,
        title=f"编辑用气场所：{premises.name}",
        save=lambda f: services.premises_update(actor=request.user, premises=premises, **f.service_data()),
        success_url=lambda p: reverse("registry:premises_detail", args=[p.pk]),
        cancel_url=reverse("registry:premises_detail", args=[premises.pk]),
    )


@login_required
def facility_create(request):
    form = FacilityForm(request.POST or None, user=request.user, initial={"is_active": True})
    return _form_page(
        request,
        form=form,
        title="登记燃气设施",
        save=lambda f: services.facility_create(actor=request.user, **f.service_data()),
        success_url=lambda fac: reverse("registry:facility_detail", args=[fac.pk]),
        cancel_url=reverse("registry:facility_list"),
    )


@login_required
def facility_edit(request, pk):
    facility = _get_or_404(selectors.facility_get, user=request.user, pk=pk)
    form = FacilityForm(request.POST or None, user=request.user, instance=facility)
    return _form_page(
        request,
        form=form,
        title=f"编辑燃气设施：{facility.name}",
        save=lambda f: services.facility_update(actor=request.user, facility=facility, **f.service_data()),
        success_url=lambda fac: reverse("registry:facility_detail", args=[fac.pk]),
        cancel_url=reverse("registry:facility_detail", args=[facility.pk]),
    )


# --- map ------------------------------------------------------------------------------------------


@login_required
@require_GET
def premises_map(request):
    from gasguard.org.selectors import region_list  # noqa: PLC0415

    filterset = PremisesFilterSet(
        request.GET or None, queryset=selectors.premises_list(user=request.user), request=request
    )
    bootstrapify(filterset.form)
    regions = list(
        region_list(user=request.user)
        .filter(boundary__isnull=False, level__gte=3, level__lte=4)
        .values("code", "name", "boundary")[:300]
    )
    centre = (
        region_list(user=request.user)
        .filter(center_lon__isnull=False)
        .order_by("level", "code")
        .values("center_lon", "center_lat")
        .first()
    )
    context = {
        "page_title": "用气场所地图",
        "filter_form": filterset.form,
        "regions": regions,
        "centre": [centre["center_lat"], centre["center_lon"]] if centre else [22.55, 114.05],
        "geojson_url": reverse("registry_api:premises-geojson"),
        "max_points": getattr(settings, "GASGUARD_MAP_MAX_POINTS", 5000),
    }
    return render(request, "registry/premises_map.html", context)


# --- import ----------------------------------------------------------------------------------------


@login_required
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = run_import(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                valid_only=form.cleaned_data["valid_only"],
            )
        except DomainError as exc:
            form.add_error("file" if exc.field in (None, "file") else None, exc.message)
            bootstrapify(form)
        else:
            request.session[IMPORT_SESSION_KEY] = {
                "kind": result.kind,
                "errors": [[e.row, e.column, e.message] for e in result.errors[:IMPORT_REPORT_MAX]],
            }
            if result.saved:
                messages.success(
                    request,
                    f"导入完成：新增 {result.created} 条，更新 {result.updated} 条，未变化 {result.unchanged} 条"
                    + (f"；{len(result.bad_rows)} 行有误未导入" if result.errors else ""),
                )
            else:
                messages.error(
                    request, f"共 {len(result.bad_rows)} 行有误，未保存任何数据。请修改后重新导入。"
                )
    context = {
        "page_title": "Excel 导入",
        "form": form,
        "result": result,
        "errors_shown": result.errors[:200] if result else [],
        "kinds": [(k, KIND_LABELS[k]) for k in COLUMNS],
    }
    return render(
        request,
        "registry/import.html",
        context,
        status=400 if request.method == "POST" and not (result and result.saved) else 200,
    )


@login_required
@require_GET
def import_template(request, kind):
    if kind not in COLUMNS:
        raise Http404("未知的模板")
    content = xlsx_bytes(
        headers=[c.header for c in COLUMNS[kind]],
        rows=SAMPLE_ROWS[kind],
        sheet_title=f"{KIND_LABELS[kind]}导入",
        notes=template_notes(kind),
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename={kind}-import-template.xlsx"
    return response


@login_required
@require_GET
def import_report(request):
    stored = request.session.get(IMPORT_SESSION_KEY)
    if not stored:
        raise Http404("没有可下载的导入错误报告")
    content = xlsx_bytes(headers=["行号", "列", "错误信息"], rows=stored["errors"], sheet_title="导入错误")
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename=import-errors-{stored['kind']}.xlsx"
    return response
