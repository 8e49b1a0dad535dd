"""The read-only catalogue API."""

import pytest

from gasguard.rules.catalog import get_catalog

pytestmark = pytest.mark.django_db


def test_api_requires_authentication(api):
    for url in ("/api/rules/rules/", "/api/rules/version/", "/api/rules/checklist/?target_type=restaurant"):
        assert api().get(url).status_code in (401, 403)


def test_rule_list_is_paginated_and_filterable(city, api, django_assert_max_num_queries):
    client = api(city.inspector_a)
    with django_assert_max_num_queries(3):
        body = client.get("/api/rules/rules/", {"page_size": 10}).json()
    assert body["count"] == len(get_catalog().rules) and len(body["results"]) == 10
    body = client.get("/api/rules/rules/", {"target_type": "restaurant", "category": "hose"}).json()
    ids = {r["id"] for r in body["results"]}
    assert "rest_hose_over_2m" in ids and all(r["category"] == "hose" for r in body["results"])
    body = client.get("/api/rules/rules/", {"checklist": "delivery_check", "page_size": 500}).json()
    assert all("delivery_check" in r["checklists"] for r in body["results"]) and body["count"] > 20
    bad = client.get("/api/rules/rules/", {"lead": "army"})
    assert bad.status_code == 400 and "lead" in bad.json()["error"]["fields"]


def test_rule_detail_and_not_found(city, api):
    client = api(city.enterprise_user_a)
    rule = client.get("/api/rules/rules/rest_hose_over_2m/").json()
    assert rule["answer"]["type"] == "number" and rule["answer"]["unit"] == "m"
    assert rule["answer"]["operator"] == ">" and rule["answer"]["effective_threshold"] == 2.0
    assert rule["lead"] == "fire" and "commerce" in rule["support"] and "GB 55009" in rule["legal_basis"]
    missing = client.get("/api/rules/rules/nope/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_version_reports_counts(city, api):
    body = api(city.leader).get("/api/rules/version/").json()
    catalog = get_catalog()
    assert body["version"] == catalog.version and body["rules"] == len(catalog.rules)
    assert sum(body["files"].values()) == body["rules"] == sum(body["by_severity"].values())
    hose_life = next(t for t in body["thresholds"] if t["setting"] == "GASGUARD_RUBBER_HOSE_SERVICE_YEARS")
    assert hose_life["default"] == 2.0 and hose_life["rules"] == ["dc_rubber_hose_over_life"]


def test_checklist_for_target_type_and_named_checklist(city, api):
    client = api(city.inspector_a)
    body = client.get("/api/rules/checklist/", {"target_type": "restaurant"}).json()
    ids = [r["id"] for r in body["rules"]]
    assert body["version"] == get_catalog().version and body["count"] == len(ids)
    assert "rest_hose_over_2m" in ids and "reg_unlicensed_role" not in ids
    delivery = client.get(
        "/api/rules/checklist/", {"target_type": "residential_user", "checklist": "delivery_check"}
    )
    assert "user_hose_over_2m" in [r["id"] for r in delivery.json()["rules"]]
    assert client.get("/api/rules/checklist/").status_code == 400
    unknown = client.get("/api/rules/checklist/", {"target_type": "spaceship"})
    assert unknown.status_code == 400 and "target_type" in unknown.json()["error"]["fields"]


def test_openapi_schema_documents_the_rules_endpoints(city, api):
    response = api(city.inspector_a).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/rules/rules/",
        "/api/rules/rules/{rule_id}/",
        "/api/rules/version/",
        "/api/rules/checklist/",
    ):
        assert path in paths
