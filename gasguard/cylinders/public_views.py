"""The public scan page /c/<code>: what a customer should know, no personal data, rate-limited."""

import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gasguard.cylinders.codes import code_error, normalise
from gasguard.cylinders.models import Cylinder
from gasguard.cylinders.services import GATE_FIELDS, cylinder_reasons

PUBLIC_FIELDS = tuple(f for f in GATE_FIELDS if f != "owner__name") + (
    "owner__name",
    "last_filled_at",
    "spec",
)


def _rate(spec: str) -> tuple[int, int]:
    count, _, period = spec.partition("/")
    seconds = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
    return int(count), seconds.get(period.strip().lower(), 60)


def _client_ip(request) -> str:
    """The client address; behind a trusted proxy (GASGUARD_TRUST_X_FORWARDED_FOR) the first hop."""
    if getattr(settings, "GASGUARD_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limited(request) -> bool:
    """A fixed-window counter per client address (GASGUARD_PUBLIC_SCAN_RATE, e.g. 30/min)."""
    limit, window = _rate(settings.GASGUARD_PUBLIC_SCAN_RATE)
    key = f"gg:cyl:public:{_client_ip(request)}:{int(time.time() // window)}"
    if cache.add(key, 1, window + 5):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        return False
    return count > limit


@never_cache
@require_GET
def scan(request, code):
    if rate_limited(request):
        response = render(request, "cylinders/public_scan.html", {"limited": True}, status=429)
        response["Retry-After"] = "60"
        return response
    normal = normalise(code)
    row = None
    if code_error(normal) is None:
        row = Cylinder.objects.filter(code=normal).values(*PUBLIC_FIELDS).first()
    if row is None:
        return render(request, "cylinders/public_scan.html", {"not_found": True}, status=404)
    reasons = cylinder_reasons(row, enterprise_id=None, today=timezone.localdate())
    return render(
        request,
        "cylinders/public_scan.html",
        {
            "code": row["code"],
            "owner": row["owner__name"],
            "spec": row["spec"],
            "last_filled_at": row["last_filled_at"],
            "next_inspection_due": row["next_inspection_due"],
            "usable": not reasons,
            "reasons": [r["message"] for r in reasons],
        },
    )
