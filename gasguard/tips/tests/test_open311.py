"""Open311 GeoReport v2: services, authenticated request posting, status round trip."""

import json

import pytest
from django.core.cache import cache

from gasguard.tips.models import Open311Client, Tip
from gasguard.tips.services import open311_client_create, tip_verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def key(city):
    _, key = open311_client_create(
        actor=city.taskforce_admin, name="12345热线平台", region=city.city, channel="12345"
    )
    return key


def test_services_list(client):
    r = client.get("/open311/v2/services.json")
    rows = r.json()
    assert r.status_code == 200 and {row["service_code"] for row in rows} >= {"gas", "cylinder", "unlicensed"}
    assert client.get("/open311/v2/services/hose.json").json()["attributes"] == []
    assert client.get("/open311/v2/services/nope.json").status_code == 404


def test_round_trip(client, city, key):
    r = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "pipeline",
            "lat": "22.5301",
            "long": "113.9301",
            "address_string": "南头街道某路",
            "description": "路边燃气管道有异味",
            "first_name": "三",
            "last_name": "张",
            "phone": "13812345678",
            "service_request_ref": "12345-GD-001",
            "district_code": "440305",
        },
    )
    assert r.status_code == 201
    code = r.json()[0]["service_request_id"]
    tip = Tip.objects.get(code=code)
    assert tip.channel == "12345" and tip.external_ref == "12345-GD-001" and not tip.is_anonymous
    assert tip.department == city.housing_a  # 管网 → 住建 of the given district
    r = client.get(f"/open311/v2/requests/{code}.json")
    row = r.json()[0]
    assert row["status"] == "open" and row["service_code"] == "pipeline"
    assert "13812345678" not in r.content.decode() and "张" not in r.content.decode()
    assert "description" not in row and "lat" not in row
    tip_verify(
        actor=city.inspector_a,
        tip_id=tip.pk,
        outcome="unfounded",
        reason="无异味",
        public_reply="经检测未发现泄漏。",
    )
    row = client.get(f"/open311/v2/requests.json?service_request_id={code},ABCDEFGHJKMN").json()
    assert len(row) == 1 and row[0]["status"] == "closed" and "未发现泄漏" in row[0]["status_notes"]


def test_without_district_the_client_region_routes(client, city, key):
    r = client.post(
        "/open311/v2/requests.json",
        {"api_key": key, "service_code": "pipeline", "address_string": "某路", "description": "燃气味"},
    )
    tip = Tip.objects.get(code=r.json()[0]["service_request_id"])
    assert tip.region == city.city and tip.department == city.depts[("4403", "housing")]


def test_json_body_and_errors(client, city, key):
    r = client.post(
        "/open311/v2/requests.json", {"service_code": "gas", "description": "x", "address_string": "y"}
    )
    assert r.status_code == 403 and r.json()[0]["code"] == 403
    r = client.post("/open311/v2/requests.json", {"api_key": key + "x", "service_code": "gas"})
    assert r.status_code == 403
    r = client.post(
        "/open311/v2/requests.json",
        data=json.dumps({"api_key": key, "service_code": "gas", "description": "x"}),
        content_type="application/json",
    )
    assert r.status_code == 400 and "location" in r.json()[0]["description"]
    r = client.post(
        "/open311/v2/requests.json", {"api_key": key, "service_code": "gas", "lat": "abc", "long": "1"}
    )
    assert r.status_code == 400
    assert client.get("/open311/v2/requests/NOPE.json").status_code == 404
    assert client.get("/open311/v2/requests.json").status_code == 400


def test_key_stored_hashed_and_disabled_client_refused(client, city, key):
    c = Open311Client.objects.get()
    assert key not in c.key_hash and c.key_prefix == key.split(".")[0]
    c.is_active = False
    c.save()
    r = client.post(
        "/open311/v2/requests.json",
        {"api_key": key, "service_code": "gas", "description": "x", "address_string": "y"},
    )
    assert r.status_code == 403


def test_client_command(city):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command(
        "open311_client",
        "create",
        "--name",
        "12345平台",
        "--region",
        "4403",
        "--channel",
        "12345",
        stdout=out,
    )
    key = out.getvalue().strip().splitlines()[-1]
    assert "." in key and Open311Client.objects.get().channel == "12345"
    with pytest.raises(CommandError):
        call_command("open311_client", "create", "--name", "x", "--region", "9999")
    call_command("open311_client", "disable", "--prefix", key.split(".")[0], stdout=StringIO())
    assert not Open311Client.objects.get().is_active


def test_xml_format(client, city, key):
    from xml.etree import ElementTree

    r = client.get("/open311/v2/services.xml")
    root = ElementTree.fromstring(r.content)
    assert r["Content-Type"].startswith("text/xml") and root.tag == "services"
    assert {s.findtext("service_code") for s in root.findall("service")} >= {"gas", "hose"}
    assert (
        ElementTree.fromstring(client.get("/open311/v2/services/hose.xml").content).findtext("service_code")
        == "hose"
    )
    r = client.post(
        "/open311/v2/requests.xml",
        {
            "api_key": key,
            "service_code": "hose",
            "address_string": "某路",
            "description": "软管老化",
            "district_code": "440305",
        },
    )
    assert r.status_code == 201
    code = ElementTree.fromstring(r.content).find("request").findtext("service_request_id")
    row = ElementTree.fromstring(client.get(f"/open311/v2/requests/{code}.xml").content).find("request")
    assert row.findtext("status") == "open" and row.findtext("service_code") == "hose"
    err = ElementTree.fromstring(client.get("/open311/v2/requests/NOPE.xml").content)
    assert err.tag == "errors" and err.find("error").findtext("code") == "404"
    assert client.get("/open311/v2/services.csv").status_code == 404
