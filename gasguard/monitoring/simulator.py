"""Sensor simulator: publishes realistic telemetry for demo/simulated devices to the broker.

`gasguard simulate sensors --devices N --rate R [--duration S] [--garbage 0.01]`.
It issues fresh credentials to the devices it drives (so it publishes with real, valid
secrets) and therefore refuses devices whose code does not start with a simulation prefix
(DEMO-, SIM-, BENCH-): it must never take over a real field device.

Values: pressure follows a daily curve (low at night, dips at meal times) with noise;
methane sits at 0–2 %LEL with rare spikes; battery drains slowly; a few devices go silent for a
while (offline); `--garbage` of the messages are broken on purpose (bad JSON, NaN, out of range,
wrong credential, unknown device) and must end up in the dead-letter store.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import paho.mqtt.client as mqtt
from django.db import transaction
from django.utils import timezone

from gasguard.monitoring.credentials import hash_secret, new_secret
from gasguard.monitoring.metrics import TYPE_METRICS
from gasguard.monitoring.models import Device
from gasguard.monitoring.mqtt import broker_address

SIM_PREFIXES = ("DEMO-", "SIM-", "BENCH-")


def issue_credentials(devices: list[Device]) -> dict[str, str]:
    """New secrets for simulated devices (bulk, audited); returns {code: secret}."""
    from gasguard.audit.services import PendingEvent, audit_record_many

    for d in devices:
        if not d.code.startswith(SIM_PREFIXES):
            raise ValueError(f"设备 {d.code} 不是模拟设备（编号须以 {'/'.join(SIM_PREFIXES)} 开头）")
    secrets = {d.code: new_secret() for d in devices}
    now = timezone.now()
    with transaction.atomic():
        for d in devices:
            d.credential_hash = hash_secret(d.code, secrets[d.code])
            d.credential_rotated_at = now
        Device.objects.bulk_update(devices, ["credential_hash", "credential_rotated_at"], batch_size=1000)
        audit_record_many(
            events=[
                PendingEvent(
                    event_type="DEVICE_CREDENTIAL_ROTATED",
                    object_type="device",
                    object_id=d.pk,
                    region_code=d.region_code,
                    payload={"code": d.code, "by": "simulator"},
                )
                for d in devices
            ]
        )
    return secrets


@dataclass
class SimDevice:
    code: str
    device_type: str
    secret: str
    base_pressure: float
    battery: float
    last_ms: int = 0
    spike_left: int = 0
    offline_until: float = 0.0
    metrics: tuple[str, ...] = field(default_factory=tuple)
    topic: str = ""


def pressure_at(base: float, when: datetime, rng: random.Random) -> float:
    """Daily curve: higher at night, dips at breakfast/lunch/dinner, ±1 % noise."""
    hour = (when.hour + 8) % 24 + when.minute / 60  # local time (UTC+8)
    demand = sum(math.exp(-((hour - peak) ** 2) / 1.5) for peak in (7.0, 11.5, 18.5))
    return round(max(0.0, base * (1.0 - 0.08 * demand) * (1 + rng.uniform(-0.01, 0.01))), 3)


class Simulator:
    """Builds and publishes messages; counts what it published (acknowledged by the broker)."""

    def __init__(
        self,
        devices: list[Device],
        secrets: dict[str, str],
        *,
        seed: int = 1,
        url: str | None = None,
        garbage: float = 0.0,
        spike_prob: float = 0.0005,
        offline_prob: float = 0.0002,
        per_message: int = 1,
        client_id: str | None = None,
    ):
        self.rng = random.Random(seed)
        self.devices = [
            SimDevice(
                code=d.code,
                device_type=d.device_type,
                secret=secrets[d.code],
                base_pressure=self.rng.choice((2.5, 200.0, 350.0)),
                battery=self.rng.uniform(60, 100),
                metrics=TYPE_METRICS.get(d.device_type, ("methane",)),
                topic=f"gg/v1/{d.code}/telemetry",
            )
            for d in devices
        ]
        self.garbage = garbage
        self.spike_prob = spike_prob
        self.offline_prob = offline_prob
        self.per_message = max(1, per_message)
        self.host, self.port = broker_address(url)
        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            protocol=mqtt.MQTTv5,
            client_id=client_id or f"gasguard-sim-{self.rng.randrange(1 << 30)}",
        )
        self.client.max_inflight_messages_set(2000)
        self.client.max_queued_messages_set(0)
        self.published_messages = 0
        self.published_readings = 0
        self.garbage_messages = 0
        self.good_readings = 0
        self._infos: list[tuple[mqtt.MQTTMessageInfo, int]] = []

    def connect(self) -> None:
        self.client.connect(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def close(self) -> None:
        self.wait()
        self.client.disconnect()
        self.client.loop_stop()

    def wait(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        for info, _ in self._infos:
            info.wait_for_publish(max(0.1, deadline - time.monotonic()))
        self._infos.clear()

    def _values(self, dev: SimDevice, when: datetime) -> dict[str, float]:
        out: dict[str, float] = {}
        for metric in dev.metrics:
            if metric == "methane":
                if dev.spike_left == 0 and self.rng.random() < self.spike_prob:
                    dev.spike_left = self.rng.randint(3, 12)
                if dev.spike_left:
                    dev.spike_left -= 1
                    out[metric] = round(self.rng.uniform(15, 60), 1)
                else:
                    out[metric] = round(abs(self.rng.gauss(0.5, 0.5)), 2)
            elif metric == "pressure":
                out[metric] = pressure_at(dev.base_pressure, when, self.rng)
            elif metric == "flow":
                out[metric] = round(abs(self.rng.gauss(50, 10)), 2)
            elif metric == "temperature":
                out[metric] = round(
                    22 + 6 * math.sin((when.hour - 6) / 24 * 2 * math.pi) + self.rng.gauss(0, 0.3), 2
                )
            elif metric == "humidity":
                out[metric] = round(min(100, max(0, self.rng.gauss(70, 5))), 1)
            elif metric == "battery":
                dev.battery = max(0.0, dev.battery - 0.0005)
                out[metric] = round(dev.battery, 2)
            elif metric in ("valve",):
                out[metric] = 1
            elif metric in ("tamper", "fault"):
                out[metric] = 1 if self.rng.random() < 0.00005 else 0
        return out

    def _garbage(self, dev: SimDevice, body: dict) -> tuple[str, bytes]:
        """A broken message that must be refused whole (so published = stored + dead-lettered)."""
        topic = f"gg/v1/{dev.code}/telemetry"
        kind = self.rng.randrange(5)
        if kind == 0:  # truncated JSON
            return topic, json.dumps(body).encode()[:-7]
        if kind == 1:  # NaN is not JSON
            nan = {
                "token": dev.secret,
                "readings": [{"ts": dev.last_ms, "metrics": {"methane": float("nan")}}],
            }
            return topic, json.dumps(nan).encode()  # json.dumps writes NaN; ingest must refuse it
        if kind == 2:  # a credential that is not this device's
            body["token"] = "stolen-or-wrong-token"
            return topic, json.dumps(body).encode()
        if kind == 3:  # unknown device
            return f"gg/v1/SIM-UNKNOWN-{self.rng.randrange(10**6)}/telemetry", json.dumps(body).encode()
        body["readings"] = "not-a-list"  # wrong type
        return topic, json.dumps(body).encode()

    def message(self, dev: SimDevice, now: float) -> tuple[str, bytes, int, bool]:
        """(topic, payload, readings, is_garbage) for one device, `per_message` samples bundled."""
        if self.garbage and self.rng.random() < self.garbage:
            readings = []
            count = 0
            for _ in range(self.per_message):
                ms = max(int(now * 1000), dev.last_ms + 1)
                dev.last_ms = ms
                values = self._values(dev, datetime.fromtimestamp(ms / 1000, tz=UTC))
                readings.append({"ts": ms, "metrics": values})
                count += len(values)
            body = {"token": dev.secret, "readings": readings}
            return (*self._garbage(dev, body), count, True)
        # The simulator shares the machine with the pipeline it measures, so good messages are
        # written as text directly (no dict per sample, no json.dumps); the slow-moving parts
        # (daily pressure curve, temperature) are computed once per message.
        first = max(int(now * 1000), dev.last_ms + 1)
        when = datetime.fromtimestamp(first / 1000, tz=UTC)
        sample = self._sampler(dev, when)
        parts = [f'{{"ts":{first + k},"metrics":{{{sample()}}}}}' for k in range(self.per_message)]
        dev.last_ms = first + self.per_message - 1
        payload = f'{{"token":"{dev.secret}","readings":[{",".join(parts)}]}}'.encode()
        return dev.topic, payload, len(dev.metrics) * self.per_message, False

    def _sampler(self, dev: SimDevice, when: datetime):
        """A function returning one sample's metrics as a JSON object body (same values as _values)."""
        rng = self.rng
        random, gauss, uniform = rng.random, rng.gauss, rng.uniform
        pressure = None
        if "pressure" in dev.metrics:
            hour = (when.hour + 8) % 24 + when.minute / 60
            demand = sum(math.exp(-((hour - peak) ** 2) / 1.5) for peak in (7.0, 11.5, 18.5))
            pressure = dev.base_pressure * (1.0 - 0.08 * demand)
        temperature = 22 + 6 * math.sin((when.hour - 6) / 24 * 2 * math.pi)
        spike_prob = self.spike_prob

        def sample() -> str:
            out = []
            for metric in dev.metrics:
                if metric == "methane":
                    if dev.spike_left == 0 and random() < spike_prob:
                        dev.spike_left = rng.randint(3, 12)
                    if dev.spike_left:
                        dev.spike_left -= 1
                        out.append(f'"methane":{uniform(15, 60):.1f}')
                    else:
                        out.append(f'"methane":{abs(gauss(0.5, 0.5)):.2f}')
                elif metric == "pressure":
                    out.append(f'"pressure":{max(0.0, pressure * (1 + uniform(-0.01, 0.01))):.3f}')
                elif metric == "flow":
                    out.append(f'"flow":{abs(gauss(50, 10)):.2f}')
                elif metric == "temperature":
                    out.append(f'"temperature":{temperature + gauss(0, 0.3):.2f}')
                elif metric == "humidity":
                    out.append(f'"humidity":{min(100.0, max(0.0, gauss(70, 5))):.1f}')
                elif metric == "battery":
                    dev.battery = max(0.0, dev.battery - 0.0005)
                    out.append(f'"battery":{dev.battery:.2f}')
                elif metric == "valve":
                    out.append('"valve":1')
                else:  # tamper, fault
                    out.append(f'"{metric}":{1 if random() < 0.00005 else 0}')
            return ",".join(out)

        return sample

    def publish(self, topic: str, payload: bytes, readings: int, garbage: bool) -> None:
        info = self.client.publish(topic, payload, qos=1)
        self._infos.append((info, readings))
        if len(self._infos) > 5000:
            self.wait()
        self.published_messages += 1
        self.published_readings += readings
        if garbage:
            self.garbage_messages += 1
        else:
            self.good_readings += readings

    def run(self, *, rate: float, duration: float, log=None) -> None:
        """Publish about `rate` readings per second for `duration` seconds."""
        if not self.devices:
            return
        per_msg = max(1, sum(len(d.metrics) for d in self.devices) // len(self.devices) * self.per_message)
        msgs_per_s = max(1.0, rate / per_msg)
        start = time.monotonic()
        sent = 0
        i = 0
        while True:
            elapsed = time.monotonic() - start
            if elapsed >= duration:
                break
            due = int(elapsed * msgs_per_s) + 1
            if sent >= due:
                time.sleep(min(0.01, 1.0 / msgs_per_s))
                continue
            now = time.time()
            while sent < due:
                dev = self.devices[i % len(self.devices)]
                i += 1
                if dev.offline_until > now:
                    continue
                if self.offline_prob and self.rng.random() < self.offline_prob:
                    dev.offline_until = now + self.rng.uniform(60, 600)
                    continue
                self.publish(*self.message(dev, now))
                sent += 1
            if log and sent % max(1, int(msgs_per_s) * 5) == 0:
                log(f"published {self.published_messages} messages / {self.published_readings} readings")
        self.wait()
