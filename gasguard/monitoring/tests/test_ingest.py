"""Ingest validation and storage (no broker): every kind of bad input goes to dead letters."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from gasguard.monitoring import ingest
from gasguard.monitoring.ingest import BatchProcessor, DeviceDirectory, Parsed, Store, parse_message
from gasguard.monitoring.models import DeadLetter, Reading, ReadingHourly


def ms(dt):
    return int(dt.timestamp() * 1000)


def payload(secret, **metrics):
    return json.dumps(
        {"token": secret, "ts": ms(datetime.now(UTC)), "metrics": metrics or {"methane": 1.5}}
    ).encode()


def parse(dev, raw, *, topic=None):
    return parse_message(raw, topic=topic or f"gg/v1/{dev.code}/telemetry", directory=DeviceDirectory())


@pytest.mark.django_db
class TestValidation:
    def test_good_single_and_batch(self, dev):
        p = parse(dev, payload(dev.secret, methane=2.5, battery=90))
        assert len(p.rows) == 2 and not p.dead
        now = datetime.now(UTC)
        batch = {
            "token": dev.secret,
            "readings": [{"ts": ms(now - timedelta(seconds=i)), "metrics": {"methane": i}} for i in range(5)],
        }
        p = parse(dev, json.dumps(batch).encode())
        assert len(p.rows) == 5 and not p.dead

    def test_iso_timestamp_naive_is_shanghai(self, dev):
        local = (datetime.now(UTC) + timedelta(hours=8)).replace(tzinfo=None, microsecond=0)
        raw = json.dumps({"token": dev.secret, "ts": local.isoformat(), "metrics": {"methane": 1}}).encode()
        p = parse(dev, raw)
        assert p.rows and abs((p.rows[0][2] - datetime.now(UTC)).total_seconds()) < 5

    @pytest.mark.parametrize(
        "raw,reason",
        [
            (b"{not json", "malformed"),
            (b"[1,2,3]", "malformed"),
            (b'{"token": "x"}', "bad_credential"),
            (b"\xff\xfe garbage", "malformed"),
        ],
    )
    def test_malformed(self, dev, raw, reason):
        p = parse(dev, raw)
        assert not p.rows and p.dead[0].reason == reason

    def test_nan_and_infinity_rejected(self, dev):
        for const in ("NaN", "Infinity", "-Infinity"):
            raw = (
                f'{{"token": "{dev.secret}", "ts": {ms(datetime.now(UTC))}, "metrics": {{"methane": {const}}}}}'
            ).encode()
            p = parse(dev, raw)
            assert not p.rows and p.dead[0].reason == "malformed", const

    def test_wrong_types_and_ranges(self, dev):
        raw = json.dumps(
            {
                "token": dev.secret,
                "ts": ms(datetime.now(UTC)),
                "metrics": {"methane": "12", "battery": True, "pressure": 99999, "foo": 1, "temperature": 20},
            }
        ).encode()
        p = parse(dev, raw)
        assert [r[1] for r in p.rows] == ["temperature"]
        assert sorted(d.reason for d in p.dead) == [
            "bad_value",
            "bad_value",
            "out_of_range",
            "unknown_metric",
        ]

    def test_timestamps_a_year_off(self, dev):
        for delta, reason in (
            (timedelta(days=365), "future_timestamp"),
            (timedelta(days=-365), "stale_timestamp"),
        ):
            raw = json.dumps(
                {"token": dev.secret, "ts": ms(datetime.now(UTC) + delta), "metrics": {"methane": 1}}
            )
            p = parse(dev, raw.encode())
            assert not p.rows and p.dead[0].reason == reason
        raw = json.dumps({"token": dev.secret, "ts": "yesterday", "metrics": {"methane": 1}})
        assert parse(dev, raw.encode()).dead[0].reason == "bad_timestamp"

    def test_every_timestamp_form_gets_its_own_reason(self, dev, settings):
        now = datetime.now(UTC)
        ahead = ms(now + timedelta(seconds=settings.GASGUARD_MONITORING_FUTURE_SECONDS + 60))
        cases = [
            (ms(now), None),
            (ms(now) + 0.5, None),  # float milliseconds
            ((now - timedelta(days=1)).isoformat(), None),
            (ahead, "future_timestamp"),
            (ms(now - timedelta(days=settings.GASGUARD_MONITORING_PAST_DAYS, minutes=1)), "stale_timestamp"),
            (10**20, "bad_timestamp"),  # beyond what a datetime can hold
            (True, "bad_timestamp"),
            (None, "bad_timestamp"),
            ([1], "bad_timestamp"),
        ]
        raw = json.dumps(
            {"token": dev.secret, "readings": [{"ts": ts, "metrics": {"methane": 1}} for ts, _ in cases]}
        ).encode()
        p = parse(dev, raw)
        assert len(p.rows) == 3
        assert [d.reason for d in p.dead] == [reason for _, reason in cases if reason]
        assert all(d.message.startswith("第") for d in p.dead)  # names the reading

    def test_ten_megabyte_payload_refused_early(self, dev, settings, monkeypatch):
        big = b'{"token": "x", "metrics": {"methane": 1}, "pad": "' + b"a" * (10 * 1024 * 1024) + b'"}'

        def never(payload):
            raise AssertionError("an over-size payload must be refused before it is decoded")

        monkeypatch.setattr(ingest, "_loads", never)
        p = parse(dev, big)
        assert p.dead[0].reason == "too_large" and p.dead[0].payload_size == len(big)
        assert len(p.dead[0].payload) <= settings.GASGUARD_MONITORING_DEADLETTER_CHARS

    def test_unknown_device_and_stolen_credential(self, dev, dev_b):
        p = parse(dev, payload(dev.secret), topic="gg/v1/NOPE-1234/telemetry")
        assert p.dead[0].reason == "unknown_device"
        # device A's valid secret used on device B's topic
        p = parse(dev, payload(dev.secret), topic=f"gg/v1/{dev_b.code}/telemetry")
        assert not p.rows and p.dead[0].reason == "bad_credential"

    def test_bad_topic(self, dev):
        p = parse(dev, payload(dev.secret), topic="gg/v1/../telemetry")
        assert p.dead[0].reason == "malformed"

    def test_inactive_device(self, dev, city):
        from gasguard.monitoring.services import device_update

        device_update(actor=city.taskforce_admin, device=dev, is_active=False)
        assert parse(dev, payload(dev.secret)).dead[0].reason == "device_inactive"


@pytest.mark.django_db(transaction=True)
class TestStore:
    def test_store_dedupes_and_aggregates(self, dev):
        now = datetime.now(UTC).replace(microsecond=0)
        batch = {
            "token": dev.secret,
            "readings": [
                {"ts": ms(now - timedelta(seconds=i)), "metrics": {"methane": float(i)}} for i in range(10)
            ],
        }
        raw = json.dumps(batch).encode()
        proc = BatchProcessor()
        topic = f"gg/v1/{dev.code}/telemetry"
        assert proc.process([(topic, raw)])
        assert proc.process([(topic, raw)])  # the same batch delivered twice
        assert Reading.objects.filter(device_id=dev.pk).count() == 10
        total = sum(h.count for h in ReadingHourly.objects.filter(device_id=dev.pk, metric="methane"))
        assert total == 10
        agg = ReadingHourly.objects.filter(device_id=dev.pk)
        assert min(h.vmin for h in agg) == 0.0 and max(h.vmax for h in agg) == 9.0
        dev.refresh_from_db()
        assert dev.state == "normal" and dev.last_seen_at is not None

    def test_dead_letters_persisted_and_ingest_continues(self, dev):
        proc = BatchProcessor()
        topic = f"gg/v1/{dev.code}/telemetry"
        assert proc.process([(topic, b"{bad"), (topic, payload(dev.secret, methane=1.0))])
        assert DeadLetter.objects.filter(reason="malformed").count() == 1
        assert Reading.objects.filter(device_id=dev.pk).count() == 1

    def test_db_failure_retries_and_never_loses(self, dev, monkeypatch):
        from django.db import OperationalError

        store = Store()
        real = store.write
        calls = {"n": 0}

        def flaky(parsed):
            calls["n"] += 1
            if calls["n"] == 1:
                raise OperationalError("database briefly unavailable")
            return real(parsed)

        monkeypatch.setattr(store, "write", flaky)
        proc = BatchProcessor(store=store, retry_max_seconds=0.05)
        assert proc.process([(f"gg/v1/{dev.code}/telemetry", payload(dev.secret, methane=3.0))])
        assert calls["n"] == 2 and proc.failures == 1
        assert Reading.objects.filter(device_id=dev.pk).count() == 1

    def test_stop_while_db_down_returns_uncommitted(self, dev):
        import threading

        from django.db import OperationalError

        class Down(Store):
            def write(self, parsed):
                raise OperationalError("down")

        stop = threading.Event()
        proc = BatchProcessor(store=Down(), retry_max_seconds=0.01)
        threading.Timer(0.1, stop.set).start()
        assert proc.process([(f"gg/v1/{dev.code}/telemetry", payload(dev.secret))], stop=stop) is False


def test_parsed_defaults():
    assert Parsed().rows == []


@pytest.mark.django_db(transaction=True)
def test_rotated_secret_accepted_at_once_by_a_running_worker(dev, city):
    from gasguard.monitoring.services import device_rotate_credential

    proc = BatchProcessor()
    topic = f"gg/v1/{dev.code}/telemetry"
    assert proc.process([(topic, payload(dev.secret, methane=1.0))])
    new = device_rotate_credential(actor=city.taskforce_admin, device=dev)
    assert proc.process([(topic, payload(new, methane=2.0))])
    assert Reading.objects.filter(device_id=dev.pk).count() == 2


@pytest.mark.django_db
def test_fleet_rekeyed_at_once_costs_one_directory_read(city, rules):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gasguard.monitoring.simulator import issue_credentials
    from gasguard.monitoring.tests.factories import make_fleet

    devices = make_fleet(city=city, prefix="SIM-K-", device_types=["methane"] * 12)
    directory = DeviceDirectory()
    directory.get("")  # warm, as a running worker is…
    directory._loaded_at -= DeviceDirectory.REFRESH_ON_FAILURE  # …since a few seconds
    secrets = issue_credentials(devices)  # every secret changes at once
    with CaptureQueriesContext(connection) as queries:
        results = [directory.check(directory.get(d.code), secrets[d.code])[0] for d in devices]
    assert all(results) and len(queries) == 1
    # A second device re-keyed a moment later is still accepted at once (its own fresh read).
    later = issue_credentials(devices[:1])
    assert directory.check(directory.get(devices[0].code), later[devices[0].code])[0]
    assert not directory.check(directory.get(devices[1].code), "wrong-token")[0]
