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
