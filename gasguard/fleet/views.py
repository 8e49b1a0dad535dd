"""Pages of the fleet: vehicles (with bindings) and delivery workers."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone

from gasguard.fleet import selectors
from gasguard.fleet.models import VehicleAssignment


@login_required
def vehicle_list(request):
    qs = selectors.vehicle_list(user=request.user).prefetch_related(
        Prefetch("assignments", queryset=VehicleAssignment.objects.select_related("worker"))
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "fleet/vehicle_list.html",
        {"page_obj": page, "today": timezone.localdate(), "page_title": "配送车辆"},
    )


@login_required
def worker_list(request):
    page = Paginator(selectors.worker_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "fleet/worker_list.html",
        {"page_obj": page, "page_title": "送气工", "areas": selectors.area_list(user=request.user)[:100]},
    )
