import pytest

from gasguard.hazards.tests.factories import make_hazard


@pytest.fixture
def hazard(city):
    """A general hazard at the restaurant of enterprise A (南山), found by inspector A."""
    return make_hazard(city.inspector_a, city.premises_a)
