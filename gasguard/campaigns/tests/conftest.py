import pytest


@pytest.fixture(autouse=True)
def _no_dashboard_cache(settings):
    """Figures are cached per (scope, day) in production; tests read them fresh."""
    settings.GASGUARD_DASHBOARD_CACHE_SECONDS = 0
