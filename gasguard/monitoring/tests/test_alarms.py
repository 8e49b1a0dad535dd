"""Alarms end to end (no broker): raising through ingest, folding, overrides, offline,
escalation, the handling chain, concurrency, hazard registration and response statistics."""

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from gasguard.core.errors import Conflict, PermissionDenied, ValidationFailed
from gasguard.monitoring.ingest import BatchProcessor
from gasguard.monitoring.models import Alarm, AlarmEvent, AlarmRule
from gasguard.monitoring.services import (
    alarm_act,
    alarms_escalate,
    devices_check_offline,
    rule_create,
)


def send(dev, readings, proc=None):
    proc = proc or BatchProcessor()
    body = {
        "token": dev.secret,
        "readings": [{"ts": int(t.timestamp() * 1000), "metrics": m} for t, m in readings],
    }
    assert proc.process([(f"gg/v1/{dev.code}/telemetry", json.dumps(body).encode())])
    return proc


def now():
    return datetime.now(UTC).replace(microsecond=0)


@pytest.mark.django_db
class TestRaising:
    def test_threshold_levels_and_folding(self, dev):
        t = now()
        send(dev, [(t - timedelta(seconds=30), {"methane": 22.0})])
        l1 = Alarm.objects.get(rule__code="methane_l1")
        assert l1.status == "raised" and l1.first_value == 22.0 and l1.level == 2
        assert not Alarm.objects.filter(rule__code="methane_l2").exists()
        send(
            dev,
            [(t - timedelta(seconds=20), {"methane": 40.0}), (t - timedelta(seconds=10), {"methane": 30.0})],
        )
        l1.refresh_from_db()
        assert l1.count == 3 and l1.peak_value == 40.0 and l1.last_value == 30.0  # storm folded
        assert Alarm.objects.filter(rule__code="methane_l1").count() == 1
        assert Alarm.objects.get(rule__code="methane_l2").level == 1
        dev.refresh_from_db()
        assert dev.state == "alarm"
        assert AlarmEvent.objects.filter(alarm=l1, kind="raised").count() == 1

    def test_duplicate_batch_raises_nothing_twice(self, dev):
        t = now()
        send(dev, [(t, {"methane": 30.0})])
        send(dev, [(t, {"methane": 30.0})])
        assert Alarm.objects.get(rule__code="methane_l2").count == 1

    def test_device_override_replaces_type_rule(self, dev, city):
        rule_create(
            actor=city.taskforce_admin,
            code="methane_l1",
            name="本井一级报警 5%LEL",
            device=dev,
            level=2,
            condition={"metric": "methane", "op": ">=", "value": 5},
        )
        send(dev, [(now(), {"methane": 6.0})])
        alarm = Alarm.objects.get()
        assert alarm.rule.device_id == dev.pk

    def test_rate_of_rise_through_ingest(self, dev):
        t = now()
        send(dev, [(t - timedelta(minutes=3), {"methane": 1.0})])
        send(dev, [(t, {"methane": 12.0})])
        assert Alarm.objects.filter(rule__code="methane_rise").exists()

    def test_low_battery_and_fault(self, dev):
        send(dev, [(now(), {"battery": 10.0, "fault": 1})])
        codes = set(Alarm.objects.values_list("rule__code", flat=True))
        assert {"low_battery", "fault"} <= codes

    def test_spike_inside_a_quiet_batch_is_caught_at_its_sample(self, dev):
        t = now() - timedelta(minutes=1)
        samples = [(t + timedelta(seconds=i), {"methane": 0.5, "battery": 90.0}) for i in range(20)]
        samples[7] = (samples[7][0], {"methane": 31.0, "battery": 90.0})
        send(dev, samples)
        l2 = Alarm.objects.get(rule__code="methane_l2")
        assert (l2.count, l2.first_value, l2.raised_at) == (1, 31.0, samples[7][0])
        # methane_rise looks at the batch's last value (0.5): trend rules are judged at batch end
        assert set(Alarm.objects.values_list("rule__code", flat=True)) == {"methane_l1", "methane_l2"}

    def test_and_rule_reads_the_stored_value_of_the_other_metric(self, dev, city):
        from gasguard.monitoring.tests.factories import make_device

        home, secret = make_device(
            actor=city.taskforce_admin,
            enterprise=city.enterprise_a,
            region=city.street_a,
            code="SIM-HOME-0001",
            device_type="home_detector",
        )
        home.secret = secret
        proc = send(home, [(now() - timedelta(seconds=20), {"valve": 0, "methane": 0.5})])
        assert not Alarm.objects.filter(rule__code="valve_closed_leak").exists()
        send(home, [(now() - timedelta(seconds=10), {"methane": 6.0})], proc)  # valve from last_values
        assert "甲烷浓度6%LEL" in Alarm.objects.get(rule__code="valve_closed_leak").message

    def test_offline(self, dev):
        send(dev, [(now() - timedelta(minutes=5), {"methane": 1.0})])
        assert devices_check_offline(now=timezone.now()) == 0
        assert devices_check_offline(now=timezone.now() + timedelta(minutes=40)) == 1
        dev.refresh_from_db()
        assert Alarm.objects.get(rule__code="offline").status == "raised"
        assert dev.state in ("offline", "alarm")

    def test_rule_validation_errors(self, city):
        with pytest.raises(ValidationFailed) as exc:
            rule_create(actor=city.taskforce_admin, code="x1", name="bad", condition={"metric": "zzz"})
        assert "condition" in exc.value.errors
        with pytest.raises(PermissionDenied):
            rule_create(
                actor=city.inspector_a,
                code="x2",
                name="n",
                condition={"metric": "methane", "op": ">", "value": 1},
            )


@pytest.mark.django_db
class TestHandling:
    def raise_one(self, dev, value=30.0):
        send(dev, [(now(), {"methane": value})])
        return Alarm.objects.get(rule__code="methane_l2")

    def test_full_chain_registers_major_hazard(self, dev, city):
        from gasguard.hazards.models import Hazard

        alarm = self.raise_one(dev)
        op = city.monitor_operator
        alarm = alarm_act(actor=op, alarm=alarm, action="acknowledge")
        with pytest.raises(ValidationFailed):
            alarm_act(actor=op, alarm=alarm, action="judge_real")
        alarm = alarm_act(actor=op, alarm=alarm, action="judge_real", reason="现场复核甲烷 30%LEL，确认泄漏")
        hazard = Hazard.objects.get(source="monitoring", source_ref=f"alarm:{alarm.pk}")
        assert hazard.severity == "major" and alarm.hazard_id == hazard.pk
        alarm = alarm_act(actor=op, alarm=alarm, action="dispatch", note="南山燃气抢修队")
        crew = city.enterprise_user_a
        alarm = alarm_act(actor=crew, alarm=alarm, action="arrive")
        alarm = alarm_act(actor=crew, alarm=alarm, action="dispose", note="已关阀修复")
        with pytest.raises(PermissionDenied):
            alarm_act(actor=crew, alarm=alarm, action="close")
        alarm = alarm_act(actor=op, alarm=alarm, action="close")
        assert alarm.status == "closed" and alarm.closed_by == op
        steps = list(AlarmEvent.objects.filter(alarm=alarm).values_list("action", flat=True))
        assert steps == ["", "acknowledge", "judge_real", "dispatch", "arrive", "dispose", "close"]
        assert all(
            alarm.__dict__[f] for f in ("acked_at", "judged_at", "dispatched_at", "arrived_at", "disposed_at")
        )
        dev.refresh_from_db()
        assert dev.state == "normal" or Alarm.objects.filter(device=dev).exclude(status="closed").exists()

    def test_false_alarm_closes_and_new_alarm_can_open(self, dev, city):
        alarm = self.raise_one(dev)
        alarm = alarm_act(actor=city.monitor_operator, alarm=alarm, action="acknowledge")
        alarm = alarm_act(actor=city.monitor_operator, alarm=alarm, action="judge_false", reason="标定干扰")
        assert alarm.status == "closed" and alarm.judgement == "false" and alarm.hazard_id is None
        send(dev, [(now() + timedelta(seconds=1), {"methane": 35.0})])
        assert Alarm.objects.filter(rule__code="methane_l2").count() == 2

    def test_wrong_order_is_conflict_and_scope(self, dev, dev_b, city):
        alarm = self.raise_one(dev)
        with pytest.raises(Conflict):
            alarm_act(actor=city.monitor_operator, alarm=alarm, action="dispatch")
        with pytest.raises(PermissionDenied):
            alarm_act(actor=city.inspector_b, alarm=alarm, action="acknowledge")
        with pytest.raises(PermissionDenied):
            alarm_act(actor=city.enterprise_user_b, alarm=alarm, action="acknowledge")

    def test_stale_object_loses(self, dev, city):
        alarm = self.raise_one(dev)
        copy = Alarm.objects.get(pk=alarm.pk)
        alarm_act(actor=city.monitor_operator, alarm=alarm, action="acknowledge")
        with pytest.raises(Conflict):
            alarm_act(actor=city.taskforce_admin, alarm=copy, action="acknowledge")

    def test_escalation(self, dev, city):
        from gasguard.notifications.models import Notification

        alarm = self.raise_one(dev)
        later = alarm.raised_at + timedelta(minutes=6)
        assert alarms_escalate(now=alarm.raised_at + timedelta(minutes=1)) == 0
        n = Alarm.objects.filter(status="raised").count()  # L1 and L2 both fired at 30 %LEL
        assert n == 2
        assert alarms_escalate(now=later) == n
        assert alarms_escalate(now=later) == 0
        assert Notification.objects.filter(recipient=city.supervisor_a, kind="monitoring_escalation").exists()
        assert alarms_escalate(now=alarm.raised_at + timedelta(minutes=16)) == n
        assert Notification.objects.filter(
            recipient=city.taskforce_admin, kind="monitoring_escalation"
        ).exists()
        alarm.refresh_from_db()
        assert alarm.escalation_level == 2

    def test_response_stats(self, dev, city):
        from gasguard.monitoring.selectors import response_stats

        alarm = self.raise_one(dev)
        alarm_act(actor=city.monitor_operator, alarm=alarm, action="acknowledge")
        rows = response_stats(user=city.taskforce_admin)
        assert rows[0]["enterprise_id"] == city.enterprise_a.pk and rows[0]["ack_n"] == 1
        assert response_stats(user=city.inspector_b) == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_acknowledge_one_wins(dev, city):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite serialises writers)")
    send(dev, [(now(), {"methane": 30.0})])
    alarm_id = Alarm.objects.get(rule__code="methane_l2").pk
    results = []
    barrier = threading.Barrier(2)

    def worker(user):
        from django.db import connection as conn

        try:
            alarm = Alarm.objects.get(pk=alarm_id)
            barrier.wait()
            alarm_act(actor=user, alarm=alarm, action="acknowledge")
            results.append("ok")
        except Conflict:
            results.append("conflict")
        finally:
            conn.close()

    threads = [
        threading.Thread(target=worker, args=(u,)) for u in (city.monitor_operator, city.taskforce_admin)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == ["conflict", "ok"]
    assert AlarmEvent.objects.filter(alarm_id=alarm_id, action="acknowledge").count() == 1


@pytest.mark.django_db
def test_rule_count():
    from gasguard.monitoring.services import ensure_default_rules

    ensure_default_rules()
    n = AlarmRule.objects.count()
    assert ensure_default_rules() == 0 and AlarmRule.objects.count() == n
