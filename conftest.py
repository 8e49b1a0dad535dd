"""Shared test fixtures: a small city with two districts and one persona per role.

Personas (STYLE.md): an inspector of district A (南山 440305), one of district B (宝安 440306),
a supervisor of A, the city task-force admin, a read-only leader, an enterprise user of an
enterprise in A, and the public (anonymous client).
"""

import pytest
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gasguard.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory
from gasguard.org.choices import DepartmentKindChoices
from gasguard.org.models import Department, TaskForce
from gasguard.org.tests.factories import region_path
from gasguard.registry.tests.factories import EnterpriseFactory, EnterpriseRoleFactory, PremisesFactory

# Property tests check results, not speed: Hypothesis's default 200 ms per-example deadline fails a
# correct test on a loaded CI machine (speed is measured in bench/, never asserted in tests).
hypothesis_settings.register_profile("gasguard", deadline=None)
hypothesis_settings.load_profile("gasguard")


class City:
    """Handles to the fixture city's regions, departments, enterprises, premises and users."""


@pytest.fixture
def city(db):
    c = City()
    c.password = PASSWORD
    c.province = region_path(("44", "广东省"))
    c.city = region_path(("44", "广东省"), ("4403", "深圳市"))
    c.district_a = region_path(("44", "广东省"), ("4403", "深圳市"), ("440305", "南山区"))
    c.district_b = region_path(("44", "广东省"), ("4403", "深圳市"), ("440306", "宝安区"))
    c.street_a = region_path(
        ("44", "广东省"), ("4403", "深圳市"), ("440305", "南山区"), ("440305001", "南头街道")
    )
    c.grid_a = region_path(
        ("44", "广东省"),
        ("4403", "深圳市"),
        ("440305", "南山区"),
        ("440305001", "南头街道"),
        ("440305001001", "南头社区"),
        ("440305001001001", "南头社区第一网格"),
    )
    c.street_b = region_path(
        ("44", "广东省"), ("4403", "深圳市"), ("440306", "宝安区"), ("440306001", "新安街道")
    )
    c.depts = {}
    for region in (c.city, c.district_a, c.district_b):
        for kind in DepartmentKindChoices.values:
            c.depts[(region.code, kind)] = Department.objects.create(
                region=region, kind=kind, name=f"{region.name}{DepartmentKindChoices(kind).label}"
            )
    c.housing_a = c.depts[("440305", "housing")]
    c.housing_b = c.depts[("440306", "housing")]
    c.market_a = c.depts[("440305", "market")]
    c.task_force = TaskForce.objects.create(
        region=c.city,
        name="深圳市城镇燃气安全专项整治工作专班",
        lead=c.depts[("4403", "housing")],
        deputy_lead=c.depts[("4403", "emergency")],
    )
    c.task_force.members.set([d for (code, _), d in c.depts.items() if code == "4403"])

    c.enterprise_a = EnterpriseFactory(region=c.street_a, name="南山燃气有限公司")
    EnterpriseRoleFactory(enterprise=c.enterprise_a, role="bottled_lpg")
    c.enterprise_b = EnterpriseFactory(region=c.street_b, name="宝安燃气有限公司")
    EnterpriseRoleFactory(enterprise=c.enterprise_b, role="bottled_lpg")
    c.premises_a = PremisesFactory(region=c.grid_a, name="南山川菜馆", enterprise=c.enterprise_a)
    c.premises_b = PremisesFactory(
        region=c.street_b, name="宝安粤菜馆", enterprise=c.enterprise_b, lon=113.88, lat=22.55
    )

    def member(username, role, **unit):
        user = UserFactory(username=username, real_name=username)
        MembershipFactory(user=user, role=role, **unit)
        return user

    c.inspector_a = member("inspector_a", "inspector", department=c.housing_a)
    c.inspector_b = member("inspector_b", "inspector", department=c.housing_b)
    c.market_inspector_a = member("market_inspector_a", "inspector", department=c.market_a)
    c.supervisor_a = member("supervisor_a", "supervisor", department=c.housing_a)
    c.taskforce_admin = member("taskforce_admin", "taskforce_admin", task_force=c.task_force)
    c.leader = member("leader", "leader", task_force=c.task_force)
    c.enterprise_user_a = member("enterprise_a", "enterprise", enterprise=c.enterprise_a)
    c.enterprise_user_b = member("enterprise_b", "enterprise", enterprise=c.enterprise_b)
    c.monitor_operator = member("monitor_op", "monitor_operator", department=c.depts[("4403", "housing")])
    return c


@pytest.fixture
def login(client):
    """login(user) signs the Django test client in as that user and returns the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api():
    """api(user) returns an APIClient authenticated with the user's token (None = anonymous)."""

    def _api(user=None):
        c = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c

    return _api
