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
from gasguard.monitoring.rules import Context, condition_metrics, evaluate, is_trend, possible, trend_leaves

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
    REFRESH_ON_FAILURE = 2.0

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
        accepted at once; a rotated-out secret keeps working on a running worker for at most `ttl`.
        Secrets are often rotated for many devices at once (a fleet re-keyed, the simulator): the
        fresh read is then of the whole directory, one query at most every `REFRESH_ON_FAILURE` s,
        instead of one query per device."""
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
                if self.preload and now - self._loaded_at >= self.REFRESH_ON_FAILURE:
                    self._refresh_all(now)
                    fresh = self._items.get(info.code, (now, None))[1]
                else:
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
    earliest, latest = _limits(now)
    if ts > latest:
        raise RejectMessage("future_timestamp", f"时间戳 {ts.isoformat()} 超前于服务器时间")
    if ts < earliest:
        raise RejectMessage(
            "stale_timestamp", f"时间戳 {ts.isoformat()} 早于 {settings.GASGUARD_MONITORING_PAST_DAYS} 天"
        )
    return ts


_limits_cache: tuple = (None, None)


def _limits(now: datetime) -> tuple[datetime, datetime]:
    """(earliest, latest) acceptable reading time; computed once per batch (`now` is shared)."""
    global _limits_cache
    cached_now, limits = _limits_cache  # one tuple, so threads never mix two batches' values
    if cached_now is not now:
        limits = (
            now - timedelta(days=settings.GASGUARD_MONITORING_PAST_DAYS),
            now + timedelta(seconds=settings.GASGUARD_MONITORING_FUTURE_SECONDS),
        )
        _limits_cache = (now, limits)
    return limits


# Physical range per metric for the hot loop (metrics.py stays the one table).
_RANGES = {key: (m.low, m.high) for key, m in METRICS.items()}
# One decoder for every message: json.loads(…, parse_constant=…) builds a new decoder per call.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_fromtimestamp = datetime.fromtimestamp


def _loads(payload: bytes):
    """json.loads without the per-call decoder (same encoding detection, same errors)."""
    if isinstance(payload, bytes | bytearray):
        payload = payload.decode(json.detect_encoding(payload), "surrogatepass")
    return _DECODER.decode(payload)


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
        doc = _loads(payload)
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
    device_id = info.id
    earliest, latest = _limits(now)
    for i, reading in enumerate(readings):
        if type(reading) is not dict or type(metrics := reading.get("metrics")) is not dict or not metrics:
            dead(
                "malformed",
                f"第{i + 1}条读数须含非空 “metrics” 对象",
                json.dumps(reading, ensure_ascii=False)[:2000],
            )
            continue
        # Fast path: epoch milliseconds inside the window (the common case); everything else,
        # including every refusal, goes through parse_ts for its reason and message.
        raw_ts = reading.get("ts")
        ts = None
        if type(raw_ts) is int:
            try:
                ts = _fromtimestamp(raw_ts / 1000.0, UTC)
            except (OverflowError, OSError, ValueError):
                ts = None
            if ts is not None and not (earliest <= ts <= latest):
                ts = None
        if ts is None:
            try:
                ts = parse_ts(raw_ts, now=now)
            except RejectMessage as exc:
                dead(
                    exc.reason,
                    f"第{i + 1}条读数：{exc.message}",
                    json.dumps(reading, ensure_ascii=False)[:2000],
                )
                continue
        for key, value in metrics.items():
            span = _RANGES.get(key)
            kind = type(value)
            if (
                span is not None
                and (kind is float or kind is int)
                and span[0] <= value <= span[1]  # NaN fails every comparison
            ):
                rows.append((device_id, key, ts, value if kind is float else float(value)))
                continue
            reason, message = metric_error(key, value) or ("bad_value", f"指标 {key} 的值无效")
            dead(
                reason,
                f"第{i + 1}条读数：{message}",
                json.dumps({"ts": reading.get("ts"), "metrics": {key: value}}, ensure_ascii=False)[:2000],
            )
    return out


_PG_TOUCH = f"""
UPDATE {Device._meta.db_table} AS d SET
    last_values = (CASE WHEN jsonb_typeof(d.last_values) = 'object' THEN d.last_values ELSE '{{}}' END)
        || v.vals,
    last_seen_at = GREATEST(d.last_seen_at, v.seen),
    state = CASE WHEN d.state IN (%s, %s) THEN %s ELSE d.state END
FROM jsonb_to_recordset(%s::jsonb) AS v(id integer, vals jsonb, seen timestamptz)
WHERE d.id = v.id
  AND d.id IN (SELECT id FROM {Device._meta.db_table} WHERE id = ANY(%s::integer[]) FOR NO KEY UPDATE SKIP LOCKED)
RETURNING d.id
"""
# Serialises the alarm phase of concurrent ingest transactions (see Store._raise).
ALARM_LOCK = 424243


class Store:
    """Writes parsed batches: readings + hourly aggregates + device status + rules + dead letters.

    One transaction per batch; the caller acknowledges the messages only after `write` returns.
    Rules are evaluated per device and batch: the batch's value range of each metric first rules
    out the rules it cannot trip (`rules.possible`), and only the rest are evaluated at every
    sample. Open alarms live in the database (alarm_raise folds into them); the worker keeps
    only caches (rules, rules per device, recent per-minute extremes for rise/drop pre-checks).
    """

    def __init__(self, *, rules_ttl: float = 15.0, last_seen_every: float = 30.0):
        self.rules_ttl = rules_ttl
        self.last_seen_every = last_seen_every
        self._rules: list[AlarmRule] = []
        self._rules_at = -1e9
        self._wanted: set[str] = set()
        self._trend_metrics: set[str] = set()
        self._applicable: dict[tuple[int, str], list[AlarmRule]] = {}
        self._seen_written: dict[int, float] = {}
        self._recent: dict[tuple[int, str], dict[int, tuple[float, float]]] = {}
        self._seeded: set[tuple] = set()
        self.stored = 0
        self.dead_lettered = 0
        self.alarms = 0

    def rules(self) -> list[AlarmRule]:
        now = time.monotonic()
        if now - self._rules_at > self.rules_ttl:
            rules = list(AlarmRule.objects.filter(is_active=True, kind=RuleKindChoices.CONDITION))
            for r in rules:
                r._metrics = condition_metrics(r.condition)
                r._trend = is_trend(r.condition)
                r._trend_leaves = trend_leaves(r.condition)
                r._combined = "all" in str(r.condition) and len(r._metrics) > 1
            self._rules = rules
            self._wanted = set().union(*(r._metrics for r in rules))
            self._trend_metrics = set().union(*(r._metrics for r in rules if r._trend))
            self._applicable = {}
            self._rules_at = now
        return self._rules

    def applicable(self, device_id: int, device_type: str) -> list[AlarmRule]:
        """The condition rules of one device (type rules with its overrides), cached per rules load."""
        key = (device_id, device_type)
        found = self._applicable.get(key)
        if found is None:
            from gasguard.monitoring.services import effective_rules

            found = [
                r
                for r in effective_rules(self._rules, device_id=device_id, device_type=device_type)
                if r.kind == RuleKindChoices.CONDITION
            ]
            if len(self._applicable) > 200_000:
                self._applicable.clear()
            self._applicable[key] = found
        return found

    def write(self, parsed: Parsed) -> list[tuple]:
        """Store one batch atomically; returns the readings that were new."""
        try:
            storage.ensure_partitions(storage.days_spanned(parsed.rows))
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
        # {device: {metric: [(ts, value), ...]}}: one dict step per reading, the rest per device.
        per_device: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for device_id, metric, ts, value in inserted:
            per_device[device_id][metric].append((ts, value))
        hits = self._rule_hits(per_device, devices)
        if hits:
            self._raise(hits)
        # Last: it reads nothing the rules need and must not hold device rows while waiting.
        self._touch_devices(per_device)

    def _rule_hits(self, per_device, devices: dict[int, DeviceInfo]) -> list[tuple[int, list]]:
        """[(device_id, hit)] of every rule over the batch's new readings (nothing is written)."""
        rules = self.rules()
        if not rules:
            return []
        wanted, trend_metrics = self._wanted, self._trend_metrics
        pending = []
        context_ids = []
        for device_id, points in per_device.items():
            if wanted.isdisjoint(points):
                continue
            info = devices.get(device_id)
            if info is None:
                continue
            for metric in trend_metrics.intersection(points):
                self._remember(device_id, metric, points[metric])
            applicable = [
                r for r in self.applicable(device_id, info.device_type) if not r._metrics.isdisjoint(points)
            ]
            if not applicable:
                continue
            ranges = {}
            for metric, pts in points.items():
                values = [v for _, v in pts]
                ranges[metric] = (min(values), max(values))
            pending.append((device_id, info, points, ranges, applicable))
            # AND conditions across metrics also read the latest stored value of the others.
            if any(r._combined for r in applicable):
                context_ids.append(device_id)
        if not pending:
            return []
        context = {}
        if context_ids:
            context = {
                pk: (values or {}, seen)
                for pk, values, seen in Device.objects.filter(pk__in=context_ids).values_list(
                    "id", "last_values", "last_seen_at"
                )
            }
        todo = []
        for device_id, info, points, ranges, applicable in pending:
            stored_values, seen = context.get(device_id, ({}, None))
            if seen is not None and isinstance(stored_values, dict):
                for metric, value in stored_values.items():
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        lo, hi = ranges.get(metric, (value, value))
                        ranges[metric] = (min(lo, value), max(hi, value))
            candidates = [r for r in applicable if possible(r.condition, ranges)]
            if candidates:
                todo.append((device_id, info, points, candidates))
        self._seed_recent(
            {
                (device_id, metric, minutes)
                for device_id, _, _, candidates in todo
                for r in candidates
                for metric, minutes in r._trend_leaves
            }
        )
        hits = []
        for device_id, info, points, candidates in todo:
            series: dict[datetime, dict[str, float]] = defaultdict(dict)
            for metric, pts in points.items():
                for ts, value in pts:
                    series[ts][metric] = value
            for hit in self._evaluate(device_id, info, sorted(series.items()), candidates, context):
                hits.append((device_id, hit))
        return hits

    # Per-worker recent extremes in one-minute buckets: a cheap pre-check for rise/drop rules.
    def _remember(self, device_id, metric, points) -> None:
        buckets = self._recent.setdefault((device_id, metric), {})
        for ts, value in points:
            minute = int(ts.timestamp() // 60)
            seen = buckets.get(minute)
            if seen is None:
                buckets[minute] = (value, value)
            elif value < seen[0] or value > seen[1]:
                buckets[minute] = (min(seen[0], value), max(seen[1], value))
        if len(buckets) > 64:
            for key in sorted(buckets)[:-64]:
                del buckets[key]

    def _seed_recent(self, keys) -> None:
        """Seed the recent-extremes window of devices seen for the first time: one aggregate query
        per (metric, window) for all of them, instead of one per device inside the rule."""
        from django.db.models import Max, Min

        keys = [k for k in keys if k not in self._seeded]
        if not keys:
            return
        groups: dict[tuple[str, float], list[int]] = defaultdict(list)
        for device_id, metric, minutes in keys:
            groups[(metric, minutes)].append(device_id)
        now_minute = int(time.time() // 60)
        for (metric, minutes), ids in groups.items():
            since = datetime.now(UTC) - timedelta(minutes=minutes)
            found = (
                Reading.objects.filter(device_id__in=ids, metric=metric, ts__gte=since)
                .values("device_id")
                .annotate(lo=Min("value"), hi=Max("value"))
                .values_list("device_id", "lo", "hi")
            )
            seed = now_minute - int(minutes)
            for device_id, lo, hi in found:
                buckets = self._recent.setdefault((device_id, metric), {})
                old = buckets.get(seed, (lo, hi))
                buckets[seed] = (min(old[0], lo), max(old[1], hi))
        if len(self._seeded) > 500_000:
            self._seeded.clear()
        self._seeded.update(keys)

    def _recent_extremes(self, device_id, metric, minutes):
        """(min, max) of the last `minutes`, from the worker's buckets; the first time a device and
        metric are seen, the window is seeded from the database (`_seed_recent`)."""
        if (device_id, metric, minutes) not in self._seeded:
            self._seed_recent([(device_id, metric, minutes)])
        buckets = self._recent.setdefault((device_id, metric), {})
        now_minute = int(time.time() // 60)
        inside = [v for k, v in buckets.items() if k >= now_minute - minutes]
        if not inside:
            return None
        return min(v[0] for v in inside), max(v[1] for v in inside)

    def _touch_devices(self, per_device) -> None:
        """Record last-seen time and latest values (throttled per device) and bring devices online."""
        now = time.monotonic()
        due = [d for d in per_device if now - self._seen_written.get(d, -1e9) >= self.last_seen_every]
        if not due:
            return
        for d in due:
            self._seen_written[d] = now
        latest = {d: {m: max(points) for m, points in per_device[d].items()} for d in due}
        if connection.vendor == "postgresql":
            # One statement, no read-modify-write round trip. Status is not worth waiting for:
            # rows another transaction holds are skipped (and retried with the next batch), so
            # two workers touching the same devices can never deadlock.
            docs = [
                {
                    "id": d,
                    "vals": {m: v for m, (_, v) in latest[d].items()},
                    "seen": max(ts for ts, _ in latest[d].values()).isoformat(),
                }
                for d in sorted(due)
            ]
            with connection.cursor() as cur:
                cur.execute(
                    _PG_TOUCH,
                    [
                        DeviceStateChoices.OFFLINE,
                        DeviceStateChoices.NEW,
                        DeviceStateChoices.NORMAL,
                        json.dumps(docs),
                        sorted(due),
                    ],
                )
                touched = {row[0] for row in cur.fetchall()}
            for d in due:
                if d not in touched:  # locked by the other worker right now: next batch
                    self._seen_written.pop(d, None)
            return
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

    def _evaluate(self, device_id, info, series, rules, context) -> list[list]:
        """Evaluate rules at every instant of the batch (trend rules only at its end); hits of one
        rule in one batch are folded into one [rule, hit, ts, count, peak, last] each."""

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
        return list(hits.values())

    def _raise(self, hits: list[tuple[int, list]]) -> None:
        """Raise or fold the batch's alarms. On PostgreSQL the workers take turns (a transaction
        advisory lock, taken before any device row is locked): alarm_raise locks the alarm, the
        device row and the audit chain, and two workers doing that in different orders deadlock."""
        from gasguard.monitoring.services import alarm_raise

        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [ALARM_LOCK])
        devices = Device.objects.in_bulk({device_id for device_id, _ in hits})
        for device_id, (rule, hit, ts, count, peak, last) in sorted(hits, key=lambda h: (h[0], h[1][0].pk)):
            alarm_raise(
                device=devices[device_id],
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
