"""Bad input on the product-quality API (found by fuzzing and by hand): ids that are not ids,
counts that are not whole numbers or overflow their column, bodies that are not JSON objects,
text no database stores, spot-check items that are not rows, dates outside 1900..today. Each is a
400 in the error envelope naming the field — never a 500 and never a row written."""

import json

import pytest

from gasguard.cylinders.tests.factories import api_error, post_json_raw
from gasguard.products import services
from gasguard.products.models import BlacklistEntry, ProductFinding, Recall, SpotCheck
from gasguard.registry.tests.factories import EnterpriseFactory, EnterpriseRoleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_cache")]


@pytest.fixture
def hose(city):
    maker = EnterpriseFactory(region=city.street_a, name="某软管厂")
    EnterpriseRoleFactory(enterprise=maker, role="appliance_maker")
    return services.product_model_create(
        actor=city.market_inspector_a, kind="hose", model="JG-2.0", maker=maker, ccc_status="not_required"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("product_model", "abc"),
        ("product_model", [1]),
        ("target_count", "abc"),
        ("target_count", 1.5),
        ("target_count", 2**70),
        ("target_count", -1),
        ("reason", ["x"]),
        ("reason", "x" * 301),
    ],
)
def test_recall_start_fields(city, api, hose, field, value):
    body = {"product_model": hose.pk, "reason": "耐压不合格", "target_count": 10, field: value}
    r = api(city.market_inspector_a).post("/api/products/recalls/", body, format="json")
    assert field in api_error(r)["fields"]
    assert not Recall.objects.exists()


def test_recall_progress_beyond_the_column_is_a_400(city, api, hose):
    recall = services.recall_start(actor=city.market_inspector_a, product_model=hose, reason="r")
    r = api(city.market_inspector_a).post(
        f"/api/products/recalls/{recall.pk}/progress/", {"located": 2**70}, format="json"
    )
    assert "located" in api_error(r)["fields"]


@pytest.mark.parametrize("body", ["[]", '"x"', "null", "7"])
def test_non_object_bodies(city, api, hose, body):
    entry = services.blacklist_add(
        actor=city.market_inspector_a, product_model=hose, reason="r", source="spot_check"
    )
    client = api(city.market_inspector_a)
    for path in [
        "/api/products/recalls/",
        f"/api/products/blacklist/{entry.pk}/lift/",
        "/api/products/findings/",
    ]:
        assert api_error(post_json_raw(client, path, body))["fields"] == {
            "non_field_errors": ["请求体须为 JSON 对象"]
        }


@pytest.mark.parametrize("text", ["a\x00b", "a\ud800b"])
def test_text_with_nul_or_lone_surrogate(city, api, hose, text):
    entry = services.blacklist_add(
        actor=city.market_inspector_a, product_model=hose, reason="r", source="spot_check"
    )
    client = api(city.market_inspector_a)
    r = post_json_raw(client, f"/api/products/blacklist/{entry.pk}/lift/", json.dumps({"reason": text}))
    assert "reason" in api_error(r)["fields"]
    entry.refresh_from_db()
    assert entry.is_active
    r = post_json_raw(
        client, "/api/products/recalls/", json.dumps({"product_model": hose.pk, "reason": text})
    )
    assert "reason" in api_error(r)["fields"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hazard", "abc"),
        ("product_model", "abc"),
        ("seller", [1]),
        ("note", ["x"]),
        ("seller_name", "x" * 201),
    ],
)
def test_finding_fields(city, api, hose, field, value):
    from gasguard.hazards.tests.factories import make_hazard

    hazard = make_hazard(city.inspector_a, city.premises_a, lead_department_kind="market")
    body = {"hazard": hazard.pk, "product_model": hose.pk, field: value}
    r = api(city.market_inspector_a).post("/api/products/findings/", body, format="json")
    assert field in api_error(r)["fields"]
    assert not ProductFinding.objects.exists()


@pytest.mark.parametrize(
    "items",
    [
        "xxxx",
        {"a": 1},
        [1],
        [{"a": "b"}],
        [{"item": "耐压", "result": ["x"]}],
        [{"item": "耐压", "result": "a\x00b"}],
    ],
)
def test_spot_check_items_must_be_rows_of_text(city, api, hose, items):
    body = {"product_model": hose.pk, "checked_on": "2024-01-02", "result": "fail", "items": items}
    r = api(city.market_inspector_a).post("/api/products/spot-checks/", body, format="json")
    assert "items" in api_error(r)["fields"]
    assert not SpotCheck.objects.exists()


def test_spot_check_items_as_the_form_builds_them_are_kept(city, api, hose):
    items = [{"item": "耐压试验", "result": "不合格", "note": "爆破压力偏低"}]
    body = {"product_model": hose.pk, "checked_on": "2024-01-02", "result": "fail", "items": items}
    r = api(city.market_inspector_a).post("/api/products/spot-checks/", body, format="json")
    assert r.status_code == 201 and r.json()["items"] == items


def test_dates_outside_1900_to_today(city, api, hose):
    client = api(city.market_inspector_a)
    body = {"product_model": hose.pk, "checked_on": "0001-01-01", "result": "pass"}
    assert "checked_on" in api_error(client.post("/api/products/spot-checks/", body, format="json"))["fields"]
    for day in ("0001-01-01", "9999-12-31"):
        body = {"product_model": hose.pk, "reason": "r", "source": "spot_check", "listed_on": day}
        assert (
            "listed_on" in api_error(client.post("/api/products/blacklist/", body, format="json"))["fields"]
        )
    assert not BlacklistEntry.objects.exists() and not SpotCheck.objects.exists()


def test_model_search_with_nul_is_a_400(city, api):
    assert (
        "q" in api_error(api(city.market_inspector_a).get("/api/products/models/", {"q": "\x00"}))["fields"]
    )


def test_non_regulators_get_the_403_before_their_input_is_read(city, api, hose):
    """An enterprise user (or a 住建 inspector) posting garbage learns nothing about the fields."""
    entry = services.blacklist_add(
        actor=city.market_inspector_a, product_model=hose, reason="r", source="spot_check"
    )
    recall = services.recall_start(actor=city.market_inspector_a, product_model=hose, reason="r")
    urls = (
        "/api/products/models/",
        "/api/products/spot-checks/",
        "/api/products/blacklist/",
        f"/api/products/blacklist/{entry.pk}/lift/",
        "/api/products/recalls/",
        f"/api/products/recalls/{recall.pk}/progress/",
        f"/api/products/recalls/{recall.pk}/close/",
        "/api/products/findings/",
    )
    for user in (city.enterprise_user_a, city.inspector_a):
        client = api(user)
        for url in urls:
            assert (
                api_error(post_json_raw(client, url, '{"x": [1]}'), 403)["code"] == "permission_denied"
            ), url
    recall.refresh_from_db()
    entry.refresh_from_db()
    assert recall.status == "open" and entry.lifted_on is None
