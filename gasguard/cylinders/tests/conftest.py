import uuid

import pytest
from django.core.cache import cache
from django.utils import timezone

from gasguard.cylinders.tests.factories import filling_unit


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unit(city):
    return filling_unit(city.street_a, name="南山液化气充装站有限公司")


@pytest.fixture
def unit_b(city):
    return filling_unit(city.street_b, name="宝安液化气充装有限公司")


@pytest.fixture
def gate(unit):
    """gate(code, **overrides) runs the gate service as the unit's user."""
    from gasguard.cylinders.services import cylinder_check_for_filling

    def _gate(code, *, u=None, key=None, scanned_at=None, operator=None, station=None):
        u = u or unit
        return cylinder_check_for_filling(
            actor=u.user,
            station=station or u.station,
            code=code,
            operator_staff=operator or u.operator,
            idempotency_key=key or uuid.uuid4().hex,
            scanned_at=scanned_at or timezone.now(),
        )

    return _gate
