"""The public scan page /c/<code>: what a customer should know, no personal data, rate-limited."""

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gasguard.core.ratelimit import client_ip, over_limit
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


def rate_limited(request) -> bool:
    """Per client address, GASGUARD_PUBLIC_SCAN_RATE (e.g. 30/min) over a sliding window."""
    limit, window = _rate(settings.GASGUARD_PUBLIC_SCAN_RATE)
    return over_limit(f"gg:cyl:public:{client_ip(request)}", limit=limit, window_seconds=window)


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
