"""Audit chain pages: the event list (scoped) and a 'verify chain' button."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gasguard.accounts.choices import MembershipRoleChoices as ROLE
from gasguard.accounts.selectors import user_scope
from gasguard.audit.models import AuditChain
from gasguard.audit.selectors import audit_event_list, can_view_audit
from gasguard.audit.services import DEFAULT_CHAIN, audit_verify
from gasguard.core.errors import PermissionDenied
from gasguard.core.listing import paginate


@login_required
def event_list(request):
    """The append-only event list, filterable by event type and object."""
    try:
        qs = audit_event_list(
            user=request.user,
            event_type=request.GET.get("event_type", "").strip(),
            object_type=request.GET.get("object_type", "").strip(),
            object_id=request.GET.get("object_id", "").strip(),
        )
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    page = paginate(request, qs, per_page=50)
    return render(
        request,
        "audit/event_list.html",
        {
            "page_title": "审计链",
            "page_obj": page,
            "show_count": True,
            "chains": AuditChain.objects.all(),
            "can_verify": user_scope(user=request.user).has_role(ROLE.TASKFORCE_ADMIN),
            "filters": request.GET,
        },
    )


@login_required
@require_POST
def verify_chain(request):
    """Recompute the whole chain now and report OK or the first broken event."""
    if not (can_view_audit(request.user) and user_scope(user=request.user).has_role(ROLE.TASKFORCE_ADMIN)):
        raise DjangoPermissionDenied("只有专班管理员可以校验审计链")
    result = audit_verify(chain_name=request.POST.get("chain") or DEFAULT_CHAIN)
    if result.ok:
        messages.success(
            request,
            f"审计链 {result.chain}（{result.algorithm}）校验通过：共 {result.events} 个事件，未发现篡改。",
        )
    else:
        messages.error(
            request,
            f"审计链 {result.chain} 校验失败：第 {result.broken_seq} 号事件 — {result.reason}（已检查 {result.events} 个事件）",
        )
    return redirect("audit:event_list")
