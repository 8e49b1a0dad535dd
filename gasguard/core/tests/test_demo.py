"""The demo city builds, is deterministic, and gives every role a login."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gasguard.accounts.models import User
from gasguard.org.models import Department, Region, TaskForce
from gasguard.registry.models import Enterprise, EnterpriseRole, Premises


def _build(scale=0.05, **kw):
    call_command("demo", scale=scale, only="org,accounts,registry", **kw)


@pytest.mark.django_db
def test_demo_builds_the_city_with_every_role():
    _build()
    assert Region.objects.filter(level=3).count() == 6
    assert Region.objects.filter(level=4).count() == 60
    assert Region.objects.filter(level=6).exists()
    kinds = set(Department.objects.filter(region__code="440305").values_list("kind", flat=True))
    assert {"housing", "market", "commerce", "emergency", "transport", "police", "fire"} <= kinds
    tf = TaskForce.objects.get(region__code="4403")
    assert tf.lead.kind == "housing" and tf.deputy_lead.kind == "emergency"
    assert Enterprise.objects.count() == 120
    roles = set(EnterpriseRole.objects.values_list("role", flat=True))
    assert len(roles) == 11
    assert Premises.objects.count() == 400
    usernames = set(User.objects.values_list("username", flat=True))
    assert {
        "admin",
        "taskforce",
        "leader",
        "ns_inspector",
        "ns_supervisor",
        "monitor",
        "ent_gas",
        "ent_restaurant",
    } <= usernames
    # every enterprise is named for what it does, and each demo login works for the right kind
    from gasguard.registry.demo import COMPANY_SUFFIX

    for ent in Enterprise.objects.prefetch_related("roles"):
        names = [COMPANY_SUFFIX[r.role] for r in ent.roles.all()] + ["燃气具网店（电商）"]
        assert any(ent.name.endswith(n) for n in names), (ent.name, [r.role for r in ent.roles.all()])
    for username, suffix in (
        ("ent_gas", "液化石油气有限公司"),
        ("ent_restaurant", "餐饮管理有限公司"),
        ("ent_filling", "燃气充装有限公司"),
        ("ent_pipeline", "燃气集团有限公司"),
    ):
        assert User.objects.get(username=username).memberships.get().enterprise.name.endswith(suffix)
    # every premises sits inside its grid's outline and its region code is a grid code
    for p in Premises.objects.select_related("region")[:50]:
        ring = p.region.boundary["coordinates"][0]
        assert ring[0][0] <= p.lon <= ring[2][0] and ring[0][1] <= p.lat <= ring[2][1]
        assert len(p.region_code) == 15


@pytest.mark.django_db
def test_demo_premises_are_deterministic_for_a_seed():
    _build(seed=7)
    from gasguard.core.demo import DemoContext
    from gasguard.registry import demo as registry_demo

    def draw():
        ctx = DemoContext(seed=7)
        ctx.data.update(
            grids=list(Region.objects.filter(level=6).order_by("code")),
            districts=list(Region.objects.filter(level=3).order_by("code")),
            streets=list(Region.objects.filter(level=4).order_by("code")),
        )
        return [(p.name, p.region_code, p.lon, p.lat) for p in registry_demo._premises_rows(ctx, 300, {})]

    first, second = draw(), draw()
    assert first == second
    assert len({name for name, *_ in first}) > 100


@pytest.mark.django_db
def test_demo_refuses_a_non_empty_database_and_skips_with_if_empty():
    _build()
    with pytest.raises(CommandError):
        _build()
    _build(if_empty=True)  # no error, nothing added
    assert Enterprise.objects.count() == 120
