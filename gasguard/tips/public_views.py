"""Pages without login: the public report form, the tracking-code status page."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gasguard.core.errors import ValidationFailed
from gasguard.core.ratelimit import client_ip
from gasguard.org.models import Region
from gasguard.tips.forms import PublicTipForm, StatusLookupForm, add_service_errors, street_options
from gasguard.tips.security import (
    body_too_large,
    format_code,
    status_lookup_limited,
    submission_limited,
)
from gasguard.tips.selectors import tip_public_status
from gasguard.tips.services import tip_submit

NOT_FOUND = "未找到该查询码对应的举报，请核对后重试。"


def map_context(district_code: str = "") -> dict:
    region = None
    if district_code:
        region = Region.objects.filter(code=district_code).first()
    region = region or Region.objects.filter(level=2).order_by("code").first()
    center = (114.06, 22.54)
    if region is not None and region.center_lon is not None and region.center_lat is not None:
        center = (region.center_lon, region.center_lat)
    return {"map_center_lon": center[0], "map_center_lat": center[1]}


@never_cache
@require_http_methods(["GET", "POST"])
def public_report(request):
    """举报页: phone-first form; the district may come from the QR poster (?district=)."""
    district = request.GET.get("district", "")
    status = 200
    location_errors = None
    if request.method == "POST":
        if submission_limited(client_ip(request)):
            return render(
                request,
                "tips/public_message.html",
                {
                    "title": "提交过于频繁",
                    "message": "您的网络地址提交次数过多，请稍后再试，或拨打举报电话。",
                    "hotline": settings.GASGUARD_TIP_HOTLINE,
                },
                status=429,
            )
        if body_too_large(request):
            return render(
                request,
                "tips/public_message.html",
                {
                    "title": "提交内容过大",
                    "message": f"照片最多 {settings.GASGUARD_TIP_MAX_PHOTOS} 张、每张不超过 "
                    f"{settings.GASGUARD_TIP_PHOTO_MAX_MB} MB，请压缩后重新提交。",
                },
                status=413,
            )
        form = PublicTipForm(request.POST, request.FILES)
        if form.is_spam:
            return render(
                request,
                "tips/public_message.html",
                {"title": "提交被拒绝", "message": "提交未通过校验，请刷新页面后重新填写。"},
                status=400,
            )
        if form.is_valid():
            try:
                tip = tip_submit(data=form.to_input(), channel="web", ip=client_ip(request))
            except ValidationFailed as exc:
                location_errors = add_service_errors(form, exc)
            else:
                request.session["tip_done_code"] = tip.code
                return redirect("tips:public_done")
        status = 400
    else:
        form = PublicTipForm(initial={"district": district, "is_anonymous": "1"})
    return render(
        request,
        "tips/public_report.html",
        {
            "form": form,
            "streets": street_options(),
            "hotline": settings.GASGUARD_TIP_HOTLINE,
            "location_errors": location_errors,
            **map_context(form["district"].value() or district),
        },
        status=status,
    )


@never_cache
def public_done(request):
    """Shows the tracking code once (POST/redirect/GET)."""
    code = request.session.pop("tip_done_code", "")
    if not code:
        return redirect("tips:public_report")
    return render(request, "tips/public_done.html", {"code": code, "code_display": format_code(code)})


@never_cache
@require_http_methods(["GET", "POST"])
def public_status(request):
    """Progress and outcome for a tracking code; unknown codes get one generic message."""
    raw = request.POST.get("code") if request.method == "POST" else request.GET.get("code")
    context = {"form": StatusLookupForm(initial={"code": raw or ""})}
    status = 200
    if raw:
        if status_lookup_limited(client_ip(request)):
            context["error"] = "查询过于频繁，请稍后再试。"
            status = 429
        else:
            result = tip_public_status(code=raw)
            if result is None:
                context["error"] = NOT_FOUND
                status = 404
            else:
                context["result"] = result
                context["code_display"] = format_code(result["code"])
    return render(request, "tips/public_status.html", context, status=status)
