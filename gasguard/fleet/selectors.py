"""Reads of the fleet, scoped (region for departments, own enterprise for enterprises)."""

from gasguard.accounts.selectors import user_scope
from gasguard.fleet.models import DeliveryArea, DeliveryWorker, Vehicle


def vehicle_list(*, user):
    scope = user_scope(user=user)
    return scope.apply(Vehicle.objects.select_related("enterprise"), enterprise_field="enterprise_id")


def worker_list(*, user):
    scope = user_scope(user=user)
    return scope.apply(DeliveryWorker.objects.select_related("enterprise"), enterprise_field="enterprise_id")


def area_list(*, user):
    scope = user_scope(user=user)
    return scope.apply(DeliveryArea.objects.select_related("enterprise"), enterprise_field="enterprise_id")
