"""The simulator's messages (written as text for speed) are valid telemetry; its garbage is refused whole."""

import time

import pytest

from gasguard.monitoring.ingest import DeviceDirectory, Parsed, parse_message
from gasguard.monitoring.metrics import METRICS, TYPE_METRICS
from gasguard.monitoring.simulator import Simulator, issue_credentials
from gasguard.monitoring.tests.factories import make_fleet


@pytest.fixture
def fleet(city, rules):
    devices = make_fleet(city=city, prefix="SIM-T-", device_types=list(TYPE_METRICS))
    return devices, issue_credentials(devices)


@pytest.mark.django_db
def test_good_messages_parse_completely(fleet):
    devices, secrets = fleet
    sim = Simulator(devices, secrets, per_message=20, spike_prob=0.2)
    directory = DeviceDirectory()
    parsed = Parsed()
    expected = 0
    for _ in range(5):
        for dev in sim.devices:
            topic, payload, readings, garbage = sim.message(dev, time.time())
            assert not garbage
            expected += readings
            parse_message(payload, topic=topic, directory=directory, into=parsed)
    assert not parsed.dead and len(parsed.rows) == expected
    for _, metric, _, value in parsed.rows:
        assert METRICS[metric].low <= value <= METRICS[metric].high
    assert any(metric == "methane" and value >= 15 for _, metric, _, value in parsed.rows)  # spikes
    # Samples of one device are 1 ms apart and never repeat across messages.
    keys = [(d, m, ts) for d, m, ts, _ in parsed.rows]
    assert len(keys) == len(set(keys))


@pytest.mark.django_db
def test_garbage_is_refused_whole(fleet):
    devices, secrets = fleet
    sim = Simulator(devices, secrets, per_message=3, garbage=1.0)
    directory = DeviceDirectory()
    for i in range(30):
        topic, payload, _, garbage = sim.message(sim.devices[i % len(sim.devices)], time.time())
        parsed = parse_message(payload, topic=topic, directory=directory)
        assert garbage and not parsed.rows and len(parsed.dead) >= 1
