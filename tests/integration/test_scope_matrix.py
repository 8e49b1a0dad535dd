"""Data scope across the whole product, on the demo city.

For each main object type with a detail page and an API detail: an object of 宝安 (440306) —
or, where the demo has none there, of another district outside 南山 — is 404 for the 南山
inspector (UI and API), 200 for that district's inspector, a login redirect / 401 / 403 for
the public, and an object of another enterprise is 404 for the restaurant company's
user. Every list API shows the 南山 / 宝安 inspectors only rows of their district (or of the
city above it) and the enterprise users only rows of their own enterprise.
"""

import pytest
from django.apps import apps
from django.db.models import Q

from .conftest import DISTRICT_INSPECTORS, ENTERPRISE_FIELDS, enterprise_ids

# (name, model, lookup, UI detail URL or None, API detail URL or None)
OBJECTS = [
    ("premises", "registry.Premises", "pk", "/registry/premises/{}/", "/api/registry/premises/{}/"),
    ("enterprise", "registry.Enterprise", "pk", "/registry/enterprises/{}/", "/api/registry/enterprises/{}/"),
    ("facility", "registry.Facility", "pk", "/registry/facilities/{}/", "/api/registry/facilities/{}/"),
    ("licence", "registry.Licence", "pk", None, "/api/registry/licences/{}/"),
    ("staff", "registry.Staff", "pk", None, "/api/registry/staff/{}/"),
    ("hazard", "hazards.Hazard", "pk", "/hazards/{}/", "/api/hazards/hazards/{}/"),
    ("referral", "hazards.HazardReferral", "pk", None, "/api/hazards/referrals/{}/"),
    ("revisit", "hazards.RevisitSample", "pk", None, "/api/hazards/revisits/{}/"),
    ("inspection", "inspections.Inspection", "pk", "/inspections/{}/", "/api/inspections/inspections/{}/"),
    (
        "inspection batch",
        "inspections.InspectionBatch",
        "pk",
        "/inspections/batches/{}/",
        "/api/inspections/batches/{}/",
    ),
    ("inspection task", "inspections.InspectionTask", "pk", None, "/api/inspections/tasks/{}/"),
    ("tip", "tips.Tip", "pk", "/tips/{}/", "/api/tips/tips/{}/"),
    ("cylinder", "cylinders.Cylinder", "code", "/cylinders/c/{}/", "/api/cylinders/cylinders/{}/"),
    ("delivery", "cylinders.Delivery", "pk", "/cylinders/deliveries/{}/", None),
    ("device", "monitoring.Device", "pk", "/monitoring/devices/{}/", "/api/monitoring/devices/{}/"),
    ("alarm", "monitoring.Alarm", "pk", "/monitoring/alarms/{}/", "/api/monitoring/alarms/{}/"),
    (
        "monthly report",
        "campaigns.MonthlyReport",
        "pk",
        "/campaigns/reports/{}/",
        "/api/campaigns/reports/{}/",
    ),
    ("campaign", "campaigns.Campaign", "pk", "/campaigns/{}/", "/api/campaigns/campaigns/{}/"),
    ("accident", "campaigns.Accident", "pk", "/campaigns/accidents/{}/", "/api/campaigns/accidents/{}/"),
    ("supervision notice", "campaigns.SupervisionNotice", "pk", None, "/api/campaigns/notices/{}/"),
    ("interview", "campaigns.Interview", "pk", None, "/api/campaigns/interviews/{}/"),
    ("warning", "campaigns.WarningAdvice", "pk", None, "/api/campaigns/warnings/{}/"),
]
IDS = [o[0] for o in OBJECTS]

# Known defects: the test stays red for them until fixed (strict xfail).
KNOWN = {}


def _mark(case: str):
    return pytest.mark.xfail(strict=True, reason=KNOWN[case]) if case in KNOWN else ()


def _params(prefix: str):
    return [pytest.param(o, id=o[0], marks=_mark(f"{prefix}:{o[0]}")) for o in OBJECTS]


def _other_district_object(model_label: str, lookup: str):
    """(value, district code) of an object outside 南山, preferring 宝安 (440306)."""
    label = model_label
    model = apps.get_model(label)
    for district in ("440306", *[d for d in DISTRICT_INSPECTORS if d != "440306"]):
        value = (
            model.objects.filter(region_code__startswith=district)
            .order_by("pk")
            .values_list(lookup, flat=True)
            .first()
        )
        if value is not None:
            return value, district
    pytest.skip(f"the demo has no {label} in any district but 南山 (city-level objects only?)")


def _urls(obj, value):
    _, _, _, ui, api = obj
    return (ui.format(value) if ui else None), (api.format(value) if api else None)


@pytest.mark.parametrize("obj", _params("ns"))
def test_other_district_object_is_404_for_nanshan_inspector(demo, obj):
    value, _district = _other_district_object(obj[1], obj[2])
    ui, api = _urls(obj, value)
    got = {}
    if ui:
        got[ui] = demo.client("ns_inspector").get(ui).status_code
    if api:
        got[api] = demo.api("ns_inspector").get(api).status_code
    assert all(s == 404 for s in got.values()), got


@pytest.mark.parametrize("obj", _params("ba"))
def test_own_district_object_opens_for_that_districts_inspector(demo, obj):
    value, district = _other_district_object(obj[1], obj[2])
    inspector = DISTRICT_INSPECTORS[district]
    ui, api = _urls(obj, value)
    got = {"inspector": inspector}
    if ui:
        got[ui] = demo.client(inspector).get(ui).status_code
    if api:
        got[api] = demo.api(inspector).get(api).status_code
    assert all(s == 200 for k, s in got.items() if k != "inspector"), got


@pytest.mark.parametrize("obj", _params("anon"))
def test_public_is_refused(demo, obj):
    value, _district = _other_district_object(obj[1], obj[2])
    ui, api = _urls(obj, value)
    if ui:
        r = demo.client(None).get(ui)
        assert r.status_code == 302 and "/accounts/login/" in r.headers["Location"], (ui, r.status_code)
    if api:
        r = demo.api(None).get(api)
        assert r.status_code in (401, 403), (api, r.status_code)
        assert set(r.json()) == {"error"}, r.json()


@pytest.mark.parametrize("obj", _params("ent"))
def test_other_enterprise_object_is_404_for_enterprise_user(demo, obj):
    name, label, lookup = obj[:3]
    model = apps.get_model(label)
    mine = enterprise_ids("ent_restaurant", demo)
    assert mine, "ent_restaurant has no enterprise"
    qs = model.objects.all()
    for field in ENTERPRISE_FIELDS.get(label, ()):
        qs = qs.exclude(**{f"{field}__in": mine})
    # Prefer an object of its own district (南山): the same region, another enterprise.
    value = (
        qs.filter(region_code__startswith="440305").order_by("pk").values_list(lookup, flat=True).first()
        or qs.order_by("pk").values_list(lookup, flat=True).first()
    )
    if value is None:
        pytest.skip(f"no {label} of another enterprise")
    ui, api = _urls(obj, value)
    got = {}
    if ui:
        got[ui] = demo.client("ent_restaurant").get(ui).status_code
    if api:
        got[api] = demo.api("ent_restaurant").get(api).status_code
    # 403 is acceptable where the whole kind of object is closed to enterprises.
    assert all(s in (403, 404) for s in got.values()), got


# --- list APIs ---------------------------------------------------------------------------------

LISTS = [
    ("/api/registry/enterprises/", "registry.Enterprise"),
    ("/api/registry/licences/", "registry.Licence"),
    ("/api/registry/staff/", "registry.Staff"),
    ("/api/registry/premises/", "registry.Premises"),
    ("/api/registry/facilities/", "registry.Facility"),
    ("/api/hazards/hazards/", "hazards.Hazard"),
    ("/api/hazards/referrals/", "hazards.HazardReferral"),
    ("/api/hazards/enforcement/", "hazards.EnforcementAction"),
    ("/api/hazards/revisits/", "hazards.RevisitSample"),
    ("/api/inspections/batches/", "inspections.InspectionBatch"),
    ("/api/inspections/tasks/", "inspections.InspectionTask"),
    ("/api/inspections/inspections/", "inspections.Inspection"),
    ("/api/tips/tips/", "tips.Tip"),
    ("/api/tips/rewards/", "tips.Reward"),
    ("/api/cylinders/cylinders/", "cylinders.Cylinder"),
    ("/api/cylinders/fills/", "cylinders.Fill"),
    ("/api/cylinders/attempts/", "cylinders.FillAttempt"),
    ("/api/cylinders/gas-batches/", "cylinders.GasBatch"),
    ("/api/cylinders/gas-samples/", "cylinders.GasQualitySample"),
    ("/api/cylinders/deliveries/", "cylinders.Delivery"),
    ("/api/products/spot-checks/", "products.SpotCheck"),
    ("/api/products/blacklist/", "products.BlacklistEntry"),
    ("/api/products/recalls/", "products.Recall"),
    ("/api/products/findings/", "products.ProductFinding"),
    ("/api/monitoring/devices/", "monitoring.Device"),
    ("/api/monitoring/spaces/", "monitoring.MonitoredSpace"),
    ("/api/monitoring/alarms/", "monitoring.Alarm"),
    ("/api/fleet/workers/", "fleet.DeliveryWorker"),
    ("/api/fleet/vehicles/", "fleet.Vehicle"),
    ("/api/fleet/areas/", "fleet.DeliveryArea"),
    ("/api/campaigns/campaigns/", "campaigns.Campaign"),
    ("/api/campaigns/reports/", "campaigns.MonthlyReport"),
    ("/api/campaigns/notices/", "campaigns.SupervisionNotice"),
    ("/api/campaigns/interviews/", "campaigns.Interview"),
    ("/api/campaigns/warnings/", "campaigns.WarningAdvice"),
    ("/api/campaigns/accidents/", "campaigns.Accident"),
    ("/api/audit/events/", "audit.AuditEvent"),
]
LIST_ENTERPRISE_FIELDS = {
    **ENTERPRISE_FIELDS,
    "registry.Licence": ("enterprise_id",),
    "registry.Staff": ("enterprise_id",),
    "cylinders.Fill": ("enterprise_id",),
    "cylinders.FillAttempt": ("enterprise_id",),
    "fleet.DeliveryWorker": ("enterprise_id",),
    "fleet.Vehicle": ("enterprise_id",),
    "fleet.DeliveryArea": ("enterprise_id",),
}
LIST_KNOWN: dict[str, str] = {}


def _rows(response):
    body = response.json()
    if isinstance(body, dict) and "results" in body:
        return body["results"]
    if isinstance(body, dict) and body.get("type") == "FeatureCollection":
        return [f.get("properties", {}) | {"id": f.get("id")} for f in body["features"]]
    return body if isinstance(body, list) else []


def _key(model, row):
    if row.get("id") is not None:
        return "pk", row["id"]
    if row.get("code") is not None and any(f.name == "code" for f in model._meta.fields):
        return "code", row["code"]
    return None, None


def _outside_rows(username, path, label, demo):
    """Rows of the first page (up to 500) that lie outside the persona's scope."""
    model = apps.get_model(label)
    response = demo.api(username).get(path, {"page_size": 500})
    if response.status_code in (403, 404):
        return response.status_code, []
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    rows = _rows(response)
    outside = []
    if username.startswith(("ns_", "ba_")):
        prefix = "440305" if username.startswith("ns_") else "440306"
        for row in rows:
            code = row.get("region_code")
            if code is None:
                lookup, value = _key(model, row)
                if lookup is None:
                    continue
                code = model.objects.filter(**{lookup: value}).values_list("region_code", flat=True).first()
            # Rows of the district, or of the city / province above it (city-wide campaigns).
            if code is not None and not (code.startswith(prefix) or prefix.startswith(code)):
                outside.append((row.get("id") or row.get("code"), code))
    else:
        mine = enterprise_ids(username, demo)
        fields = LIST_ENTERPRISE_FIELDS.get(label)
        if not fields:
            return response.status_code, []
        q = Q()
        for field in fields:
            q |= Q(**{f"{field}__in": mine})
        keys = [_key(model, row) for row in rows]
        for lookup in {k for k, _ in keys if k}:
            values = [v for k, v in keys if k == lookup]
            allowed = set(model.objects.filter(q, **{f"{lookup}__in": values}).values_list(lookup, flat=True))
            outside += [(v, "enterprise?") for v in values if v not in allowed]
    return response.status_code, outside


@pytest.mark.parametrize(
    "username", ["ns_inspector", "ba_inspector", "ns_market", "ent_restaurant", "ent_gas", "ent_filling"]
)
def test_list_apis_show_only_rows_in_scope(demo, username):
    problems = {}
    for path, label in LISTS:
        status, outside = _outside_rows(username, path, label, demo)
        if outside and f"{username}:{path}" not in LIST_KNOWN:
            problems[path] = outside[:5]
    assert not problems, problems
