"""The gate's hot path: one SELECT and one INSERT per decision over real token auth, and cached
reference data (licence, certificate, membership, user, token, blacklist) dropped as soon as a
change commits instead of after GASGUARD_GATE_CACHE_SECONDS."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from gasguard.accounts.models import Membership
from gasguard.cylinders.models import FillAttempt
from gasguard.cylinders.tests.factories import cylinder
from gasguard.cylinders.tests.factories import gate_body as body
from gasguard.products.models import BlacklistEntry, ProductModel
from gasguard.registry.models import Certificate

pytestmark = pytest.mark.django_db


def post(client, unit, code, **kw):
    return client.post("/api/cylinders/gate/", body(unit, code, **kw), format="json")


def reason_codes(response):
    return {r["code"] for r in response.json()["reasons"]}


@pytest.mark.django_db(transaction=True)
def test_allowed_decision_is_one_select_and_one_insert(unit, api, django_assert_num_queries):
    """Autocommit as in production: no token, user, membership, licence or certificate query."""
    c = cylinder(unit.enterprise)
    client = api(unit.user)
    assert post(client, unit, c.code).json()["decision"] == "allow"  # warms the caches
    with django_assert_num_queries(2) as captured:
        r = post(client, unit, c.code)
    assert r.status_code == 200 and r.json()["decision"] == "allow"
    sql = [q["sql"].lstrip().upper() for q in captured.captured_queries]
    assert sql[0].startswith("SELECT") and "CYLINDERS_CYLINDER" in sql[0]
    assert "INSERT INTO" in sql[1] and "CYLINDERS_FILLATTEMPT" in sql[1]
    assert FillAttempt.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_denied_decision_counts_recent_denials_with_its_insert(unit, unit_b, api, django_assert_num_queries):
    c = cylinder(unit_b.enterprise)
    client = api(unit.user)
    post(client, unit, c.code)
    # PostgreSQL: the INSERT also counts the recent denials here (one prepared statement);
    # SQLite: lookup, insert, count.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 3):
        r = post(client, unit, c.code)
    assert r.json()["decision"] == "deny" and "not_own_cylinder" in reason_codes(r)
    assert FillAttempt.objects.filter(decision="deny").count() == 2


def test_revoked_licence_reaches_the_gate_on_commit(unit, api, django_capture_on_commit_callbacks):
    c = cylinder(unit.enterprise)
    client = api(unit.user)
    assert post(client, unit, c.code).json()["decision"] == "allow"
    with django_capture_on_commit_callbacks(execute=True):
        unit.licence.status = "revoked"
        unit.licence.save()
    assert reason_codes(post(client, unit, c.code)) == {"station_licence_invalid"}


def test_expired_certificate_reaches_the_gate_on_commit(unit, api, django_capture_on_commit_callbacks):
    c = cylinder(unit.enterprise)
    client = api(unit.user)
    assert post(client, unit, c.code).json()["decision"] == "allow"
    with django_capture_on_commit_callbacks(execute=True):
        cert = Certificate.objects.get(staff=unit.operator)
        cert.valid_to = timezone.localdate() - datetime.timedelta(days=1)
        cert.save()
    assert reason_codes(post(client, unit, c.code)) == {"operator_certificate_invalid"}


def test_deactivated_operator_reaches_the_gate_on_commit(unit, api, django_capture_on_commit_callbacks):
    c = cylinder(unit.enterprise)
    client = api(unit.user)
    post(client, unit, c.code)
    with django_capture_on_commit_callbacks(execute=True):
        unit.operator.is_active = False
        unit.operator.save()
    assert reason_codes(post(client, unit, c.code)) == {"operator_unknown"}


def test_ended_membership_refuses_the_cached_token_user_on_commit(
    unit, api, django_capture_on_commit_callbacks
):
    c = cylinder(unit.enterprise)
    client = api(unit.user)
    assert post(client, unit, c.code).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        membership = Membership.objects.get(user=unit.user)
        membership.is_active = False
        membership.save()
    r = post(client, unit, c.code)
    assert r.status_code == 403
    assert FillAttempt.objects.count() == 1


def test_deactivated_user_and_deleted_token_are_refused_on_commit(
    unit, api, django_capture_on_commit_callbacks
):
    c = cylinder(unit.enterprise)
    client = api(unit.user)
    assert post(client, unit, c.code).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        unit.user.is_active = False
        unit.user.save()
    assert post(client, unit, c.code).status_code == 401

    unit.user.is_active = True
    unit.user.save()
    client = api(unit.user)
    assert post(client, unit, c.code).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        unit.user.auth_token.delete()
    assert post(client, unit, c.code).status_code == 401


def test_a_login_does_not_drop_the_gate_cache(unit, api, django_capture_on_commit_callbacks):
    client = api(unit.user)
    post(client, unit, cylinder(unit.enterprise).code)
    with django_capture_on_commit_callbacks() as callbacks:
        unit.user.last_login = timezone.now()
        unit.user.save(update_fields=["last_login"])
    assert callbacks == []


def test_blacklisting_reaches_the_gate_on_commit(unit, city, api, django_capture_on_commit_callbacks):
    from gasguard.products.services import blacklist_add

    pm = ProductModel.objects.create(kind="cylinder", maker_name="某厂", model="YSP35.5-X")
    c = cylinder(unit.enterprise, product_model=pm)
    client = api(unit.user)
    assert post(client, unit, c.code).json()["decision"] == "allow"
    with django_capture_on_commit_callbacks(execute=True):
        blacklist_add(
            actor=city.market_inspector_a, product_model=pm, reason="抽查不合格", source="spot_check"
        )
    assert reason_codes(post(client, unit, c.code)) == {"model_blacklisted"}
    assert BlacklistEntry.objects.filter(is_active=True).count() == 1


def test_a_pinned_request_reads_the_shared_cache_once_even_when_the_blacklist_is_absent(monkeypatch):
    from django.core.cache import cache

    from gasguard.cylinders import gate_cache

    key = "gg:test:absent"
    cache.delete(key)
    reads = []
    real = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append(keys) or real(keys))
    with gate_cache.pinned(raw_keys=(key,)):
        gen, hits = gate_cache.gate_cache_get(["gg:test:local"], raw_keys=(key,))
        gate_cache.gate_cache_get([], raw_keys=(key,))
    assert len(reads) == 1 and hits == {} and gen
