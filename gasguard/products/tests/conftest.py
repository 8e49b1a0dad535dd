"""Fixtures shared by the product-quality tests."""

import pytest

from gasguard.accounts.tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def _cache():
    """Permission lookups are cached; start each test without another test's answers."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def market_b(city):
    """市场监管 of district B (宝安): a regulator, but not of district A's rows."""
    user = UserFactory(username="market_inspector_b", real_name="market_inspector_b")
    MembershipFactory(user=user, role="inspector", department=city.depts[("440306", "market")])
    return user
