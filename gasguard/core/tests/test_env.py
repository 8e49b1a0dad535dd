import pytest
from django.core.exceptions import ImproperlyConfigured

from gasguard.core.env import env_bool, env_float, env_int, env_list


def test_bad_values_fail_loudly(monkeypatch):
    monkeypatch.setenv("GG_X", "abc")
    with pytest.raises(ImproperlyConfigured, match="GG_X"):
        env_int("GG_X", 1)
    with pytest.raises(ImproperlyConfigured):
        env_bool("GG_X")
    with pytest.raises(ImproperlyConfigured):
        env_float("GG_X", 1.0)
    monkeypatch.setenv("GG_X", "nan")
    with pytest.raises(ImproperlyConfigured):
        env_float("GG_X", 1.0)
    monkeypatch.setenv("GG_X", "0")
    with pytest.raises(ImproperlyConfigured, match="minimum"):
        env_int("GG_X", 5, minimum=1)


def test_defaults_and_parsing(monkeypatch):
    monkeypatch.delenv("GG_Y", raising=False)
    assert env_int("GG_Y", 3) == 3
    monkeypatch.setenv("GG_Y", " a, b ,,c ")
    assert env_list("GG_Y", []) == ["a", "b", "c"]
    monkeypatch.setenv("GG_Y", "yes")
    assert env_bool("GG_Y") is True
