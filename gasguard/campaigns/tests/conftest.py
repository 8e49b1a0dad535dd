from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _no_dashboard_cache(settings, tmp_path):
    """Figures are cached per (scope, day) in production; tests read them fresh."""
    settings.GASGUARD_DASHBOARD_CACHE_SECONDS = 0
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def frozen(monkeypatch):
    """frozen(2024, 3, 20, 10) makes timezone.now() return that local time (Asia/Shanghai)."""

    def _freeze(*args):
        fixed = datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai"))
        monkeypatch.setattr(timezone, "now", lambda: fixed)
        return fixed

    return _freeze
