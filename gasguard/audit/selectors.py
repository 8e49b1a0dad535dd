"""Reads of the audit chain, restricted by region to what the user may see."""

from django.db.models import Q, QuerySet

from gasguard.accounts.choices import MembershipRoleChoices as ROLE
from gasguard.accounts.selectors import user_scope
from gasguard.audit.models import AuditEvent
from gasguard.core.errors import PermissionDenied
from gasguard.core.listing import prefix_range

AUDIT_ROLES = (ROLE.TASKFORCE_ADMIN, ROLE.LEADER)


def can_view_audit(user) -> bool:
    """Superusers and task-force staff (专班) may read the audit chain of their region."""
    return user_scope(user=user).has_role(*AUDIT_ROLES)


def audit_event_list(*, user, event_type: str = "", object_type: str = "", object_id: str = "") -> QuerySet:
    """Events of the user's regions (events without a region: superusers only), newest first."""
    scope = user_scope(user=user)
    if not scope.has_role(*AUDIT_ROLES):
        raise PermissionDenied("只有专班和系统管理员可以查看审计链")
    qs = AuditEvent.objects.select_related("chain").order_by("-chain_id", "-seq")
    if not scope.is_global:
        q = Q(pk__in=[])
        for prefix in scope.region_prefixes:
            q |= Q(**prefix_range("region_code", prefix))
        qs = qs.filter(q)
    if event_type:
        qs = qs.filter(event_type=event_type)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs
