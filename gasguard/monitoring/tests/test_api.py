"""Monitoring API: devices (secret once), scope, readings range queries, rules, alarms, ingest."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from gasguard.monitoring.ingest import BatchProcessor
from gasguard.monitoring.models import Alarm, DeadLetter, Device, Reading


def push(dev, values, at=None):
    at = at or datetime.now(UTC)
    body = {
        "token": dev.secret,
        "readings": [
            {"ts": int((at - timedelta(seconds=i)).timestamp() * 1000), "metrics": {"methane": v}}
            for i, v in enumerate(values)
        ],
    }
    assert BatchProcessor().process([(f"gg/v1/{dev.code}/telemetry", json.dumps(body).encode())])


@pytest.mark.django_db
class TestDevicesApi:
    def test_create_shows_secret_once_and_hashes_it(self, city, api, rules):
        from gasguard.monitoring.tests.factories import make_space

        space = make_space(region=city.street_a)
        client = api(city.taskforce_admin)
        r = client.post(
            "/api/monitoring/devices/",
            {
                "code": "SIM-NEW-1",
                "name": "新井",
                "device_type": "methane",
                "enterprise": city.enterprise_a.pk,
                "region": city.street_a.code,
                "install_target": "space",
                "space": space.pk,
            },
            format="json",
        )
        assert r.status_code == 201, r.content
        secret = r.json()["secret"]
        device = Device.objects.get(code="SIM-NEW-1")
        assert secret not in device.credential_hash and device.credential_hash.startswith("sha256$")
        detail = client.get(f"/api/monitoring/devices/{device.pk}/").json()
        assert "secret" not in detail and "credential_hash" not in detail
        rotated = client.post(f"/api/monitoring/devices/{device.pk}/rotate-credential/").json()["secret"]
        assert rotated != secret

    def test_create_validation_errors_name_fields(self, city, api):
        r = api(city.taskforce_admin).post(
            "/api/monitoring/devices/",
            {
                "code": "x",
                "name": "",
                "device_type": "methane",
                "enterprise": city.enterprise_a.pk,
                "region": city.street_a.code,
                "install_target": "space",
            },
            format="json",
        )
        assert r.status_code == 400
        assert set(r.json()["error"]["fields"]) >= {"name"}

    def test_scope(self, city, api, dev, dev_b):
        codes = {d["code"] for d in api(city.inspector_a).get("/api/monitoring/devices/").json()["results"]}
        assert codes == {dev.code}
        assert api(city.inspector_a).get(f"/api/monitoring/devices/{dev_b.pk}/").status_code == 404
        ent = {
            d["code"] for d in api(city.enterprise_user_b).get("/api/monitoring/devices/").json()["results"]
        }
        assert ent == {dev_b.code}
        assert len(api(city.taskforce_admin).get("/api/monitoring/devices/").json()["results"]) == 2

    def test_leader_cannot_create(self, city, api):
        r = api(city.leader).post(
            "/api/monitoring/devices/",
            {
                "code": "SIM-L-1",
                "name": "n",
                "device_type": "methane",
                "enterprise": city.enterprise_a.pk,
                "region": city.street_a.code,
                "install_target": "premises",
                "premises": city.premises_a.pk,
            },
            format="json",
        )
        assert r.status_code == 403

    def test_list_query_count(self, city, api, dev, django_assert_max_num_queries):
        client = api(city.taskforce_admin)
        with django_assert_max_num_queries(8):
            assert client.get("/api/monitoring/devices/").status_code == 200


@pytest.mark.django_db(transaction=True)
class TestReadingsAndAlarmsApi:
    def test_readings_raw_and_hourly(self, city, api, dev):
        push(dev, [1.0, 2.0, 3.0])
        client = api(city.inspector_a)
        raw = client.get(f"/api/monitoring/readings/?device={dev.pk}&metric=methane").json()
        assert [p["value"] for p in raw["results"]] == [3.0, 2.0, 1.0]
        hourly = client.get(
            f"/api/monitoring/readings/?device={dev.pk}&metric=methane&resolution=hour"
        ).json()
        assert sum(h["count"] for h in hourly["results"]) == 3
        assert client.get(f"/api/monitoring/readings/?device={dev.pk}&metric=zzz").status_code == 400
        assert api(city.inspector_b).get(f"/api/monitoring/readings/?device={dev.pk}").status_code == 404

    def test_alarm_actions_and_409(self, city, api, dev):
        push(dev, [30.0])
        alarm = Alarm.objects.get(rule__code="methane_l2")
        op = api(city.monitor_operator)
        assert op.get("/api/monitoring/alarms/?status=open").json()["count"] == 2
        r = op.post(f"/api/monitoring/alarms/{alarm.pk}/actions/", {"action": "acknowledge"}, format="json")
        assert r.status_code == 200 and r.json()["status"] == "acknowledged"
        again = api(city.taskforce_admin).post(
            f"/api/monitoring/alarms/{alarm.pk}/actions/", {"action": "acknowledge"}, format="json"
        )
        assert again.status_code == 409
        detail = op.get(f"/api/monitoring/alarms/{alarm.pk}/").json()
        assert [e["kind"] for e in detail["events"]] == ["raised", "action"]
        assert api(city.inspector_b).get(f"/api/monitoring/alarms/{alarm.pk}/").status_code == 404
        stats = op.get("/api/monitoring/stats/").json()
        assert stats["units"][0]["ack_n"] == 1

    def test_rules_api(self, city, api, dev):
        client = api(city.taskforce_admin)
        assert client.get("/api/monitoring/rules/").json()["count"] >= 5
        r = client.post(
            "/api/monitoring/rules/",
            {
                "code": "hot_wet",
                "name": "高温且甲烷",
                "device_type": "methane",
                "condition": {
                    "all": [
                        {"metric": "methane", "op": ">=", "value": 5},
                        {"metric": "temperature", "op": ">", "value": 45},
                    ]
                },
                "level": 2,
            },
            format="json",
        )
        assert r.status_code == 201, r.content
        bad = client.post(
            "/api/monitoring/rules/", {"code": "bad", "name": "x", "condition": {"any": []}}, format="json"
        )
        assert bad.status_code == 400 and "condition" in bad.json()["error"]["fields"]
        patched = client.patch(
            f"/api/monitoring/rules/{r.json()['id']}/", {"is_active": False}, format="json"
        )
        assert patched.json()["is_active"] is False
        assert (
            api(city.inspector_a)
            .post("/api/monitoring/rules/", {"code": "zz", "name": "x"}, format="json")
            .status_code
            == 403
        )


@pytest.mark.django_db(transaction=True)
class TestHttpIngest:
    def post(self, client, dev, body, token=None, code=None):
        return client.post(
            "/api/monitoring/ingest/",
            data=body if isinstance(body, bytes) else json.dumps(body),
            content_type="application/json",
            HTTP_X_DEVICE_CODE=code or dev.code,
            HTTP_X_DEVICE_TOKEN=token or dev.secret,
        )

    def test_batch_and_duplicates(self, client, dev):
        now = int(datetime.now(UTC).timestamp() * 1000)
        body = {
            "readings": [{"ts": now - i * 1000, "metrics": {"methane": 1.0, "battery": 90}} for i in range(3)]
        }
        r = self.post(client, dev, body)
        assert r.status_code == 200 and r.json()["stored"] == 6
        r = self.post(client, dev, body)
        assert r.json()["stored"] == 0 and r.json()["duplicates"] == 6
        assert Reading.objects.filter(device_id=dev.pk).count() == 6

    def test_rejects(self, client, dev, dev_b):
        now = int(datetime.now(UTC).timestamp() * 1000)
        good = {"ts": now, "metrics": {"methane": 1.0}}
        assert self.post(client, dev, good, token=dev.secret, code=dev_b.code).status_code == 401  # stolen
        assert self.post(client, dev, good, code="NOPE-999").status_code == 401
        assert self.post(client, dev, b"{oops").status_code == 400
        r = self.post(client, dev, b'{"ts": %d, "metrics": {"methane": NaN}}' % now)
        assert r.status_code == 400
        assert (
            client.post("/api/monitoring/ingest/", data="{}", content_type="application/json").status_code
            == 401
        )
        assert DeadLetter.objects.filter(channel="http").count() >= 4

    def test_too_large_refused_before_reading_body(self, client, dev):
        body = b"{" + b" " * (10 * 1024 * 1024) + b"}"
        r = self.post(client, dev, body)
        assert r.status_code == 413
        assert DeadLetter.objects.get(reason="too_large").payload_size == len(body)


@pytest.mark.django_db
def test_bad_filter_values_do_not_500(city, api, dev):
    client = api(city.taskforce_admin)
    # A non-numeric id is a 400 naming the field (not a 500, not silently ignored).
    r = client.get("/api/monitoring/alarms/?device=abc&level=x&since=zzz")
    assert r.status_code == 400 and "device" in r.json()["error"]["fields"]
    r = client.get("/api/monitoring/devices/?enterprise=abc")
    assert r.status_code == 400 and "enterprise" in r.json()["error"]["fields"]
    assert client.get("/api/monitoring/devices/?enterprise=" + "9" * 30).status_code == 400
    assert client.get(f"/api/monitoring/readings/?device={dev.pk}&from=nonsense").status_code == 400
