"""Wrong JSON types on the 一瓶一码 write endpoints that take a plain object (cylinder actions,
gas batches, gas samples): a 4xx in the error envelope naming the field, never a 500."""

import pytest

from gasguard.cylinders.tests.factories import cylinder, inspection_body

pytestmark = pytest.mark.django_db

# Never a valid value for any field here (a number is fine text and a fine quantity).
WRONG = [["x"], {"a": 1}, True]


def envelope(response) -> dict:
    data = response.json()
    assert set(data) == {"error"}, data
    return data["error"]


@pytest.mark.parametrize("value", WRONG)
@pytest.mark.parametrize(
    ("action", "field"),
    [
        ("transfer", "reason"),
        ("transfer", "to_owner"),
        ("seize", "reason"),
        ("seize", "body"),
        ("scrap", "reason"),
        ("status", "status"),
        ("status", "reason"),
        ("inspect", "inspected_on"),
        ("inspect", "result"),
        ("inspect", "report_no"),
    ],
)
def test_cylinder_actions(unit, unit_b, city, api, action, field, value):
    c = cylinder(unit.enterprise)
    ib = inspection_body(city.street_a)
    good = {
        "transfer": {"to_owner": unit_b.enterprise.pk, "reason": "企业合并"},
        "seize": {"body": ib.pk, "reason": "查封"},
        "scrap": {"reason": "报废"},
        "status": {"status": "lost", "reason": "丢失"},
        "inspect": {"body": ib.pk, "inspected_on": "2024-01-02", "result": "pass", "report_no": "R1"},
    }[action]
    r = api(city.taskforce_admin).post(
        f"/api/cylinders/cylinders/{c.code}/{action}/", {**good, field: value}, format="json"
    )
    assert 400 <= r.status_code < 500, (r.status_code, r.content[:300])
    err = envelope(r)
    assert r.status_code != 400 or field in err["fields"], err


@pytest.mark.parametrize("value", WRONG)
@pytest.mark.parametrize("field", ["batch_no", "received_on", "quantity_t", "filler", "supplier"])
def test_gas_batch(unit, unit_b, city, api, field, value):
    good = {
        "filler": unit.enterprise.pk,
        "supplier": unit_b.enterprise.pk,
        "batch_no": "B-1",
        "received_on": "2024-01-02",
        "quantity_t": "20",
    }
    r = api(city.taskforce_admin).post("/api/cylinders/gas-batches/", {**good, field: value}, format="json")
    assert 400 <= r.status_code < 500, (r.status_code, r.content[:300])
    err = envelope(r)
    assert r.status_code != 400 or field in err["fields"], err


@pytest.mark.parametrize("value", [123, "2024-13-40", "yesterday", "2024-01-02T08:00"])
def test_dates_must_be_dates(unit, unit_b, city, api, value):
    good = {"filler": unit.enterprise.pk, "supplier": unit_b.enterprise.pk, "batch_no": "B-2"}
    r = api(city.taskforce_admin).post(
        "/api/cylinders/gas-batches/", {**good, "received_on": value}, format="json"
    )
    assert r.status_code == 400 and "received_on" in envelope(r)["fields"]


def test_gas_sample_wrong_types(unit, unit_b, city, api):
    from gasguard.cylinders.models import GasBatch

    client = api(city.taskforce_admin)
    batch = client.post(
        "/api/cylinders/gas-batches/",
        {
            "filler": unit.enterprise.pk,
            "supplier": unit_b.enterprise.pk,
            "batch_no": "B-3",
            "received_on": "2024-01-02",
        },
        format="json",
    ).json()["id"]
    for field in ("sampled_on", "dme_pct", "vapour_pressure_kpa", "c5_plus_pct", "sulphur_mg_m3"):
        body = {"batch": batch, "sampled_on": "2024-01-03", "dme_pct": "0", "odour_ok": True, field: ["x"]}
        r = client.post("/api/cylinders/gas-samples/", body, format="json")
        assert r.status_code == 400 and field in envelope(r)["fields"], (field, r.content[:200])
    assert GasBatch.objects.get(pk=batch).samples.count() == 0


@pytest.mark.parametrize("value", ["abc", "-1", "0", "NaN", "1e30"])
def test_gas_batch_quantity_is_checked(unit, unit_b, city, api, value):
    good = {
        "filler": unit.enterprise.pk,
        "supplier": unit_b.enterprise.pk,
        "batch_no": "B-4",
        "received_on": "2024-01-02",
    }
    r = api(city.taskforce_admin).post(
        "/api/cylinders/gas-batches/", {**good, "quantity_t": value}, format="json"
    )
    assert r.status_code == 400 and "quantity_t" in envelope(r)["fields"], r.content[:200]
