"""Monitoring pages: render for the right people, scoped (another district's objects 404)."""

import json
from datetime import UTC, datetime

import pytest

from gasguard.monitoring.ingest import BatchProcessor
from gasguard.monitoring.models import Alarm


def spike(dev, value=30.0):
    body = {
        "token": dev.secret,
        "ts": int(datetime.now(UTC).timestamp() * 1000),
        "metrics": {"methane": value},
    }
    assert BatchProcessor().process([(f"gg/v1/{dev.code}/telemetry", json.dumps(body).encode())])


@pytest.mark.django_db
def test_pages_render(city, login, dev, django_assert_max_num_queries):
    spike(dev)
    alarm = Alarm.objects.filter(device=dev).first()
    client = login(city.monitor_operator)
    for url in (
        "/monitoring/",
        "/monitoring/devices/",
        f"/monitoring/devices/{dev.pk}/",
        "/monitoring/alarms/",
        f"/monitoring/alarms/{alarm.pk}/",
        "/monitoring/stats/",
        "/monitoring/dead-letters/",
        "/monitoring/rules/",
        "/monitoring/devices/new/",
    ):
        r = client.get(url)
        assert r.status_code == 200, url
    with django_assert_max_num_queries(12):
        client.get("/monitoring/alarms/")
    with django_assert_max_num_queries(12):
        client.get("/monitoring/devices/")


@pytest.mark.django_db
def test_scope_404(city, login, dev):
    spike(dev)
    alarm = Alarm.objects.filter(device=dev).first()
    client = login(city.inspector_b)
    assert client.get(f"/monitoring/devices/{dev.pk}/").status_code == 404
    assert client.get(f"/monitoring/alarms/{alarm.pk}/").status_code == 404
    assert dev.code not in client.get("/monitoring/devices/").content.decode()


@pytest.mark.django_db
def test_action_buttons_and_conflict_message(city, login, dev):
    spike(dev)
    alarm = Alarm.objects.get(device=dev, rule__code="methane_l2")
    client = login(city.monitor_operator)
    page = client.get(f"/monitoring/alarms/{alarm.pk}/").content.decode()
    assert 'data-testid="action-acknowledge"' in page
    r = client.post(f"/monitoring/alarms/{alarm.pk}/acknowledge/", follow=True)
    assert r.status_code == 200
    alarm.refresh_from_db()
    assert alarm.status == "acknowledged"
    r = client.post(f"/monitoring/alarms/{alarm.pk}/acknowledge/", follow=True)
    assert "不能执行" in r.content.decode()


@pytest.mark.django_db
def test_create_device_shows_secret_once(city, login, rules):
    from gasguard.monitoring.models import Device

    client = login(city.taskforce_admin)
    r = client.post(
        "/monitoring/devices/new/",
        {
            "code": "SIM-UI-1",
            "name": "界面登记",
            "device_type": "home_detector",
            "enterprise": city.enterprise_a.pk,
            "region": city.grid_a.code,
            "install_target": "premises",
            "premises": city.premises_a.pk,
        },
    )
    assert r.status_code == 200 and 'data-testid="device-secret"' in r.content.decode()
    device = Device.objects.get(code="SIM-UI-1")
    assert client.get(f"/monitoring/devices/{device.pk}/").content.decode().count("sha256$") == 0
    bad = client.post("/monitoring/devices/new/", {"code": "SIM-UI-1", "name": "", "device_type": "methane"})
    assert "已存在" in bad.content.decode()


@pytest.mark.django_db
def test_rules_and_spaces_pages(city, login, dev):
    from gasguard.monitoring.models import AlarmRule, MonitoredSpace

    client = login(city.taskforce_admin)
    r = client.post(
        "/monitoring/rules/new/",
        {
            "code": "methane_l1",
            "name": "本井低限 8%LEL",
            "device_code": dev.code,
            "level": "2",
            "kind": "condition",
            "condition": '{"metric": "methane", "op": ">=", "value": 8}',
        },
        follow=True,
    )
    assert "规则已保存" in r.content.decode()
    assert AlarmRule.objects.filter(code="methane_l1", device=dev).exists()
    r = client.post("/monitoring/rules/new/", {"code": "bad", "name": "x", "condition": "{oops"}, follow=True)
    assert "JSON" in r.content.decode()
    rule = AlarmRule.objects.get(code="low_battery")
    client.post(f"/monitoring/rules/{rule.pk}/toggle/")
    rule.refresh_from_db()
    assert rule.is_active is False
    assert (
        login(city.inspector_a)
        .post("/monitoring/rules/new/", {"code": "zz", "name": "x"}, follow=True)
        .status_code
        == 200
    )
    assert not AlarmRule.objects.filter(code="zz").exists()
    client = login(city.taskforce_admin)
    r = client.post(
        "/monitoring/spaces/",
        {
            "code": "MH-UI-1",
            "name": "南头电力井",
            "kind": "manhole",
            "region": city.street_a.code,
            "lon": "113.92",
            "lat": "22.53",
        },
        follow=True,
    )
    assert r.status_code == 200 and MonitoredSpace.objects.filter(code="MH-UI-1").exists()
    r = client.post(
        "/monitoring/spaces/",
        {
            "code": "MH-UI-2",
            "name": "x",
            "kind": "manhole",
            "region": city.street_a.code,
            "lon": "22.53",
            "lat": "113.92",
        },
    )
    assert "疑似填反" in r.content.decode()


@pytest.mark.django_db
def test_readonly_leader_sees_no_action_buttons_and_cannot_act(city, login, dev):
    spike(dev)
    alarm = Alarm.objects.get(device=dev, rule__code="methane_l2")
    client = login(city.leader)
    page = client.get(f"/monitoring/alarms/{alarm.pk}/").content.decode()
    assert 'data-testid="action-' not in page and "/acknowledge/" not in page
    client.post(f"/monitoring/alarms/{alarm.pk}/acknowledge/", follow=True)
    alarm.refresh_from_db()
    assert alarm.status != "acknowledged"
    page = login(city.monitor_operator).get(f"/monitoring/alarms/{alarm.pk}/").content.decode()
    assert 'data-testid="action-acknowledge"' in page
