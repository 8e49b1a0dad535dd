"""Pages of the fleet: vehicles (with bindings) and delivery workers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from gasguard.core.errors import DomainError, NotFound, PermissionDenied
from gasguard.cylinders.permissions import can_register
from gasguard.fleet import selectors, services
from gasguard.fleet.forms import DeliveryWorkerForm, apply_domain_error
from gasguard.fleet.models import VehicleAssignment


@login_required
@require_http_methods(["GET", "POST"])
def vehicle_list(request):
    """Vehicles with their bindings; an operator registers a vehicle and binds a worker."""
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("form") == "assign":
                worker = selectors.worker_list(user=request.user).filter(pk=p.get("worker") or 0).first()
                vehicle = selectors.vehicle_list(user=request.user).filter(pk=p.get("vehicle") or 0).first()
                if worker is None or vehicle is None:
                    raise NotFound("请选择送气工和车辆", field="worker")
                services.vehicle_assign(
                    actor=request.user, worker=worker, vehicle=vehicle, valid_from=timezone.localdate()
                )
                messages.success(request, "人车绑定已记录")
            else:
                enterprise = _my_enterprises(request.user).filter(pk=p.get("enterprise") or 0).first()
                if enterprise is None:
                    raise NotFound("请选择企业", field="enterprise")
                services.vehicle_create(
                    actor=request.user,
                    enterprise=enterprise,
                    plate=p.get("plate", ""),
                    dg_permit_no=p.get("dg_permit_no", ""),
                )
                messages.success(request, "车辆已登记")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("fleet:vehicle_list")
    qs = selectors.vehicle_list(user=request.user).prefetch_related(
        Prefetch("assignments", queryset=VehicleAssignment.objects.select_related("worker"))
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "fleet/vehicle_list.html",
        {
            "page_obj": page,
            "today": timezone.localdate(),
            "page_title": "配送车辆",
            "enterprises": _my_enterprises(request.user),
            "workers": selectors.worker_list(user=request.user)[:300],
            "vehicles": selectors.vehicle_list(user=request.user)[:300],
        },
    )


def _my_enterprises(user):
    """Enterprises the user acts for (superusers: every bottled-LPG operator)."""
    from gasguard.accounts.selectors import user_scope
    from gasguard.registry.models import Enterprise

    if user.is_superuser:
        return Enterprise.objects.filter(roles__role="bottled_lpg").distinct()
    return Enterprise.objects.filter(pk__in=user_scope(user=user).enterprise_ids)


@login_required
@require_http_methods(["GET", "POST"])
def worker_list(request):
    """送气工 (delivery workers) and delivery areas; an operator or its regulator registers a worker."""
    may_create = can_register(request.user)
    form = None
    if request.method == "POST":
        if not may_create:
            return _forbidden(request, "仅本企业人员或辖区市场监管部门、专班可登记送气工")
        form = DeliveryWorkerForm(request.POST, user=request.user)
        try:
            worker = _save(request, form, services.delivery_worker_create)
        except PermissionDenied as exc:
            return _forbidden(request, exc.message)
        if worker is not None:
            messages.success(request, f"已登记送气工 {worker.name}")
            return redirect("fleet:worker_list")
    elif may_create:
        form = DeliveryWorkerForm(user=request.user)
    page = Paginator(selectors.worker_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "fleet/worker_list.html",
        {
            "page_obj": page,
            "page_title": "送气工",
            "form": form,
            "areas": selectors.area_list(user=request.user)[:100],
        },
    )


def _save(request, form, service):
    """Call the service with the form's data; its validation errors go back on the form."""
    if not form.is_valid():
        return None
    try:
        return service(actor=request.user, **form.cleaned_data)
    except PermissionDenied:
        raise
    except DomainError as exc:
        apply_domain_error(form, exc)
        return None


def _forbidden(request, message: str):
    return render(request, "fleet/forbidden.html", {"message": message, "page_title": "无权操作"}, status=403)
