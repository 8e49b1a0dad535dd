import pytest

from gasguard.accounts.selectors import user_scope
from gasguard.registry.models import Premises


def test_healthz_reports_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"]["ok"] is True


def test_security_headers_are_set(client, db):
    response = client.get("/accounts/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_scope_of_district_inspector_covers_only_its_district(city):
    scope = user_scope(user=city.inspector_a)
    visible = set(scope.apply(Premises.objects.all()).values_list("name", flat=True))
    assert visible == {"南山川菜馆"}


@pytest.mark.django_db
def test_scope_of_city_task_force_covers_all_districts(city):
    scope = user_scope(user=city.taskforce_admin)
    assert scope.apply(Premises.objects.all()).count() == 2


@pytest.mark.django_db
def test_scope_of_enterprise_user_covers_only_its_records(city):
    scope = user_scope(user=city.enterprise_user_a)
    qs = scope.apply(Premises.objects.all(), region_field=None, enterprise_field="enterprise_id")
    assert list(qs.values_list("name", flat=True)) == ["南山川菜馆"]
