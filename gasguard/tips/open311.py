"""Open311 GeoReport v2 (JSON and XML): services, post a request, request status.

Existing 12345/hotline systems forward reports with an API key (Open311Client). The status
endpoints answer by `service_request_id`, which is the unguessable tracking code, and give
only status and status notes — never the description, location or reporter.
"""

import json
from xml.etree import ElementTree

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from gasguard.core.errors import ValidationFailed
from gasguard.core.ratelimit import client_ip
from gasguard.tips.choices import HAZARD_CATEGORY, TIP_CATEGORY_HELP, TipCategoryChoices
from gasguard.tips.models import Tip
from gasguard.tips.security import normalize_code, rate_limited, status_lookup_limited
from gasguard.tips.selectors import tip_public_status
from gasguard.tips.services import TipInput, open311_authenticate, tip_submit

XML_ROOTS = {"services": ("services", "service"), "requests": ("service_requests", "request")}


def _xml(data, root: str, item: str) -> bytes:
    top = ElementTree.Element(root)

    def fill(parent, mapping):
        for key, value in mapping.items():
            child = ElementTree.SubElement(parent, key)
            if isinstance(value, list):
                for entry in value:
                    fill(ElementTree.SubElement(child, "attribute"), entry)
            elif value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else str(value)

    for entry in data if isinstance(data, list) else [data]:
        fill(ElementTree.SubElement(top, item) if isinstance(data, list) else top, entry)
    return ('<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(top, encoding="unicode")).encode()


def _respond(data, *, fmt: str = "json", status: int = 200, root: str = "", item: str = ""):
    if fmt == "xml":
        return HttpResponse(_xml(data, root, item), status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(data, status=status, safe=False)


def _error(status: int, description: str, fmt: str = "json"):
    return _respond(
        [{"code": status, "description": description}], fmt=fmt, status=status, root="errors", item="error"
    )


def _iso(dt) -> str | None:
    return timezone.localtime(dt).isoformat(timespec="seconds") if dt else None


@require_GET
def services(request, fmt="json"):
    """GET /open311/v2/services.json — the report categories as Open311 services."""
    rows = [
        {
            "service_code": value,
            "service_name": label,
            "description": TIP_CATEGORY_HELP[value],
            "metadata": False,
            "type": "realtime",
            "keywords": HAZARD_CATEGORY[value],
            "group": "燃气安全",
        }
        for value, label in TipCategoryChoices.choices
    ]
    return _respond(rows, fmt=fmt, root="services", item="service")


@require_GET
def service_definition(request, code: str, fmt="json"):
    """GET /open311/v2/services/<code>.json — no extra attributes are needed."""
    if code not in TipCategoryChoices.values:
        return _error(404, "service_code not found", fmt)
    return _respond({"service_code": code, "attributes": []}, fmt=fmt, root="service_definition")


def _float(value):
    if value in (None, ""):
        return None
    return float(value)


def _digits(value) -> str:
    text = str(value or "").strip()
    return text if text.isdigit() and len(text) in (6, 9) else ""


def _post_request(request, fmt="json"):
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return _error(400, "invalid JSON body", fmt)
        if not isinstance(data, dict):
            return _error(400, "invalid JSON body", fmt)
    else:
        data = request.POST
    client = open311_authenticate(str(data.get("api_key") or ""))
    if client is None:
        return _error(403, "api_key missing or invalid", fmt)
    if rate_limited(
        "open311", f"client:{client.pk}", limit=settings.GASGUARD_OPEN311_RATE_PER_MIN, window_seconds=60
    ):
        return _error(429, "rate limit exceeded", fmt)
    try:
        lon, lat = _float(data.get("long")), _float(data.get("lat"))
    except (TypeError, ValueError):
        return _error(400, "lat/long must be numbers", fmt)
    name = " ".join(
        p for p in (str(data.get("last_name") or ""), str(data.get("first_name") or "")) if p
    ).strip()
    phone = str(data.get("phone") or "")
    place = _digits(data.get("district_code") or data.get("address_id"))
    tip_input = TipInput(
        category=str(data.get("service_code") or ""),
        description=str(data.get("description") or ""),
        lon=lon,
        lat=lat,
        address=str(data.get("address_string") or ""),
        target_name=str(data.get("target_name") or ""),
        # Extension: district_code (GB/T 2260 county or street code) places a report without a map.
        district_code=place[:6],
        street_code=place if len(place) == 9 else "",
        is_anonymous=not (name and phone),
        reporter_name=name,
        reporter_phone=phone,
        external_ref=str(
            data.get("service_request_ref") or data.get("account_id") or data.get("device_id") or ""
        ),
        media_url=str(data.get("media_url") or ""),
    )
    try:
        tip = tip_submit(data=tip_input, channel=client.channel, ip=client_ip(request), open311_client=client)
    except ValidationFailed as exc:
        fields = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items()) or exc.message
        return _error(400, fields, fmt)
    return _respond(
        [
            {
                "service_request_id": tip.code,
                "service_notice": "已受理，将转交相关部门核查",
                "account_id": None,
            }
        ],
        fmt=fmt,
        status=201,
        root="service_requests",
        item="request",
    )


def _request_row(code: str) -> dict | None:
    info = tip_public_status(code=code)
    if info is None:
        return None
    tip = (
        Tip.objects.only("category", "created_at", "updated_at", "department__name")
        .select_related("department")
        .get(code=info["code"])
    )
    return {
        "service_request_id": info["code"],
        "status": "closed"
        if info["closed"] or info["status"] in ("unfounded", "duplicate", "not_accepted")
        else "open",
        "status_notes": "；".join(filter(None, [info["stage"], info["reply"]])),
        "service_code": tip.category,
        "service_name": tip.get_category_display(),
        "agency_responsible": tip.department.name if tip.department_id else "",
        "requested_datetime": _iso(tip.created_at),
        "updated_datetime": _iso(tip.updated_at),
    }


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_view(request, fmt="json"):
    """POST creates a request; GET ?service_request_id=a,b lists the given requests' status."""
    if request.method == "POST":
        return _post_request(request, fmt)
    if status_lookup_limited(client_ip(request)):
        return _error(429, "rate limit exceeded", fmt)
    ids = [normalize_code(c) for c in request.GET.get("service_request_id", "").split(",")]
    ids = [c for c in ids if c][:20]
    if not ids:
        return _error(400, "service_request_id is required (comma-separated, at most 20)", fmt)
    rows = [row for row in (_request_row(c) for c in ids) if row]
    return _respond(rows, fmt=fmt, root="service_requests", item="request")


@require_GET
def request_detail(request, code: str, fmt="json"):
    """GET /open311/v2/requests/<service_request_id>.json"""
    if status_lookup_limited(client_ip(request)):
        return _error(429, "rate limit exceeded", fmt)
    row = _request_row(code)
    if row is None:
        return _error(404, "service_request_id not found", fmt)
    return _respond([row], fmt=fmt, root="service_requests", item="request")
