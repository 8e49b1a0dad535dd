"""Bad input on the 一瓶一码 API found by fuzzing (schemathesis) and by hand: a body that is not a
JSON object, NUL bytes and lone surrogates, year-0001 / year-9999 dates, numbers beyond their
column, list filters with unknown values, damaged workbooks. Each is a 400 in the error envelope
naming the field or row — never a 500, never a silent 2xx, never a half-write."""

import io
import json

import pytest
from openpyxl import Workbook

from gasguard.cylinders.models import Cylinder, Delivery, GasBatch, GasQualitySample
from gasguard.cylinders.tests.factories import api_error, cylinder, post_json_raw
from gasguard.fleet.models import DeliveryWorker

pytestmark = pytest.mark.django_db

NUL, SURROGATE = "a\x00b", "a\ud800b"


@pytest.fixture
def batch(unit, unit_b):
    return GasBatch.objects.create(
        filler=unit.enterprise,
        supplier=unit_b.enterprise,
        batch_no="B-1",
        received_on="2024-01-02",
        region_code=unit.enterprise.region_code,
    )


@pytest.fixture
def delivery(unit, city):
    worker = DeliveryWorker.objects.create(
        enterprise=unit.enterprise, name="李送气", region_code=unit.enterprise.region_code
    )
    return Delivery.objects.create(
        enterprise=unit.enterprise,
        premises=city.premises_a,
        worker=worker,
        delivered_at="2024-01-02T08:00:00+08:00",
        region_code=city.premises_a.region_code,
    )


# --- a body that is not an object ---------------------------------------------------------------


@pytest.mark.parametrize("body", ["[]", "[1, 2]", '"text"', "42", "null", "true"])
def test_plain_object_endpoints_refuse_other_json(unit, city, api, batch, delivery, body):
    c = cylinder(unit.enterprise)
    for user, path in [
        (city.taskforce_admin, f"/api/cylinders/cylinders/{c.code}/status/"),
        (city.taskforce_admin, "/api/cylinders/gas-batches/"),
        (city.taskforce_admin, "/api/cylinders/gas-samples/"),
        (unit.user, f"/api/cylinders/deliveries/{delivery.pk}/check/"),
    ]:
        err = api_error(post_json_raw(api(user), path, body))
        assert err["fields"] == {"non_field_errors": ["请求体须为 JSON 对象"]}, (path, err)


def test_gas_sample_batch_id_must_be_an_id(city, api, batch):
    for value in ["abc", [1], {"a": 1}, 0.5, True]:
        r = api(city.taskforce_admin).post(
            "/api/cylinders/gas-samples/",
            {"batch": value, "sampled_on": "2024-01-03", "dme_pct": "0", "odour_ok": True},
            format="json",
        )
        assert "batch" in api_error(r)["fields"], value
    assert not GasQualitySample.objects.exists()


# --- text no database stores --------------------------------------------------------------------


@pytest.mark.parametrize("text", [NUL, SURROGATE])
def test_nul_and_lone_surrogates_are_refused_by_name(unit, city, api, text):
    c = cylinder(unit.enterprise)
    client = api(city.taskforce_admin)

    body = json.dumps({"status": "lost", "reason": text}, ensure_ascii=True)
    r = post_json_raw(client, f"/api/cylinders/cylinders/{c.code}/status/", body)
    assert "reason" in api_error(r)["fields"]
    c.refresh_from_db()
    assert c.status == "in_use"
    body = json.dumps(
        {
            "filler": unit.enterprise.pk,
            "supplier": unit.enterprise.pk,
            "batch_no": text,
            "received_on": "2024-01-02",
        }
    )
    assert "batch_no" in api_error(post_json_raw(client, "/api/cylinders/gas-batches/", body))["fields"]
    assert not GasBatch.objects.exists()


@pytest.mark.parametrize("field", ["serial", "maker_name", "code", "spec"])
@pytest.mark.parametrize("text", [NUL, SURROGATE])
def test_bulk_rows_with_nul_or_surrogates_name_the_row(unit, city, api, field, text):
    row = {"serial": "S-1", "spec": "YSP35.5", "manufactured_on": "2020-01-01", field: text}
    body = json.dumps({"owner": unit.enterprise.pk, "rows": [row]})
    r = post_json_raw(api(city.taskforce_admin), "/api/cylinders/cylinders/bulk/", body)
    assert "第1行" in api_error(r)["fields"]
    assert not Cylinder.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("serial", ["A1"], "钢印号须为文字或数字"),
        ("serial", {"a": 1}, "钢印号须为文字或数字"),
        ("serial", True, "钢印号须为文字或数字"),
        ("design_life_years", 1.5, "设计使用年限"),
        ("design_life_years", "1.5", "设计使用年限"),
        ("design_life_years", True, "设计使用年限"),
    ],
)
def test_bulk_rows_of_the_wrong_type_name_the_row(unit, city, api, field, value, message):
    row = {"serial": "S-1", "spec": "YSP35.5", "manufactured_on": "2020-01-01", field: value}
    r = api(city.taskforce_admin).post(
        "/api/cylinders/cylinders/bulk/", {"owner": unit.enterprise.pk, "rows": [row]}, format="json"
    )
    assert message in " ".join(api_error(r)["fields"]["第1行"])
    assert not Cylinder.objects.exists()


def test_bulk_rows_take_whole_numbers_as_excel_writes_them(unit, city, api):
    row = {"serial": 12345, "spec": "YSP35.5", "manufactured_on": "2020-01-01", "design_life_years": 8.0}
    r = api(city.taskforce_admin).post(
        "/api/cylinders/cylinders/bulk/", {"owner": unit.enterprise.pk, "rows": [row]}, format="json"
    )
    assert r.status_code == 201, r.content
    assert Cylinder.objects.get().design_life_years == 8 and Cylinder.objects.get().serial == "12345"


def test_list_search_with_nul_is_a_400_not_every_cylinder(unit, city, api):
    cylinder(unit.enterprise)
    r = api(unit.user).get("/api/cylinders/cylinders/", {"q": "\x00"})
    assert "q" in api_error(r)["fields"]
    r = api(unit.user).get("/api/cylinders/epcis/events", {"code": "\x00"})
    assert "code" in api_error(r)["fields"]
    assert api_error(api(unit.user).get("/api/cylinders/cylinders/%00/"), 404)["code"] == "not_found"


# --- dates and numbers out of range -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-13", "不是有效日期"),
        ("0000-01", "不是有效日期"),
        ("2024-02-30", "不是有效日期"),
        ("0001-01-01", "早于 1900-01-01"),
        ("9999-12-31", "晚于今天"),
    ],
)
def test_bulk_manufacture_dates_out_of_range_name_the_row(unit, city, api, value, message):
    row = {"serial": "S-1", "spec": "YSP35.5", "manufactured_on": value}
    r = api(city.taskforce_admin).post(
        "/api/cylinders/cylinders/bulk/", {"owner": unit.enterprise.pk, "rows": [row]}, format="json"
    )
    assert message in " ".join(api_error(r)["fields"]["第1行"])
    assert not Cylinder.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("manufactured_on", "9999-12-31"),
        ("manufactured_on", "0001-01-01"),
        ("next_inspection_due", "9999-12-31"),
    ],
)
def test_single_registration_dates_out_of_range(unit, city, api, field, value):
    body = {"owner": unit.enterprise.pk, "serial": "S-1", "spec": "YSP35.5", "manufactured_on": "2020-01-01"}
    r = api(city.taskforce_admin).post("/api/cylinders/cylinders/", {**body, field: value}, format="json")
    api_error(r)
    assert not Cylinder.objects.exists()


@pytest.mark.parametrize("value", ["0001-01-01", "0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00"])
def test_epcis_bounds_beyond_utc_are_a_400(unit, api, value):
    r = api(unit.user).get("/api/cylinders/epcis/events", {"from": value})
    assert "from" in api_error(r)["fields"]


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00", "2999-01-01T00:00:00"])
def test_delivery_time_must_be_plausible(unit, city, api, value):
    worker = DeliveryWorker.objects.create(
        enterprise=unit.enterprise, name="李送气", region_code=unit.enterprise.region_code
    )
    c = cylinder(unit.enterprise)
    body = {
        "enterprise": unit.enterprise.pk,
        "premises": city.premises_a.pk,
        "worker": worker.pk,
        "out_codes": [c.code],
        "delivered_at": value,
    }
    r = api(unit.user).post("/api/cylinders/deliveries/", body, format="json")
    assert "delivered_at" in api_error(r)["fields"]
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("sulphur_mg_m3", "1e30"), ("vapour_pressure_kpa", "99999999999"), ("sampled_on", "0001-01-01")],
)
def test_gas_sample_values_beyond_their_column(city, api, batch, field, value):
    body = {"batch": batch.pk, "sampled_on": "2024-01-03", "dme_pct": "0.1", "odour_ok": True, field: value}
    r = api(city.taskforce_admin).post("/api/cylinders/gas-samples/", body, format="json")
    assert field in api_error(r)["fields"]
    assert not GasQualitySample.objects.exists()


def test_gas_batch_quantity_that_rounds_to_zero_is_refused(unit, unit_b, city, api):
    body = {
        "filler": unit.enterprise.pk,
        "supplier": unit_b.enterprise.pk,
        "batch_no": "B-9",
        "received_on": "2024-01-02",
        "quantity_t": "1e-30",
    }
    r = api(city.taskforce_admin).post("/api/cylinders/gas-batches/", body, format="json")
    assert "quantity_t" in api_error(r)["fields"]


def test_long_report_number_and_reason_are_a_400_not_a_database_error(unit, city, api):
    from gasguard.cylinders.tests.factories import inspection_body

    c = cylinder(unit.enterprise)
    ib = inspection_body(city.street_a)
    client = api(city.taskforce_admin)
    body = {"body": ib.pk, "inspected_on": "2024-01-02", "result": "pass", "report_no": "R" * 65}
    r = client.post(f"/api/cylinders/cylinders/{c.code}/inspect/", body, format="json")
    assert "report_no" in api_error(r)["fields"]
    r = client.post(
        f"/api/cylinders/cylinders/{c.code}/seize/", {"body": ib.pk, "reason": "x" * 301}, format="json"
    )
    assert "reason" in api_error(r)["fields"]
    c.refresh_from_db()
    assert c.status == "in_use"


# --- list filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(("param", "value"), [("status", "bogus"), ("spec", "YSP999"), ("overdue", "maybe")])
def test_unknown_list_filter_values_are_a_400_not_an_empty_or_full_list(unit, api, param, value):
    cylinder(unit.enterprise)
    r = api(unit.user).get("/api/cylinders/cylinders/", {param: value})
    assert param in api_error(r)["fields"]


def test_known_list_filter_values_still_filter(unit, api):
    cylinder(unit.enterprise)
    client = api(unit.user)
    assert (
        client.get("/api/cylinders/cylinders/", {"status": "in_use", "spec": "YSP35.5"}).json()["count"] == 1
    )
    assert client.get("/api/cylinders/cylinders/", {"overdue": "true"}).json()["count"] == 0


def test_recall_two_phase_flag_is_strict(unit, api):
    r = api(unit.user).get("/api/cylinders/recall/", {"two_phase": "maybe"})
    assert "two_phase" in api_error(r)["fields"]


# --- workbooks -----------------------------------------------------------------------------------


def workbook(rows, hook=None) -> io.BytesIO:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    if hook:
        hook(wb.active)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "cylinders.xlsx"
    return out


HEADER = ["钢印号", "型号规格", "制造日期"]


@pytest.mark.parametrize("made", [99999999, -5, "2024-13"])
def test_import_dates_out_of_range_name_the_row(unit, city, api, made):
    upload = workbook([HEADER, ["S-1", "YSP35.5", made]])
    r = api(city.taskforce_admin).post(
        "/api/cylinders/cylinders/import/", {"file": upload, "owner": unit.enterprise.pk}, format="multipart"
    )
    assert "第2行" in api_error(r)["fields"]
    assert not Cylinder.objects.exists()


def test_import_names_the_sheet_row_after_rows_left_out(unit, city, api):
    def far_row(sheet):
        sheet.cell(row=1048576, column=1, value="S-2")

    upload = workbook([HEADER, ["S-1", "YSP35.5", "2020-01-01"]], far_row)
    r = api(city.taskforce_admin).post(
        "/api/cylinders/cylinders/import/", {"file": upload, "owner": unit.enterprise.pk}, format="multipart"
    )
    assert list(api_error(r)["fields"]) == ["第1048576行"]


def test_import_of_a_damaged_sheet_is_a_400(unit, city, api):
    import zipfile

    source = workbook([HEADER, ["S-1", "YSP35.5", "2020-01-01"]])
    damaged = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(damaged, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut mid-element: not well-formed XML
            zout.writestr(item, data)
    damaged.seek(0)
    damaged.name = "damaged.xlsx"
    r = api(city.taskforce_admin).post(
        "/api/cylinders/cylinders/import/", {"file": damaged, "owner": unit.enterprise.pk}, format="multipart"
    )
    assert "file" in api_error(r)["fields"]


def test_a_bulk_row_with_a_bad_code_and_no_serial_reports_both(unit, city, api):
    row = {"code": "GG1-BAD", "serial": "", "spec": "YSP35.5", "manufactured_on": "2020-01-01"}
    r = api(city.taskforce_admin).post(
        "/api/cylinders/cylinders/bulk/", {"owner": unit.enterprise.pk, "rows": [row]}, format="json"
    )
    messages = " ".join(api_error(r)["fields"]["第1行"])
    assert "气瓶码" in messages and "钢印号不能为空" in messages
