import io

import pytest
from openpyxl import load_workbook

from gasguard.registry.models import Enterprise, Premises
from gasguard.registry.tests.factories import (
    CertificateFactory,
    LicenceFactory,
    PremisesFactory,
    StaffFactory,
)
from gasguard.registry.uscc import make_uscc

pytestmark = pytest.mark.django_db


def _content(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_premises_list_filters_and_scope(city, login):
    PremisesFactory(region=city.grid_a, name="南山小学食堂", kind="school")
    client = login(city.inspector_a)
    body = client.get(
        "/registry/premises/", {"q": "川菜", "kind": "restaurant", "region": "440305"}
    ).content.decode()
    assert "南山川菜馆" in body and "宝安粤菜馆" not in body and "南山小学食堂" not in body
    body = client.get("/registry/premises/").content.decode()
    assert "宝安粤菜馆" not in body


def test_premises_detail_other_district_is_404(city, login):
    assert login(city.inspector_b).get(f"/registry/premises/{city.premises_a.pk}/").status_code == 404
    assert login(city.inspector_a).get(f"/registry/premises/{city.premises_a.pk}/").status_code == 200


def test_enterprise_user_b_cannot_open_enterprise_a(city, login):
    client = login(city.enterprise_user_b)
    assert client.get(f"/registry/enterprises/{city.enterprise_a.pk}/").status_code == 404
    assert client.get(f"/registry/enterprises/{city.enterprise_a.pk}/edit/").status_code == 404


def test_region_filter_outside_scope_shows_error(city, login):
    response = login(city.inspector_a).get("/registry/premises/", {"region": "440306"})
    assert "不在您的数据权限范围内" in response.content.decode()


def test_export_is_filtered_and_opens(city, login):
    PremisesFactory(region=city.grid_a, name="南山小学食堂", kind="school")
    response = login(city.inspector_a).get("/registry/premises/", {"kind": "restaurant", "export": "xlsx"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(_content(response)), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[0][1] == "场所名称"
    assert [r[1] for r in rows[1:]] == ["南山川菜馆"]


@pytest.mark.parametrize(
    "url", ["/registry/enterprises/", "/registry/licences/", "/registry/staff/", "/registry/facilities/"]
)
def test_every_list_exports(city, login, url):
    LicenceFactory(enterprise=city.enterprise_a)
    StaffFactory(enterprise=city.enterprise_a)
    response = login(city.taskforce_admin).get(url, {"export": "xlsx"})
    assert response.status_code == 200
    load_workbook(io.BytesIO(_content(response)))


def test_enterprise_detail_shows_findings_with_rule(city, login):
    LicenceFactory(enterprise=city.enterprise_a, valid_from="2019-01-01", valid_to="2020-01-01")
    body = login(city.inspector_a).get(f"/registry/enterprises/{city.enterprise_a.pk}/").content.decode()
    assert "reg_licence_lapsed" in body and "已过期" in body


def test_enterprise_create_form_field_errors(city, login):
    client = login(city.inspector_a)
    response = client.post(
        "/registry/enterprises/new/",
        {
            "name": "<script>x</script>",
            "uscc": city.enterprise_a.uscc,
            "region": city.street_a.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "<script>x</script>" not in body  # escaped
    assert f"统一社会信用代码已被{city.enterprise_a.name}企业使用" in body or "HTML" in body
    response = client.post(
        "/registry/enterprises/new/",
        {
            "name": "新南山燃气",
            "uscc": make_uscc("440305", 4242),
            "region": city.street_a.pk,
            "roles": ["bottled_lpg"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Enterprise.objects.get(name="新南山燃气").role_values == ["bottled_lpg"]


def test_premises_form_out_of_scope_and_swapped(city, login):
    client = login(city.inspector_a)
    data = {
        "name": "新店",
        "kind": "restaurant",
        "region": city.grid_a.pk,
        "address": "南头路1号",
        "status": "open",
        "underground": "none",
        "lon": "22.5",
        "lat": "113.9",
    }
    response = client.post("/registry/premises/new/", data)
    assert response.status_code == 400 and "填反" in response.content.decode()
    data.update(lon="113.9", lat="22.5")
    response = client.post("/registry/premises/new/", data)
    assert response.status_code == 302
    assert Premises.objects.filter(name="新店").exists()
    # district B's street is not even offered, and posting it is refused
    response = client.post("/registry/premises/new/", {**data, "name": "越界店", "region": city.street_b.pk})
    assert response.status_code == 400 and not Premises.objects.filter(name="越界店").exists()


def test_leader_gets_no_edit_and_cannot_post(city, login):
    client = login(city.leader)
    body = client.get(f"/registry/premises/{city.premises_a.pk}/").content.decode()
    assert "/edit/" not in body
    response = client.post(
        f"/registry/premises/{city.premises_a.pk}/edit/",
        {
            "name": "改名",
            "kind": "restaurant",
            "region": city.grid_a.pk,
            "address": "x",
            "status": "open",
            "underground": "none",
        },
    )
    assert response.status_code == 403 and "只读" in response.content.decode()
    city.premises_a.refresh_from_db()
    assert city.premises_a.name == "南山川菜馆"


def test_list_pages_query_counts(city, login, django_assert_max_num_queries):
    for i in range(30):
        PremisesFactory(
            region=city.grid_a, enterprise=city.enterprise_a, supplier=city.enterprise_b, name=f"店{i}"
        )
        LicenceFactory(enterprise=city.enterprise_a)
        CertificateFactory(staff=StaffFactory(enterprise=city.enterprise_a))
    client = login(city.inspector_a)
    for url in (
        "/registry/premises/",
        "/registry/enterprises/",
        "/registry/licences/",
        "/registry/staff/",
        "/registry/facilities/",
    ):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"/registry/enterprises/{city.enterprise_a.pk}/").status_code == 200


def test_import_page_reports_rows(city, login):
    from gasguard.registry.tests.test_importing import P_HEADERS, premises_row, xlsx

    rows = [premises_row(1), premises_row(2, region="440306001")]
    client = login(city.inspector_a)
    response = client.post("/registry/import/", {"kind": "premises", "file": xlsx(P_HEADERS, rows)})
    body = response.content.decode()
    assert response.status_code == 400 and "未保存任何数据" in body and "不在您的管辖范围内" in body
    report = client.get("/registry/import/report/")
    wb = load_workbook(io.BytesIO(report.content))
    assert list(wb.worksheets[0].iter_rows(values_only=True))[1][0] == 3
    response = client.post(
        "/registry/import/", {"kind": "premises", "file": xlsx(P_HEADERS, rows), "valid_only": "on"}
    )
    assert response.status_code == 200 and Premises.objects.filter(external_id="NS-00001").exists()


def test_facility_licence_staff_certificate_forms(city, login):
    client = login(city.inspector_a)
    response = client.post(
        "/registry/facilities/new/",
        {
            "kind": "regulator",
            "name": "南头调压柜",
            "enterprise": city.enterprise_a.pk,
            "region": city.street_a.pk,
            "geometry": '{"type": "Point", "coordinates": [22.5, 113.9]}',
            "is_active": "on",
        },
    )
    assert response.status_code == 400 and "经纬度填反" in response.content.decode()
    response = client.post(
        "/registry/facilities/new/",
        {
            "kind": "regulator",
            "name": "南头调压柜",
            "enterprise": city.enterprise_a.pk,
            "region": city.street_a.pk,
            "geometry": '{"type": "Point", "coordinates": [113.9, 22.5]}',
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    url = f"/registry/enterprises/{city.enterprise_a.pk}/licences/new/"
    data = {
        "kind": "gas_operation",
        "number": "粤燃X1",
        "issuer": "深圳市住建局",
        "issuing_level": "city",
        "valid_from": "2024-05-01",
        "valid_to": "2024-04-01",
        "status": "valid",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "不能早于" in response.content.decode()
    response = client.post(url, {**data, "valid_to": "2028-04-01"})
    assert response.status_code == 302
    response = client.post(
        f"/registry/enterprises/{city.enterprise_a.pk}/staff/new/",
        {"name": "赵六", "post": "principal", "is_active": "on"},
    )
    assert response.status_code == 302
    staff = city.enterprise_a.staff.get(name="赵六")
    response = client.post(
        f"/registry/staff/{staff.pk}/certificates/new/",
        {"kind": "safety_assessment", "issued_on": "2024-01-01", "valid_to": "2027-01-01", "passed": "on"},
    )
    assert response.status_code == 302
    assert staff.certificates.count() == 1
    # district B's inspector cannot reach these forms
    other = login(city.inspector_b)
    assert other.get(url).status_code == 404
    assert other.get(f"/registry/staff/{staff.pk}/edit/").status_code == 404


def test_enterprise_user_registers_own_premises_only(city, login):
    client = login(city.enterprise_user_a)
    data = {
        "name": "自营食堂",
        "kind": "canteen",
        "region": city.grid_a.pk,
        "address": "南头路2号",
        "status": "open",
        "underground": "none",
    }
    response = client.post("/registry/premises/new/", data)
    assert response.status_code == 403 and "本企业" in response.content.decode()
    response = client.post("/registry/premises/new/", {**data, "enterprise": city.enterprise_a.pk})
    assert response.status_code == 302
    assert Premises.objects.get(name="自营食堂").enterprise_id == city.enterprise_a.pk
    # the other enterprise is not offered and cannot be posted
    response = client.post(
        "/registry/premises/new/", {**data, "name": "他营", "enterprise": city.enterprise_b.pk}
    )
    assert response.status_code == 400 and not Premises.objects.filter(name="他营").exists()
    assert client.get("/registry/enterprises/new/").status_code == 200  # the form shows, saving is refused
    response = client.post(
        "/registry/enterprises/new/",
        {
            "name": "自建企业",
            "uscc": make_uscc("440305", 31337),
            "region": city.street_a.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 403 and "企业用户不能登记" in response.content.decode()
    assert not Enterprise.objects.filter(name="自建企业").exists()


def test_readonly_leader_cannot_open_staff_edit(city, login):
    from django.urls import reverse

    staff = StaffFactory(enterprise=city.enterprise_a, name="王师傅")
    edit = reverse("registry:staff_edit", args=[staff.pk])
    c = login(city.leader)
    assert c.get(edit).status_code == 403
    assert c.post(edit, {"name": "改名"}).status_code == 403
    staff.refresh_from_db()
    assert staff.name == "王师傅"
    page = c.get(reverse("registry:staff_list")).content.decode()
    assert "王师傅" in page and edit not in page
    # Writers (the district inspector, the enterprise itself) keep the edit page and link.
    assert login(city.inspector_a).get(edit).status_code == 200
    assert edit in login(city.enterprise_user_a).get(reverse("registry:staff_list")).content.decode()
