import pytest
from django.test import override_settings

from gasguard.accounts.tests.factories import PASSWORD


@pytest.mark.django_db
@override_settings(GASGUARD_LOGIN_MAX_FAILURES=3)
def test_account_locks_after_repeated_failures_even_with_right_password(client, city):
    for _ in range(3):
        client.post("/accounts/login/", {"username": "inspector_a", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "inspector_a", "password": PASSWORD})
    assert response.status_code == 200
    assert "已锁定" in response.content.decode()
    city.inspector_a.refresh_from_db()
    assert city.inspector_a.locked_until is not None


@pytest.mark.django_db
def test_login_with_right_password_succeeds(client, city):
    response = client.post("/accounts/login/", {"username": "inspector_a", "password": PASSWORD})
    assert response.status_code == 302


def test_weak_password_is_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("abcdefghij")
