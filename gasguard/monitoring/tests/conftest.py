import pytest

from gasguard.monitoring.services import ensure_default_rules
from gasguard.monitoring.tests.factories import make_device


@pytest.fixture
def rules(db):
    ensure_default_rules()


@pytest.fixture
def dev(city, rules):
    """A methane detector in an adjacent space of district A, owned by enterprise A."""
    device, secret = make_device(
        actor=city.taskforce_admin, enterprise=city.enterprise_a, region=city.street_a, code="SIM-A-0001"
    )
    device.secret = secret
    return device


@pytest.fixture
def dev_b(city, rules):
    device, secret = make_device(
        actor=city.taskforce_admin, enterprise=city.enterprise_b, region=city.street_b, code="SIM-B-0001"
    )
    device.secret = secret
    return device
