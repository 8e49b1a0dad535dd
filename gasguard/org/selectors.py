"""Reads of the organisation: regions, departments, task forces, scoped to the user.

A department or task-force user sees its region, everything below it and the chain of
regions above it (so it knows whom it reports to). An enterprise user sees the regions given
as `extra_prefixes` by the caller (the registry passes its enterprise's city).
"""

from django.db.models import Q, QuerySet

from gasguard.accounts.selectors import user_scope
from gasguard.core.errors import NotFound
from gasguard.org.choices import REGION_CODE_LENGTH
from gasguard.org.models import Department, Region, TaskForce

NOT_FOUND = "未找到，或不在您的数据权限范围内。"


def ancestor_codes(code: str) -> list[str]:
    """Codes of the regions above a code ('440305' → ['44', '4403'])."""
    return [code[:n] for n in sorted(REGION_CODE_LENGTH.values()) if n < len(code)]


def _visible(*, user, code_field: str, extra_prefixes=()) -> Q | None:
    """None = everything; else a Q over `code_field`."""
    scope = user_scope(user=user)
    if scope.is_global:
        return None
    prefixes = list(scope.region_prefixes) + list(extra_prefixes)
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= Q(**{f"{code_field}__startswith": prefix})
        ancestors = ancestor_codes(prefix)
        if ancestors:
            condition |= Q(**{f"{code_field}__in": ancestors})
    return condition


def region_list(*, user, extra_prefixes=()) -> QuerySet:
    """Regions the user may see (their subtree and the chain above it)."""
    qs = Region.objects.all()
    condition = _visible(user=user, code_field="code", extra_prefixes=extra_prefixes)
    return qs if condition is None else qs.filter(condition)


def region_get(*, user, code: str) -> Region:
    try:
        return region_list(user=user).get(code=code)
    except Region.DoesNotExist as exc:
        raise NotFound(NOT_FOUND) from exc


def region_root(*, user) -> Region | None:
    """The top region of the user's own scope (where the tree page starts)."""
    scope = user_scope(user=user)
    if scope.is_global:
        return Region.objects.filter(parent__isnull=True).order_by("code").first()
    if scope.region_prefixes:
        return Region.objects.filter(code=scope.region_prefixes[0]).first()
    return None


def department_list(*, user) -> QuerySet:
    """Departments of the regions the user may see."""
    qs = Department.objects.select_related("region")
    condition = _visible(user=user, code_field="region_code")
    return qs if condition is None else qs.filter(condition)


def department_get(*, user, pk) -> Department:
    try:
        return department_list(user=user).get(pk=int(pk))
    except (Department.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(NOT_FOUND) from exc


def task_force_list(*, user) -> QuerySet:
    """Task forces (专班) of the regions the user may see, with their lead units and members."""
    qs = (
        TaskForce.objects.select_related("region", "lead", "deputy_lead")
        .prefetch_related("members")
        .order_by("region_code")
    )
    condition = _visible(user=user, code_field="region_code")
    return qs if condition is None else qs.filter(condition)


def task_force_get(*, user, pk) -> TaskForce:
    try:
        return task_force_list(user=user).get(pk=int(pk))
    except (TaskForce.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(NOT_FOUND) from exc
