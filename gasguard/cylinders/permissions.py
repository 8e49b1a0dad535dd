"""Who may act on 一瓶一码 data: the owning enterprise, 市场监管 of the region, the task force."""

from gasguard.accounts.choices import WRITE_ROLES
from gasguard.core.errors import PermissionDenied
from gasguard.cylinders.gate_cache import gate_cache_get, gate_cache_set


def _memberships(user):
    cached = getattr(user, "_gg_cyl_memberships", None)
    if cached is None:
        cached = list(
            user.memberships.filter(is_active=True).values_list(
                "role",
                "enterprise_id",
                "department__kind",
                "department__region_code",
                "task_force__region_code",
            )
        )
        user._gg_cyl_memberships = cached
    return cached


def is_enterprise_member(user, enterprise_id: int) -> bool:
    """Whether the user acts for this enterprise (superusers may act for any)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    carried = getattr(user, "_gg_cyl_memberships", None)
    if carried is not None:  # read this request, or with the gate's cached token user
        return any(ent == enterprise_id for _, ent, _, _, _ in carried)
    key = f"gg:cyl:member:{user.pk}:{enterprise_id}"
    gen, found = gate_cache_get([key])
    hit = found.get(key)
    if hit is None:
        hit = any(ent == enterprise_id for _, ent, _, _, _ in _memberships(user))
        gate_cache_set(key, hit, gen=gen)
    return hit


def market_prefixes(user, *, write: bool = False) -> tuple[str, ...] | None:
    """Region prefixes where the user acts as 市场监管 (or task force); None = everywhere."""
    if user is None or not user.is_authenticated:
        return ()
    if user.is_superuser:
        return None
    prefixes = []
    for role, _ent, dept_kind, dept_region, tf_region in _memberships(user):
        if write and role not in WRITE_ROLES:
            continue
        if dept_kind == "market" and dept_region:
            prefixes.append(dept_region)
        elif tf_region:
            prefixes.append(tf_region)
    return tuple(prefixes)


def covers(prefixes: tuple[str, ...] | None, region_code: str) -> bool:
    return prefixes is None or any(region_code.startswith(p) for p in prefixes)


def can_view_violations(user) -> bool:
    """Whether /cylinders/violations/ opens: 市场监管/task force somewhere, or an enterprise member."""
    if user is None or not user.is_authenticated:
        return False
    from gasguard.accounts.selectors import user_scope

    prefixes = market_prefixes(user)
    return prefixes is None or bool(prefixes) or bool(user_scope(user=user).enterprise_ids)


def can_register(user) -> bool:
    """Whether the user may register cylinders / gas batches anywhere: a member of an enterprise
    (its own), or a writing 市场监管/task-force member (the read-only leader may not)."""
    if user is None or not user.is_authenticated:
        return False
    from gasguard.accounts.selectors import user_scope

    prefixes = market_prefixes(user, write=True)
    return prefixes is None or bool(prefixes) or bool(user_scope(user=user).enterprise_ids)


def can_deliver(user) -> bool:
    """Whether the user may record deliveries: a member of an operator (or a superuser)."""
    if user is None or not user.is_authenticated:
        return False
    from gasguard.accounts.selectors import user_scope

    return user.is_superuser or bool(user_scope(user=user).enterprise_ids)


def require_regulator(user, region_code: str) -> None:
    """Raise unless the user is a writing 市场监管/task-force member covering the region."""
    if not covers(market_prefixes(user, write=True), region_code):
        raise PermissionDenied("仅辖区市场监管部门或专班可执行此操作")


def require_owner_or_regulator(user, enterprise_id: int, region_code: str) -> None:
    """Raise unless the user acts for the enterprise or regulates its region."""
    if is_enterprise_member(user, enterprise_id):
        return
    require_regulator(user, region_code)


def require_any_regulator(user) -> None:
    """Raise unless the user is a writing 市场监管/task-force member somewhere (or superuser)."""
    prefixes = market_prefixes(user, write=True)
    if prefixes is not None and not prefixes:
        raise PermissionDenied("仅市场监管部门或专班可执行此操作")
