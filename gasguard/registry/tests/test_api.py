import pytest

from gasguard.registry.models import Enterprise, Premises
from gasguard.registry.tests.factories import (
    CertificateFactory,
    LicenceFactory,
    PremisesFactory,
    StaffFactory,
)
from gasguard.registry.uscc import make_uscc

pytestmark = pytest.mark.django_db

P = "/api/registry/premises/"


def test_premises_list_is_scoped_and_filterable(city, api):
    PremisesFactory(region=city.grid_a, name="南山小学", kind="school")
    body = api(city.inspector_a).get(P, {"kind": "restaurant", "region": "440305"}).json()
    assert [r["name"] for r in body["results"]] == ["南山川菜馆"]
    assert body["count"] == 1 and body["count_capped"] is False
    assert api(city.taskforce_admin).get(P).json()["count"] == 3


def test_region_filter_outside_scope_is_400(city, api):
    response = api(city.inspector_a).get(P, {"region": "440306"})
    assert response.status_code == 400
    assert "region" in response.json()["error"]["fields"]


def test_other_districts_premises_is_404_to_read_and_write(city, api):
    client = api(city.inspector_b)
    assert client.get(f"{P}{city.premises_a.pk}/").status_code == 404
    response = client.patch(f"{P}{city.premises_a.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    city.premises_a.refresh_from_db()
    assert city.premises_a.name == "南山川菜馆"


def test_enterprise_user_b_cannot_see_enterprise_a(city, api):
    client = api(city.enterprise_user_b)
    assert client.get(f"/api/registry/enterprises/{city.enterprise_a.pk}/").status_code == 404
    assert client.get(f"{P}{city.premises_a.pk}/").status_code == 404
    names = [r["name"] for r in client.get("/api/registry/enterprises/").json()["results"]]
    assert names == [city.enterprise_b.name]


def test_leader_cannot_write(city, api):
    response = api(city.leader).patch(f"{P}{city.premises_a.pk}/", {"name": "改"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    response = api(city.leader).post(
        P, {"name": "x", "kind": "restaurant", "region": city.grid_a.code, "address": "y"}, format="json"
    )
    assert response.status_code == 403


def test_premises_create_and_patch(city, api):
    client = api(city.inspector_a)
    response = client.post(
        P,
        {
            "name": "新店",
            "kind": "restaurant",
            "region": city.grid_a.code,
            "address": "南头路1号",
            "lon": 113.9,
            "lat": 22.5,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["region_code"] == city.grid_a.code
    response = client.patch(f"{P}{pk}/", {"gas_lpg": True}, format="json")
    assert response.status_code == 200 and response.json()["gas_lpg"] is True


def test_premises_out_of_scope_region_names_field(city, api):
    response = api(city.inspector_a).post(
        P, {"name": "新店", "kind": "restaurant", "region": city.street_b.code, "address": "x"}, format="json"
    )
    assert response.status_code == 403
    assert "region" in response.json()["error"]["fields"]
    assert not Premises.objects.filter(name="新店").exists()


def test_swapped_coordinates_error_envelope(city, api):
    response = api(city.inspector_a).post(
        P,
        {
            "name": "新店",
            "kind": "restaurant",
            "region": city.grid_a.code,
            "address": "x",
            "lon": 22.5,
            "lat": 113.9,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "填反" in response.json()["error"]["fields"]["lon"][0]


def test_enterprise_create_duplicate_and_malformed_uscc(city, api):
    client = api(city.supervisor_a)
    base = {"name": "新企业", "region": city.street_a.code, "roles": ["bottled_lpg"]}
    response = client.post(
        "/api/registry/enterprises/", {**base, "uscc": city.enterprise_a.uscc}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["uscc"] == [
        f"统一社会信用代码已被{city.enterprise_a.name}企业使用"
    ]
    response = client.post("/api/registry/enterprises/", {**base, "uscc": "123"}, format="json")
    assert response.status_code == 400 and "18位" in response.json()["error"]["fields"]["uscc"][0]
    response = client.post(
        "/api/registry/enterprises/", {**base, "uscc": make_uscc("440305", 5)}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["roles"] == ["bottled_lpg"]
    pk = response.json()["id"]
    response = client.post(
        f"/api/registry/enterprises/{pk}/roles/", {"roles": ["pipeline_gas"]}, format="json"
    )
    assert response.status_code == 200 and response.json()["roles"] == ["pipeline_gas"]
    assert Enterprise.objects.get(pk=pk).role_values == ["pipeline_gas"]


def test_licence_validity_error(city, api):
    response = api(city.inspector_a).post(
        "/api/registry/licences/",
        {
            "enterprise": city.enterprise_a.pk,
            "kind": "gas_operation",
            "number": "L1",
            "issuer": "深圳市住建局",
            "issuing_level": "city",
            "valid_from": "2024-01-01",
            "valid_to": "2023-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "valid_to" in response.json()["error"]["fields"]


def test_licence_for_invisible_enterprise_is_refused(city, api):
    response = api(city.inspector_b).post(
        "/api/registry/licences/",
        {
            "enterprise": city.enterprise_a.pk,
            "kind": "gas_operation",
            "number": "L2",
            "issuer": "x",
            "issuing_level": "city",
            "valid_from": "2024-01-01",
            "valid_to": "2025-01-01",
        },
        format="json",
    )
    assert response.status_code == 400 and "enterprise" in response.json()["error"]["fields"]


def test_enterprise_user_adds_staff_and_certificate(city, api):
    client = api(city.enterprise_user_a)
    response = client.post(
        "/api/registry/staff/",
        {"enterprise": city.enterprise_a.pk, "name": "李四", "post": "delivery"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    staff_id = response.json()["id"]
    response = client.post(
        "/api/registry/certificates/",
        {"staff": staff_id, "kind": "training", "issued_on": "2024-01-01", "valid_to": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert api(city.enterprise_user_b).get(f"/api/registry/staff/{staff_id}/").status_code == 404


def test_facility_api(city, api):
    client = api(city.inspector_a)
    response = client.post(
        "/api/registry/facilities/",
        {
            "kind": "regulator",
            "name": "南头调压箱",
            "enterprise": city.enterprise_a.pk,
            "region": city.street_a.code,
            "geometry": {"type": "Point", "coordinates": [113.92, 22.53]},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    response = client.post(
        "/api/registry/facilities/",
        {
            "kind": "regulator",
            "name": "坏调压箱",
            "enterprise": city.enterprise_a.pk,
            "region": city.street_a.code,
            "geometry": {"type": "Point", "coordinates": [22.53, 113.92]},
        },
        format="json",
    )
    assert response.status_code == 400 and "geometry" in response.json()["error"]["fields"]


def test_geojson_is_scoped_and_capped(city, api, settings):
    settings.GASGUARD_MAP_MAX_POINTS = 2
    for i in range(3):
        PremisesFactory(region=city.grid_a, name=f"点{i}", lon=113.90 + i / 100, lat=22.5)
    body = api(city.inspector_a).get(f"{P}geojson/", {"bbox": "113.8,22.4,114.1,22.7"}).json()
    assert body["truncated"] is True and len(body["features"]) == 2
    body = api(city.inspector_b).get(f"{P}geojson/", {"bbox": "113.8,22.4,114.1,22.7"}).json()
    assert [f["properties"]["name"] for f in body["features"]] == ["宝安粤菜馆"]
    assert api(city.inspector_a).get(f"{P}geojson/", {"bbox": "x"}).status_code == 400


def test_list_query_counts_are_pinned(city, api, django_assert_max_num_queries):
    for i in range(30):
        PremisesFactory(
            region=city.grid_a, enterprise=city.enterprise_a, supplier=city.enterprise_b, name=f"店{i}"
        )
        LicenceFactory(enterprise=city.enterprise_a)
        CertificateFactory(staff=StaffFactory(enterprise=city.enterprise_a))
    client = api(city.inspector_a)
    for url in (P, "/api/registry/enterprises/", "/api/registry/licences/", "/api/registry/staff/"):
        with django_assert_max_num_queries(8):
            response = client.get(url)
        assert response.status_code == 200


def test_schema_has_registry_endpoints(city, client):
    client.force_login(city.taskforce_admin)
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/registry/premises/" in schema["paths"]
    assert "/api/org/regions/" in schema["paths"]


def test_import_api_reports_rows_and_saves(city, api):
    from gasguard.registry.tests.test_importing import P_HEADERS, premises_row, xlsx

    client = api(city.inspector_a)
    rows = [premises_row(1), premises_row(2, lon=22.5, lat=113.9)]
    response = client.post(
        "/api/registry/import/", {"kind": "premises", "file": xlsx(P_HEADERS, rows)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["bad_rows"] == [3] and response.json()["saved"] is False
    response = client.post(
        "/api/registry/import/",
        {"kind": "premises", "file": xlsx(P_HEADERS, rows), "valid_only": "true"},
        format="multipart",
    )
    assert response.status_code == 200 and response.json()["created"] == 1
    response = client.post(
        "/api/registry/import/", {"kind": "premises", "file": xlsx(["名称"], [["x"]])}, format="multipart"
    )
    assert response.status_code == 400 and "缺少必填列" in response.json()["error"]["message"]
    assert (
        api(city.leader)
        .post(
            "/api/registry/import/", {"kind": "premises", "file": xlsx(P_HEADERS, rows)}, format="multipart"
        )
        .status_code
        == 403
    )
