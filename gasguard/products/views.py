"""Pages of product quality (产品质量): product models, spot checks (监督抽查), the blacklist (黑名单),
recalls (召回) and findings (溯源). Thin shells: forms parse, services decide and write."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from gasguard.core.errors import DomainError, NotFound, PermissionDenied
from gasguard.core.filters import PageFilters
from gasguard.cylinders.permissions import covers, market_prefixes, require_any_regulator, require_regulator
from gasguard.products import selectors, services
from gasguard.products.choices import ProductKindChoices, RecallStatusChoices
from gasguard.products.forms import (
    BlacklistAddForm,
    BlacklistLiftForm,
    FindingLinkForm,
    ProductModelForm,
    RecallCloseForm,
    RecallProgressForm,
    RecallStartForm,
    SpotCheckForm,
    apply_domain_error,
)
from gasguard.products.models import BlacklistEntry, ProductModel, Recall


def domain_errors(view):
    """A refused action renders a 403 page (a missing object a 404), never a 500."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            return render(
                request,
                "products/forbidden.html",
                {"message": exc.message, "page_title": "无权操作"},
                status=403,
            )

    return wrapper


def form_view(view):
    """A signed-in GET/POST page whose refusals render as 403 (see `domain_errors`)."""
    return login_required(require_http_methods(["GET", "POST"])(domain_errors(view)))


def _list_page(request, qs, template: str, title: str, *, editable_rows: bool = False):
    page = _page(request, qs)
    if editable_rows:
        _mark_editable(request.user, page.object_list)
    context = {"page_obj": page, "page_title": title, "can_edit": _can_edit(request.user)}
    return render(request, template, context)


def _page(request, qs, per_page=50):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _can_edit(user) -> bool:
    """Whether the user writes product quality somewhere (the services check the region)."""
    prefixes = market_prefixes(user, write=True)
    return prefixes is None or bool(prefixes)


def _bound(request):
    return request.POST if request.method == "POST" else None


def _preselected(request) -> dict:
    pk = request.GET.get("product_model", "")
    return {"product_model": pk} if pk.isdigit() and len(pk) <= 18 else {}


def _save(request, form, service, **extra):
    """Call the service with the form's data; its validation errors go back on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return service(actor=request.user, **extra, **form.cleaned_data)
    except PermissionDenied:
        raise
    except DomainError as exc:
        apply_domain_error(form, exc)
        return None


def _form_page(request, form, *, title, active, cancel_url, submit="保存", facts=(), **extra):
    context = {
        "form": form,
        "page_title": title,
        "active": active,
        "cancel_url": cancel_url,
        "submit": submit,
        "facts": facts,
        **extra,
    }
    return render(request, "products/form.html", context)


def _mark_editable(user, rows):
    """Flag the rows (blacklist entries, recalls) whose region the user regulates."""
    prefixes = market_prefixes(user, write=True)
    for row in rows:
        row.can_edit = covers(prefixes, row.region_code or "-")
    return rows


# --- product models ------------------------------------------------------------------------------


@login_required
def product_list(request):
    filters = PageFilters()
    kind = filters.choice(request.GET.get("kind"), "kind", ProductKindChoices, label="类别")
    qs = (
        selectors.product_model_list(user=request.user, kind=kind or "", q=request.GET.get("q", ""))
        if filters.valid
        else ProductModel.objects.none()
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    blacklist = selectors.blacklist_list(user=request.user)[:100]
    return render(
        request,
        "products/product_list.html",
        {
            "page_obj": page,
            "kinds": ProductKindChoices.choices,
            "filter_errors": filters.errors,
            "blacklist": blacklist,
            "page_title": "产品质量",
            "blacklisted": selectors.blacklist_sets()[0],
            "can_edit": _can_edit(request.user),
        },
    )


@form_view
def product_create(request):
    """市场监管 registers a product model (型号) of a maker, with its CCC status."""
    require_any_regulator(request.user)
    form = ProductModelForm(_bound(request), user=request.user)
    pm = _save(request, form, services.product_model_create)
    if pm is not None:
        messages.success(request, f"已登记产品型号 {pm}")
        return redirect("products:product_detail", pk=pm.pk)
    return _form_page(
        request, form, title="登记产品型号", active="products", cancel_url=reverse("products:product_list")
    )


@login_required
def product_detail(request, pk):
    """One product model with its spot checks, blacklist entries, recalls and linked findings."""
    pm = get_object_or_404(ProductModel.objects.select_related("maker"), pk=pk)
    subject = Q(product_model=pm) | (Q(maker_id=pm.maker_id) if pm.maker_id else Q(pk__in=[]))
    entries = selectors.blacklist_list(user=request.user, active_only=False).filter(subject)[:100]
    recalls = selectors.recall_list(user=request.user).filter(product_model=pm)[:100]
    return render(
        request,
        "products/product_detail.html",
        {
            "product": pm,
            "page_title": f"产品型号 {pm}",
            "spot_checks": selectors.spot_check_list(user=request.user, product_model=pm)[:100],
            "entries": _mark_editable(request.user, list(entries)),
            "recalls": _mark_editable(request.user, list(recalls)),
            "findings": selectors.finding_list(user=request.user).filter(product_model=pm)[:100],
            "blacklisted": pm.pk in selectors.blacklist_sets()[0],
            "can_edit": _can_edit(request.user),
        },
    )


# --- spot checks ---------------------------------------------------------------------------------


@login_required
def spot_check_list(request):
    qs = selectors.spot_check_list(user=request.user)
    return _list_page(request, qs, "products/spot_check_list.html", "监督抽查")


@form_view
def spot_check_create(request):
    """Record a spot check (监督抽查); a failed one may go onto the blacklist in the same step."""
    require_any_regulator(request.user)
    form = SpotCheckForm(_bound(request), user=request.user, initial=_preselected(request))
    check = _save(request, form, services.spot_check_record)
    if check is not None:
        messages.success(request, f"已登记监督抽查：{check.get_result_display()}")
        return redirect("products:product_detail", pk=check.product_model_id)
    return _form_page(
        request, form, title="登记监督抽查", active="spot", cancel_url=reverse("products:spot_check_list")
    )


# --- blacklist -----------------------------------------------------------------------------------


@form_view
def blacklist(request):
    """The blacklist; 市场监管 adds a product model or a maker (the gate refuses them at once)."""
    can_edit = _can_edit(request.user)
    form = None
    if can_edit or request.method == "POST":
        require_any_regulator(request.user)
        form = BlacklistAddForm(_bound(request), user=request.user, initial=_preselected(request))
        if _save(request, form, services.blacklist_add) is not None:
            messages.success(request, "已列入黑名单")
            return redirect("products:blacklist")
    filters = PageFilters()
    show_all = filters.bool(request.GET.get("all"), "all", label="含已移出条目")
    qs = (
        selectors.blacklist_list(user=request.user, active_only=not show_all)
        if filters.valid
        else BlacklistEntry.objects.none()
    )
    page = _page(request, qs)
    _mark_editable(request.user, page.object_list)
    return render(
        request,
        "products/blacklist.html",
        {
            "page_obj": page,
            "page_title": "黑名单",
            "can_edit": can_edit,
            "form": form,
            "show_all": show_all,
            "filter_errors": filters.errors,
        },
    )


@form_view
def blacklist_lift(request, pk):
    """Take an entry off the blacklist (移出), with a reason; the entry stays as history."""
    entry = get_object_or_404(BlacklistEntry.objects.select_related("product_model", "maker"), pk=pk)
    require_regulator(request.user, entry.region_code or "-")
    form = BlacklistLiftForm(_bound(request), user=request.user)
    if _save(request, form, services.blacklist_lift, entry=entry) is not None:
        messages.success(request, "已移出黑名单")
        return redirect("products:blacklist")
    subject = str(entry.product_model) if entry.product_model else f"{entry.maker.name}（企业）"
    facts = [
        ("对象", subject),
        ("列入原因", entry.reason),
        ("来源", entry.get_source_display()),
        ("列入日期", entry.listed_on),
        ("状态", "有效" if entry.is_active else f"已于 {entry.lifted_on} 移出"),
    ]
    return _form_page(
        request,
        form,
        title="移出黑名单",
        active="blacklist",
        cancel_url=reverse("products:blacklist"),
        submit="移出",
        facts=facts,
    )


# --- recalls -------------------------------------------------------------------------------------


@login_required
def recall_list(request):
    qs = selectors.recall_list(user=request.user)
    return _list_page(request, qs, "products/recall_list.html", "召回", editable_rows=True)


@form_view
def recall_create(request):
    """Open a recall (召回) of a product model."""
    require_any_regulator(request.user)
    form = RecallStartForm(_bound(request), user=request.user, initial=_preselected(request))
    recall = _save(request, form, services.recall_start)
    if recall is not None:
        messages.success(request, f"已启动召回：{recall.product_model}")
        return redirect("products:recall_progress", pk=recall.pk)
    return _form_page(
        request, form, title="启动召回", active="recalls", cancel_url=reverse("products:recall_list")
    )


@form_view
def recall_progress(request, pk):
    """A recall's page: record how many recalled products were located, returned and scrapped,
    or close it (结束召回); a closed recall only shows its figures."""
    recall = get_object_or_404(Recall.objects.select_related("product_model"), pk=pk)
    require_regulator(request.user, recall.region_code or "-")
    is_open = recall.status == RecallStatusChoices.OPEN
    form = RecallProgressForm(_bound(request), user=request.user, initial=_progress_of(recall))
    if _save(request, form, services.recall_update_progress, recall=recall) is not None:
        messages.success(request, "召回进度已更新")
        return redirect("products:recall_list")
    return _recall_page(request, recall, form if is_open or form.is_bound else None, RecallCloseForm())


@login_required
@require_http_methods(["POST"])
@domain_errors
def recall_close(request, pk):
    """Close a recall (结束召回) from its page; the service refuses closing twice."""
    recall = get_object_or_404(Recall.objects.select_related("product_model"), pk=pk)
    require_regulator(request.user, recall.region_code or "-")
    form = RecallCloseForm(request.POST, user=request.user)
    if _save(request, form, services.recall_close, recall=recall) is not None:
        messages.success(request, "召回已结束")
        return redirect("products:recall_progress", pk=recall.pk)
    recall.refresh_from_db()
    progress = (
        RecallProgressForm(user=request.user, initial=_progress_of(recall))
        if recall.status == RecallStatusChoices.OPEN
        else None
    )
    return _recall_page(request, recall, progress, form)


def _progress_of(recall) -> dict:
    return {
        "located": recall.located_count,
        "returned": recall.returned_count,
        "scrapped": recall.scrapped_count,
    }


def _recall_page(request, recall, form, close_form):
    facts = [
        ("产品", recall.product_model),
        ("召回原因", recall.reason),
        ("启动日期", recall.started_on),
        ("应召回数量", recall.target_count or "未设定"),
        (
            "已查找到 / 已收回 / 已报废",
            f"{recall.located_count} / {recall.returned_count} / {recall.scrapped_count}",
        ),
        ("状态", recall.get_status_display()),
    ]
    return render(
        request,
        "products/recall_detail.html",
        {
            "recall": recall,
            "form": form,
            "close_form": close_form,
            "is_open": recall.status == RecallStatusChoices.OPEN,
            "page_title": "召回进度" if recall.status == RecallStatusChoices.OPEN else "召回（已结束）",
            "active": "recalls",
            "cancel_url": reverse("products:recall_list"),
            "submit": "保存",
            "facts": facts,
        },
    )


# --- findings (溯源) -------------------------------------------------------------------------------


@login_required
def finding_list(request):
    qs = selectors.finding_list(user=request.user)
    return _list_page(request, qs, "products/finding_list.html", "问题溯源")


@form_view
def finding_link(request):
    """Link a hazard referred to 市场监管 to the product model, its maker and its seller."""
    from gasguard.hazards.selectors import hazard_visible

    require_any_regulator(request.user)
    form = FindingLinkForm(_bound(request), user=request.user, initial=_preselected(request))
    finding = _save(request, form, services.product_finding_link)
    if finding is not None:
        messages.success(request, f"已关联：{finding}")
        if finding.product_model_id:
            return redirect("products:product_detail", pk=finding.product_model_id)
        return redirect("products:finding_list")
    candidates = (
        hazard_visible(user=request.user)
        .filter(lead_department_kind="market", product_finding__isnull=True)
        .only("id", "code", "title", "target_name")
        .order_by("-id")[:50]
    )
    return _form_page(
        request,
        form,
        title="关联隐患与产品（溯源）",
        active="findings",
        cancel_url=reverse("products:finding_list"),
        hazard_options=candidates,
    )
