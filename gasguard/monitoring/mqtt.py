"""The MQTT ingest worker (`gasguard ingest`): shared subscription, manual acknowledgement.

* MQTT v5, persistent session (clean_start=False + session expiry), a stable client id per
  worker, so QoS 1 messages in flight when a worker dies are redelivered when it comes back.
* Shared subscription `$share/gasguard-ingest/gg/v1/+/telemetry`: the broker splits messages
  between the workers.
* `manual_ack=True`: a PUBACK is sent only after the batch containing the message is committed.
  While the database is down, nothing is acknowledged; Receive Maximum bounds how many unacked
  messages the broker hands us, so memory stays bounded.
* paho's network thread reconnects with backoff and `on_connect` resubscribes. Messages received
  on an earlier connection are never acknowledged on the new one (the broker resends them).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from gasguard.monitoring.ingest import BatchProcessor

log = logging.getLogger(__name__)

SHARE_GROUP = "gasguard-ingest"
TOPIC = "gg/v1/+/telemetry"


def broker_address(url: str | None = None) -> tuple[str, int]:
    parsed = urlparse(url or settings.MQTT_URL)
    return parsed.hostname or "127.0.0.1", parsed.port or 1883


class IngestWorker:
    """One ingest worker process: receives, batches, stores, then acknowledges."""

    def __init__(
        self,
        *,
        client_id: str,
        url: str | None = None,
        processor: BatchProcessor | None = None,
        batch_readings: int | None = None,
        flush_ms: int | None = None,
        receive_maximum: int | None = None,
        session_expiry: int = 3600,
        shared: bool = True,
        group: str = SHARE_GROUP,
    ):
        self.host, self.port = broker_address(url)
        self.client_id = client_id
        self.processor = processor or BatchProcessor()
        self.batch_readings = batch_readings or settings.GASGUARD_MONITORING_BATCH_READINGS
        self.flush = (flush_ms or settings.GASGUARD_MONITORING_FLUSH_MS) / 1000.0
        self.receive_maximum = receive_maximum or settings.GASGUARD_MONITORING_RECEIVE_MAXIMUM
        self.session_expiry = session_expiry
        self.topic = f"$share/{group}/{TOPIC}" if shared else TOPIC
        self.inbox: queue.Queue = queue.Queue()
        self.generation = 0
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self.stop_event = threading.Event()
        self.acked = 0
        self.messages = 0
        self.client = self._make_client()

    def _make_client(self) -> mqtt.Client:
        client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        return client

    # -- paho callbacks (network thread) --
    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.warning("MQTT connect refused: %s", reason_code)
            return
        self.generation += 1
        client.subscribe(self.topic, options=mqtt.SubscribeOptions(qos=1))
        self.connected.set()
        log.info(
            "connected to %s:%s as %s (session present=%s), subscribing %s",
            self.host,
            self.port,
            self.client_id,
            flags.session_present,
            self.topic,
        )

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        self.subscribed.set()
        log.info("subscription confirmed: %s", [str(rc) for rc in reason_codes])

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        if not self.stop_event.is_set():
            log.warning("MQTT disconnected (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, msg):
        self.inbox.put((self.generation, msg.mid, msg.qos, msg.topic, msg.payload))

    # -- lifecycle --
    def start(self) -> None:
        # Warm the caches before taking traffic (device directory, rules), so the first alarm
        # is not delayed by start-up queries.
        self.processor.directory.get("")
        self.processor.store.rules()
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = self.session_expiry
        props.ReceiveMaximum = self.receive_maximum
        self.client.connect_async(self.host, self.port, keepalive=30, clean_start=False, properties=props)
        self.client.loop_start()

    def stop(self) -> None:
        self.stop_event.set()
        try:
            self.client.disconnect()
        finally:
            self.client.loop_stop()

    def _take_batch(self) -> list:
        batch = []
        size = 0
        deadline = time.monotonic() + self.flush
        while size < self.batch_readings:
            timeout = deadline - time.monotonic()
            if timeout <= 0:
                break
            try:
                item = self.inbox.get(timeout=timeout)
            except queue.Empty:
                break
            batch.append(item)
            size += max(1, len(item[4]) // 60)  # rough readings-per-message estimate for batch sizing
        return batch

    def run(self, *, max_seconds: float | None = None, until=None) -> None:
        """Process batches until stopped (signal), `max_seconds` passed, or `until()` is true."""
        started = time.monotonic()
        while not self.stop_event.is_set():
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                break
            if until is not None and until():
                break
            batch = self._take_batch()
            if not batch:
                continue
            committed = self.processor.process([(t, p) for _, _, _, t, p in batch], stop=self.stop_event)
            if not committed:
                break
            self.messages += len(batch)
            generation = self.generation
            for gen, mid, qos, _, _ in batch:
                if qos > 0 and gen == generation:
                    self.client.ack(mid, qos)
                    self.acked += 1
