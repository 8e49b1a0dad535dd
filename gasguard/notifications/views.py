"""The inbox page: list, mark one or all read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gasguard.core.errors import NotFound
from gasguard.notifications.selectors import notification_get, notification_list, unread_count
from gasguard.notifications.services import notification_mark_read


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(notification_list(user=request.user, unread_only=unread_only), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/inbox.html",
        {
            "page_obj": page,
            "unread_only": unread_only,
            "unread_count": unread_count(user=request.user),
            "page_title": "消息",
            "show_count": True,
        },
    )


@login_required
@require_POST
def mark_read(request, pk: int):
    try:
        note = notification_get(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    notification_mark_read(user=request.user, notification_ids=[note.pk])
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = notification_mark_read(user=request.user)
    messages.success(request, f"已将 {count} 条消息标为已读")
    return redirect("notifications:inbox")
