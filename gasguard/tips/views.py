"""Staff pages of public reports: list, operator entry, detail with triage/verify/reward, poster."""

import io
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gasguard.accounts.choices import WRITE_ROLES
from gasguard.accounts.selectors import user_scope
from gasguard.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from gasguard.core.filters import PageFilters
from gasguard.org.models import Department, Region
from gasguard.tips.choices import RewardStatusChoices, TipStatusChoices
from gasguard.tips.forms import (
    ReasonForm,
    RewardPayForm,
    RewardProposeForm,
    RouteForm,
    StaffTipForm,
    TipFilterForm,
    VerifyForm,
    add_service_errors,
    street_options,
)
from gasguard.tips.models import Reward, Tip, TipPhoto
from gasguard.tips.public_views import map_context
from gasguard.tips.selectors import (
    can_see_tips,
    duplicate_candidates,
    reward_get,
    reward_list,
    target_suggestions,
    tip_get,
)
from gasguard.tips.services import (
    REWARD_ROLES,
    can_view_contact,
    reward_approve,
    reward_eligibility,
    reward_pay,
    reward_propose,
    reward_reject,
    reward_rule_set,
    reward_terms,
    tip_contact_reveal,
    tip_route,
    tip_start_verification,
    tip_submit,
    tip_verify,
)


def tips_staff(view):
    """Signed-in government users only; the reported party (enterprise users) gets 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not can_see_tips(request.user):
            raise DjangoPermissionDenied("无权查看群众举报")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc

    return wrapper


def _act(request, pk, action, success: str):
    """Run a service; show its error (naming the field) or the success message; back to detail."""
    try:
        action()
    except (ValidationFailed, DomainError) as exc:
        if isinstance(exc, NotFound):
            raise
        details = "；".join(f"{m}" for msgs in exc.errors.values() for m in msgs) if exc.errors else ""
        messages.error(request, details or exc.message)
    else:
        messages.success(request, success)
    return redirect("tips:tip_detail", pk=pk)


def _filter_regions(user):
    scope = user_scope(user=user)
    qs = Region.objects.filter(level__in=(2, 3, 4)).order_by("code")
    if not scope.is_global:
        from django.db.models import Q

        cond = Q(pk__in=[])
        for p in scope.region_prefixes:
            cond |= Q(code__startswith=p)
        qs = qs.filter(cond)
    return qs[:300]


@tips_staff
def tip_list(request):
    form = TipFilterForm(request.GET or None, regions=_filter_regions(request.user))
    valid = form.is_valid() if form.is_bound else True
    # A bad filter value is shown next to its field and lists nothing (never every report).
    qs = (
        tip_list_qs(request.user, form.cleaned_data if form.is_bound else {}) if valid else Tip.objects.none()
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "tips/tip_list.html",
        {
            "page_obj": page,
            "form": form,
            "page_title": "群众举报",
            "show_count": True,
            "statuses": TipStatusChoices,
            "can_create": user_scope(user=request.user).has_role(*WRITE_ROLES),
        },
    )


def tip_list_qs(user, filters):
    from gasguard.tips.selectors import tip_list as select

    return select(user=user, filters=filters)


@tips_staff
def tip_create(request):
    scope = user_scope(user=request.user)
    if not scope.has_role(*WRITE_ROLES):
        raise DjangoPermissionDenied("无权录入举报")
    location_errors = None
    if request.method == "POST":
        form = StaffTipForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                tip = tip_submit(
                    data=form.to_input(), channel=form.cleaned_data["channel"], actor=request.user
                )
            except ValidationFailed as exc:
                location_errors = add_service_errors(form, exc)
            else:
                messages.success(request, f"已录入举报，查询码 {tip.code}（请告知来电人）")
                return redirect("tips:tip_detail", pk=tip.pk)
    else:
        form = StaffTipForm(initial={"is_anonymous": "1", "channel": "hotline"})
    return render(
        request,
        "tips/tip_create.html",
        {
            "form": form,
            "streets": street_options(),
            "page_title": "录入举报",
            "location_errors": location_errors,
            **map_context(),
        },
    )


def _detail_context(request, tip, **extra):
    scope = user_scope(user=request.user)
    can_write = scope.has_role(*WRITE_ROLES)
    prefixes = [tip.region_code[:n] for n in (2, 4, 6, 9, 12, 15) if len(tip.region_code) >= n]
    context = {
        "tip": tip,
        "photos": list(tip.photos.all()),
        "history": list(tip.history.select_related("actor")),
        "candidates": duplicate_candidates(tip=tip, user=request.user)
        if tip.status in ("received", "assigned", "verifying")
        else [],
        "suggestions": target_suggestions(tip=tip, user=request.user)
        if can_write and tip.status in ("received", "assigned", "verifying")
        else [],
        "can_write": can_write,
        "can_contact": can_view_contact(request.user, tip),
        "can_reward": scope.has_role(*REWARD_ROLES),
        "departments": Department.objects.filter(region_code__in=prefixes).order_by("-region_code", "kind")
        if can_write
        else [],
        "verify_form": VerifyForm(initial={"hazard_description": tip.description, "target_type": "premises"}),
        "reward": getattr(tip, "reward", None) if hasattr(tip, "reward") else None,
        "eligibility": reward_eligibility(tip) if tip.status == "confirmed" else None,
        "pay_form": RewardPayForm(),
        "page_title": f"举报 #{tip.pk}",
    }
    context.update(extra)
    return context


@tips_staff
def tip_detail(request, pk):
    tip = tip_get(user=request.user, pk=pk)
    return render(request, "tips/tip_detail.html", _detail_context(request, tip))


@tips_staff
@require_POST
def tip_contact_view(request, pk):
    """Reveal a reporter's contact (audited TIP_CONTACT_VIEWED) on this one response."""
    tip = tip_get(user=request.user, pk=pk)
    contact = tip_contact_reveal(actor=request.user, tip_id=tip.pk)
    return render(request, "tips/tip_detail.html", _detail_context(request, tip, contact=contact))


@tips_staff
@require_POST
def tip_route_view(request, pk):
    form = RouteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择核查部门")
        return redirect("tips:tip_detail", pk=pk)
    return _act(
        request,
        pk,
        lambda: tip_route(
            actor=request.user,
            tip_id=pk,
            department_id=form.cleaned_data["department"],
            note=form.cleaned_data["note"],
        ),
        "已分派",
    )


@tips_staff
@require_POST
def tip_start_view(request, pk):
    return _act(request, pk, lambda: tip_start_verification(actor=request.user, tip_id=pk), "已开始核查")


@tips_staff
@require_POST
def tip_verify_view(request, pk):
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "；".join(
                f"{form.fields[k].label}：{' '.join(v)}" for k, v in form.errors.items() if k in form.fields
            ),
        )
        return redirect("tips:tip_detail", pk=pk)
    d = form.cleaned_data
    return _act(
        request,
        pk,
        lambda: tip_verify(
            actor=request.user,
            tip_id=pk,
            outcome=d["outcome"],
            reason=d["reason"],
            public_reply=d["public_reply"],
            target_type=d["target_type"],
            target_id=d["target_id"],
            rule_id=d["rule_id"],
            hazard_title=d["hazard_title"],
            hazard_description=d["hazard_description"],
            severity=d["severity"],
            deadline=d["deadline"],
            duplicate_of_id=d["duplicate_of"],
        ),
        "已记录核查结论",
    )


@tips_staff
@require_POST
def reward_propose_view(request, pk):
    form = RewardProposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "奖励金额须为数字")
        return redirect("tips:tip_detail", pk=pk)
    return _act(
        request,
        pk,
        lambda: reward_propose(
            actor=request.user,
            tip_id=pk,
            amount=form.cleaned_data["amount"],
            basis=form.cleaned_data["basis"],
        ),
        "已提出奖励建议，待他人审批",
    )


def _reward_action(request, pk, fn, success):
    reward = reward_get(user=request.user, pk=pk)
    return _act(request, reward.tip_id, fn, success)


@tips_staff
@require_POST
def reward_approve_view(request, pk):
    return _reward_action(request, pk, lambda: reward_approve(actor=request.user, reward_id=pk), "奖励已审批")


@tips_staff
@require_POST
def reward_reject_view(request, pk):
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _reward_action(
        request, pk, lambda: reward_reject(actor=request.user, reward_id=pk, reason=reason), "奖励建议已驳回"
    )


@tips_staff
@require_POST
def reward_pay_view(request, pk):
    form = RewardPayForm(request.POST)
    paid_on = form.cleaned_data["paid_on"] if form.is_valid() else None
    reference = request.POST.get("reference", "")
    return _reward_action(
        request,
        pk,
        lambda: reward_pay(actor=request.user, reward_id=pk, paid_on=paid_on, reference=reference),
        "已登记发放",
    )


@tips_staff
def reward_list_view(request):
    filters = PageFilters()
    status = filters.choice(request.GET.get("status"), "status", RewardStatusChoices, label="状态") or ""
    qs = reward_list(user=request.user, status=status) if filters.valid else Reward.objects.none()
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "tips/reward_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": RewardStatusChoices.choices,
            "filter_errors": filters.errors,
            "page_title": "举报奖励",
            "show_count": True,
        },
    )


@tips_staff
def tip_photo(request, pk):
    """Photos are served through the scope check, never from a public media URL."""
    try:
        photo = TipPhoto.objects.select_related("tip").get(pk=pk)
    except TipPhoto.DoesNotExist as exc:
        raise Http404 from exc
    tip_get(user=request.user, pk=photo.tip_id)
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def _report_url(request, district_code: str) -> str:
    base = settings.GASGUARD_PUBLIC_BASE_URL.rstrip("/") or request.build_absolute_uri("/").rstrip("/")
    return f"{base}{reverse('tips:public_report')}?district={district_code}"


def _districts(user):
    return [r for r in _filter_regions(user) if r.level == 3]


@tips_staff
def poster(request):
    """Printable QR-code poster (二维码海报) for a district's report page."""
    import segno

    districts = _districts(request.user)
    code = request.GET.get("district") or (districts[0].code if districts else "")
    district = next((d for d in districts if d.code == code), None)
    context = {
        "districts": districts,
        "district": district,
        "page_title": "举报二维码海报",
        "hotline": settings.GASGUARD_TIP_HOTLINE,
    }
    if district is not None:
        url = _report_url(request, district.code)
        context.update(url=url, qr_svg=segno.make(url, error="m").svg_inline(scale=8, border=2))
    return render(request, "tips/poster.html", context)


@tips_staff
def poster_png(request, code):
    import segno

    district = next((d for d in _districts(request.user) if d.code == code), None)
    if district is None:
        raise Http404("无此区县或不在您的数据权限范围内")
    buf = io.BytesIO()
    segno.make(_report_url(request, district.code), error="m").save(buf, kind="png", scale=12, border=3)
    response = HttpResponse(buf.getvalue(), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="report-qr-{district.code}.png"'
    return response


@tips_staff
def reward_rules(request):
    """奖励规则 per locality: list, and set one (task-force admins of that region or above)."""
    from gasguard.tips.forms import RewardRuleForm
    from gasguard.tips.models import RewardRule

    regions = _filter_regions(request.user)
    if request.method == "POST":
        form = RewardRuleForm(request.POST, regions=regions)
        if form.is_valid():
            d = form.cleaned_data
            try:
                reward_rule_set(
                    actor=request.user,
                    region=Region.objects.get(code=d["region"]),
                    general_amount=d["general_amount"],
                    major_amount=d["major_amount"],
                    min_amount=d["min_amount"],
                    max_amount=d["max_amount"],
                    requires_real_name=d["requires_real_name"],
                    exclude_target_staff=d["exclude_target_staff"],
                    note=d["note"],
                )
            except (ValidationFailed, PermissionDenied) as exc:
                messages.error(request, "；".join(m for ms in exc.errors.values() for m in ms) or exc.message)
            else:
                messages.success(request, "奖励规则已保存")
                return redirect("tips:reward_rules")
    else:
        form = RewardRuleForm(regions=regions)
    scope = user_scope(user=request.user)
    rules = scope.apply(RewardRule.objects.select_related("region"))
    return render(
        request,
        "tips/reward_rules.html",
        {
            "form": form,
            "rules": rules,
            "defaults": reward_terms(""),
            "page_title": "举报奖励规则",
            "can_edit": scope.has_role("taskforce_admin"),
        },
    )
