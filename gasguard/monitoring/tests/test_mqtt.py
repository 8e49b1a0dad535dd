"""Against a real Mosquitto: the system broker (127.0.0.1:1883) for the round trip, and a private
broker the test starts and stops for the restart and SIGKILL cases (the system broker is never
stopped). Marked `mqtt` (and `postgres` where a subprocess must share the database)."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from django.db import OperationalError, connection

from gasguard.monitoring.broker import PrivateBroker, port_open
from gasguard.monitoring.ingest import BatchProcessor, Store
from gasguard.monitoring.models import DeadLetter, Reading, ReadingHourly
from gasguard.monitoring.mqtt import IngestWorker

pytestmark = pytest.mark.mqtt
ROOT = Path(__file__).resolve().parents[3]


def need_system_broker():
    if not port_open("127.0.0.1", 1883):
        pytest.skip("Mosquitto not reachable at 127.0.0.1:1883")


def need_private_broker():
    if not PrivateBroker.available():
        pytest.skip("mosquitto binary not installed; cannot start a private broker")


class Publisher:
    def __init__(self, url="mqtt://127.0.0.1:1883"):
        host, port = url.rsplit("/", 1)[1].split(":")
        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            protocol=mqtt.MQTTv5,
            client_id=f"gg-test-pub-{uuid.uuid4().hex[:8]}",
        )
        self.client.max_inflight_messages_set(500)
        self.client.connect(host, int(port))
        self.client.loop_start()
        self.infos = []

    def send(self, topic, payload):
        self.infos.append(self.client.publish(topic, payload, qos=1))

    def wait(self, timeout=30):
        for info in self.infos:
            info.wait_for_publish(timeout)
        assert all(i.is_published() for i in self.infos)
        self.infos.clear()

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def msg(dev, i, base, value=1.0):
    return json.dumps({"token": dev.secret, "ts": base + i, "metrics": {"methane": value}}).encode()


def stored(dev):
    return Reading.objects.filter(device_id=dev.pk).count()


def run_until(worker, predicate, timeout=30):
    deadline = time.monotonic() + timeout
    worker.run(until=lambda: predicate() or time.monotonic() > deadline)
    return predicate()


@pytest.fixture
def private_broker():
    need_private_broker()
    broker = PrivateBroker().start()
    yield broker
    broker.close()


def new_worker(url, *, client_id=None, group=None, processor=None, **kw):
    w = IngestWorker(
        client_id=client_id or f"gg-test-{uuid.uuid4().hex[:8]}",
        url=url,
        session_expiry=120,
        group=group or f"gg-test-{uuid.uuid4().hex[:8]}",
        processor=processor,
        flush_ms=50,
        **kw,
    )
    w.start()
    assert w.connected.wait(10), "worker did not connect"
    assert w.subscribed.wait(10), "subscription not confirmed"
    return w


@pytest.mark.django_db(transaction=True)
def test_round_trip_with_garbage_and_duplicates(dev, dev_b):
    need_system_broker()
    worker = new_worker("mqtt://127.0.0.1:1883")
    pub = Publisher()
    base = int(datetime.now(UTC).timestamp() * 1000)
    topic = f"gg/v1/{dev.code}/telemetry"
    try:
        for i in range(20):
            pub.send(topic, msg(dev, i, base))
        batch = json.dumps(
            {
                "token": dev.secret,
                "readings": [{"ts": base + 100 + i, "metrics": {"methane": 2.0}} for i in range(10)],
            }
        ).encode()
        pub.send(topic, batch)
        pub.send(topic, batch)  # the same batch delivered twice
        pub.send(topic, b"{not json")
        pub.send(
            topic, b'{"token": "%s", "ts": %d, "metrics": {"methane": NaN}}' % (dev.secret.encode(), base)
        )
        pub.send(
            topic, json.dumps({"token": dev.secret, "ts": base, "metrics": {"methane": "high"}}).encode()
        )
        year = int((datetime.now(UTC) + timedelta(days=365)).timestamp() * 1000)
        pub.send(topic, json.dumps({"token": dev.secret, "ts": year, "metrics": {"methane": 1}}).encode())
        pub.send(f"gg/v1/{dev_b.code}/telemetry", msg(dev, 0, base))  # stolen credential
        pub.send("gg/v1/NOPE-404/telemetry", msg(dev, 0, base))
        pub.send(topic, b'{"token":"x","pad":"' + b"a" * (10 * 1024 * 1024) + b'"}')
        pub.wait()
        assert run_until(worker, lambda: stored(dev) >= 30 and DeadLetter.objects.count() >= 7, timeout=30)
        time.sleep(0.3)
        worker.run(max_seconds=0.5)
    finally:
        pub.close()
        worker.stop()
    assert stored(dev) == 30
    reasons = sorted(DeadLetter.objects.values_list("reason", flat=True))
    assert reasons == sorted(
        [
            "malformed",
            "malformed",
            "bad_value",
            "future_timestamp",
            "bad_credential",
            "unknown_device",
            "too_large",
        ]
    )
    assert worker.acked == worker.messages == 29


@pytest.mark.django_db(transaction=True)
def test_broker_restart_mid_stream(dev, private_broker):
    worker = new_worker(private_broker.url)
    base = int(datetime.now(UTC).timestamp() * 1000)
    topic = f"gg/v1/{dev.code}/telemetry"
    pub = Publisher(private_broker.url)
    try:
        for i in range(50):
            pub.send(topic, msg(dev, i, base))
        pub.wait()
        run_until(worker, lambda: stored(dev) >= 50, timeout=20)
        pub.close()
        private_broker.restart(down_seconds=1.0)
        deadline = time.monotonic() + 30
        worker.connected.clear()
        while not worker.connected.is_set() and time.monotonic() < deadline:
            worker.run(max_seconds=0.5)
        assert worker.connected.is_set(), "worker did not reconnect after the broker restart"
        pub = Publisher(private_broker.url)
        for i in range(50, 100):
            pub.send(topic, msg(dev, i, base))
        pub.wait()
        assert run_until(worker, lambda: stored(dev) >= 100, timeout=30)
    finally:
        pub.close()
        worker.stop()
    assert stored(dev) == 100


class FailingStore(Store):
    """A store whose database is 'down' for the first `fail` writes."""

    def __init__(self, fail):
        super().__init__()
        self.fail = fail
        self.calls = 0

    def write(self, parsed):
        self.calls += 1
        if self.calls <= self.fail:
            raise OperationalError("database briefly unavailable (injected)")
        return super().write(parsed)


@pytest.mark.django_db(transaction=True)
def test_db_outage_leaves_messages_unacked_then_redelivered(dev, private_broker):
    client_id = f"gg-test-{uuid.uuid4().hex[:8]}"
    group = f"gg-test-{uuid.uuid4().hex[:8]}"
    # Worker 1: its database is down for good. It must not acknowledge anything.
    down = BatchProcessor(store=FailingStore(fail=10**9), retry_max_seconds=0.1)
    w1 = new_worker(private_broker.url, client_id=client_id, group=group, processor=down)
    base = int(datetime.now(UTC).timestamp() * 1000)
    pub = Publisher(private_broker.url)
    for i in range(30):
        pub.send(f"gg/v1/{dev.code}/telemetry", msg(dev, i, base))
    pub.wait()
    pub.close()
    import threading

    threading.Timer(1.5, w1.stop_event.set).start()
    w1.run(max_seconds=5)
    assert w1.acked == 0 and stored(dev) == 0 and down.store.calls >= 2
    # Crash: drop the connection without DISCONNECT, then a new process with the same id resumes.
    w1.client.loop_stop()
    w1.client.socket().close()
    # Worker 2: the database is back after one more failure; everything is redelivered and stored once.
    back = BatchProcessor(store=FailingStore(fail=1), retry_max_seconds=0.1)
    w2 = new_worker(private_broker.url, client_id=client_id, group=group, processor=back)
    try:
        assert run_until(w2, lambda: stored(dev) >= 30, timeout=30)
        w2.run(max_seconds=1)
    finally:
        w2.stop()
    assert stored(dev) == 30 and back.failures == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sigkill_during_load_loses_and_duplicates_nothing(dev, private_broker):
    if connection.vendor != "postgresql":
        pytest.skip("the ingest subprocess must share the test database: run with DATABASE_URL=postgres://…")
    n = 3000
    name = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "PYTHONUNBUFFERED": "1",
    }
    client_id = f"gg-test-kill-{uuid.uuid4().hex[:8]}"
    cmd = [
        sys.executable,
        str(ROOT / "manage.py"),
        "ingest",
        "--client-id",
        client_id,
        "--url",
        private_broker.url,
        "--group",
        "gg-test-kill",
        "--batch",
        "40",
        "--flush-ms",
        "30",
    ]

    logfile = ROOT / "var" / f"test-ingest-{client_id}.log"

    def spawn():
        start = logfile.stat().st_size if logfile.exists() else 0
        with open(logfile, "ab") as log:
            proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while b"subscription confirmed" not in logfile.read_bytes()[start:]:
            assert proc.poll() is None and time.monotonic() < deadline, logfile.read_text()[-2000:]
            time.sleep(0.1)
        return proc

    first = spawn()
    try:
        base = int(datetime.now(UTC).timestamp() * 1000)
        pub = Publisher(private_broker.url)
        for i in range(n):
            pub.send(f"gg/v1/{dev.code}/telemetry", msg(dev, i, base, value=float(i % 7)))
        pub.wait(timeout=60)
        pub.close()
        deadline = time.monotonic() + 60
        while stored(dev) < n // 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        at_kill = stored(dev)
        assert 0 < at_kill < n, f"kill was not mid-way ({at_kill}/{n})"
        second = spawn()
        try:
            deadline = time.monotonic() + 90
            while stored(dev) < n and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.0)
        finally:
            second.terminate()
            second.wait(15)
    finally:
        if first.poll() is None:
            first.kill()
    logfile.unlink(missing_ok=True)
    assert stored(dev) == n
    hourly = sum(
        ReadingHourly.objects.filter(device_id=dev.pk, metric="methane").values_list("count", flat=True)
    )
    assert hourly == n  # aggregates did not double count the redelivered messages
