import pytest

from gasguard.org.selectors import ancestor_codes

pytestmark = pytest.mark.django_db


def test_ancestor_codes():
    assert ancestor_codes("440305001") == ["44", "4403", "440305"]


def test_org_api_is_scoped(city, api):
    client = api(city.inspector_a)
    codes = {r["code"] for r in client.get("/api/org/regions/", {"page_size": 100}).json()["results"]}
    assert "440305" in codes and "4403" in codes and "440306" not in codes
    assert client.get("/api/org/regions/440306/").status_code == 404
    depts = client.get("/api/org/departments/", {"kind": "housing"}).json()["results"]
    assert {d["region_code"] for d in depts} == {"4403", "440305"}
    assert client.get("/api/org/task-forces/").json()["count"] == 1


def test_region_tree_and_map_page(city, login):
    client = login(city.inspector_a)
    body = client.get("/registry/premises/map/").content.decode()
    assert "registry/map.js" in body and "<script>" not in body.replace("<script src", "")
    body = client.get("/org/regions/").content.decode()
    assert "南山区" in body and "南头街道" in body
    assert client.get("/org/regions/", {"code": "440306"}).status_code == 404


def test_enterprise_user_region_tree_is_empty_and_api_hides_regions(city, login, api):
    body = login(city.enterprise_user_a).get("/org/regions/").content.decode()
    assert "未关联行政区划" in body
    assert api(city.enterprise_user_a).get("/api/org/regions/").json()["count"] == 0
