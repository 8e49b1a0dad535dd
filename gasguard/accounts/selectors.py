"""Who a user is in the organisation, and therefore what they may see (their Scope)."""

from gasguard.accounts.choices import MembershipRoleChoices
from gasguard.core.scope import EMPTY_SCOPE, Scope


def user_scope(*, user) -> Scope:
    """The user's Scope, computed once per user object (memberships rarely change mid-request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_gasguard_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(is_global=True, roles=frozenset(MembershipRoleChoices.values))
    else:
        prefixes: list[str] = []
        enterprises: list[int] = []
        roles: set[str] = set()
        memberships = user.memberships.filter(is_active=True).select_related("department", "task_force")
        for m in memberships:
            roles.add(m.role)
            if m.enterprise_id:
                enterprises.append(m.enterprise_id)
            elif m.department_id:
                prefixes.append(m.department.region_code)
            elif m.task_force_id:
                prefixes.append(m.task_force.region_code)
        # A prefix already covered by a shorter one adds nothing.
        prefixes = sorted(set(prefixes), key=len)
        minimal = [p for i, p in enumerate(prefixes) if not any(p.startswith(q) for q in prefixes[:i])]
        scope = Scope(
            region_prefixes=tuple(minimal),
            enterprise_ids=tuple(sorted(set(enterprises))),
            roles=frozenset(roles),
        )
    user._gasguard_scope = scope
    return scope


def user_departments(*, user):
    """The departments the user is a member of (for routing and 'my department' filters)."""
    from gasguard.org.models import Department

    return Department.objects.filter(members__user=user, members__is_active=True).distinct()
