"""The inbox page: list, mark one or all read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gasguard.core.errors import NotFound
from gasguard.core.filters import PageFilters
from gasguard.notifications.models import Notification
from gasguard.notifications.selectors import notification_get, notification_list, unread_count
from gasguard.notifications.services import notification_mark_read


@login_required
def inbox(request):
    filters = PageFilters()
    unread_only = bool(filters.bool(request.GET.get("unread"), "unread", label="未读"))
    qs = (
        notification_list(user=request.user, unread_only=unread_only)
        if filters.valid
        else Notification.objects.none()
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page_obj": page,
            "unread_only": unread_only,
            "filter_errors": filters.errors,
            "unread_count": unread_count(user=request.user),
            "can_configure": _can_configure(request.user),
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


def _can_configure(user) -> bool:
    from gasguard.accounts.selectors import user_scope

    scope = user_scope(user=user)
    return scope.has_role("taskforce_admin") and bool(scope.is_global or scope.region_prefixes)


def _admin_scope(request):
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

    from gasguard.accounts.selectors import user_scope

    scope = user_scope(user=request.user)
    if not scope.has_role("taskforce_admin") or not (scope.is_global or scope.region_prefixes):
        raise DjangoPermissionDenied("只有专班管理员可以配置外发渠道")
    return scope


@login_required
def channels(request):
    """外发渠道: the channels of the admin's regions, a form to add one, and recent deliveries."""
    from gasguard.core.errors import ValidationFailed
    from gasguard.notifications.forms import ChannelForm
    from gasguard.notifications.models import Delivery, NotificationChannel
    from gasguard.notifications.services import channel_create
    from gasguard.org.models import Department, Region

    scope = _admin_scope(request)
    regions = scope.apply(Region.objects.filter(level__lte=4), region_field="code").order_by("code")[:300]
    departments = scope.apply(Department.objects.all()).order_by("region_code", "kind")[:500]
    form = ChannelForm(request.POST or None, regions=regions, departments=departments)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            channel_create(
                actor=request.user,
                name=d["name"],
                kind=d["kind"],
                region=Region.objects.get(code=d["region"]),
                department=Department.objects.filter(pk=d["department"]).first() if d["department"] else None,
                address=d["address"],
                secret=d["secret"],
                kinds=[k.strip() for k in d["kinds"].split(",") if k.strip()],
            )
        except ValidationFailed as exc:
            for name, msgs in exc.errors.items():
                for m in msgs:
                    form.add_error(name if name in form.fields else None, m)
        else:
            messages.success(request, "已添加外发渠道")
            return redirect("notifications:channels")
    rows = scope.apply(NotificationChannel.objects.select_related("department"))
    deliveries = (
        Delivery.objects.filter(channel__in=rows)
        .select_related("channel")
        .order_by("-created_at", "-id")[:50]
    )
    return render(
        request,
        "notifications/channels.html",
        {"form": form, "channels": rows, "deliveries": deliveries, "page_title": "外发渠道"},
    )


@login_required
@require_POST
def channel_toggle(request, pk: int):
    from gasguard.notifications.models import NotificationChannel

    scope = _admin_scope(request)
    channel = scope.apply(NotificationChannel.objects.filter(pk=pk)).first()
    if channel is None:
        raise Http404("未找到该渠道")
    from django.db import transaction

    from gasguard.audit.services import audit_record

    with transaction.atomic():
        NotificationChannel.objects.filter(pk=channel.pk).update(is_active=not channel.is_active)
        audit_record(
            event_type="NOTIFICATION_CHANNEL_DISABLED"
            if channel.is_active
            else "NOTIFICATION_CHANNEL_ENABLED",
            object_type="notification_channel",
            object_id=channel.pk,
            actor=request.user,
            region_code=channel.region_code,
            payload={"name": channel.name},
        )
    return redirect("notifications:channels")


@login_required
@require_POST
def delivery_retry_view(request, pk: int):
    from gasguard.notifications.models import Delivery
    from gasguard.notifications.services import deliver_due, delivery_retry

    scope = _admin_scope(request)
    delivery = Delivery.objects.filter(pk=pk).select_related("channel").first()
    if delivery is None or not scope.covers_region(delivery.channel.region_code):
        raise Http404("未找到该外发记录")
    try:
        delivery_retry(delivery_id=delivery.pk)
    except NotFound:
        messages.error(request, "只有发送失败的记录可以重发")
    else:
        deliver_due(ids=[delivery.pk])
        messages.success(request, "已重新发送")
    return redirect("notifications:channels")


@login_required
def unread_badge(request):
    """The unread count for the bell in the navigation bar, loaded by htmx after the page."""
    count = unread_count(user=request.user)
    if not count:
        return HttpResponse("")
    return HttpResponse(
        f'<span class="badge rounded-pill text-bg-danger ms-1" data-testid="unread-count">{min(count, 99)}</span>'
    )
