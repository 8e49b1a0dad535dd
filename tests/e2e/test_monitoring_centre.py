"""Monitoring centre in a browser (phone width): live map and alarm feed, a new alarm appears
without reload with the visible cue, the alarm is acknowledged from its page, and the device page
draws its charts. No CSP violations (all JS from static files)."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from gasguard.monitoring.ingest import BatchProcessor
from gasguard.monitoring.services import ensure_default_rules
from gasguard.monitoring.tests.factories import make_device


def push(dev, secret, readings):
    body = {
        "token": secret,
        "readings": [{"ts": int(t.timestamp() * 1000), "metrics": m} for t, m in readings],
    }
    assert BatchProcessor().process([(f"gg/v1/{dev.code}/telemetry", json.dumps(body).encode())])


@pytest.mark.django_db(transaction=True)
def test_monitoring_centre_live(city, browser_login, shots):
    ensure_default_rules()
    dev, secret = make_device(
        actor=city.taskforce_admin, enterprise=city.enterprise_a, region=city.street_a, code="SIM-E2E-1"
    )
    now = datetime.now(UTC)
    push(
        dev,
        secret,
        [(now - timedelta(minutes=30 - i), {"methane": 0.5 + i % 3, "battery": 90}) for i in range(30)],
    )
    page = browser_login(city.monitor_operator.username, city.password, phone=True)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/monitoring/")
    page.wait_for_selector("#last-refresh:has-text('更新于')")
    page.wait_for_selector(".leaflet-overlay-pane canvas", state="attached")  # markers are drawn on canvas
    shots(page, "centre-quiet")
    push(dev, secret, [(datetime.now(UTC), {"methane": 42.0})])
    page.wait_for_selector("#alarm-feed [data-alarm-id]", timeout=15000)
    page.wait_for_selector("#alarm-banner:not(.d-none)", timeout=15000)
    assert "SIM-E2E-1" in page.inner_text("#alarm-feed")
    shots(page, "centre-new-alarm")
    page.click("#alarm-feed a")
    page.click('[data-testid="action-acknowledge"]')
    page.wait_for_selector(".alert-success")
    assert "已确认" in page.inner_text("body")
    shots(page, "alarm-acknowledged")
    page.goto(f"/monitoring/devices/{dev.pk}/")
    page.wait_for_selector("#chart-raw canvas")
    page.wait_for_selector("#chart-hourly canvas")
    shots(page, "device-charts")
    assert not [e for e in errors if "Content Security Policy" in e], errors
