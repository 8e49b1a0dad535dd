"""Telemetry ingest: parse and validate messages, store readings in batches, evaluate rules.

Transport-independent core (`parse_message`, `Store`) shared by the MQTT worker
(`gasguard ingest`, mqtt.py) and the HTTP batch endpoint. See docs/monitoring.md.

Payload (one device per message; topic `gg/v1/<device_code>/telemetry`):

    {"token": "<device secret>", "ts": "2026-11-28T10:00:00+08:00" | 1764295200000,
     "metrics": {"methane": 12.5, "battery": 88}}
    {"token": "<device secret>", "readings": [{"ts": …, "metrics": {…}}, …]}
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gasguard.monitoring import storage
from gasguard.monitoring.choices import DeviceStateChoices, RuleKindChoices
from gasguard.monitoring.credentials import check_secret
from gasguard.monitoring.metrics import METRICS, metric_error
from gasguard.monitoring.models import AlarmRule, DeadLetter, Device, Reading
from gasguard.monitoring.rules import Context, condition_metrics, evaluate, is_trend

log = logging.getLogger(__name__)

TOPIC_RE = re.compile(r"^gg/v1/([A-Za-z0-9][A-Za-z0-9_.-]{2,63})/telemetry$")
MAX_READINGS_PER_MESSAGE = 10_000


class RejectMessage(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def _reject_constant(name):
    raise ValueError(f"不允许 {name}")


@dataclass
class DeviceInfo:
    id: int
    code: str
    credential_hash: str
    region_code: str
    device_type: str
    is_active: bool
    enterprise_id: int


class DeviceDirectory:
    """Device lookups by code, cached in the worker (re-read after `ttl` seconds or on a miss)."""

    FIELDS = ("id", "code", "credential_hash", "region_code", "device_type", "is_active", "enterprise_id")

    def __init__(self, ttl: float = 30.0, *, preload: bool = True):
        self.ttl = ttl
        self.preload = preload and ttl > 0
        self._loaded_at = -1e9
        self._items: dict[str, tuple[float, DeviceInfo | None]] = {}
        self._verified: dict[tuple[str, str], bool] = {}
        self._failed: dict[tuple[str, str], float] = {}

    def _refresh_all(self, now: float) -> None:
        """Re-read every device in one query (instead of one query per device per `ttl`)."""
        self._items = {
            row[1]: (now, DeviceInfo(*row)) for row in Device.objects.values_list(*self.FIELDS).iterator()
        }
        self._loaded_at = now

    def get(self, code: str, *, max_age: float | None = None) -> DeviceInfo | None:
        now = time.monotonic()
        if self.preload and max_age is None and now - self._loaded_at >= self.ttl:
            self._refresh_all(now)
        hit = self._items.get(code)
        ttl = max_age if max_age is not None else (self.ttl if hit and hit[1] else 5.0)
        if hit is not None and now - hit[0] < ttl:
            return hit[1]
        row = Device.objects.filter(code=code).values_list(*self.FIELDS).first()
        info = DeviceInfo(*row) if row else None
        self._items[code] = (now, info)
        return info

    def check(self, info: DeviceInfo, token) -> tuple[bool, DeviceInfo]:
        """Whether the token is the device's credential. A failing token triggers one fresh read
        of the device (then that token is not re-read for 5 s), so a secret rotated a moment ago is
        accepted at once; a rotated-out secret keeps working on a running worker for at most `ttl`."""
        if not isinstance(token, str):
            return False, info
        ok = self._check(info, token)
        if not ok:
            now = time.monotonic()
            key = (info.code, token)
            if now - self._failed.get(key, -1e9) > 5.0:
                if len(self._failed) > 100_000:
                    self._failed.clear()
                self._failed[key] = now
                fresh = self.get(info.code, max_age=0.0)
                if fresh is not None and fresh.credential_hash != info.credential_hash:
                    info = fresh
                    ok = self._check(info, token)
        return ok, info

    def _check(self, info: DeviceInfo, token: str) -> bool:
        key = (info.code, token, info.credential_hash)
        ok = self._verified.get(key)
        if ok is None:
            ok = check_secret(info.code, token, info.credential_hash)
            if len(self._verified) > 200_000:
                self._verified.clear()
            self._verified[key] = ok
        return ok


@dataclass
class Parsed:
    """Readings that passed validation and dead letters for what did not."""

    rows: list[tuple[int, str, datetime, float]] = field(default_factory=list)
    dead: list[DeadLetter] = field(default_factory=list)
    devices: dict[int, DeviceInfo] = field(default_factory=dict)


def _dead(
    *,
    reason,
    message,
    payload: bytes | str,
    topic="",
    device_code="",
    region_code="",
    channel="mqtt",
    now,
    size: int | None = None,
):
    raw = payload.decode("utf-8", "replace") if isinstance(payload, bytes | bytearray) else str(payload)
    limit = settings.GASGUARD_MONITORING_DEADLETTER_CHARS
    return DeadLetter(
        received_at=now,
        channel=channel,
        topic=topic[:200],
        device_code=device_code[:64],
        region_code=region_code,
        reason=reason,
        message=message[:300],
        payload=raw[:limit],
        payload_size=size if size is not None else len(payload),
    )


def parse_ts(value, *, now: datetime) -> datetime:
    """A reading timestamp: ISO 8601 (naive = Asia/Shanghai) or epoch milliseconds, in UTC."""
    if isinstance(value, bool) or value is None:
        raise RejectMessage("bad_timestamp", f"时间戳无效：{value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise RejectMessage("bad_timestamp", "时间戳不是有限数")
        try:
            ts = datetime.fromtimestamp(value / 1000.0, tz=UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise RejectMessage("bad_timestamp", f"时间戳超出范围：{value}") from exc
    elif isinstance(value, str):
        try:
            ts = datetime.fromisoformat(value)
        except ValueError as exc:
            raise RejectMessage("bad_timestamp", f"时间戳不是 ISO 8601 或毫秒数：{value[:40]}") from exc
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
        ts = ts.astimezone(UTC)
    else:
        raise RejectMessage("bad_timestamp", f"时间戳类型错误：{type(value).__name__}")
    if ts > now + timedelta(seconds=settings.GASGUARD_MONITORING_FUTURE_SECONDS):
        raise RejectMessage("future_timestamp", f"时间戳 {ts.isoformat()} 超前于服务器时间")
    if ts < now - timedelta(days=settings.GASGUARD_MONITORING_PAST_DAYS):
        raise RejectMessage(
            "stale_timestamp", f"时间戳 {ts.isoformat()} 早于 {settings.GASGUARD_MONITORING_PAST_DAYS} 天"
        )
    return ts


def parse_message(
    payload: bytes,
    *,
    topic: str = "",
    device_code: str | None = None,
    token: str | None = None,
    directory: DeviceDirectory,
    channel: str = "mqtt",
    now: datetime | None = None,
    into: Parsed | None = None,
) -> Parsed:
    """Validate one message; good readings go to `rows`, everything refused to `dead`.

    Whole-message problems (size, JSON, device, credential) dead-letter the message; a bad
    reading or metric inside a good message dead-letters only that reading.
    """
    now = now or datetime.now(UTC)
    out = into if into is not None else Parsed()
    code = device_code or ""
    info = None

    def dead(reason, message, raw=payload):
        out.dead.append(
            _dead(
                reason=reason,
                message=message,
                payload=raw,
                topic=topic,
                device_code=code,
                region_code=info.region_code if info else "",
                channel=channel,
                now=now,
                size=len(payload),
            )
        )

    if len(payload) > settings.GASGUARD_MONITORING_MAX_PAYLOAD_BYTES:
        dead(
            "too_large",
            f"报文 {len(payload)} 字节，超过上限 {settings.GASGUARD_MONITORING_MAX_PAYLOAD_BYTES} 字节",
            payload[: settings.GASGUARD_MONITORING_DEADLETTER_CHARS],
        )
        return out
    if device_code is None:
        m = TOPIC_RE.match(topic)
        if not m:
            dead("malformed", f"主题不符合 gg/v1/<设备编号>/telemetry：{topic[:100]}")
            return out
        code = m.group(1)
    try:
        doc = json.loads(payload, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        dead("malformed", f"JSON 无法解析：{str(exc)[:200]}")
        return out
    if not isinstance(doc, dict):
        dead("malformed", "报文须为 JSON 对象")
        return out
    info = directory.get(code)
    if info is None:
        dead("unknown_device", f"未登记的设备：{code}")
        return out
    ok, info = directory.check(info, token if token is not None else doc.get("token"))
    if not ok:
        dead("bad_credential", f"设备 {code} 的凭证错误（凭证与设备编号绑定）")
        return out
    if not info.is_active:
        dead("device_inactive", f"设备 {code} 已停用")
        return out
    if "readings" in doc:
        readings = doc["readings"]
        if not isinstance(readings, list) or not readings:
            dead("malformed", "“readings”须为非空数组")
            return out
        if len(readings) > MAX_READINGS_PER_MESSAGE:
            dead("malformed", f"单条报文读数超过 {MAX_READINGS_PER_MESSAGE} 条")
            return out
    elif "metrics" in doc:
        readings = [doc]
    else:
        dead("malformed", "报文须包含 “metrics” 或 “readings”")
        return out
    out.devices[info.id] = info
    rows = out.rows
    for i, reading in enumerate(readings):
        if (
            not isinstance(reading, dict)
            or not isinstance(reading.get("metrics"), dict)
            or not reading["metrics"]
        ):
            dead(
                "malformed",
                f"第{i + 1}条读数须含非空 “metrics” 对象",
                json.dumps(reading, ensure_ascii=False)[:2000],
            )
            continue
        try:
            ts = parse_ts(reading.get("ts"), now=now)
        except RejectMessage as exc:
            dead(
                exc.reason, f"第{i + 1}条读数：{exc.message}", json.dumps(reading, ensure_ascii=False)[:2000]
            )
            continue
        for key, value in reading["metrics"].items():
            metric = METRICS.get(key)
            if (
                metric is not None
                and type(value) in (int, float)
                and metric.low <= value <= metric.high  # NaN fails every comparison
            ):
                rows.append((info.id, key, ts, float(value)))
                continue
            reason, message = metric_error(key, value) or ("bad_value", f"指标 {key} 的值无效")
            dead(
                reason,
                f"第{i + 1}条读数：{message}",
                json.dumps({"ts": reading.get("ts"), "metrics": {key: value}}, ensure_ascii=False)[:2000],
            )
    return out


class Store:
    """Writes parsed batches: readings + hourly aggregates + device status + rules + dead letters.

    One transaction per batch; the caller acknowledges the messages only after `write` returns.
    """

    def __init__(self, *, rules_ttl: float = 15.0, last_seen_every: float = 30.0):
        self.rules_ttl = rules_ttl
        self.last_seen_every = last_seen_every
        self._rules: list[AlarmRule] = []
        self._rules_at = -1e9
        self._seen_written: dict[int, float] = {}
        self._recent: dict[tuple[int, str], dict[int, tuple[float, float]]] = {}
        self._seeded: set[tuple] = set()
        self.stored = 0
        self.dead_lettered = 0
        self.alarms = 0

    def rules(self) -> list[AlarmRule]:
        now = time.monotonic()
        if now - self._rules_at > self.rules_ttl:
            self._rules = list(AlarmRule.objects.filter(is_active=True, kind=RuleKindChoices.CONDITION))
            self._rules_at = now
        return self._rules

    def write(self, parsed: Parsed) -> list[tuple]:
        """Store one batch atomically; returns the readings that were new."""
        days = {r[2].date() for r in parsed.rows}
        try:
            storage.ensure_partitions(days)
            with transaction.atomic():
                inserted = storage.write_readings(parsed.rows)
                if parsed.dead:
                    DeadLetter.objects.bulk_create(parsed.dead, batch_size=1000)
                if inserted:
                    self._after_insert(inserted, parsed.devices)
        except DatabaseError:
            storage.forget_partitions()
            raise
        self.stored += len(inserted)
        self.dead_lettered += len(parsed.dead)
        return inserted

    def _after_insert(self, inserted, devices: dict[int, DeviceInfo]) -> None:
        series: dict[int, dict[datetime, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
        latest: dict[int, dict[str, tuple[datetime, float]]] = defaultdict(dict)
        for device_id, metric, ts, value in inserted:
            series[device_id][ts][metric] = value
            cur = latest[device_id].get(metric)
            if cur is None or ts >= cur[0]:
                latest[device_id][metric] = (ts, value)
        self._touch_devices(latest)
        rules = self.rules()
        if not rules:
            return
        from gasguard.monitoring.services import effective_rules

        wanted: set[str] = set()
        trend_metrics: set[str] = set()
        for r in rules:
            if not hasattr(r, "_metrics"):
                r._metrics = condition_metrics(r.condition)
                r._trend = is_trend(r.condition)
                r._combined = "all" in str(r.condition) and len(r._metrics) > 1
            wanted |= r._metrics
            if r._trend:
                trend_metrics |= r._metrics
        # Latest stored values of other metrics, for AND conditions across metrics: one query.
        combined = {m for r in rules if r._combined for m in r._metrics}
        context_ids = [d for d, values in latest.items() if combined.intersection(values)]
        context = {}
        if context_ids:
            context = {
                pk: (values or {}, seen)
                for pk, values, seen in Device.objects.filter(pk__in=context_ids).values_list(
                    "id", "last_values", "last_seen_at"
                )
            }
        for device_id, values in latest.items():
            if not wanted.intersection(values):
                continue
            info = devices.get(device_id)
            if info is None:
                continue
            applicable = [
                r
                for r in effective_rules(rules, device_id=device_id, device_type=info.device_type)
                if r.kind == RuleKindChoices.CONDITION and r._metrics.intersection(values)
            ]
            for metric in trend_metrics.intersection(values):
                self._remember(device_id, metric, series[device_id])
            if applicable:
                self._evaluate(device_id, info, sorted(series[device_id].items()), applicable, context)

    # Per-worker recent extremes in one-minute buckets: a cheap pre-check for rise/drop rules.
    def _remember(self, device_id, metric, series) -> None:
        buckets = self._recent.setdefault((device_id, metric), {})
        for ts, vals in series.items():
            if metric in vals:
                minute = int(ts.timestamp() // 60)
                lo, hi = buckets.get(minute, (vals[metric], vals[metric]))
                buckets[minute] = (min(lo, vals[metric]), max(hi, vals[metric]))
        if len(buckets) > 64:
            for key in sorted(buckets)[:-64]:
                del buckets[key]

    def _recent_extremes(self, device_id, metric, minutes):
        """(min, max) of the last `minutes`, from the worker's buckets; the first time a device and
        metric are seen, the window is seeded from the database with one aggregate query."""
        from django.db.models import Max, Min

        buckets = self._recent.setdefault((device_id, metric), {})
        key = (device_id, metric, minutes)
        now_minute = int(time.time() // 60)
        if key not in self._seeded:
            since = datetime.now(UTC) - timedelta(minutes=minutes)
            agg = Reading.objects.filter(device_id=device_id, metric=metric, ts__gte=since).aggregate(
                lo=Min("value"), hi=Max("value")
            )
            if agg["lo"] is not None:
                seed = now_minute - int(minutes)
                lo, hi = buckets.get(seed, (agg["lo"], agg["hi"]))
                buckets[seed] = (min(lo, agg["lo"]), max(hi, agg["hi"]))
            self._seeded.add(key)
            if len(self._seeded) > 500_000:
                self._seeded.clear()
        inside = [v for k, v in buckets.items() if k >= now_minute - minutes]
        if not inside:
            return None
        return min(v[0] for v in inside), max(v[1] for v in inside)

    def _touch_devices(self, latest) -> None:
        """Record last-seen time and latest values (throttled per device) and bring devices online."""
        now = time.monotonic()
        due = [d for d in latest if now - self._seen_written.get(d, -1e9) >= self.last_seen_every]
        if not due:
            return
        for d in due:
            self._seen_written[d] = now
        devices = Device.objects.filter(pk__in=due).only("id", "last_seen_at", "last_values", "state")
        changed = []
        for device in devices:
            values = latest[device.pk]
            newest = max(ts for ts, _ in values.values())
            merged = dict(device.last_values or {})
            merged.update({m: v for m, (_, v) in values.items()})
            device.last_values = merged
            if device.last_seen_at is None or newest > device.last_seen_at:
                device.last_seen_at = newest
            if device.state in (DeviceStateChoices.OFFLINE, DeviceStateChoices.NEW):
                device.state = DeviceStateChoices.NORMAL
            changed.append(device)
        Device.objects.bulk_update(changed, ["last_values", "last_seen_at", "state"], batch_size=500)

    def _evaluate(self, device_id, info, series, rules, context) -> None:
        """Evaluate rules at every instant of the batch (trend rules only at its end); hits of one
        rule in one batch are raised/folded once with their count and peak."""
        from gasguard.monitoring.services import alarm_raise

        def history(dev, metric, since, until):
            return (
                Reading.objects.filter(device_id=dev, metric=metric, ts__gte=since, ts__lte=until)
                .order_by("ts")
                .values_list("ts", "value")
            )

        current: dict[str, tuple[datetime, float]] = {}
        stored_values, seen = context.get(device_id, ({}, None))
        if seen is not None:
            for metric, value in stored_values.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    current[metric] = (seen, value)
        ctx = Context(device_id=device_id, latest=current, history=history, recent=self._recent_extremes)
        hits: dict[int, list] = {}
        last_ts = series[-1][0]
        for ts, vals in series:
            for metric, value in vals.items():
                current[metric] = (ts, value)
            for rule in rules:
                if (rule._trend and ts != last_ts) or not rule._metrics.intersection(vals):
                    continue
                try:
                    hit = evaluate(rule.condition, ctx)
                except Exception:  # a rule bug must never stop ingest; readings are stored anyway
                    log.exception("rule %s failed on device %s", rule.code, info.code)
                    continue
                if hit is None:
                    continue
                h = hits.get(rule.pk)
                if h is None:
                    hits[rule.pk] = [rule, hit, ts, 1, hit.value, hit.value]
                else:
                    better = min if rule.peak_mode == "min" else max
                    h[1], h[2], h[3], h[4], h[5] = hit, ts, h[3] + 1, better(h[4], hit.value), hit.value
        if not hits:
            return
        device = Device.objects.get(pk=device_id)
        for rule, hit, ts, count, peak, last in hits.values():
            alarm_raise(
                device=device,
                rule=rule,
                metric=hit.metric,
                value=last,
                at=ts,
                count=count,
                peak=peak,
                message=f"{rule.name}：{hit.detail}",
            )
            self.alarms += 1


class BatchProcessor:
    """Parses queued messages and writes them with retry; reports which messages may be acked."""

    def __init__(
        self,
        *,
        store: Store | None = None,
        directory: DeviceDirectory | None = None,
        retry_max_seconds: float = 5.0,
    ):
        self.store = store or Store()
        self.directory = directory or DeviceDirectory()
        self.retry_max_seconds = retry_max_seconds
        self.failures = 0

    def process(self, messages, *, stop: threading.Event | None = None) -> bool:
        """Store a list of (topic, payload) atomically, retrying DB failures until success or stop.

        Returns True when committed (the caller may ack), False if stopped before committing.
        """
        delay = 0.2
        while True:
            try:
                parsed = Parsed()
                now = datetime.now(UTC)
                for topic, payload in messages:
                    try:
                        parse_message(payload, topic=topic, directory=self.directory, now=now, into=parsed)
                    except DatabaseError:
                        raise
                    except Exception as exc:  # never let one message stop ingest
                        log.exception("unexpected parse failure")
                        parsed.dead.append(
                            _dead(
                                reason="malformed",
                                message=f"解析异常：{exc}"[:300],
                                payload=payload,
                                topic=topic,
                                now=now,
                            )
                        )
                self.store.write(parsed)
                return True
            except DatabaseError as exc:
                self.failures += 1
                log.warning(
                    "database unavailable (%s); retrying in %.1fs, messages stay unacknowledged", exc, delay
                )
                try:
                    connection.close()
                except Exception:  # noqa: BLE001 - the connection may already be gone
                    pass
                if stop is not None and stop.wait(delay):
                    return False
                if stop is None:
                    time.sleep(delay)
                delay = min(delay * 2, self.retry_max_seconds)


def http_ingest(*, code: str, token: str, payload: bytes) -> dict:
    """The HTTP batch endpoint's core: returns counts of stored/duplicate/rejected readings."""
    directory = DeviceDirectory(ttl=0)
    now = datetime.now(UTC)
    parsed = parse_message(
        payload,
        topic=f"http:{code}"[:200],
        device_code=code,
        token=token,
        directory=directory,
        channel="http",
        now=now,
    )
    store = Store(last_seen_every=0)
    inserted = store.write(parsed)
    return {
        "accepted": len(parsed.rows),
        "stored": len(inserted),
        "duplicates": len(parsed.rows) - len(inserted),
        "rejected": [{"reason": d.reason, "message": d.message} for d in parsed.dead],
        "received_at": timezone.localtime(now).isoformat(),
    }
