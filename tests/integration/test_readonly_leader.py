"""The read-only leader (领导, role leader) can look at everything and change nothing.

For a representative write endpoint of every app, an API call with the leader's token is 403
(permission, not validation: the payload is a plausible one), and a UI POST is refused (403,
or the page again / a redirect with nothing changed). The audit chain head never moves.
"""

import pytest
from django.apps import apps

from .conftest import audit_heads


def _first(label, field="pk", **filters):
    model = apps.get_model(label)
    value = model.objects.filter(**filters).order_by("pk").values_list(field, flat=True).first()
    if value is None:
        pytest.skip(f"the demo has no {label} {filters}")
    return value


def _region_id(code):
    return _first("org.Region", "pk", code=code)


# (app, method path builder, payload builder)
API_WRITES = [
    (
        "registry",
        lambda: "/api/registry/enterprises/",
        lambda: {"name": "领导新建企业", "uscc": "91440300MA5F000000", "region": "440305001"},
    ),
    (
        "registry",
        lambda: "/api/registry/premises/",
        lambda: {"name": "领导新建场所", "kind": "restaurant", "region": "440305001"},
    ),
    ("hazards", lambda: f"/api/hazards/hazards/{_first('hazards.Hazard', status='pending')}/start/", dict),
    (
        "hazards",
        lambda: f"/api/hazards/hazards/{_first('hazards.Hazard')}/assign/",
        lambda: {"responsible_person": "张三"},
    ),
    (
        "inspections",
        lambda: "/api/inspections/inspections/",
        lambda: {"premises": _first("registry.Premises", region_code__startswith="440305")},
    ),
    ("inspections", lambda: "/api/inspections/batches/", lambda: {"name": "领导批次", "region": "440305"}),
    ("tips", lambda: f"/api/tips/tips/{_first('tips.Tip')}/route/", dict),
    ("tips", lambda: f"/api/tips/tips/{_first('tips.Tip')}/start/", dict),
    ("cylinders", lambda: "/api/cylinders/gate/", lambda: {"code": _first("cylinders.Cylinder", "code")}),
    ("cylinders", lambda: f"/api/cylinders/cylinders/{_first('cylinders.Cylinder', 'code')}/seize/", dict),
    ("products", lambda: "/api/products/blacklist/", lambda: {"reason": "领导拉黑"}),
    (
        "monitoring",
        lambda: f"/api/monitoring/alarms/{_first('monitoring.Alarm')}/actions/",
        lambda: {"action": "acknowledge"},
    ),
    ("monitoring", lambda: "/api/monitoring/devices/", lambda: {"code": "LEADER-1", "kind": "methane"}),
    (
        "fleet",
        lambda: "/api/fleet/assignments/",
        lambda: {"vehicle": _first("fleet.Vehicle"), "worker": _first("fleet.DeliveryWorker")},
    ),
    ("campaigns", lambda: "/api/campaigns/campaigns/create-default/", dict),
    ("campaigns", lambda: f"/api/campaigns/reports/{_first('campaigns.MonthlyReport')}/submit/", dict),
    ("campaigns", lambda: "/api/campaigns/warnings/", lambda: {"title": "领导预警"}),
    (
        "org",
        lambda: "/api/org/departments/",
        lambda: {"name": "领导部门", "kind": "housing", "region": "440305"},
    ),
]


# Where the leader's write is answered 400 (field errors) rather than 403: the permission is
# checked after validation, so this test does not prove a complete payload would be refused.
VALIDATES_BEFORE_PERMISSION: list[str] = []


@pytest.mark.parametrize(
    ("app", "path", "payload"),
    [pytest.param(a, p, d, id=f"{a}-{i}") for i, (a, p, d) in enumerate(API_WRITES)],
)
def test_leader_api_write_is_refused(demo, app, path, payload):
    url, data = path(), payload()
    before = audit_heads()
    response = demo.api("leader").post(url, data, format="json")
    assert audit_heads() == before, f"{url}: the audit chain moved"
    assert 400 <= response.status_code < 500, (url, response.status_code, response.content[:300])
    assert set(response.json()) == {"error"}, response.content[:300]
    if response.status_code not in (403, 405):
        VALIDATES_BEFORE_PERMISSION.append(
            f"{url} -> {response.status_code} {response.json()['error']['fields']}"
        )


def test_leader_api_write_is_403_before_validation(demo):
    statuses = {}
    for _app, path, payload in API_WRITES:
        try:
            url, data = path(), payload()
        except pytest.skip.Exception:
            continue
        statuses[url] = demo.api("leader").post(url, data, format="json").status_code
    wrong = {u: s for u, s in statuses.items() if s not in (403, 405)}
    assert not wrong, wrong


UI_WRITES = [
    (
        "registry",
        lambda: "/registry/enterprises/new/",
        lambda: {"name": "领导新建企业", "uscc": "91440300MA5F000000"},
    ),
    (
        "registry",
        lambda: f"/registry/premises/{_first('registry.Premises')}/edit/",
        lambda: {"name": "领导改名"},
    ),
    ("hazards", lambda: f"/hazards/{_first('hazards.Hazard', status='pending')}/do/start/", dict),
    ("inspections", lambda: "/inspections/new/", lambda: {"premises": _first("registry.Premises")}),
    ("inspections", lambda: "/inspections/batches/new/", lambda: {"name": "领导批次"}),
    ("tips", lambda: "/tips/new/", lambda: {"description": "领导录入"}),
    ("tips", lambda: f"/tips/{_first('tips.Tip')}/route/", dict),
    ("cylinders", lambda: f"/cylinders/c/{_first('cylinders.Cylinder', 'code')}/seize/", dict),
    ("monitoring", lambda: f"/monitoring/alarms/{_first('monitoring.Alarm')}/acknowledge/", dict),
    ("monitoring", lambda: "/monitoring/devices/new/", lambda: {"code": "LEADER-1"}),
    ("campaigns", lambda: "/campaigns/create-default/", dict),
    ("campaigns", lambda: f"/campaigns/reports/{_first('campaigns.MonthlyReport')}/submit/", dict),
    (
        "notifications",
        lambda: f"/notifications/channels/{_first('notifications.NotificationChannel')}/toggle/",
        dict,
    ),
]


@pytest.mark.parametrize(
    ("app", "path", "payload"),
    [pytest.param(a, p, d, id=f"{a}-{i}") for i, (a, p, d) in enumerate(UI_WRITES)],
)
def test_leader_ui_post_is_refused(demo, app, path, payload):
    url, data = path(), payload()
    before = audit_heads()
    client = demo.client("leader")
    response = client.post(url, data)
    assert audit_heads() == before, f"{url}: the audit chain moved"
    assert response.status_code < 500, (url, response.status_code)
    if response.status_code in (301, 302, 303):
        # Refused with a message on the page it redirects to.
        page = client.get(response.headers["Location"]).content.decode()
        assert "alert-danger" in page or "alert-warning" in page, f"{url}: redirected without a refusal"
    else:
        # 403/404/405, or the form again (200/400) with its errors; nothing was changed.
        assert response.status_code in (200, 400, 403, 404, 405), (url, response.status_code)
